/**
 * The feasibility half of a placement stack: the candidate nodes in visiting order, and the
 * checks in Nomad's order — job constraints, then the group's drivers, constraints, devices,
 * network and secrets (both cached by computed class), host and CSI volumes, distinct_hosts and
 * distinct_property.
 *
 * @module
 */
import type { Job, Node, TaskGroup } from "../structs/mod.ts";
import {
  type CheckContext,
  type Checker,
  constraintChecker,
  csiVolumeChecker,
  deviceChecker,
  driverChecker,
  FilterReason,
  groupNeeds,
  hostVolumeChecker,
  networkChecker,
  secretsChecker,
} from "./feasible.ts";
import {
  computedClass,
  EvalEligibility,
  type WrappedChecks,
  wrappedFeasible,
} from "./feasible_class.ts";
import {
  distinctHostsQuery,
  DistinctProperties,
  hasDistinctHosts,
  PlacementTracker,
  type PropertySet,
} from "./feasible_distinct.ts";
import type { CountQuery, UsageCache } from "./resources_usage.ts";
import type { SchedulerState } from "./types.ts";

/**
 * The candidate nodes, visited in order. Each placement continues where the previous one
 * stopped and wraps around, so it sees every node at most once (Nomad's StaticIterator).
 */
export class NodeSource {
  #nodes: readonly Node[] = [];
  #classes: Array<string | undefined> = [];
  #offset = 0;
  #seen = 0;
  #last = 0;

  /** The candidates. */
  get nodes(): readonly Node[] {
    return this.#nodes;
  }

  /** Replaces the candidates and starts from the first. */
  setNodes(nodes: readonly Node[]): void {
    this.#nodes = nodes;
    this.#classes = new Array(nodes.length);
    this.#offset = 0;
    this.#seen = 0;
  }

  /** Starts a new placement: every node may be visited once more. */
  reset(): void {
    this.#seen = 0;
  }

  /** The next node, or null when every node was visited in this placement. */
  next(ctx: CheckContext): Node | null {
    const n = this.#nodes.length;
    if (this.#offset === n || this.#seen === n) {
      if (this.#seen === n) return null;
      this.#offset = 0;
    }
    this.#last = this.#offset++;
    this.#seen++;
    ctx.metrics.evaluateNode();
    return this.#nodes[this.#last] ?? null;
  }

  /** The computed class of the node `next` returned last. */
  lastClass(): string {
    return this.#classes[this.#last] ??= computedClass(this.#nodes[this.#last] as Node);
  }
}

interface GroupChecks {
  readonly group: readonly Checker[];
  readonly distinctHosts: boolean;
}

/** Job- and group-level feasibility over the plan in progress. */
export class FeasibleChain {
  readonly #ctx: CheckContext;
  readonly #state: SchedulerState;
  readonly #usage: UsageCache;
  readonly #withDistinctHosts: boolean;
  readonly eligibility: EvalEligibility = new EvalEligibility();
  #job: Job | null = null;
  #jobChecks: readonly Checker[] = [];
  #jobDistinctHosts = false;
  #groups = new WeakMap<TaskGroup, GroupChecks>();
  #properties: DistinctProperties | null = null;
  #tracker: PlacementTracker | null = null;
  #tg: TaskGroup | null = null;
  #wrapped: WrappedChecks = { job: [], group: [], available: [] };
  #sets: readonly PropertySet[] = [];
  #distinctHosts: CountQuery | null = null;

  constructor(
    ctx: CheckContext,
    state: SchedulerState,
    usage: UsageCache,
    opts: { distinctHosts: boolean },
  ) {
    this.#ctx = ctx;
    this.#state = state;
    this.#usage = usage;
    this.#withDistinctHosts = opts.distinctHosts;
  }

  /** The job being placed. */
  get job(): Job {
    if (this.#job === null) throw new TypeError("The placement stack has no job: call setJob()");
    return this.#job;
  }

  /** The nodes the job's allocations are or will be on. */
  get tracker(): PlacementTracker {
    if (this.#tracker === null) {
      throw new TypeError("The placement stack has no job: call setJob()");
    }
    return this.#tracker;
  }

  /** Sets the job: its constraints, distinct_* rules and the nodes it already uses. */
  setJob(job: Job): void {
    this.#job = job;
    this.#jobChecks = [constraintChecker(this.#ctx, job.Constraints ?? [])];
    this.#jobDistinctHosts = hasDistinctHosts(job.Constraints);
    this.#groups = new WeakMap();
    this.#properties = new DistinctProperties(job);
    this.#tracker = new PlacementTracker(this.#state, job);
    this.eligibility.setJob(job);
  }

  /** Prepares the checks of a group for one allocation (`allocName` names per-alloc volumes). */
  setGroup(tg: TaskGroup, allocName: string): void {
    const job = this.job;
    this.#tg = tg;
    let checks = this.#groups.get(tg);
    if (checks === undefined) {
      const needs = groupNeeds(tg);
      checks = {
        group: [
          driverChecker(this.#ctx, needs.drivers),
          constraintChecker(this.#ctx, needs.constraints),
          deviceChecker(this.#ctx, needs.devices),
          networkChecker(this.#ctx, tg.Networks?.[0] ?? null),
          secretsChecker(this.#ctx, needs.secrets),
        ],
        distinctHosts: hasDistinctHosts(tg.Constraints),
      };
      this.#groups.set(tg, checks);
    }
    const available = tg.Volumes === null || Object.keys(tg.Volumes).length === 0 ? [] : [
      hostVolumeChecker(this.#ctx, tg.Volumes, allocName),
      csiVolumeChecker(this.#ctx, tg.Volumes, allocName),
    ];
    this.#wrapped = { job: this.#jobChecks, group: checks.group, available };
    const distinct = this.#withDistinctHosts && (this.#jobDistinctHosts || checks.distinctHosts);
    this.#distinctHosts = distinct
      ? distinctHostsQuery(job, tg.Name ?? "", this.#jobDistinctHosts)
      : null;
    this.#sets = this.#properties?.setsFor(tg) ?? [];
    for (const s of this.#sets) s.populate(job, this.tracker, this.#usage);
  }

  /** Whether a node (of computed class `cls`) passes every check for the current group. */
  feasible(node: Node, cls: string): boolean {
    const tg = this.#tg;
    if (tg === null) throw new TypeError("The placement stack has no task group to check");
    const ctx = this.#ctx;
    if (!wrappedFeasible(ctx, this.eligibility, this.#wrapped, tg.Name ?? "", node, cls)) {
      return false;
    }
    if (this.#distinctHosts !== null && this.#usage.count(node, this.#distinctHosts) > 0) {
      ctx.metrics.filterNode(node, FilterReason.DistinctHosts);
      return false;
    }
    for (const s of this.#sets) {
      const reason = s.satisfies(node);
      if (reason !== null) {
        ctx.metrics.filterNode(node, reason);
        return false;
      }
    }
    return true;
  }
}
