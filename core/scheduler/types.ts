/**
 * The contract between the scheduler and the rest of the server.
 *
 * The scheduler is pure and synchronous: it reads a {@link SchedulerState} (a read-only view of
 * the state at one index; never mutated, and never held across an `await`), takes the clock and
 * a seeded random source as arguments, and returns a {@link Plan}. The server's worker submits
 * the plan to the plan applier, which re-checks it against the latest state and may commit only
 * part of it; the worker then calls the scheduler again with a fresh state (up to the attempt
 * limit). Nothing here does I/O.
 *
 * @module
 */
import type {
  AllocatedResources,
  Allocation,
  AllocMetric,
  Deployment,
  Evaluation,
  Job,
  Node,
  PlanAnnotations,
  SchedulerConfiguration,
  TaskGroup,
} from "../structs/mod.ts";

/** A read-only view of the cluster state at one index. */
export interface SchedulerState {
  /** The index this view reflects. */
  readonly index: number;
  /** Every node, in a stable order (by ID). */
  nodes(): readonly Node[];
  node(id: string): Node | undefined;
  /** The latest version of a job, or undefined when it does not exist (deregistered+purged). */
  job(namespace: string, id: string): Job | undefined;
  /** A job at a given version, when it is still kept. */
  jobVersion(namespace: string, id: string, version: number): Job | undefined;
  /** Every allocation of a job, terminal ones included. */
  allocsByJob(namespace: string, jobId: string): readonly Allocation[];
  /** Every allocation on a node, terminal ones included. */
  allocsByNode(nodeId: string): readonly Allocation[];
  alloc(id: string): Allocation | undefined;
  /** The job's latest deployment, if any. */
  latestDeployment(namespace: string, jobId: string): Deployment | undefined;
  deployment(id: string): Deployment | undefined;
  schedulerConfig(): SchedulerConfiguration;
}

/** A change of a deployment's status that the plan carries. */
export interface DeploymentStatusUpdate {
  DeploymentID: string;
  Status: string;
  StatusDescription: string;
}

/**
 * What the scheduler wants changed: allocations to stop (`NodeUpdate`), to place or update
 * (`NodeAllocation`) and to preempt, keyed by node ID; a deployment to create or update.
 */
export interface Plan {
  EvalID: string;
  Priority: number;
  AllAtOnce: boolean;
  /** The job the plan is for; null for plans that only stop allocations of a gone job. */
  Job: Job | null;
  /** Allocations to stop or evict, with `DesiredStatus`/`DesiredDescription` set. */
  NodeUpdate: Record<string, Allocation[]>;
  /** New allocations, and existing ones updated in place. */
  NodeAllocation: Record<string, Allocation[]>;
  NodePreemptions: Record<string, Allocation[]>;
  Annotations: PlanAnnotations | null;
  Deployment: Deployment | null;
  DeploymentUpdates: DeploymentStatusUpdate[];
  /** The state index the scheduler saw. */
  SnapshotIndex: number;
}

/** What the plan applier did with a plan. */
export interface PlanResult {
  NodeUpdate: Record<string, Allocation[]>;
  NodeAllocation: Record<string, Allocation[]>;
  NodePreemptions: Record<string, Allocation[]>;
  Deployment: Deployment | null;
  DeploymentUpdates: DeploymentStatusUpdate[];
  /** Nodes whose part of the plan no longer fit. */
  RejectedNodes: string[];
  IneligibleNodes: string[];
  /** Non-zero when only part of the plan was committed: the scheduler must refresh to this. */
  RefreshIndex: number;
  /** The index at which the allocations were committed. */
  AllocIndex: number;
}

/** Inputs every scheduler run gets from the outside world. */
export interface ScheduleContext {
  /** Now, in Unix nanoseconds. */
  readonly now: number;
  /** A seeded random source in [0, 1). */
  readonly random: () => number;
  /** Makes a new UUID (seeded in tests). */
  readonly newId: () => string;
}

/** The outcome of one scheduler run over one evaluation. */
export interface ScheduleOutcome {
  /** The plan to submit, or null when there is nothing to change. */
  plan: Plan | null;
  /** The evaluation with its new status, description, FailedTGAllocs, QueuedAllocations. */
  evaluation: Evaluation;
  /**
   * Evaluations to create: a blocked evaluation for placements that failed for lack of
   * capacity, follow-up evaluations for delayed reschedules.
   */
  newEvals: Evaluation[];
}

/** Placement metrics by task group for the placements that failed. */
export type FailedPlacements = Record<string, AllocMetric>;

/** What placing one allocation needs to know about the plan being built. */
export interface PlanView {
  /**
   * The allocations that will be on the node once the plan in progress is applied: its
   * non-terminal allocations, minus those the plan stops or preempts, plus those it places
   * (an in-place update replaces the old version).
   */
  proposedAllocs(nodeId: string): readonly Allocation[];
}

/** Options of one placement. */
export interface SelectOptions {
  /** The allocation's name, `<job>.<group>[<index>]`. */
  readonly allocName: string;
  /** Nodes to avoid (the node a rescheduled allocation failed on). */
  readonly penaltyNodeIds?: ReadonlySet<string>;
  /** Nodes to try first (sticky ephemeral disk: the previous allocation's node). */
  readonly preferredNodes?: readonly Node[];
  /**
   * Let a service or batch placement preempt lower-priority allocations (Nomad's second pass
   * when nothing fits). System stacks preempt as the scheduler configuration says.
   */
  readonly preempt?: boolean;
}

/** A node chosen for a task group, with the resources the allocation gets there. */
export interface Selection {
  readonly node: Node;
  /** Per-task CPU/memory/networks (ports assigned) and the shared networks/ports/disk. */
  readonly resources: AllocatedResources;
  /** The final (normalised) score. */
  readonly score: number;
  /** Allocations to evict from the node for this one to fit (see `PlanBuilder.appendPreemptions`). */
  readonly preempted?: readonly Allocation[];
}

/**
 * Feasibility checking and ranking for one job: the candidate nodes, the constraint and
 * resource checks, and binpack/spread scoring, in Nomad's order.
 */
export interface PlacementStack {
  /** The candidate nodes: ready, eligible, in the job's datacenters and node pool. */
  setNodes(nodes: readonly Node[]): void;
  setJob(job: Job): void;
  /** Picks a node for one allocation of `group`, or undefined when none fits. */
  select(group: TaskGroup, opts: SelectOptions): Selection | undefined;
  /** The metrics of the last `select` (filtered, exhausted, scores), as Nomad reports them. */
  readonly metrics: AllocMetric;
}
