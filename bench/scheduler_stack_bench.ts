/**
 * The placement stack: 1,000 placements of one service group over 5,000 nodes in two
 * datacenters (`meta.rack` over 25 racks, a `set_contains_any` constraint on the rack, one
 * dynamic port), each placement added to a plan that accumulates, against the same loop with a
 * trivial selector that always takes the first node.
 *
 * Run: `deno bench -A bench/scheduler_stack_bench.ts` (also prints placements/s once).
 */
import type { Job, Node, TaskGroup } from "../core/structs/mod.ts";
import {
  mockAlloc,
  mockContext,
  mockGroup,
  mockJob,
  mockNode,
  MockPlan,
  MockState,
} from "../core/scheduler/feasible_testing.ts";
import { newGenericStack, readyNodesInDCsAndPool } from "../core/scheduler/stack.ts";
import type { Selection } from "../core/scheduler/types.ts";

const NODES = 5000;
const COUNT = 1000;

function cluster(): Node[] {
  return Array.from({ length: NODES }, (_, i) =>
    mockNode({
      Datacenter: i % 2 === 0 ? "dc1" : "dc2",
      Meta: { rack: `r${i % 25}` },
    }));
}

function benchJob(): Job {
  const racks = Array.from({ length: 20 }, (_, i) => `r${i}`).join(",");
  const group: TaskGroup = mockGroup("web", { Count: COUNT });
  group.Networks = [{
    Mode: "host",
    Device: "",
    CIDR: "",
    IP: "",
    DNS: null,
    ReservedPorts: null,
    DynamicPorts: [{ Label: "http", Value: 0, To: -1, HostNetwork: "", IgnoreCollision: false }],
    Hostname: "",
    MBits: null,
    CNI: null,
  }];
  return mockJob({
    Datacenters: ["dc1", "dc2"],
    Constraints: [{ LTarget: "${meta.rack}", Operand: "set_contains_any", RTarget: racks }],
    TaskGroups: [group],
  });
}

const job = benchJob();
const tg = job.TaskGroups![0]!;
const warmNodes = cluster();
const warmState = new MockState(warmNodes);

/** One scheduler run's placement loop through the stack; returns the placements made. */
function placeWithStack(state: MockState, seed: number): number {
  const plan = new MockPlan(state);
  const stack = newGenericStack(state, plan, mockContext(seed), { batch: false });
  stack.setJob(job);
  stack.setNodes(readyNodesInDCsAndPool(state, job).nodes);
  let placed = 0;
  for (let i = 0; i < COUNT; i++) {
    const s = stack.select(tg, { allocName: `example.web[${i}]` });
    if (s === undefined) break;
    plan.place(mockAlloc(job, s.node, s.resources, "web"));
    placed++;
  }
  return placed;
}

const TRIVIAL: Selection["resources"] = {
  Tasks: {
    web: {
      Cpu: { CpuShares: 500, ReservedCores: null },
      Memory: { MemoryMB: 256, MemoryMaxMB: 0 },
      Networks: null,
      Devices: null,
    },
  },
  TaskLifecycles: {},
  Shared: { Networks: null, DiskMB: 300, Ports: null },
};

/** The same loop with a selector that always takes the first node. */
function placeFirstNode(state: MockState): number {
  const plan = new MockPlan(state);
  const nodes = readyNodesInDCsAndPool(state, job).nodes;
  let placed = 0;
  for (let i = 0; i < COUNT; i++) {
    const node = nodes[0]!;
    plan.place(mockAlloc(job, node, TRIVIAL, "web"));
    placed++;
  }
  return placed;
}

function report(label: string, runs: number, run: () => number): void {
  let best = Infinity;
  let placed = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    placed = run();
    best = Math.min(best, performance.now() - t0);
  }
  const rate = Math.round(placed / (best / 1000));
  console.log(
    `${label.padEnd(44)} ${placed} placements in ${best.toFixed(1).padStart(6)} ms = ${
      rate.toLocaleString("en-US").padStart(11)
    } placements/s`,
  );
}

let seed = 0;
// Clusters whose node objects the stack has never seen (per-node facts are computed on the
// first visit), built before timing.
const fresh = Array.from({ length: 5 }, () => new MockState(cluster()));
report("stack, fresh node objects (best of 5)", 5, () => placeWithStack(fresh[seed % 5]!, ++seed));
report("stack, warm node caches (best of 10)", 10, () => placeWithStack(warmState, ++seed));
report("baseline: always the first node (best of 10)", 10, () => placeFirstNode(warmState));

Deno.bench("first-node selector: 1,000 placements", { group: "place", baseline: true }, () => {
  placeFirstNode(warmState);
});

Deno.bench("generic stack: 1,000 placements over 5,000 nodes", { group: "place" }, () => {
  placeWithStack(warmState, ++seed);
});
