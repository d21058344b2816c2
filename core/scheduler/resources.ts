/**
 * Resource accounting as Nomad's `AllocsFit` does it: what an allocation uses (its task
 * resources flattened over the task lifecycle), what a node offers (minus what the operator
 * reserved), whether the allocations fit, and the binpack/spread fit scores.
 *
 * @module
 */
import type { AllocatedResources, Allocation, Node } from "../structs/mod.ts";
import { isClientTerminal } from "./util.ts";

/** The flattened use of an allocation (Nomad's ComparableResources, minus networks). */
export interface Comparable {
  readonly cpu: number;
  readonly memory: number;
  readonly disk: number;
  readonly cores: readonly number[];
}

const NO_CORES: readonly number[] = Object.freeze([]);
const EMPTY: Comparable = { cpu: 0, memory: 0, disk: 0, cores: NO_CORES };
const comparables = new WeakMap<AllocatedResources, Comparable>();

/** One task's share of an allocation, for {@link flattenTasks}. */
export interface TaskUse {
  readonly cpu: number;
  readonly memory: number;
  readonly cores: readonly number[];
  /** The lifecycle hook (`prestart`, `poststart`, `poststop`), or null for a main task. */
  readonly hook: string | null;
  readonly sidecar: boolean;
}

/**
 * What tasks use at their peak: reserved cores always, and the largest of the prestart, main
 * (with sidecars and poststart tasks) and poststop sets of the other tasks' CPU and memory.
 */
export function flattenTasks(tasks: Iterable<TaskUse>, disk: number): Comparable {
  let cpu = 0;
  let cores: Set<number> | null = null;
  let preCpu = 0, preMem = 0, mainCpu = 0, mainMem = 0, stopCpu = 0, stopMem = 0;
  for (const t of tasks) {
    let fcpu = t.cpu;
    if (t.cores.length > 0) {
      cpu += t.cpu;
      cores ??= new Set();
      for (const core of t.cores) cores.add(core);
      fcpu = 0;
    }
    const hook = t.hook;
    if (hook === null || hook === "poststart" || (hook === "prestart" && t.sidecar)) {
      mainCpu += fcpu;
      mainMem += t.memory;
    }
    if (hook === "prestart") {
      preCpu += fcpu;
      preMem += t.memory;
    } else if (hook === "poststop") {
      stopCpu += fcpu;
      stopMem += t.memory;
    }
  }
  cpu += Math.max(mainCpu, preCpu, stopCpu);
  const memory = Math.max(mainMem, preMem, stopMem);
  return { cpu, memory, disk, cores: cores === null ? NO_CORES : [...cores] };
}

function* taskUses(ar: AllocatedResources): Generator<TaskUse> {
  for (const [name, t] of Object.entries(ar.Tasks ?? {})) {
    const lc = ar.TaskLifecycles?.[name] ?? null;
    yield {
      cpu: t.Cpu.CpuShares,
      memory: t.Memory.MemoryMB,
      cores: t.Cpu.ReservedCores ?? [],
      hook: lc === null ? null : lc.Hook,
      sidecar: lc?.Sidecar ?? false,
    };
  }
}

/** What allocated resources use at their peak (Nomad's `AllocatedResources.Comparable`). */
export function comparable(ar: AllocatedResources | null): Comparable {
  if (ar === null) return EMPTY;
  let c = comparables.get(ar);
  if (c === undefined) {
    c = flattenTasks(taskUses(ar), ar.Shared.DiskMB);
    comparables.set(ar, c);
  }
  return c;
}

/** What a node offers the scheduler: its resources minus what the operator reserved. */
export interface NodeCapacity {
  readonly cpu: number;
  readonly memory: number;
  readonly disk: number;
  /** Cores that may be reserved by tasks, or null when the node reports none. */
  readonly cores: ReadonlySet<number> | null;
  /** The CPU bandwidth of one core, in MHz. */
  readonly coreMhz: number;
  /** The most allocations the node takes (0: no limit). */
  readonly maxAllocs: number;
}

const capacities = new WeakMap<Node, NodeCapacity>();

