/**
 * The log entries: every change of the state is one {@link Entry}, applied by one switch and
 * written to the log before it is applied. An entry must carry everything its effect depends
 * on (times included), so replaying the log after a restart gives the same state.
 *
 * `PlanResultInput` and `DeploymentStatusUpdateInput` mirror `core/scheduler/types.ts`
 * structurally (the layer rule lets `state` import only `structs`): a scheduler `PlanResult`
 * is assignable to `PlanResultInput`.
 *
 * @module
 */
import type {
  Allocation,
  Deployment,
  DesiredTransition,
  DrainStrategy,
  Evaluation,
  Job,
  Node,
  NodeEvent,
  SchedulerConfiguration,
  TaskState,
} from "../structs/mod.ts";
import type { ScalingEvent } from "./records.ts";

/** A change of a deployment's status (the scheduler's `DeploymentStatusUpdate`). */
export interface DeploymentStatusUpdateInput {
  DeploymentID: string;
  Status: string;
  StatusDescription: string;
}

/** What the plan applier committed (structurally the scheduler's `PlanResult`). */
export interface PlanResultInput {
  /**
   * Allocations to stop, by node. Only `ID`, `DesiredDescription`, `ClientStatus`,
   * `FollowupEvalID` and `AllocStates` are used (and logged): the rest comes from the state.
   */
  NodeUpdate: Record<string, Allocation[]>;
  /** Allocations placed or updated, by node; a `null` `Job` means the plan's job. */
  NodeAllocation: Record<string, Allocation[]>;
  /** Allocations preempted, by node. Only `ID` and `PreemptedByAllocation` are used. */
  NodePreemptions: Record<string, Allocation[]>;
  Deployment: Deployment | null;
  DeploymentUpdates: DeploymentStatusUpdateInput[];
  RejectedNodes?: string[];
  /** Nodes to mark ineligible after repeated plan rejections. */
  IneligibleNodes: string[];
  RefreshIndex?: number;
  AllocIndex?: number;
}

/** What a client reports about one of its allocations. */
export interface AllocClientUpdate {
  ID: string;
  NodeID?: string;
  ClientStatus: string;
  ClientDescription: string;
  TaskStates: Record<string, TaskState> | null;
  DeploymentStatus: Allocation["DeploymentStatus"];
  NetworkStatus: Allocation["NetworkStatus"];
  /** Unix nanoseconds. */
  ModifyTime?: number;
}

/** Only the transitions that are set (non-null) are merged into the allocation's. */
export type DesiredTransitionInput = Partial<DesiredTransition>;

/** Registers a job, or a new version of it, with the evaluation to schedule it. */
export interface JobRegisterEntry {
  type: "JobRegister";
  job: Job;
  eval?: Evaluation | null;
  /** Check-and-set on the job's `JobModifyIndex` (0: the job must not exist). */
  enforceIndex?: number;
  /** Keep the task group counts of the current version. */
  preserveCounts?: boolean;
  /**
   * A dispatched job's idempotency token: when a child of the job's parent with this token is
   * stored, the entry changes nothing (`updated` false, the evaluation is not stored).
   */
  idempotencyToken?: string;
}

/** Stops (or with `purge`, deletes) a job. */
export interface JobDeregisterEntry {
  type: "JobDeregister";
  namespace: string;
  jobId: string;
  purge: boolean;
  eval?: Evaluation | null;
  /** Unix nanoseconds; sets the stopped version's `SubmitTime` when non-zero. */
  submitTime?: number;
  noShutdownDelay?: boolean;
}

/** Stops or purges several jobs at once (the garbage collector's batch). */
export interface JobBatchDeregisterEntry {
  type: "JobBatchDeregister";
  jobs: { namespace: string; jobId: string; purge: boolean }[];
  evals?: Evaluation[];
  submitTime?: number;
}

/** Marks a job version stable or not. */
export interface JobStabilityEntry {
  type: "JobStability";
  namespace: string;
  jobId: string;
  version: number;
  stable: boolean;
}

/** Creates or updates evaluations. */
export interface EvalUpsertEntry {
  type: "EvalUpsert";
  evals: Evaluation[];
}

/** Deletes evaluations and allocations (garbage collection). */
export interface EvalDeleteEntry {
  type: "EvalDelete";
  evalIds: string[];
  allocIds: string[];
  /** An operator's delete: refused unless the eval broker is paused. */
  userInitiated?: boolean;
}

/** Commits (part of) a plan. */
export interface PlanApplyEntry {
  type: "PlanApply";
  result: PlanResultInput;
  /** The job the plan is for, attached to placed allocations that carry no job. */
  job: Job | null;
  /** The evaluation the plan came from (its ModifyIndex is bumped). */
  evalId: string;
  /** Evaluations to create or update with the plan (preemption follow-ups, the eval itself). */
  evals?: Evaluation[];
  /** When the plan was applied, Unix nanoseconds. */
  updatedAt: number;
}

/** Client-reported allocation status. */
export interface AllocClientUpdateEntry {
  type: "AllocClientUpdate";
  allocs: AllocClientUpdate[];
  evals?: Evaluation[];
}

