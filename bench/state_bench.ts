/**
 * State store applies: a PlanApply entry placing 1,000 allocations (realistic resources and
 * metrics) on the memory and the KV log, against the floor of a raw KV write of the same bytes
 * (same chunking and atomic packing). Also 8 concurrent plans of 125 allocations (group
 * commit). Applies/s = 1 / time per iteration.
 * Run: `deno task bench bench/state_bench.ts`.
 */
import {
  type Allocation,
  type AllocMetric,
  AllocMetricSpec,
  type Job,
  zero,
} from "../core/structs/mod.ts";
import { KvLogBackend, type PlanApplyEntry, StateStore } from "../core/state/mod.ts";
import { encodeEntry } from "../core/state/_codec.ts";
import { mockAlloc, mockEval, mockJob, mockNode, planEntry } from "../core/state/_testing.ts";

const NODES = 1000;
const PER_PLAN = 1000;
const dir = await Deno.makeTempDir({ prefix: "nomad_state_bench_" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

function metrics(): AllocMetric {
  return {
    ...zero(AllocMetricSpec),
    NodesEvaluated: 5,
    NodesInPool: NODES,
    NodePool: "default",
    NodesAvailable: { dc1: NODES },
    ScoreMetaData: Array.from({ length: 5 }, (_, i) => ({
      NodeID: crypto.randomUUID(),
      Scores: { binpack: 0.5 + i / 100, "job-anti-affinity": 0 },
      NormScore: 0.5 + i / 100,
    })),
    AllocationTime: 12_345,
  };
}

/** A placement as the scheduler makes it: resources, a port, metrics. */
function placement(job: Job, i: number): Allocation {
  const node = `node-${String(i % NODES).padStart(4, "0")}`;
  return mockAlloc(crypto.randomUUID(), job, node, {
    Name: `${job.ID}.web[${i}]`,
    EvalID: "bench-eval",
    NodeName: node,
    AllocatedResources: {
      Tasks: {
        server: {
          Cpu: { CpuShares: 100, ReservedCores: null },
          Memory: { MemoryMB: 128, MemoryMaxMB: 0 },
          Networks: null,
          Devices: null,
        },
      },
      TaskLifecycles: { server: null as never },
      Shared: {
        Networks: null,
        DiskMB: 300,
        Ports: [{
          Label: "http",
          Value: 20000 + (i % 10000),
          To: 8080,
          HostIP: "10.0.0.1",
          IgnoreCollision: false,
        }],
      },
    },
    Metrics: metrics(),
    CreateTime: 0,
  });
}

async function setup(backendPath: string | null): Promise<{ store: StateStore; job: Job }> {
  const backend = backendPath ? await KvLogBackend.open(backendPath) : undefined;
  const store = await StateStore.open({
    ...(backend ? { backend } : {}),
    compactEntries: Number.POSITIVE_INFINITY,
    compactBytes: Number.POSITIVE_INFINITY,
  });
  const nodes = [];
  for (let i = 0; i < NODES; i++) {
    nodes.push(
      store.apply({ type: "NodeRegister", node: mockNode(`node-${String(i).padStart(4, "0")}`) }),
    );
  }
  await Promise.all(nodes);
  const job = mockJob("bench", {}, PER_PLAN);
  await store.apply({ type: "JobRegister", job, eval: mockEval("bench-eval", job) });
  return { store, job: store.snapshot().job("default", "bench") as Job };
}

function plan(job: Job, count: number): PlanApplyEntry {
  return planEntry(job, "bench-eval", Array.from({ length: count }, (_, i) => placement(job, i)));
}

const mem = await setup(null);
const kv = await setup(`${dir}/state.kv`);
const rawKv = await Deno.openKv(`${dir}/raw.kv`);
const sample = encodeEntry(plan(kv.job, PER_PLAN));
console.log(
  `PlanApply of ${PER_PLAN} allocations: ${(sample.length / 1024).toFixed(0)} KiB logged`,
);

let rawIndex = 0;
/** The floor: the same bytes in 60,000-byte values, ~700 KB per atomic, committed in order. */
async function rawWrite(data: Uint8Array): Promise<void> {
  const index = ++rawIndex;
  let op = rawKv.atomic();
  let bytes = 0;
  let n = 0;
  for (let off = 0; off < data.length; off += 60_000) {
    const part = data.subarray(off, off + 60_000);
    op.set(["logc", index, n++], part);
    bytes += part.length;
    if (bytes + 60_000 > 700_000) {
      await op.commit();
      op = rawKv.atomic();
      bytes = 0;
    }
  }
  op.set(["log", index], { chunks: n });
  await op.commit();
}

const opts = { n: 40, warmup: 5 };

Deno.bench(
  "raw KV atomics of the same bytes",
  { group: "plan1000", baseline: true, ...opts },
  async (b) => {
    const data = encodeEntry(plan(kv.job, PER_PLAN));
    b.start();
    await rawWrite(data);
    b.end();
  },
);

Deno.bench("encodeEntry() alone", { group: "plan1000", ...opts }, (b) => {
  const entry = plan(kv.job, PER_PLAN);
  b.start();
  encodeEntry(entry);
  b.end();
});

Deno.bench("apply(PlanApply) on the memory log", { group: "plan1000", ...opts }, async (b) => {
  const entry = plan(mem.job, PER_PLAN);
  b.start();
  await mem.store.apply(entry);
  b.end();
});

Deno.bench("apply(PlanApply) on the KV log", { group: "plan1000", ...opts }, async (b) => {
  const entry = plan(kv.job, PER_PLAN);
  b.start();
  await kv.store.apply(entry);
  b.end();
});

Deno.bench(
  "8 concurrent PlanApply of 125 on the KV log",
  { group: "plan1000", ...opts },
  async (b) => {
    const entries = Array.from({ length: 8 }, () => plan(kv.job, PER_PLAN / 8));
    b.start();
    await Promise.all(entries.map((e) => kv.store.apply(e)));
    b.end();
  },
);

Deno.bench("snapshot + allocsByNode over 1,000 nodes", { group: "reads", ...opts }, () => {
  const s = kv.store.snapshot();
  let n = 0;
  for (const node of s.nodes()) n += s.allocsByNode(node.ID).length;
  if (n === 0) throw new Error("no allocations");
});
