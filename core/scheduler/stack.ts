/**
 * Placement stacks, as Nomad builds them (scheduler/feasible/stack.go): a chain of feasibility
 * checks and rankers that picks a node for one allocation of a task group.
 *
 * - The generic stack (service and batch jobs) visits the candidates in a random order, checks
 *   feasibility, bin-packs, applies job anti-affinity, the rescheduling penalty, affinities and
 *   spread, averages the scores, looks at `max(2, ceil(log2 n))` ranked nodes for services (2
 *   for batch, more with affinities or spreads) and takes the best.
 * - The system stack (system and sysbatch jobs) visits the nodes in order and takes the first
 *   node that fits; the scheduler gives it one node at a time.
 *
 * Preemption: the system stack lets a placement evict lower-priority allocations when the
 * scheduler configuration enables it for system (sysbatch) jobs; the generic stack only when
 * asked by `SelectOptions.preempt`, and then also scores the preemption (Nomad's
 * PreemptionScoringIterator).
 *
 * Stacks read the state and the plan in progress but change neither. Per-node work (capacity,
 * network facts, computed class, the use of the proposed allocations) is cached, so a placement
 * costs a few dozen node visits rather than a scan of the cluster.
 *
 * @module
 */
import type { AllocMetric, Job, Node, SchedulerConfiguration, TaskGroup } from "../structs/mod.ts";
import { globMatch } from "./constraints.ts";
import type { CheckContext } from "./feasible.ts";
import { FeasibleChain, NodeSource } from "./feasible_chain.ts";
import { allocatedResources, BinPacker, type RankedNode } from "./rank.ts";
import { MetricsRecorder } from "./rank_metrics.ts";
import { type PreemptionCounts, preemptionEnabled, type Preemptor } from "./preemption.ts";
import { normalizeScore, Scorers, selectBest } from "./rank_select.ts";
import { SpreadScorer } from "./rank_spread.ts";
import { UsageCache } from "./resources_usage.ts";
import type {
  PlacementStack,
  PlanView,
  ScheduleContext,
  SchedulerState,
  Selection,
  SelectOptions,
} from "./types.ts";

export type { VersionedPlanView } from "./resources_usage.ts";
export { computedClass } from "./feasible_class.ts";

/** Nomad's default node limit for feasibility checks with affinities or spreads. */
export const DEFAULT_NODE_LIMIT_FOR_FEASIBILITY_CHECKS = 100;

/** Feasibility by computed node class, for a blocked evaluation. */
export interface ClassEligibility {
  /** Whether a constraint escaped computed classes (the eval's EscapedComputedClass). */
  escaped: boolean;
  /** Computed classes seen, true when the job may run there (the eval's ClassEligibility). */
  classes: Record<string, boolean>;
}

/** A {@link PlacementStack} that also reports what a blocked evaluation needs to know. */
export interface Stack extends PlacementStack {
  /** The computed classes the stack found the job (in)eligible on, over all placements. */
  classEligibility(): ClassEligibility;
}

/** Ready nodes in a job's datacenters and node pool, by datacenter, and the nodes not ready. */
export interface ReadyNodes {
  readonly nodes: Node[];
  readonly byDC: Record<string, number>;
  readonly notReady: Set<string>;
}

/** Whether a node takes new allocations: ready, eligible and not draining. */
export function nodeReady(node: Node): boolean {
  return node.Status === "ready" && node.DrainStrategy === null &&
    node.SchedulingEligibility === "eligible";
}

function jobPool(job: Job): string {
  return job.NodePool === null || job.NodePool === "" ? "default" : job.NodePool;
}

/**
 * The nodes a job may be placed on (Nomad's readyNodesInDCsAndPool): ready nodes of its node
 * pool (`default` unless set; `all` for every pool) whose datacenter matches one of the job's
 * datacenter patterns (`*` globs; no datacenters means `*`). Nodes of the pool that are not
 * ready are listed in `notReady`.
 *
 * @example
 * ```ts
 * const { nodes, byDC } = readyNodesInDCsAndPool(state, job);
 * stack.setNodes(nodes);
 * ```
 */
export function readyNodesInDCsAndPool(state: SchedulerState, job: Job): ReadyNodes {
  const pool = jobPool(job);
  const dcs = job.Datacenters === null || job.Datacenters.length === 0 ? ["*"] : job.Datacenters;
  const nodes: Node[] = [];
  const byDC: Record<string, number> = {};
  const notReady = new Set<string>();
  for (const node of state.nodes()) {
    if (pool !== "all" && (node.NodePool === "" ? "default" : node.NodePool) !== pool) continue;
    if (!nodeReady(node)) {
      notReady.add(node.ID);
      continue;
    }
    if (dcs.some((dc) => globMatch(dc, node.Datacenter))) {
      nodes.push(node);
      byDC[node.Datacenter] = (byDC[node.Datacenter] ?? 0) + 1;
    }
  }
  return { nodes, byDC, notReady };
}

