/**
 * Preemption (Nomad's `Preemptor`): when a placement does not fit a node, choose allocations of
 * jobs at least {@link PREEMPTION_PRIORITY_DELTA} priorities lower on that node whose eviction
 * frees enough room, so that the placement fits.
 *
 * The choice, per node:
 * 1. Candidates: the node's live allocations of other jobs whose priority is low enough.
 * 2. Candidates holding a static port the placement asks for must go.
 * 3. Then, by priority (lowest first), the candidate closest to what is still missing (CPU,
 *    memory, disk, cores, a free allocation slot) is taken, until the placement fits. The
 *    distance is Nomad's: the Euclidean distance of `(missing - freed) / missing` over the
 *    dimensions still missing, plus a penalty of 50 per allocation beyond the group's
 *    `migrate.max_parallel` preempted in the same plan; the smaller allocation wins a tie.
 * 4. Finally every choice that is not needed after all (highest priority, then largest first)
 *    is dropped, so that no allocation of the set could be spared.
 *
 * Differences from Nomad: the distance is measured to the shortfall (what the free room lacks)
 * rather than to the whole ask, which picks tighter sets; bandwidth and devices are not preempted
 * for (the placement is re-checked by the bin packer after the eviction, so a set that frees
 * the wrong thing is refused, never committed).
 *
 * Nothing here runs unless a placement failed to fit a node.
 *
 * @module
 */
import type {
  Allocation,
  PlanAnnotations,
  SchedulerConfiguration,
  TaskGroup,
} from "../structs/mod.ts";
import type { NodeUsage } from "./resources_usage.ts";
import { type Comparable, comparable, flattenTasks, type TaskUse } from "./resources.ts";
import { isTerminal } from "./util.ts";
import type { Plan, SchedulerState } from "./types.ts";

/** How much lower a job's priority must be for its allocations to be preempted. */
export const PREEMPTION_PRIORITY_DELTA = 10;
/** The distance added per preemption beyond a group's `migrate.max_parallel`. */
export const MAX_PARALLEL_PENALTY = 50;

/**
 * Whether the scheduler configuration lets jobs of this type preempt (Nomad's defaults: system
 * and sysbatch yes, batch and service no; with no configuration at all, yes).
 *
 * @example
 * ```ts
 * preemptionEnabled(state.schedulerConfig(), "system"); // true unless disabled
 * ```
 */
export function preemptionEnabled(
  config: SchedulerConfiguration | null,
  jobType: string | null,
): boolean {
  const p = config?.PreemptionConfig;
  if (p === undefined) return true;
  switch (jobType) {
    case "system":
      return p.SystemSchedulerEnabled;
    case "sysbatch":
      return p.SysBatchSchedulerEnabled;
    case "batch":
      return p.BatchSchedulerEnabled;
    default:
      return p.ServiceSchedulerEnabled;
  }
}

/** The job whose placement may preempt, and what the plan already preempts. */
export interface Preemptor {
  readonly priority: number;
  readonly namespace: string;
  readonly jobId: string;
  /** How many allocations of a job's group the plan already preempts (for `max_parallel`). */
  preemptedCount(namespace: string, jobId: string, group: string): number;
}

/** A plan that counts its preemptions by job and group (the {@link PlanBuilder} does). */
export interface PreemptionCounts {
  preemptedCount(namespace: string, jobId: string, group: string): number;
}

/** What a placement needs on a node, in the dimensions preemption can free. */
export interface PreemptionAsk {
  readonly cpu: number;
  readonly memory: number;
  readonly disk: number;
  /** How many reserved cores. */
  readonly cores: number;
  /** The static ports it asks for (group and task networks). */
  readonly ports: readonly number[];
}

/**
 * What a task group asks for, flattened over the task lifecycle as the bin packer does; a task
 * reserving cores asks for their whole bandwidth (`coreMhz` each).
 */
export function preemptionAsk(tg: TaskGroup, coreMhz: number): PreemptionAsk {
  const uses: TaskUse[] = [];
  const ports: number[] = [];
  let cores = 0;
  let placeholder = -1;
  const addPorts = (list: readonly { Value: number }[] | null | undefined) => {
    for (const p of list ?? []) if (p.Value > 0) ports.push(p.Value);
  };
  addPorts(tg.Networks?.[0]?.ReservedPorts);
  for (const task of tg.Tasks ?? []) {
    const r = task.Resources;
    const wanted = r?.Cores ?? 0;
    cores += wanted;
    addPorts(r?.Networks?.[0]?.ReservedPorts);
    uses.push({
      cpu: wanted > 0 ? wanted * coreMhz : r?.CPU ?? 0,
      memory: (r?.MemoryMB ?? 0) + (r?.SecretsMB ?? 0),
      // Distinct placeholders: flattenTasks only needs to know which tasks reserve cores.
      cores: Array.from({ length: wanted }, () => placeholder--),
      hook: task.Lifecycle?.Hook ?? null,
      sidecar: task.Lifecycle?.Sidecar ?? false,
    });
  }
  const flat = flattenTasks(uses, tg.EphemeralDisk?.SizeMB ?? 0);
  return { cpu: flat.cpu, memory: flat.memory, disk: flat.disk, cores, ports };
}

