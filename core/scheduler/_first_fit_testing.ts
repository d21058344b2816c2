/**
 * A first-fit placement stack for tests and for the benchmark's baseline: no constraints,
 * ranking or ports, only CPU and memory.
 *
 * @module
 */
import {
  type Allocation,
  type AllocMetric,
  AllocMetricSpec,
  type Job,
  type Node,
  type TaskGroup,
  zero,
} from "../structs/mod.ts";
import { resourcesFor } from "./_testing.ts";
import type { StackFactories } from "./generic_types.ts";
import type {
  PlacementStack,
  PlanView,
  SchedulerState,
  Selection,
  SelectOptions,
} from "./types.ts";
import { isClientTerminal, nodeInDCs, nodeInPool } from "./util.ts";

function taskAsk(tg: TaskGroup): { cpu: number; mem: number } {
  let cpu = 0;
  let mem = 0;
  for (const t of tg.Tasks ?? []) {
    cpu += t.Resources?.CPU ?? 0;
    mem += t.Resources?.MemoryMB ?? 0;
  }
  return { cpu, mem };
}

function used(allocs: readonly Allocation[]): { cpu: number; mem: number } {
  let cpu = 0;
  let mem = 0;
  for (const a of allocs) {
    if (isClientTerminal(a)) continue;
    for (const r of Object.values(a.AllocatedResources?.Tasks ?? {})) {
      cpu += r.Cpu.CpuShares;
      mem += r.Memory.MemoryMB;
    }
  }
  return { cpu, mem };
}

/**
 * A first-fit stack: the first node (from a cursor that moves on after each pick) whose CPU
 * and memory still fit, with no constraints, ranking or ports. The baseline of the benchmark,
 * and a stand-in for tests that only need capacity.
 */
export class FirstFitStack implements PlacementStack {
  #nodes: readonly Node[] = [];
  #cursor = 0;
  metrics: AllocMetric = zero(AllocMetricSpec);
  readonly #plan: PlanView;

  constructor(plan: PlanView) {
    this.#plan = plan;
  }
  setNodes(nodes: readonly Node[]): void {
    this.#nodes = nodes;
    this.#cursor = 0;
  }
  setJob(_job: Job): void {}
  select(tg: TaskGroup, _opts: SelectOptions): Selection | undefined {
    const ask = taskAsk(tg);
    const m: AllocMetric = { ...zero(AllocMetricSpec), DimensionExhausted: null };
    this.metrics = m;
    for (let i = 0; i < this.#nodes.length; i++) {
      const node = this.#nodes[(this.#cursor + i) % this.#nodes.length]!;
      m.NodesEvaluated++;
      const u = used(this.#plan.proposedAllocs(node.ID));
      const cap = node.NodeResources!;
      if (u.cpu + ask.cpu > cap.Cpu.CpuShares || u.mem + ask.mem > cap.Memory.MemoryMB) {
        m.NodesExhausted++;
        const dim = u.cpu + ask.cpu > cap.Cpu.CpuShares ? "cpu" : "memory";
        (m.DimensionExhausted ??= {})[dim] = (m.DimensionExhausted[dim] ?? 0) + 1;
        continue;
      }
      this.#cursor = (this.#cursor + i + 1) % this.#nodes.length;
      return { node, resources: resourcesFor(tg), score: 1 };
    }
    return undefined;
  }
}

/** Ready nodes of the job's datacenters and pool, computed without the stack module. */
export function simpleReadyNodes(state: SchedulerState, job: Job) {
  const nodes: Node[] = [];
  const byDC: Record<string, number> = {};
  const notReady = new Set<string>();
  for (const n of state.nodes()) {
    if (!nodeInPool(n, job.NodePool)) continue;
    if (
      n.Status !== "ready" || n.DrainStrategy !== null || n.SchedulingEligibility !== "eligible"
    ) {
      notReady.add(n.ID);
      continue;
    }
    if (!nodeInDCs(n, job.Datacenters)) continue;
    nodes.push(n);
    byDC[n.Datacenter] = (byDC[n.Datacenter] ?? 0) + 1;
  }
  return { nodes, byDC, notReady };
}

/** Stack factories that use {@link FirstFitStack}. */
export const FIRST_FIT_STACKS: StackFactories = {
  newGenericStack: (_state, plan) => new FirstFitStack(plan),
  newSystemStack: (_state, plan) => new FirstFitStack(plan),
  readyNodesInDCsAndPool: simpleReadyNodes,
};
