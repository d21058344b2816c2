/**
 * Evaluations (the unit of scheduling work), deployments, plan annotations, job summaries and
 * the scheduler configuration, in Nomad's JSON shape.
 *
 * @module
 */
import {
  bool,
  boolMap,
  dur,
  type Infer,
  inline,
  int,
  intMap,
  list,
  ref,
  str,
  strList,
  struct,
  structMap,
  time,
} from "./schema.ts";
import { AllocationSpec, AllocMetricSpec } from "./alloc.ts";

/** Evaluation status. */
export const EvalStatus = {
  Blocked: "blocked",
  Pending: "pending",
  Complete: "complete",
  Failed: "failed",
  Cancelled: "canceled",
} as const;

/** What triggered an evaluation. */
export const EvalTrigger = {
  JobRegister: "job-register",
  JobDeregister: "job-deregister",
  PeriodicJob: "periodic-job",
  NodeDrain: "node-drain",
  NodeUpdate: "node-update",
  AllocStop: "alloc-stop",
  Scheduled: "scheduled",
  RollingUpdate: "rolling-update",
  DeploymentWatcher: "deployment-watcher",
  FailedFollowUp: "failed-follow-up",
  MaxPlans: "max-plan-attempts",
  RetryFailedAlloc: "alloc-failure",
  QueuedAllocs: "queued-allocs",
  Preemption: "preemption",
  Scaling: "job-scaling",
  MaxDisconnectTimeout: "max-disconnect-timeout",
  Reconnect: "reconnect",
  JobEvaluate: "job-eval",
} as const;

/** What the scheduler would do to a task group's allocations. */
export const DesiredUpdatesSpec = struct("DesiredUpdates", {
  Ignore: int(),
  Place: int(),
  Migrate: int(),
  Stop: int(),
  InPlaceUpdate: int(),
  DestructiveUpdate: int(),
  Canary: int(),
  Preemptions: int(),
  Disconnect: int(),
  Reconnect: int(),
  RescheduleNow: int(),
  RescheduleLater: int(),
});

/** The scheduler's account of a plan, per task group. */
export const PlanAnnotationsSpec = struct("PlanAnnotations", {
  DesiredTGUpdates: structMap(DesiredUpdatesSpec),
  PreemptedAllocs: list(AllocationSpec),
});
/** The scheduler's account of a plan. */
export type PlanAnnotations = Infer<typeof PlanAnnotationsSpec>;

/** An evaluation: a request to reconcile a job (or node) with its desired state. */
export const EvaluationSpec = struct("Evaluation", {
  ID: str(),
  Namespace: str(),
  Priority: int(),
  Type: str(),
  TriggeredBy: str(),
  JobID: str(),
  JobModifyIndex: int(),
  NodeID: str(),
  NodeModifyIndex: int(),
  DeploymentID: str(),
  Status: str(),
  StatusDescription: str(),
  Wait: dur(),
  WaitUntil: time(),
  NextEval: str(),
  PreviousEval: str(),
  BlockedEval: str(),
  RelatedEvals: list(struct("EvaluationStub", { ID: str(), Status: str(), JobID: str() })),
  FailedTGAllocs: structMap(AllocMetricSpec),
  PlanAnnotations: ref(PlanAnnotationsSpec),
  ClassEligibility: boolMap(),
  QuotaLimitReached: str(),
  MissingNonNodeResources: strList(),
  EscapedComputedClass: bool(),
  AnnotatePlan: bool(),
  QueuedAllocations: intMap(),
  LeaderACL: str(),
  SnapshotIndex: int(),
  CreateIndex: int(),
  ModifyIndex: int(),
  CreateTime: int(),
  ModifyTime: int(),
});
/** An evaluation. */
export type Evaluation = Infer<typeof EvaluationSpec>;

/** Deployment status. */
export const DeploymentStatus = {
  Initializing: "initializing",
  Running: "running",
  Pending: "pending",
  Blocked: "blocked",
  Unblocking: "unblocking",
  Paused: "paused",
  Failed: "failed",
  Successful: "successful",
  Cancelled: "cancelled",
} as const;

/** A task group's progress in a deployment. */
export const DeploymentStateSpec = struct("DeploymentState", {
  AutoRevert: bool(),
  AutoPromote: bool(),
  ProgressDeadline: dur(),
  RequireProgressBy: time(),
  Promoted: bool(),
  PlacedCanaries: strList(),
  DesiredCanaries: int(),
  DesiredTotal: int(),
  PlacedAllocs: int(),
  HealthyAllocs: int(),
  UnhealthyAllocs: int(),
});
/** A task group's progress in a deployment. */
export type DeploymentState = Infer<typeof DeploymentStateSpec>;

/** A deployment: the rollout of one job version. */
export const DeploymentSpec = struct("Deployment", {
  ID: str(),
  Namespace: str(),
  JobID: str(),
  JobVersion: int(),
  JobModifyIndex: int(),
  JobSpecModifyIndex: int(),
  JobCreateIndex: int(),
  IsMultiregion: bool(),
  TaskGroups: structMap(DeploymentStateSpec),
  Status: str(),
  StatusDescription: str(),
  EvalPriority: int(),
  CreateIndex: int(),
  ModifyIndex: int(),
  CreateTime: int(),
  ModifyTime: int(),
});
/** A deployment. */
export type Deployment = Infer<typeof DeploymentSpec>;

/** Counts of a task group's allocations by client status. */
export const TaskGroupSummarySpec = struct("TaskGroupSummary", {
  Queued: int(),
  Complete: int(),
  Failed: int(),
  Running: int(),
  Starting: int(),
  Lost: int(),
  Unknown: int(),
});
/** Counts of a task group's allocations by client status. */
export type TaskGroupSummary = Infer<typeof TaskGroupSummarySpec>;

/** A job's allocation counts per task group (`GET /v1/job/:id/summary`). */
export const JobSummarySpec = struct("JobSummary", {
  JobID: str(),
  Namespace: str(),
  Summary: structMap(TaskGroupSummarySpec),
  Children: ref(struct("JobChildrenSummary", { Pending: int(), Running: int(), Dead: int() })),
  CreateIndex: int(),
  ModifyIndex: int(),
});
/** A job's allocation counts per task group. */
export type JobSummary = Infer<typeof JobSummarySpec>;

/** The cluster-wide scheduler settings (`/v1/operator/scheduler/configuration`). */
export const SchedulerConfigurationSpec = struct("SchedulerConfiguration", {
  /** `binpack` or `spread`. */
  SchedulerAlgorithm: str(),
  PreemptionConfig: inline(struct("PreemptionConfig", {
    SystemSchedulerEnabled: bool(),
    SysBatchSchedulerEnabled: bool(),
    BatchSchedulerEnabled: bool(),
    ServiceSchedulerEnabled: bool(),
  })),
  MemoryOversubscriptionEnabled: bool(),
  RejectJobRegistration: bool(),
  PauseEvalBroker: bool(),
  NodeLimitForFeasibilityChecks: int(),
  CreateIndex: int(),
  ModifyIndex: int(),
});
/** The cluster-wide scheduler settings. */
export type SchedulerConfiguration = Infer<typeof SchedulerConfigurationSpec>;
