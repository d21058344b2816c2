/**
 * Optimistic scheduling: plans submitted by workers and not yet answered by the plan applier
 * are laid over the snapshot the next scheduler run reads, so that a worker does not place on
 * capacity another worker's plan is about to take. Only placements are laid over (never the
 * stops), so the view never shows more free capacity than the state will have. This only makes
 * conflicts rarer: the plan applier still re-checks every plan against the state.
 *
 * @module
 */
import type { Plan, SchedulerState } from "../scheduler/mod.ts";
import type { StateSnapshot } from "../state/mod.ts";
import type { Allocation, Deployment, Job, Node, SchedulerConfiguration } from "../structs/mod.ts";

type ByNode = ReadonlyMap<string, readonly Allocation[]>;

/** Plans in flight between a worker and the plan applier. */
export class InflightPlans {
  readonly #plans = new Map<Plan, ByNode>();
  readonly #enabled: boolean;

  /** Disabled, plans are not recorded and workers read the snapshot alone (as Nomad's do). */
  constructor(enabled = true) {
    this.#enabled = enabled;
  }

  /** How many plans are in flight. */
  get size(): number {
    return this.#plans.size;
  }

  /** Records a plan as it is submitted. */
  add(plan: Plan): void {
    if (!this.#enabled) return;
    const byNode = new Map<string, Allocation[]>();
    for (const [nodeId, list] of Object.entries(plan.NodeAllocation)) {
      byNode.set(nodeId, list.map((a) => (a.Job === null ? { ...a, Job: plan.Job } : a)));
    }
    this.#plans.set(plan, byNode);
  }

  /** Forgets a plan once the applier answered (what it committed is in the state by then). */
  delete(plan: Plan): void {
    this.#plans.delete(plan);
  }

  /** The snapshot with the in-flight placements laid over it (the snapshot itself when none). */
  view(snap: StateSnapshot): SchedulerState {
    return this.#plans.size === 0 ? snap : new OptimisticState(snap, [...this.#plans.values()]);
  }
}

/** A snapshot plus the placements of plans in flight. Valid as long as the snapshot is. */
export class OptimisticState implements SchedulerState {
  readonly #snap: StateSnapshot;
  readonly #inflight: readonly ByNode[];
  readonly #merged = new Map<string, readonly Allocation[]>();
  readonly index: number;

  constructor(snap: StateSnapshot, inflight: readonly ByNode[]) {
    this.#snap = snap;
    this.#inflight = inflight;
    this.index = snap.index;
  }

  allocsByNode(nodeId: string): readonly Allocation[] {
    const cached = this.#merged.get(nodeId);
    if (cached !== undefined) return cached;
    let extra: Allocation[] | null = null;
    for (const m of this.#inflight) {
      const list = m.get(nodeId);
      if (list !== undefined) (extra ??= []).push(...list);
    }
    const base = this.#snap.allocsByNode(nodeId);
    if (extra === null) {
      this.#merged.set(nodeId, base);
      return base;
    }
    // A placement committed meanwhile is in both: keep the in-flight copy once.
    const ids = new Set(extra.map((a) => a.ID));
    const merged = base.filter((a) => !ids.has(a.ID)).concat(extra);
    this.#merged.set(nodeId, merged);
    return merged;
  }

  nodes(): readonly Node[] {
    return this.#snap.nodes();
  }
  node(id: string): Node | undefined {
    return this.#snap.node(id);
  }
  job(namespace: string, id: string): Job | undefined {
    return this.#snap.job(namespace, id);
  }
  jobVersion(namespace: string, id: string, version: number): Job | undefined {
    return this.#snap.jobVersion(namespace, id, version);
  }
  allocsByJob(namespace: string, jobId: string): readonly Allocation[] {
    return this.#snap.allocsByJob(namespace, jobId);
  }
  alloc(id: string): Allocation | undefined {
    return this.#snap.alloc(id);
  }
  latestDeployment(namespace: string, jobId: string): Deployment | undefined {
    return this.#snap.latestDeployment(namespace, jobId);
  }
  deployment(id: string): Deployment | undefined {
    return this.#snap.deployment(id);
  }
  schedulerConfig(): SchedulerConfiguration {
    return this.#snap.schedulerConfig();
  }
}
