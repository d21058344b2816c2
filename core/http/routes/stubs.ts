/**
 * The list stubs of Nomad's API, field for field as `nomad/structs` builds them: what
 * `/v1/jobs`, `/v1/allocations` (and the job, eval, node and deployment allocation lists),
 * `/v1/nodes` and related evaluations answer.
 *
 * @module
 */
export type {
  AllocListStub,
  EvaluationStub,
  JobListStub,
  NodeListStub,
} from "../../structs/mod.ts";
import type {
  Allocation,
  AllocListStub,
  Evaluation,
  EvaluationStub,
  Job,
  JobListStub,
  JobSummary,
  Node,
  NodeListStub,
} from "../../structs/mod.ts";

/** Builds a job's list stub; `meta` adds its `Meta` (`?meta=true`). */
export function jobListStub(job: Job, summary: JobSummary | null, meta = false): JobListStub {
  const hasMeta = meta && job.Meta !== null && Object.keys(job.Meta).length > 0;
  return {
    ID: job.ID ?? "",
    ParentID: job.ParentID ?? "",
    Name: job.Name ?? "",
    ...(job.Namespace ? { Namespace: job.Namespace } : {}),
    Datacenters: job.Datacenters,
    NodePool: job.NodePool ?? "",
    Multiregion: job.Multiregion,
    Type: job.Type ?? "",
    Priority: job.Priority ?? 0,
    Periodic: job.Periodic !== null,
    ParameterizedJob: job.ParameterizedJob !== null,
    Stop: job.Stop ?? false,
    Status: job.Status ?? "",
    StatusDescription: job.StatusDescription ?? "",
    JobSummary: summary,
    CreateIndex: job.CreateIndex ?? 0,
    ModifyIndex: job.ModifyIndex ?? 0,
    JobModifyIndex: job.JobModifyIndex ?? 0,
    SubmitTime: job.SubmitTime ?? 0,
    ...(hasMeta ? { Meta: job.Meta! } : {}),
  };
}

/** Which optional fields an allocation stub carries (Nomad's `AllocStubFields`). */
export interface AllocStubFields {
  /** Add `AllocatedResources` (`?resources=true`). */
  readonly resources: boolean;
  /** Keep `TaskStates` (`?task_states=false` drops them). */
  readonly taskStates: boolean;
}

/** Builds an allocation's list stub; without `fields`, task states are kept, resources not. */
export function allocListStub(alloc: Allocation, fields?: AllocStubFields): AllocListStub {
  const resources = fields?.resources ?? false;
  const taskStates = fields?.taskStates ?? true;
  return {
    ID: alloc.ID,
    EvalID: alloc.EvalID,
    Name: alloc.Name,
    Namespace: alloc.Namespace,
    NodeID: alloc.NodeID,
    NodeName: alloc.NodeName,
    JobID: alloc.JobID,
    JobType: alloc.Job?.Type ?? "",
    JobVersion: alloc.Job?.Version ?? 0,
    TaskGroup: alloc.TaskGroup,
    ...(resources && alloc.AllocatedResources !== null
      ? { AllocatedResources: alloc.AllocatedResources }
      : {}),
    DesiredStatus: alloc.DesiredStatus,
    DesiredDescription: alloc.DesiredDescription,
    ClientStatus: alloc.ClientStatus,
    ClientDescription: alloc.ClientDescription,
    DesiredTransition: alloc.DesiredTransition,
    TaskStates: taskStates ? alloc.TaskStates : null,
    DeploymentStatus: alloc.DeploymentStatus,
    FollowupEvalID: alloc.FollowupEvalID,
    NextAllocation: alloc.NextAllocation,
    RescheduleTracker: alloc.RescheduleTracker,
    PreemptedAllocations: alloc.PreemptedAllocations,
    PreemptedByAllocation: alloc.PreemptedByAllocation,
    CreateIndex: alloc.CreateIndex,
    ModifyIndex: alloc.ModifyIndex,
    CreateTime: alloc.CreateTime,
    ModifyTime: alloc.ModifyTime,
  };
}

/** Which optional fields a node stub carries (Nomad's `NodeStubFields`). */
export interface NodeStubFields {
  /** Add `NodeResources` and `ReservedResources` (`?resources=true`). */
  readonly resources: boolean;
  /** Add `Attributes` with just `os.name` (`?os=true`). */
  readonly os: boolean;
}

/** The host of `host:port` as Go's `net.SplitHostPort` gives it; `""` when it cannot. */
export function splitHost(addr: string): string {
  if (addr.startsWith("[")) {
    const end = addr.indexOf("]");
    if (end < 0 || addr[end + 1] !== ":") return "";
    return addr.slice(1, end);
  }
  const colon = addr.lastIndexOf(":");
  if (colon < 0 || addr.indexOf(":") !== colon) return "";
  return addr.slice(0, colon);
}

/** Builds a node's list stub. */
export function nodeListStub(node: Node, fields?: NodeStubFields): NodeListStub {
  const attrs = node.Attributes ?? {};
  return {
    Address: splitHost(node.HTTPAddr),
    ID: node.ID,
    ...(fields?.os ? { Attributes: { "os.name": attrs["os.name"] ?? "" } } : {}),
    Datacenter: node.Datacenter,
    Name: node.Name,
    NodePool: node.NodePool,
    NodeClass: node.NodeClass,
    Version: attrs["nomad.version"] ?? "",
    Drain: node.DrainStrategy !== null,
    SchedulingEligibility: node.SchedulingEligibility,
    Status: node.Status,
    StatusDescription: node.StatusDescription,
    Drivers: node.Drivers,
    HostVolumes: node.HostVolumes,
    ...(fields?.resources && node.NodeResources !== null
      ? { NodeResources: node.NodeResources }
      : {}),
    ...(fields?.resources && node.ReservedResources !== null
      ? { ReservedResources: node.ReservedResources }
      : {}),
    LastDrain: node.LastDrain,
    CreateIndex: node.CreateIndex,
    ModifyIndex: node.ModifyIndex,
  };
}

/** Builds an evaluation's stub. */
export function evalStub(e: Evaluation): EvaluationStub {
  return {
    ID: e.ID,
    Namespace: e.Namespace,
    Priority: e.Priority,
    Type: e.Type,
    TriggeredBy: e.TriggeredBy,
    JobID: e.JobID,
    NodeID: e.NodeID,
    DeploymentID: e.DeploymentID,
    Status: e.Status,
    StatusDescription: e.StatusDescription,
    WaitUntil: e.WaitUntil,
    NextEval: e.NextEval,
    PreviousEval: e.PreviousEval,
    BlockedEval: e.BlockedEval,
    CreateIndex: e.CreateIndex,
    ModifyIndex: e.ModifyIndex,
    CreateTime: e.CreateTime,
    ModifyTime: e.ModifyTime,
  };
}

/**
 * The evaluations linked to `e` through `NextEval`, `PreviousEval` and `BlockedEval`,
 * transitively, as stubs (not `e` itself), in the order Nomad walks them.
 */
export function relatedEvals(
  e: Evaluation,
  lookup: (id: string) => Evaluation | undefined,
): EvaluationStub[] {
  const related = (x: Evaluation) => [x.NextEval, x.PreviousEval, x.BlockedEval];
  const out: EvaluationStub[] = [];
  const done = new Set([e.ID]);
  const todo = related(e);
  while (todo.length > 0) {
    const id = todo.shift()!;
    if (id === "" || done.has(id)) continue;
    const found = lookup(id);
    if (found === undefined) continue;
    todo.push(...related(found));
    out.push(evalStub(found));
    done.add(id);
  }
  return out;
}
