/**
 * Server throughput: jobs of count 1,000 submitted with `registerJob()` over 5,000 registered
 * nodes (two datacenters, `meta.rack` over 25 racks, a `set_contains_any` constraint allowing 20
 * racks, optionally a spread over the racks), measured until every evaluation is complete and
 * every allocation is persisted (the KV log, fsynced by Deno KV, or the memory log). The
 * baseline, in the same run, is the pure scheduler alone: `schedule()` of the same job on a
 * snapshot of the same state.
 *
 * `deno run -A bench/server_bench.ts` prints placements/s, peak memory and the curve over 500,
 * 1,000 and 5,000 nodes; `deno task bench bench/server_bench.ts` runs one Deno.bench case.
 */
import process from "node:process";
import { schedule } from "../core/scheduler/mod.ts";
import { EtcdLogBackend, KvLogBackend, type LogBackend, StateStore } from "../core/state/mod.ts";
import { startEtcd } from "../core/state/etcd/etcd_testing.ts";
import type { Job } from "../core/structs/mod.ts";
import { Server } from "../core/server/mod.ts";
import { CTX, simJob, simNode, waitForEval } from "../core/server/server_testing.ts";
import { PlannedState } from "../core/server/_plan_endpoint.ts";
import { admitJob } from "../core/server/_job_admit.ts";
import { seededRandom } from "../core/scheduler/_testing.ts";

const COUNT = 1_000;
const RACKS = 25;
const ALLOWED = Array.from({ length: 20 }, (_, i) => `r${i}`).join(",");

function benchJob(id: string, spread: boolean): Job {
  return simJob(id, COUNT, {
    job: {
      Datacenters: ["dc1", "dc2"],
      Constraints: [{ LTarget: "${meta.rack}", RTarget: ALLOWED, Operand: "set_contains_any" }],
      Spreads: spread ? [{ Attribute: "${meta.rack}", Weight: 50, SpreadTarget: null }] : null,
    },
  });
}

interface Cluster {
  server: Server;
  state: StateStore;
  dir: string;
  close(): Promise<void>;
}

/** Where the log lives: Deno KV, memory, or one etcd member started for the run. */
export type BackendKind = "kv" | "memory" | "etcd";