interface Candidate {
  readonly alloc: Allocation;
  readonly priority: number;
  readonly res: Comparable;
  readonly maxParallel: number;
  readonly key: string;
}

/** Free room on the node: resources, cores and allocation slots (negative when overcommitted). */
interface Room {
  cpu: number;
  memory: number;
  disk: number;
  cores: number;
  slots: number;
}

function candidatesOf(usage: NodeUsage, p: Preemptor): Candidate[] {
  const out: Candidate[] = [];
  for (const a of usage.allocs) {
    const job = a.Job;
    if (job === null || isTerminal(a)) continue;
    if (a.JobID === p.jobId && a.Namespace === p.namespace) continue;
    const priority = job.Priority ?? 50;
    if (p.priority - priority < PREEMPTION_PRIORITY_DELTA) continue;
    const tg = job.TaskGroups?.find((g) => g.Name === a.TaskGroup);
    out.push({
      alloc: a,
      priority,
      res: comparable(a.AllocatedResources),
      maxParallel: tg?.Migrate?.MaxParallel ?? 0,
      key: `${a.Namespace}\u0000${a.JobID}\u0000${a.TaskGroup}`,
    });
  }
  return out;
}

/** The static ports an allocation holds. */
function heldPorts(a: Allocation): Set<number> {
  const out = new Set<number>();
  const ar = a.AllocatedResources;
  if (ar === null) return out;
  for (const p of ar.Shared.Ports ?? []) out.add(p.Value);
  const nets = [...(ar.Shared.Networks ?? [])];
  for (const name in ar.Tasks) nets.push(...(ar.Tasks[name]?.Networks ?? []));
  for (const n of nets) {
    for (const p of n.ReservedPorts ?? []) out.add(p.Value);
    for (const p of n.DynamicPorts ?? []) out.add(p.Value);
  }
  return out;
}

function fits(room: Room, ask: PreemptionAsk): boolean {
  return room.cpu >= ask.cpu && room.memory >= ask.memory && room.disk >= ask.disk &&
    room.cores >= ask.cores && room.slots >= 1;
}

function free(room: Room, c: Candidate, sign: 1 | -1): void {
  room.cpu += sign * c.res.cpu;
  room.memory += sign * c.res.memory;
  room.disk += sign * c.res.disk;
  room.cores += sign * c.res.cores.length;
  room.slots += sign;
}

/**
 * Nomad's basic resource distance (with cores as a fourth dimension), to what the room still
 * lacks; 0 where nothing lacks.
 */
function distance(room: Room, ask: PreemptionAsk, c: Candidate): number {
  let sum = 0;
  const dim = (want: number, have: number, used: number) => {
    const missing = want - have;
    if (missing <= 0) return;
    const coord = (missing - used) / missing;
    sum += coord * coord;
  };
  dim(ask.cpu, room.cpu, c.res.cpu);
  dim(ask.memory, room.memory, c.res.memory);
  dim(ask.disk, room.disk, c.res.disk);
  dim(ask.cores, room.cores, c.res.cores.length);
  return Math.sqrt(sum);
}

/**
 * Chooses the allocations to evict from a node so that a placement fits, or returns null when
 * evicting every allocation the job may preempt would still not be enough (or when the
 * placement already has the room this accounts for: what it lacks is not freed by evictions).
 *
 * @param usage What the node's proposed allocations use (the plan in progress applied).
 * @param ask What the placement needs ({@link preemptionAsk}).
 * @param p The placing job.
 *
 * @example
 * ```ts
 * const evict = selectPreemptions(usage, preemptionAsk(tg, usage.cap.coreMhz), preemptor);
 * if (evict !== null) plan.appendPreemptions(newAlloc, evict);
 * ```
 */