/** The parts both stacks share. */
abstract class BaseStack implements Stack {
  protected readonly ctx: { metrics: MetricsRecorder } = { metrics: new MetricsRecorder() };
  protected readonly usage: UsageCache;
  protected readonly chain: FeasibleChain;
  protected readonly source: NodeSource = new NodeSource();
  protected readonly binpack: BinPacker;
  protected byDC: Record<string, number> = {};
  protected inPool = 0;
  readonly #plan: PlanView;

  constructor(
    protected readonly state: SchedulerState,
    plan: PlanView,
    sctx: ScheduleContext,
    distinctHosts: boolean,
  ) {
    this.#plan = plan;
    const ctx: CheckContext = this.ctx;
    this.usage = new UsageCache(plan);
    this.chain = new FeasibleChain(ctx, state, this.usage, { distinctHosts });
    this.binpack = new BinPacker(ctx, this.usage, sctx.random);
    const config = state.schedulerConfig();
    this.binpack.configure(config.SchedulerAlgorithm, config.MemoryOversubscriptionEnabled);
  }

  /** The metrics of the last placement (a new object for each placement). */
  get metrics(): AllocMetric {
    return this.ctx.metrics.metric;
  }

  abstract setNodes(nodes: readonly Node[]): void;
  abstract setJob(job: Job): void;
  abstract select(group: TaskGroup, opts: SelectOptions): Selection | undefined;

  /** The preemptor of a job's placements, counting what the plan already preempts. */
  protected preemptorFor(job: Job): Preemptor {
    const counts = this.#plan as Partial<PreemptionCounts>;
    const plan = typeof counts.preemptedCount === "function" ? counts as PreemptionCounts : null;
    return {
      priority: job.Priority ?? 50,
      namespace: job.Namespace ?? "default",
      jobId: job.ID ?? "",
      preemptedCount: (ns, id, group) => plan?.preemptedCount(ns, id, group) ?? 0,
    };
  }

  classEligibility(): ClassEligibility {
    const e = this.chain.eligibility;
    return { escaped: e.hasEscaped(), classes: e.classes() };
  }

  /** Starts a placement: fresh metrics, every candidate visitable again. */
  protected begin(tg: TaskGroup, opts: SelectOptions): number {
    this.ctx.metrics = new MetricsRecorder();
    this.source.reset();
    this.chain.setGroup(tg, opts.allocName);
    this.binpack.setGroup(tg);
    return performance.now();
  }

  /** Ends a placement: timing, pool counts, top scores; the selection if one was found. */
  protected finish(
    start: number,
    tg: TaskGroup,
    best: RankedNode | null,
  ): Selection | undefined {
    const m = this.ctx.metrics.metric;
    m.NodesAvailable = { ...this.byDC };
    m.NodesInPool = this.inPool;
    m.NodePool = jobPool(this.chain.job);
    this.ctx.metrics.populateScoreMetaData();
    m.AllocationTime = Math.round((performance.now() - start) * 1e6);
    if (best === null) return undefined;
    this.chain.tracker.noteSelected(best.node);
    const selection = {
      node: best.node,
      resources: allocatedResources(best, tg),
      score: best.finalScore,
    };
    return best.preempted === undefined ? selection : { ...selection, preempted: best.preempted };
  }
}

/** The stack of service and batch jobs. */
class GenericStack extends BaseStack {
  readonly #batch: boolean;
  readonly #random: () => number;
  readonly #scorers: Scorers;
  readonly #spread = new SpreadScorer();
  readonly #nodeLimit: number;
  #limit = 2;
  #jobKey: string | null = null;
  #preemptor: Preemptor | null = null;

  constructor(state: SchedulerState, plan: PlanView, sctx: ScheduleContext, batch: boolean) {
    super(state, plan, sctx, true);
    this.#batch = batch;
    this.#random = sctx.random;
    this.#scorers = new Scorers(this.ctx);
    const limit = state.schedulerConfig().NodeLimitForFeasibilityChecks;
    this.#nodeLimit = limit > 0 ? limit : DEFAULT_NODE_LIMIT_FOR_FEASIBILITY_CHECKS;
  }

  setNodes(nodes: readonly Node[]): void {
    const shuffled = [...nodes];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(this.#random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j] as Node, shuffled[i] as Node];
    }
    this.source.setNodes(shuffled);
    this.byDC = {};
    for (const n of nodes) this.byDC[n.Datacenter] = (this.byDC[n.Datacenter] ?? 0) + 1;
    this.inPool = nodes.length;
    const n = nodes.length;
    this.#limit = !this.#batch && n > 0 ? Math.max(2, Math.ceil(Math.log2(n))) : 2;
  }