/** The capacity of a node, computed once per node object. */
export function nodeCapacity(node: Node): NodeCapacity {
  let cap = capacities.get(node);
  if (cap !== undefined) return cap;
  const res = node.NodeResources;
  const reserved = node.ReservedResources;
  const totalCores = res?.Cpu.TotalCpuCores ?? 0;
  let usable: number[] | null = res?.Cpu.ReservableCpuCores ?? null;
  if ((usable === null || usable.length === 0) && totalCores > 0) {
    usable = Array.from({ length: totalCores }, (_, i) => i);
  }
  let cores: Set<number> | null = null;
  if (usable !== null && usable.length > 0) {
    cores = new Set(usable);
    for (const c of reserved?.Cpu.ReservedCpuCores ?? []) cores.delete(c);
  }
  const cpuShares = res?.Cpu.CpuShares ?? 0;
  cap = {
    cpu: cpuShares - (reserved?.Cpu.CpuShares ?? 0),
    memory: (res?.Memory.MemoryMB ?? 0) - (reserved?.Memory.MemoryMB ?? 0),
    disk: (res?.Disk.DiskMB ?? 0) - (reserved?.Disk.DiskMB ?? 0),
    cores,
    coreMhz: totalCores > 0 ? Math.floor(cpuShares / totalCores) : 0,
    maxAllocs: node.NodeMaxAllocs,
  };
  capacities.set(node, cap);
  return cap;
}

/** Resources summed over allocations. */
export interface Utilization {
  cpu: number;
  memory: number;
  disk: number;
}

/** The outcome of {@link allocsFit}: the exhausted dimension when it does not fit. */
export interface FitResult {
  readonly fit: boolean;
  /** `cpu`, `memory`, `disk`, `cores` or `max allocation exceeded`; "" when it fits. */
  readonly dimension: string;
  readonly util: Utilization;
}

/**
 * The first dimension in which allocations overflow a node's capacity, or "" when they fit
 * (Nomad's `AllocsFit` without networks, which the port index checks): allocation count, core
 * overlap, CPU, cores, memory and disk, in Nomad's order.
 *
 * @param count How many allocations there are (for the node's allocation limit).
 */
export function exhaustedDimension(
  cap: NodeCapacity,
  util: Utilization,
  cores: ReadonlySet<number>,
  coreOverlap: boolean,
  count: number,
): string {
  if (cap.maxAllocs !== 0 && cap.maxAllocs < count) return "max allocation exceeded";
  if (coreOverlap) return "cores";
  if (cap.cpu < util.cpu) return "cpu";
  if (cores.size > 0 && cap.cores !== null && cap.cores.size > 0) {
    for (const c of cores) if (!cap.cores.has(c)) return "cores";
  }
  if (cap.memory < util.memory) return "memory";
  if (cap.disk < util.disk) return "disk";
  return "";
}

/**
 * Whether a set of allocations fits a node (CPU, cores, memory, disk and allocation count;
 * client-terminal allocations use nothing).
 *
 * @example
 * ```ts
 * allocsFit(node, proposed).dimension; // "memory" when memory ran out first
 * ```
 */
export function allocsFit(node: Node, allocs: readonly Allocation[]): FitResult {
  const util: Utilization = { cpu: 0, memory: 0, disk: 0 };
  const cores = new Set<number>();
  let overlap = false;
  for (const a of allocs) {
    if (isClientTerminal(a)) continue;
    const c = comparable(a.AllocatedResources);
    util.cpu += c.cpu;
    util.memory += c.memory;
    util.disk += c.disk;
    for (const core of c.cores) {
      if (cores.has(core)) overlap = true;
      cores.add(core);
    }
  }
  const dimension = exhaustedDimension(nodeCapacity(node), util, cores, overlap, allocs.length);
  return { fit: dimension === "", dimension, util };
}

function freePercentages(cap: NodeCapacity, util: Utilization): [number, number] {
  return [1 - util.cpu / cap.cpu, 1 - util.memory / cap.memory];
}

/** Nomad's bin-packing fit score in [0, 18]: higher when the node is fuller (BestFit v3). */
export function scoreFitBinPack(cap: NodeCapacity, util: Utilization): number {
  const [cpu, mem] = freePercentages(cap, util);
  const score = 20 - (10 ** cpu + 10 ** mem);
  return score > 18 ? 18 : score < 0 ? 0 : score;
}

/** Nomad's spread fit score in [0, 18]: higher when the node is emptier (WorstFit). */
export function scoreFitSpread(cap: NodeCapacity, util: Utilization): number {
  const [cpu, mem] = freePercentages(cap, util);
  const score = 10 ** cpu + 10 ** mem - 2;
  return score > 18 ? 18 : score < 0 ? 0 : score;
}