/** Sets desired transitions (migrate, reschedule) of allocations. */
export interface AllocDesiredTransitionEntry {
  type: "AllocDesiredTransition";
  transitions: Record<string, DesiredTransitionInput>;
  evals: Evaluation[];
}

/** Stops one allocation (`nomad alloc stop`): a migrate transition plus an evaluation. */
export interface AllocStopEntry {
  type: "AllocStop";
  allocId: string;
  eval: Evaluation;
  noShutdownDelay?: boolean;
  reschedule?: boolean;
}

/** Registers or updates a node (eligibility and drain are kept from the stored node). */
export interface NodeRegisterEntry {
  type: "NodeRegister";
  node: Node;
}

/** Removes nodes. */
export interface NodeDeregisterEntry {
  type: "NodeDeregister";
  nodeIds: string[];
}

/** Changes a node's status. `updatedAt` is Unix seconds (`StatusUpdatedAt`). */
export interface NodeStatusEntry {
  type: "NodeStatus";
  nodeId: string;
  status: string;
  event?: NodeEvent | null;
  updatedAt: number;
}

/** Changes a node's scheduling eligibility. `updatedAt` is Unix seconds. */
export interface NodeEligibilityEntry {
  type: "NodeEligibility";
  nodeId: string;
  eligibility: string;
  event?: NodeEvent | null;
  updatedAt: number;
}

/** Starts, updates or ends a node drain. `updatedAt` is Unix seconds. */
export interface NodeDrainEntry {
  type: "NodeDrain";
  nodeId: string;
  drain: DrainStrategy | null;
  markEligible: boolean;
  event?: NodeEvent | null;
  updatedAt: number;
  meta?: Record<string, string> | null;
  accessorId?: string;
  /** The drainer finished the drain (rather than an operator cancelling it). */
  drainComplete?: boolean;
}

/** Appends events to nodes. */
export interface NodeEventsEntry {
  type: "NodeEvents";
  events: Record<string, NodeEvent[]>;
}

/** Changes a deployment's status, maybe with a rolled-back job and an evaluation. */
export interface DeploymentStatusEntry {
  type: "DeploymentStatus";
  update: DeploymentStatusUpdateInput;
  /** Unix nanoseconds. */
  updatedAt: number;
  job?: Job | null;
  eval?: Evaluation | null;
}

/** Promotes the canaries of a deployment. */
export interface DeploymentPromoteEntry {
  type: "DeploymentPromote";
  deploymentId: string;
  all: boolean;
  groups: string[];
  eval?: Evaluation | null;
  /** Unix nanoseconds. */
  promotedAt: number;
}

/** Sets the deployment health of allocations. */
export interface DeploymentAllocHealthEntry {
  type: "DeploymentAllocHealth";
  deploymentId: string;
  healthy: string[];
  unhealthy: string[];
  /** Unix nanoseconds. */
  timestamp: number;
  update?: DeploymentStatusUpdateInput | null;
  job?: Job | null;
  eval?: Evaluation | null;
}

/** Deletes deployments. */
export interface DeploymentDeleteEntry {
  type: "DeploymentDelete";
  deploymentIds: string[];
}

/** Sets the scheduler configuration; with `cas`, only if its ModifyIndex is `cas`. */
export interface SchedulerConfigEntry {
  type: "SchedulerConfig";
  config: SchedulerConfiguration;
  cas?: number;
}

/** Records a scaling event of a task group (the newest 20 per group are kept). */
export interface ScalingEventEntry {
  type: "ScalingEvent";
  namespace: string;
  jobId: string;
  group: string;
  /** Its `CreateIndex` is set to the entry's index. */
  event: ScalingEvent;
}

/** Recounts every job summary from the allocations. */
export interface JobSummaryReconcileEntry {
  type: "JobSummaryReconcile";
}

/** Every change of the state. */
export type Entry =
  | JobRegisterEntry
  | JobDeregisterEntry
  | JobBatchDeregisterEntry
  | JobStabilityEntry
  | EvalUpsertEntry
  | EvalDeleteEntry
  | PlanApplyEntry
  | AllocClientUpdateEntry
  | AllocDesiredTransitionEntry
  | AllocStopEntry
  | NodeRegisterEntry
  | NodeDeregisterEntry
  | NodeStatusEntry
  | NodeEligibilityEntry
  | NodeDrainEntry
  | NodeEventsEntry
  | DeploymentStatusEntry
  | DeploymentPromoteEntry
  | DeploymentAllocHealthEntry
  | DeploymentDeleteEntry
  | SchedulerConfigEntry
  | ScalingEventEntry
  | JobSummaryReconcileEntry;

/** The type names of entries. */
export type EntryType = Entry["type"];

/** What applying an entry did. */
export interface Applied {
  /** The log index the entry got. */
  readonly index: number;
  /**
   * False when the entry changed nothing by design: a `JobRegister` whose spec did not change
   * (only its evaluation was stored) or a `SchedulerConfig` whose `cas` did not match.
   */
  readonly updated: boolean;
}