  setJob(job: Job): void {
    const key = `${job.Namespace}\u0000${job.ID}\u0000${job.Version}`;
    if (key === this.#jobKey) return;
    this.#jobKey = key;
    this.chain.setJob(job);
    this.#spread.setJob(job);
    this.#preemptor = this.preemptorFor(job);
  }

  select(tg: TaskGroup, opts: SelectOptions): Selection | undefined {
    this.binpack.setPreemptor(opts.preempt === true ? this.#preemptor : null);
    const preferred = opts.preferredNodes;
    if (preferred === undefined || preferred.length === 0) return this.#selectOnce(tg, opts);
    const original = this.source.nodes;
    this.source.setNodes(preferred);
    const found = this.#selectOnce(tg, opts);
    this.source.setNodes(original);
    return found ?? this.#selectOnce(tg, opts);
  }

  #selectOnce(tg: TaskGroup, opts: SelectOptions): Selection | undefined {
    const start = this.begin(tg, opts);
    const job = this.chain.job;
    const scorers = this.#scorers;
    scorers.setGroup(job, tg, opts.penaltyNodeIds);
    const spread = this.#spread.setGroup(tg, this.chain.tracker, this.usage);
    let limit = this.#limit;
    if (scorers.hasAffinities || spread) {
      const count = tg.Count ?? 0;
      limit = count < this.#nodeLimit ? this.#nodeLimit : count;
    }
    const next = (): RankedNode | null => {
      for (;;) {
        const node = this.source.next(this.ctx);
        if (node === null) return null;
        if (!this.chain.feasible(node, this.source.lastClass())) continue;
        const ranked = this.binpack.rank(node);
        if (ranked === null) continue;
        scorers.antiAffinity(ranked);
        scorers.reschedulingPenalty(ranked);
        scorers.affinity(ranked);
        if (spread) scorers.spread(ranked, this.#spread.score(node));
        if (ranked.preempted !== undefined) scorers.preemption(ranked, ranked.preempted);
        scorers.normalize(ranked);
        return ranked;
      }
    };
    return this.finish(start, tg, selectBest(next, limit));
  }
}

/** The stack of system and sysbatch jobs. */
class SystemStack extends BaseStack {
  readonly #config: SchedulerConfiguration;

  constructor(state: SchedulerState, plan: PlanView, sctx: ScheduleContext) {
    super(state, plan, sctx, false);
    this.#config = state.schedulerConfig();
  }

  setNodes(nodes: readonly Node[]): void {
    this.source.setNodes([...nodes]);
  }

  setJob(job: Job): void {
    this.chain.setJob(job);
    const evict = preemptionEnabled(this.#config, job.Type);
    this.binpack.setPreemptor(evict ? this.preemptorFor(job) : null);
    const ready = readyNodesInDCsAndPool(this.state, job);
    this.byDC = ready.byDC;
    this.inPool = ready.nodes.length;
  }

  select(tg: TaskGroup, opts: SelectOptions): Selection | undefined {
    this.chain.eligibility.reset();
    const start = this.begin(tg, opts);
    let best: RankedNode | null = null;
    for (let node = this.source.next(this.ctx); node !== null; node = this.source.next(this.ctx)) {
      if (!this.chain.feasible(node, this.source.lastClass())) continue;
      best = this.binpack.rank(node);
      if (best === null) continue;
      normalizeScore(this.ctx, best);
      break;
    }
    return this.finish(start, tg, best);
  }
}

/**
 * Makes the placement stack of a service (`batch: false`) or batch job.
 *
 * @example
 * ```ts
 * const stack = newGenericStack(state, plan, ctx, { batch: false });
 * stack.setJob(job);
 * stack.setNodes(readyNodesInDCsAndPool(state, job).nodes);
 * const choice = stack.select(job.TaskGroups![0]!, { allocName: "web.web[0]" });
 * if (choice === undefined) console.log(stack.metrics.DimensionExhausted);
 * ```
 */
export function newGenericStack(
  state: SchedulerState,
  plan: PlanView,
  ctx: ScheduleContext,
  opts: { batch: boolean },
): Stack {
  return new GenericStack(state, plan, ctx, opts.batch);
}

/** Makes the placement stack of a system or sysbatch job. */
export function newSystemStack(
  state: SchedulerState,
  plan: PlanView,
  ctx: ScheduleContext,
): Stack {
  return new SystemStack(state, plan, ctx);
}
