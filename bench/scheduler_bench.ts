/**
 * Scheduling throughput: a service job of count 1,000 placed by `schedule()` over 5,000 nodes in
 * two datacenters with `meta.rack` over 25 racks, with a `set_contains_any` constraint on the
 * rack, and a variant that also spreads over the racks. The baseline, measured in the same run,
 * is the same `schedule()` with a first-fit selector instead of the placement stack (the
 * reconciler, plan building and allocation records cost the same in both).
 *
 * `deno task bench bench/scheduler_bench.ts` runs the Deno.bench cases;
 * `deno run -A bench/scheduler_bench.ts` prints placements/s, peak memory and the curve over
 * 500, 1,000 and 5,000 nodes.
 */
import process from "node:process";
import type { Job } from "../core/structs/mod.ts";
import { schedule, type ScheduleOptions } from "../core/scheduler/mod.ts";
import { MemState, mockEval, mockJob, mockNode, testContext } from "../core/scheduler/_testing.ts";
import { FIRST_FIT_STACKS } from "../core/scheduler/_first_fit_testing.ts";

const COUNT = 1_000;
const RACKS = 25;
const allowed = Array.from({ length: 20 }, (_, i) => `r${i}`).join(",");

/** A cluster of `n` nodes over dc1/dc2 and 25 racks, with the job registered. */
function cluster(n: number, spread: boolean): { state: MemState; job: Job } {
  const state = new MemState();
  for (let i = 0; i < n; i++) {
    state.upsertNode(
      mockNode(i, { Datacenter: i % 2 === 0 ? "dc1" : "dc2", Meta: { rack: `r${i % RACKS}` } }),
    );
  }
  const job = state.upsertJob(mockJob(
    {
      ID: "bench",
      Name: "bench",
      Datacenters: ["dc1", "dc2"],
      Constraints: [{ LTarget: "${meta.rack}", RTarget: allowed, Operand: "set_contains_any" }],
      Spreads: spread ? [{ Attribute: "${meta.rack}", Weight: 50, SpreadTarget: null }] : null,
    },
    { Count: COUNT },
  ));
  return { state, job };
}

function once(state: MemState, job: Job, options: ScheduleOptions, seed: number): number {
  const out = schedule(mockEval(job, { ID: `eval-${seed}` }), state, testContext(seed), options);
  const placed = Object.values(out.plan?.NodeAllocation ?? {}).reduce((n, l) => n + l.length, 0);
  if (placed !== COUNT) {
    throw new Error(`Cannot benchmark: placed ${placed} of ${COUNT} allocations`);
  }
  return placed;
}

const STACK: ScheduleOptions = {};
const FIRST_FIT: ScheduleOptions = { stacks: FIRST_FIT_STACKS };
const big = cluster(5_000, false);
const bigSpread = cluster(5_000, true);

Deno.bench("first-fit selector: 1,000 placements over 5,000 nodes", {
  group: "5000 nodes",
  baseline: true,
}, () => {
  once(big.state, big.job, FIRST_FIT, 1);
});
Deno.bench("schedule(): 1,000 placements over 5,000 nodes, set_contains_any", {
  group: "5000 nodes",
}, () => {
  once(big.state, big.job, STACK, 1);
});
Deno.bench("schedule(): 1,000 placements over 5,000 nodes, with spread on the rack", {
  group: "5000 nodes",
}, () => {
  once(bigSpread.state, bigSpread.job, STACK, 1);
});

interface Row {
  nodes: number;
  variant: string;
  selector: string;
  ms: number;
  perSecond: number;
  heapMB: number;
}

function measure(
  nodes: number,
  spread: boolean,
  options: ScheduleOptions,
  selector: string,
  runs: number,
): Row {
  const { state, job } = nodes === 5_000 ? (spread ? bigSpread : big) : cluster(nodes, spread);
  once(state, job, options, 0);
  once(state, job, options, 0);
  const times: number[] = [];
  let heap = 0;
  for (let i = 1; i <= runs; i++) {
    const before = Deno.memoryUsage().heapUsed;
    const start = performance.now();
    once(state, job, options, i);
    times.push(performance.now() - start);
    heap = Math.max(heap, Deno.memoryUsage().heapUsed - before);
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)]!;
  return {
    nodes,
    variant: spread ? "set_contains_any + spread" : "set_contains_any",
    selector,
    ms,
    perSecond: COUNT / (ms / 1000),
    heapMB: heap / 2 ** 20,
  };
}

if (import.meta.main) {
  const rows: Row[] = [];
  for (const nodes of [500, 1_000, 5_000]) {
    for (const spread of [false, true]) {
      rows.push(measure(nodes, spread, FIRST_FIT, "first-fit (baseline)", 7));
      rows.push(measure(nodes, spread, STACK, "placement stack", 7));
    }
  }
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(
    `${pad("nodes", 6)}  ${"variant".padEnd(26)}${"selector".padEnd(22)}${pad("ms/eval", 9)}` +
      `${pad("placements/s", 14)}${pad("heap MB", 9)}`,
  );
  for (const r of rows) {
    console.log(
      `${pad(r.nodes, 6)}  ${r.variant.padEnd(26)}${r.selector.padEnd(22)}${
        pad(r.ms.toFixed(1), 9)
      }` +
        `${pad(Math.round(r.perSecond), 14)}${pad(r.heapMB.toFixed(1), 9)}`,
    );
  }
  const maxRss = process.resourceUsage().maxRSS / 1024;
  console.log(`peak RSS: ${maxRss.toFixed(0)} MB (whole process, 5,000-node clusters included)`);
}