async function cluster(nodes: number, backend: BackendKind): Promise<Cluster> {
  const dir = await Deno.makeTempDir({ prefix: "nomad_server_bench_" });
  const etcd = backend === "etcd" ? await startEtcd() : undefined;
  let log: LogBackend | undefined;
  if (backend === "kv") log = await KvLogBackend.open(`${dir}/state.kv`);
  if (etcd) log = new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/bench" });
  const state = await StateStore.open(log ? { backend: log } : {});
  const server = Server.start({ state, random: seededRandom(1), periodicGc: false });
  for (let i = 0; i < nodes; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, nodes - i) }, (_, k) =>
        server.registerNode(
          simNode(i + k, {
            Datacenter: (i + k) % 2 === 0 ? "dc1" : "dc2",
            Meta: { rack: `r${(i + k) % RACKS}` },
          }),
          CTX,
        )),
    );
  }
  return {
    server,
    state,
    dir,
    close: async () => {
      await server.stop();
      await state.close();
      await etcd?.stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

let seq = 0;
const peak = { rss: 0, heap: 0 };

/** Records the memory in use now (the interval sampler misses runs that never yield to timers). */
function sample(): void {
  const m = Deno.memoryUsage();
  peak.rss = Math.max(peak.rss, m.rss);
  peak.heap = Math.max(peak.heap, m.heapUsed);
}

/** Registers `jobs` jobs at once and waits until they are placed; returns ms and placements. */
async function run(
  c: Cluster,
  jobs: number,
  spread: boolean,
): Promise<{ ms: number; placed: number }> {
  const ids = Array.from({ length: jobs }, () => `bench-${++seq}`);
  const start = performance.now();
  const replies = await Promise.all(
    ids.map((id) => c.server.registerJob({ Job: benchJob(id, spread) }, CTX)),
  );
  sample();
  await Promise.all(replies.map((r) => waitForEval(c.state, r.EvalID)));
  const ms = performance.now() - start;
  sample();
  const snap = c.state.snapshot();
  const placed = ids.reduce((n, id) => n + snap.allocsByJob("default", id).length, 0);
  if (placed !== jobs * COUNT) {
    throw new Error(`Cannot benchmark: placed ${placed} of ${jobs * COUNT}`);
  }
  return { ms, placed };
}

/** The pure scheduler on a snapshot of the same state: the baseline. */
function baseline(c: Cluster, spread: boolean): number {
  const job = admitJob(benchJob(`base-${++seq}`, spread), {
    namespace: "default",
    region: "global",
  });
  const planned = { ...job, CreateIndex: 1, ModifyIndex: 1, JobModifyIndex: 1, Version: 0 };
  const snap = c.state.snapshot();
  const evaluation = {
    ...c.state.snapshot().evals()[0]!,
    ID: crypto.randomUUID(),
    JobID: planned.ID ?? "",
    Status: "pending",
    TriggeredBy: "job-register",
    Type: "service",
  };
  const start = performance.now();
  const out = schedule(evaluation, new PlannedState(snap, planned), {
    now: Date.now() * 1e6,
    random: seededRandom(3),
    newId: () => crypto.randomUUID(),
  });
  const ms = performance.now() - start;
  const placed = Object.values(out.plan?.NodeAllocation ?? {}).reduce((n, l) => n + l.length, 0);
  if (placed !== COUNT) throw new Error(`Cannot benchmark the baseline: placed ${placed}`);
  return ms;
}

let small: Cluster | undefined;
// Five jobs of 1,000 fill most of the 6,400 slots the constraint leaves on 1,000 nodes.
Deno.bench("registerJob() of a count-1,000 job over 1,000 nodes to persisted allocations (KV)", {
  group: "server",
  n: 4,
  warmup: 1,
}, async () => {
  small ??= await cluster(1_000, "kv");
  await run(small, 1, false);
});

/** One measured configuration. */
export interface Row {
  nodes: number;
  backend: string;
  variant: string;
  jobs: number;
  serverPerSec: number;
  baselinePerSec: number;
  peakRssMB: number;
  peakHeapMB: number;
}

/** Measures the server path over `nodes` nodes on a backend: the best of two rounds. */
export async function measure(nodes: number, backend: BackendKind, spread: boolean): Promise<Row> {
  const c = await cluster(nodes, backend);
  try {
    // Capacity: 8 tasks a node on the 80% of nodes the constraint allows, for a warm-up job
    // and two measured rounds.
    const capacity = Math.floor((nodes * 0.8 * 8) / COUNT);
    const jobs = Math.max(1, Math.min(spread ? 2 : 5, Math.floor((capacity - 1) / 2)));
    await run(c, 1, spread); // warm-up
    const base = Math.min(baseline(c, spread), baseline(c, spread), baseline(c, spread));
    peak.rss = 0;
    peak.heap = 0;
    const sampler = setInterval(sample, 5);
    const times: number[] = [];
    let placed = 0;
    for (let i = 0; i < 2; i++) {
      const r = await run(c, jobs, spread);
      times.push(r.ms);
      placed = r.placed;
    }
    clearInterval(sampler);
    const best = Math.min(...times);
    return {
      nodes,
      backend,
      variant: spread ? "set_contains_any + spread" : "set_contains_any",
      jobs,
      serverPerSec: placed / (best / 1000),
      baselinePerSec: COUNT / (base / 1000),
      peakRssMB: peak.rss / 2 ** 20,
      peakHeapMB: peak.heap / 2 ** 20,
    };
  } finally {
    await c.close();
  }
}

if (import.meta.main) {
  const rows: Row[] = [];
  for (const nodes of [500, 1_000, 5_000]) rows.push(await measure(nodes, "kv", false));
  rows.push(await measure(5_000, "memory", false));
  rows.push(await measure(5_000, "kv", true));
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(
    `${pad("nodes", 6)}  ${"backend".padEnd(8)}${"variant".padEnd(27)}${pad("jobs", 5)}` +
      `${pad("server pl/s", 13)}${pad("schedule() pl/s", 17)}${pad("peak RSS MB", 13)}${
        pad("peak heap MB", 14)
      }`,
  );
  for (const r of rows) {
    console.log(
      `${pad(r.nodes, 6)}  ${r.backend.padEnd(8)}${r.variant.padEnd(27)}${pad(r.jobs, 5)}` +
        `${pad(Math.round(r.serverPerSec), 13)}${pad(Math.round(r.baselinePerSec), 17)}` +
        `${pad(r.peakRssMB.toFixed(0), 13)}${pad(r.peakHeapMB.toFixed(0), 14)}`,
    );
  }
  console.log(`max RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (whole process)`);
}

globalThis.addEventListener("unload", () => {
  if (small !== undefined) Deno.removeSync(small.dir, { recursive: true });
});
