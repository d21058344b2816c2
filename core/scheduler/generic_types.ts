/**
 * What the schedulers share: the placement-stack factories they are given, the triggers each
 * accepts, and the allocation and evaluation records they produce.
 *
 * @module
 */
import {
  type AllocatedResources,
  type Allocation,
  AllocClientStatus,
  AllocDesiredStatus,
  type AllocMetric,
  EvalTrigger,
  type Evaluation,
  type Job,
  type Node,
  type PlanAnnotations,
} from "../structs/mod.ts";
import { EvalTriggerAllocReschedule } from "./blocked.ts";
import type { ReadyNodes } from "./stack.ts";
import type { PlacementStack, PlanView, ScheduleContext, SchedulerState } from "./types.ts";

/** The placement machinery the schedulers use (the stack module's functions). */
export interface StackFactories {
  newGenericStack(
    state: SchedulerState,
    plan: PlanView,
    ctx: ScheduleContext,
    opts: { batch: boolean },
  ): PlacementStack;
  newSystemStack(state: SchedulerState, plan: PlanView, ctx: ScheduleContext): PlacementStack;
  readyNodesInDCsAndPool(state: SchedulerState, job: Job): ReadyNodes;
}

/** Triggers the service and batch scheduler handles. */
export const GENERIC_TRIGGERS: ReadonlySet<string> = new Set([
  EvalTrigger.JobRegister,
  EvalTrigger.JobDeregister,
  EvalTrigger.NodeDrain,
  EvalTrigger.NodeUpdate,
  EvalTrigger.AllocStop,
  EvalTriggerAllocReschedule,
  EvalTrigger.RollingUpdate,
  EvalTrigger.QueuedAllocs,
  EvalTrigger.PeriodicJob,
  EvalTrigger.MaxPlans,
  EvalTrigger.DeploymentWatcher,
  EvalTrigger.RetryFailedAlloc,
  EvalTrigger.FailedFollowUp,
  EvalTrigger.Preemption,
  EvalTrigger.Scaling,
  EvalTrigger.MaxDisconnectTimeout,
  EvalTrigger.Reconnect,
  EvalTrigger.JobEvaluate,
]);

/** Triggers the system and sysbatch schedulers handle (see {@link systemHandles}). */
export const SYSTEM_TRIGGERS: ReadonlySet<string> = new Set([
  EvalTrigger.JobRegister,
  EvalTrigger.NodeUpdate,
  EvalTrigger.FailedFollowUp,
  EvalTrigger.JobDeregister,
  EvalTrigger.RollingUpdate,
  EvalTrigger.Preemption,
  EvalTrigger.DeploymentWatcher,
  EvalTrigger.NodeDrain,
  EvalTrigger.AllocStop,
  EvalTrigger.QueuedAllocs,
  EvalTrigger.Scaling,
  EvalTrigger.Reconnect,
  EvalTrigger.JobEvaluate,
]);

/** Whether the system (or sysbatch) scheduler handles the trigger: periodic only for sysbatch. */
export function systemHandles(type: string, trigger: string): boolean {
  return SYSTEM_TRIGGERS.has(trigger) ||
    (type === "sysbatch" && trigger === EvalTrigger.PeriodicJob);
}

/** The fields of a new allocation. */
export interface NewAllocFields {
  id: string;
  evalId: string;
  name: string;
  job: Job;
  group: string;
  node: Node;
  resources: AllocatedResources;
  metrics: AllocMetric;
  deploymentId: string;
  now: number;
}

/** A new pending allocation placed on a node (its `Job` is set when the plan takes it). */
export function newAllocation(f: NewAllocFields): Allocation {
  return {
    ID: f.id,
    Namespace: f.job.Namespace ?? "default",
    EvalID: f.evalId,
    Name: f.name,
    NodeID: f.node.ID,
    NodeName: f.node.Name,
    JobID: f.job.ID ?? "",
    Job: null,
    TaskGroup: f.group,
    Resources: null,
    SharedResources: null,
    TaskResources: null,
    AllocatedResources: f.resources,
    Metrics: f.metrics,
    DesiredStatus: AllocDesiredStatus.Run,
    DesiredDescription: "",
    DesiredTransition: {
      Migrate: null,
      Reschedule: null,
      ForceReschedule: null,
      NoShutdownDelay: null,
      MigrateDisablePlacement: null,
    },
    ClientStatus: AllocClientStatus.Pending,
    ClientDescription: "",
    TaskStates: null,
    AllocStates: null,
    PreviousAllocation: "",
    NextAllocation: "",
    DeploymentID: f.deploymentId,
    DeploymentStatus: null,
    RescheduleTracker: null,
    NetworkStatus: null,
    FollowupEvalID: "",
    PreemptedAllocations: null,
    PreemptedByAllocation: "",
    SignedIdentities: null,
    SigningKeyID: "",
    CreateIndex: 0,
    ModifyIndex: 0,
    AllocModifyIndex: 0,
    CreateTime: f.now,
    ModifyTime: f.now,
  };
}

/** The final fields of a scheduled evaluation (Nomad's `setStatus`). */
export function finishEvaluation(
  evaluation: Evaluation,
  f: {
    status: string;
    description: string;
    deploymentId: string;
    failedTGAllocs: Record<string, AllocMetric> | null;
    blockedEvalId: string;
    queuedAllocs: Record<string, number> | null;
    annotations: PlanAnnotations | null;
    now: number;
  },
): Evaluation {
  const out: Evaluation = {
    ...evaluation,
    Status: f.status,
    StatusDescription: f.description,
    DeploymentID: f.deploymentId,
    FailedTGAllocs: f.failedTGAllocs,
    PlanAnnotations: f.annotations,
    ModifyTime: f.now,
  };
  if (f.blockedEvalId !== "") out.BlockedEval = f.blockedEvalId;
  if (f.queuedAllocs !== null) out.QueuedAllocations = f.queuedAllocs;
  return out;
}

/** Adds the resources a task group asked for to the metric of a failed placement. */
export function exhaustResources(
  metric: AllocMetric,
  tasks: ReadonlyArray<
    { Name: string; Resources: { CPU: number | null; MemoryMB: number | null } | null }
  >,
): void {
  const dims = metric.DimensionExhausted;
  if (dims === null) return;
  const out = metric.ResourcesExhausted ??= {};
  for (const t of tasks) {
    const r = out[t.Name] ??= {
      CPU: 0,
      Cores: 0,
      MemoryMB: 0,
      MemoryMaxMB: 0,
      DiskMB: 0,
      IOPS: 0,
      Networks: null,
      Devices: null,
      NUMA: null,
      SecretsMB: 0,
    };
    if ((dims["memory"] ?? 0) > 0) r.MemoryMB += t.Resources?.MemoryMB ?? 0;
    if ((dims["cpu"] ?? 0) > 0) r.CPU += t.Resources?.CPU ?? 0;
  }
}
