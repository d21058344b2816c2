/**
 * Crash safety of the state store on Deno KV and on etcd: a child process applies entries and
 * prints each acknowledged write; we kill it with SIGKILL at random moments, reopen the store
 * and check that every acknowledged write is there and that the state is consistent.
 */
import { assert, assertEquals } from "./assert.ts";
import {
  KvLogBackend,
  type LogBackend,
  type StateSnapshot,
  StateStore,
} from "../core/state/mod.ts";
import { EtcdLogBackend } from "../core/state/etcd/mod.ts";
import { etcdTest, startEtcd } from "../core/state/etcd/etcd_testing.ts";

const WRITER = new URL("../core/state/testdata/crash_writer.ts", import.meta.url).pathname;

interface Ack {
  index: number;
  kind: string;
  id: string;
}

/** A seeded random source (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs the writer until `killAfterMs` after its first acknowledgement, then SIGKILLs it. */
async function runAndKill(path: string, round: number, killAfterMs: number): Promise<Ack[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-kv", "--no-check", WRITER, path, String(round)],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const acks: Ack[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stderr = new Response(child.stderr).text();
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of child.stdout) {
    const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      const [index, kind, id] = line.split(" ");
      acks.push({ index: Number(index), kind: kind ?? "", id: id ?? "" });
    }
    timer ??= setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  }
  const status = await child.status;
  clearTimeout(timer);
  assertEquals(status.signal, "SIGKILL", `the writer died by itself:\n${await stderr}`);
  return acks;
}

function modifyIndex(s: StateSnapshot, a: Ack): number | undefined {
  switch (a.kind) {
    case "node":
      return s.node(a.id)?.ModifyIndex;
    case "job":
      return s.job("default", a.id)?.ModifyIndex ?? undefined;
    case "eval":
      return s.eval(a.id)?.ModifyIndex;
    case "alloc":
      return s.alloc(a.id)?.ModifyIndex;
  }
  throw new Error(`unknown ack kind ${a.kind}`);
}

/** Checks the indexes and the summaries against the allocations. */
function checkConsistent(s: StateSnapshot): void {
  const allocs = s.allocs();
  for (const a of allocs) {
    assert(s.allocsByNode(a.NodeID).includes(a), `alloc ${a.ID} is indexed by its node`);
    assert(s.allocsByJob(a.Namespace, a.JobID).includes(a), `alloc ${a.ID} is indexed by its job`);
    assert(a.ModifyIndex <= s.tableIndex("allocs"), `alloc ${a.ID} is not newer than its table`);
    assert(a.Job !== null, `alloc ${a.ID} has its job`);
  }
  const byNode = s.nodes().reduce((n, node) => n + s.allocsByNode(node.ID).length, 0);
  assertEquals(byNode, allocs.length, "the node index holds every allocation once");
  for (const job of s.jobs()) {
    const mine = s.allocsByJob("default", job.ID ?? "");
    const summary = s.jobSummary("default", job.ID ?? "")?.Summary?.web;
    assertEquals(
      [summary?.Starting, summary?.Running],
      [
        mine.filter((a) => a.ClientStatus === "pending").length,
        mine.filter((a) => a.ClientStatus === "running").length,
      ],
      `summary of ${job.ID}`,
    );
    assertEquals(job.Status, mine.length > 0 ? "running" : "pending", `status of ${job.ID}`);
  }
  assert(s.tableIndex("allocs") <= s.index && s.tableIndex("nodes") <= s.index);
}

/**
 * Five rounds of write-and-SIGKILL on the log at `path` (a KV file, or `etcd:<url>,<prefix>`),
 * each followed by a reopen that must hold every acknowledged write.
 */
async function crashRounds(path: string, open: () => Promise<LogBackend>): Promise<void> {
  const rand = random(20240607);
  const started = performance.now();
  let acked = 0;
  for (let round = 1; round <= 5; round++) {
    const acks = await runAndKill(path, round, 150 + Math.floor(rand() * 900));
    assert(acks.length > 0, `round ${round} acknowledged writes before the kill`);
    acked += acks.length;
    const store = await StateStore.open({ backend: await open() });
    const s = store.snapshot();
    const last = Math.max(...acks.map((a) => a.index));
    assert(s.index >= last, `index ${s.index} covers the last acknowledged ${last}`);
    for (const a of acks) {
      const mi = modifyIndex(s, a);
      assert(
        mi !== undefined && mi >= a.index,
        `round ${round}: ${a.kind} ${a.id} @${a.index} is there`,
      );
    }
    checkConsistent(s);
    await store.close();
  }
  assert(acked > 100, `enough writes were tested: ${acked}`);
  assert(performance.now() - started < 30_000, "the test stays under 30 s");
}

Deno.test("the state store keeps every acknowledged write across SIGKILLs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nomad_crash_" });
  try {
    const path = `${dir}/server/state.kv`;
    await crashRounds(path, () => KvLogBackend.open(path));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

etcdTest("the state store on etcd keeps every acknowledged write across SIGKILLs", async () => {
  await using etcd = await startEtcd();
  const endpoint = etcd.endpoints[0] as string;
  await crashRounds(
    `etcd:${endpoint},/crash`,
    () => Promise.resolve(new EtcdLogBackend({ endpoints: [endpoint], prefix: "/crash" })),
  );
});