export function selectPreemptions(
  usage: NodeUsage,
  ask: PreemptionAsk,
  p: Preemptor,
): Allocation[] | null {
  const all = candidatesOf(usage, p);
  if (all.length === 0) return null;
  const cap = usage.cap;
  const room: Room = {
    cpu: cap.cpu - usage.util.cpu,
    memory: cap.memory - usage.util.memory,
    disk: cap.disk - usage.util.disk,
    cores: cap.cores === null ? 0 : cap.cores.size - usage.cores.size,
    slots: cap.maxAllocs === 0 ? Infinity : cap.maxAllocs - usage.count,
  };
  // A share of the node, to prefer evicting less among equals.
  const size = (c: Candidate) =>
    (cap.cpu > 0 ? c.res.cpu / cap.cpu : 0) + (cap.memory > 0 ? c.res.memory / cap.memory : 0);
  const chosen: Candidate[] = [];
  const mandatory = new Set<Candidate>();
  let rest = all;
  if (ask.ports.length > 0) {
    rest = [];
    for (const c of all) {
      const held = heldPorts(c.alloc);
      if (ask.ports.some((port) => held.has(port))) {
        mandatory.add(c);
        chosen.push(c);
        free(room, c, 1);
      } else rest.push(c);
    }
  }
  if (!fits(room, ask)) {
    const extra = new Map<string, number>();
    const penalty = (c: Candidate) => {
      if (c.maxParallel <= 0) return 0;
      const n = p.preemptedCount(c.alloc.Namespace, c.alloc.JobID, c.alloc.TaskGroup) +
        (extra.get(c.key) ?? 0);
      return n >= c.maxParallel ? (n + 1 - c.maxParallel) * MAX_PARALLEL_PENALTY : 0;
    };
    const byPriority = [...rest].sort((a, b) => a.priority - b.priority);
    let i = 0;
    while (i < byPriority.length && !fits(room, ask)) {
      const priority = byPriority[i]!.priority;
      let end = i;
      while (end < byPriority.length && byPriority[end]!.priority === priority) end++;
      const group = byPriority.slice(i, end);
      while (group.length > 0 && !fits(room, ask)) {
        let best = 0;
        let bestDistance = Infinity;
        for (let k = 0; k < group.length; k++) {
          const c = group[k]!;
          const d = distance(room, ask, c) + penalty(c);
          if (d < bestDistance || (d === bestDistance && size(c) < size(group[best]!))) {
            [best, bestDistance] = [k, d];
          }
        }
        const c = group.splice(best, 1)[0]!;
        chosen.push(c);
        free(room, c, 1);
        extra.set(c.key, (extra.get(c.key) ?? 0) + 1);
      }
      i = end;
    }
    if (!fits(room, ask)) return null;
  }
  // Spare what is not needed: the highest priorities and the largest first.
  const spare = chosen.filter((c) => !mandatory.has(c))
    .sort((a, b) => b.priority - a.priority || size(b) - size(a));
  const dropped = new Set<Candidate>();
  for (const c of spare) {
    free(room, c, -1);
    if (fits(room, ask)) dropped.add(c);
    else free(room, c, 1);
  }
  const out = chosen.filter((c) => !dropped.has(c)).map((c) => c.alloc);
  // Nothing to free: what is missing is not something preemption gives back.
  return out.length === 0 ? null : out;
}

/**
 * Nomad's preemption score of a node, in (0, 1): lower when the preempted allocations have
 * higher priorities (a logistic curve of `max + sum / max`, 0.5 at 2048).
 */
export function preemptionScore(preempted: readonly Allocation[]): number {
  let max = 0;
  let sum = 0;
  for (const a of preempted) {
    const priority = a.Job?.Priority ?? 50;
    if (priority > max) max = priority;
    sum += priority;
  }
  const net = max === 0 ? 0 : max + sum / max;
  return 1 / (1 + Math.exp(0.0048 * (net - 2048)));
}

/**
 * Lists a plan's preemptions in its annotations (for `job plan`): the preempted allocations as
 * they are in the state, and a `Preemptions` count in the preempting task group's updates.
 */
export function annotatePreemptions(
  state: SchedulerState,
  plan: Plan,
  annotations: PlanAnnotations,
): void {
  for (const [nodeId, list] of Object.entries(plan.NodePreemptions)) {
    for (const evicted of list) {
      const original = state.alloc(evicted.ID) ?? evicted;
      (annotations.PreemptedAllocs ??= []).push(original);
      const by = plan.NodeAllocation[nodeId]?.find((a) => a.ID === evicted.PreemptedByAllocation);
      const updates = by === undefined ? undefined : annotations.DesiredTGUpdates?.[by.TaskGroup];
      if (updates !== undefined) updates.Preemptions++;
    }
  }
}
