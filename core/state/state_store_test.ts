import { assert, assertEquals, assertRejects, assertThrows } from "../../tests/assert.ts";
import type { PlanResult, SchedulerState } from "../scheduler/types.ts";
import type { PlanResultInput } from "./entries.ts";
import {
  type LoadedLog,
  type LogBackend,
  type LogRecord,
  MemoryLogBackend,
} from "./log_backend.ts";
import { KvLogBackend } from "./kv_log_backend.ts";
import { StateStore } from "./state_store.ts";
import { TABLE_NAMES } from "./_tables.ts";
import {
  memoryStore,
  mockAlloc,
  mockEval,
  mockJob,
  mockNode,
  planEntry,
  storeWithJob,
} from "./_testing.ts";

/** A memory backend that counts appends and can hold them back. */
class GatedBackend implements LogBackend {
  readonly inner = new MemoryLogBackend();
  appends: number[][] = [];
  gate: Promise<void> = Promise.resolve();
  fail: Error | null = null;
  load(): Promise<LoadedLog> {
    return this.inner.load();
  }
  async append(records: readonly LogRecord[]): Promise<void> {
    await this.gate;
    if (this.fail) throw this.fail;
    this.appends.push(records.map((r) => r.index));
    return this.inner.append(records);
  }
  compact(index: number, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    return this.inner.compact(index, chunks);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Everything a store holds, as plain data. */
function dump(store: StateStore): unknown {
  const s = store.snapshot();
  return JSON.parse(JSON.stringify({
    index: s.index,
    tables: TABLE_NAMES.map((t) => [t, s.tableIndex(t)]),
    jobs: s.jobs(),
    versions: s.jobs().map((j) => s.jobVersions(j.Namespace ?? "", j.ID ?? "")),
    summaries: s.jobs().map((j) => s.jobSummary(j.Namespace ?? "", j.ID ?? "")),
    allocs: s.allocs(),
    evals: s.evals(),
    nodes: s.nodes(),
    deployments: s.deployments(),
    config: s.schedulerConfig(),
  }));
}

Deno.test("apply() gives entries consecutive indexes and commits concurrent ones together", async () => {
  const backend = new GatedBackend();
  const store = await StateStore.open({ backend });
  const results = await Promise.all(
    ["a", "b", "c", "d"].map((id) => store.apply({ type: "NodeRegister", node: mockNode(id) })),
  );
  assertEquals(results.map((r) => r.index), [1, 2, 3, 4]);
  assertEquals(backend.appends, [[1, 2, 3, 4]], "one log write for the four entries");
  await store.apply({ type: "NodeRegister", node: mockNode("e") });
  assertEquals(backend.appends.at(-1), [5]);
  assertEquals(store.index, 5);
});

Deno.test("apply() resolves only after the log write; readers never see an unwritten entry", async () => {
  const backend = new GatedBackend();
  const store = await StateStore.open({ backend });
  let open!: () => void;
  backend.gate = new Promise((r) => open = r);
  let done = false;
  const p = store.apply({ type: "NodeRegister", node: mockNode("n1") }).then((r) => {
    done = true;
    return r;
  });
  await new Promise((r) => setTimeout(r, 10));
  assertEquals([done, store.snapshot().node("n1"), store.index], [false, undefined, 0]);
  const waiting = store.apply({ type: "NodeRegister", node: mockNode("n2") });
  open();
  assertEquals((await p).index, 1);
  assertEquals((await waiting).index, 2);
  assertEquals(backend.appends, [[1], [2]], "entries queued during a write share the next one");
});

Deno.test("a failing entry changes nothing, keeps its index, and replays the same", async () => {
  const backend = new MemoryLogBackend();
  const store = await StateStore.open({ backend });
  await store.apply({ type: "NodeRegister", node: mockNode("n1") });
  await assertRejects(
    () => store.apply({ type: "NodeStatus", nodeId: "nx", status: "down", updatedAt: 1 }),
    Error,
    "node not found: nx",
  );
  assertEquals(store.index, 2);
  assertEquals((await store.apply({ type: "NodeRegister", node: mockNode("n2") })).index, 3);
  const again = await StateStore.open({ backend: backend.reopen() });
  assertEquals(dump(again), dump(store));
});

Deno.test("a failed log write fails this and every later apply", async () => {
  const backend = new GatedBackend();
  const store = await StateStore.open({ backend });
  backend.fail = new Error("disk full");
  await assertRejects(
    () => store.apply({ type: "NodeRegister", node: mockNode("n1") }),
    Error,
    "the state log failed to write (disk full); restart the agent",
  );
  backend.fail = null;
  await assertRejects(
    () => store.apply({ type: "NodeRegister", node: mockNode("n2") }),
    Error,
    "disk full",
  );
  assertEquals(store.snapshot().nodes(), []);
});

Deno.test("apply() rejects an entry that cannot be logged, without using an index", async () => {
  const store = await memoryStore();
  const node = mockNode("n1", { Meta: { big: 1n as unknown as string } });
  await assertRejects(
    () => store.apply({ type: "NodeRegister", node }),
    TypeError,
    "Cannot log a NodeRegister entry",
  );
  assertEquals((await store.apply({ type: "NodeRegister", node: mockNode("n2") })).index, 1);
});

Deno.test("StateStore.open() on KV recovers the same state, sharing job objects", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nomad_state_" });
  try {
    const path = `${dir}/state.kv`;
    const store = await StateStore.open({ backend: await KvLogBackend.open(path) });
    for (const id of ["n1", "n2"]) await store.apply({ type: "NodeRegister", node: mockNode(id) });
    const job = mockJob("web");
    await store.apply({ type: "JobRegister", job, eval: mockEval("e1", job) });
    const stored = store.snapshot().job("default", "web") ?? job;
    const allocs = Array.from(
      { length: 40 },
      (_, i) => mockAlloc(`a${i}`, stored, i % 2 ? "n1" : "n2"),
    );
    await store.apply(planEntry(stored, "e1", allocs));
    await store.compact();
    await store.apply({
      type: "AllocClientUpdate",
      allocs: [{
        ID: "a1",
        ClientStatus: "running",
        ClientDescription: "",
        TaskStates: null,
        DeploymentStatus: null,
        NetworkStatus: null,
      }],
    });
    await store.apply({ type: "JobRegister", job: mockJob("web", {}, 5) });
    const before = dump(store);
    await store.close();
    const again = await StateStore.open({ backend: await KvLogBackend.open(path) });
    assertEquals(dump(again), before);
    assertEquals(again.stats().replayed, 2, "only the entries after the snapshot are replayed");
    const s = again.snapshot();
    assert(s.alloc("a0")?.Job === s.alloc("a39")?.Job, "allocations share one job object");
    assertEquals(s.alloc("a0")?.Job?.Version, 0);
    assertEquals(s.allocsByNode("n1").length, 20);
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("compaction keeps the replayed tail and the KV keys bounded, whatever the history", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const open = () => StateStore.open({ backend: new KvLogBackend(kv), compactEntries: 50 });
    let store = await open();
    for (const id of ["n1", "n2", "n3"]) {
      await store.apply({ type: "NodeRegister", node: mockNode(id) });
    }
    const countKeys = async () => {
      let n = 0;
      for await (const _ of kv.list({ prefix: [] })) n++;
      return n;
    };
    const keysAt: number[] = [];
    const replayedAt: number[] = [];
    const openMs: number[] = [];
    let compactions = 0;
    for (let round = 1; round <= 4; round++) {
      for (let i = 0; i < 300; i++) {
        const status = i % 2 ? "down" : "ready";
        await store.apply({ type: "NodeStatus", nodeId: `n${i % 3 + 1}`, status, updatedAt: i });
      }
      const before = dump(store);
      compactions += store.stats().compactions;
      await store.close();
      keysAt.push(await countKeys());
      const t0 = performance.now();
      store = await open();
      openMs.push(performance.now() - t0);
      replayedAt.push(store.stats().replayed);
      assertEquals(dump(store), before);
    }
    await store.close();
    assert(compactions >= 20, `automatic compactions ran: ${compactions}`);
    assert(replayedAt.every((n) => n <= 50), `replay stays under the threshold: ${replayedAt}`);
    assert(Math.max(...keysAt) <= 60, `KV keys stay bounded: ${keysAt}`);
    assert(openMs[3] as number < (openMs[0] as number) * 3 + 50, `open time stays flat: ${openMs}`);
  } finally {
    kv.close();
  }
});

Deno.test("a snapshot is fixed at its index and refuses reads once the state moved", async () => {
  const store = await storeWithJob();
  const snap = store.snapshot();
  assertEquals(snap.index, store.index);
  await store.apply({ type: "NodeRegister", node: mockNode("n9") });
  assertEquals(snap.stale, true);
  assertThrows(() => snap.nodes(), Error, "take a new snapshot after each await");
  assertEquals(store.snapshot().nodes().length, 4);
});

Deno.test("with freeze, stored rows cannot be changed by readers", async () => {
  const store = await storeWithJob({ freeze: true });
  const job = store.snapshot().job("default", "web");
  assert(job && Object.isFrozen(job) && Object.isFrozen(job.TaskGroups?.[0]));
  assertThrows(() => {
    (job as { Priority: number }).Priority = 1;
  }, TypeError);
});

Deno.test("waitForIndex() wakes on a watched table only, and rejects on abort", async () => {
  const store = await storeWithJob();
  const start = store.tableIndex("allocs");
  let woke = 0;
  const waiting = store.waitForIndex(["allocs"], start).then((i) => woke = i);
  await store.apply({ type: "NodeRegister", node: mockNode("n9") });
  await new Promise((r) => setTimeout(r, 5));
  assertEquals(woke, 0, "a node change does not wake an allocs query");
  const job = store.snapshot().job("default", "web") ?? mockJob("web");
  const { index } = await store.apply(planEntry(job, "e1", [mockAlloc("a1", job, "n1")]));
  await waiting;
  assertEquals(woke, index);
  assertEquals(
    await store.waitForIndex(["allocs", "nodes"], index - 1),
    index,
    "already past: at once",
  );
  const ctl = new AbortController();
  const aborted = store.waitForIndex(["evals"], store.index, ctl.signal);
  ctl.abort(new Error("timeout"));
  await assertRejects(() => aborted, Error, "timeout");
});

Deno.test("the snapshot satisfies the scheduler's SchedulerState; PlanResult fits PlanApply", async () => {
  const store = await storeWithJob();
  const state: SchedulerState = store.snapshot();
  assertEquals(state.nodes().length, 3);
  assertEquals(state.schedulerConfig().SchedulerAlgorithm, "binpack");
  const result: PlanResult = {
    NodeUpdate: {},
    NodeAllocation: {},
    NodePreemptions: {},
    Deployment: null,
    DeploymentUpdates: [],
    RejectedNodes: [],
    IneligibleNodes: [],
    RefreshIndex: 0,
    AllocIndex: 0,
  };
  const input: PlanResultInput = result;
  assertEquals(input.IneligibleNodes, []);
});
