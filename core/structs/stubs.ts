/**
 * The list stubs of Nomad's API, field for field as `nomad/structs` builds them: what
 * `/v1/jobs`, `/v1/allocations` (and the job, eval, node and deployment allocation lists),
 * `/v1/nodes` and related evaluations answer. The HTTP layer builds them; the CLI reads them.
 *
 * @module
 */
import type {
  AllocatedResources,
  AllocDeploymentStatus,
  DesiredTransition,
  RescheduleTracker,
  TaskState,
} from "./alloc.ts";
import type { JobSummary } from "./eval.ts";
import type { Multiregion } from "./job.ts";
import type { DriverInfo, Node, NodeReservedResources, NodeResources } from "./node.ts";

/** A job in `GET /v1/jobs` (Nomad's `JobListStub`). */
export interface JobListStub {
  ID: string;
  ParentID: string;
  Name: string;
  /** Left out when empty. */
  Namespace?: string;
  Datacenters: string[] | null;
  NodePool: string;
  Multiregion: Multiregion | null;
  Type: string;
  Priority: number;
  Periodic: boolean;
  ParameterizedJob: boolean;
  Stop: boolean;
  Status: string;
  StatusDescription: string;
  JobSummary: JobSummary | null;
  CreateIndex: number;
  ModifyIndex: number;
  JobModifyIndex: number;
  SubmitTime: number;
  /** Only with `?meta=true`, and left out when empty. */
  Meta?: Record<string, string>;
}

/** An allocation in allocation lists (Nomad's `AllocListStub`). */
export interface AllocListStub {
  ID: string;
  EvalID: string;
  Name: string;
  Namespace: string;
  NodeID: string;
  NodeName: string;
  JobID: string;
  JobType: string;
  JobVersion: number;
  TaskGroup: string;
  /** Only with `?resources=true`. */
  AllocatedResources?: AllocatedResources | null;
  DesiredStatus: string;
  DesiredDescription: string;
  ClientStatus: string;
  ClientDescription: string;
  DesiredTransition: DesiredTransition;
  TaskStates: Record<string, TaskState> | null;
  DeploymentStatus: AllocDeploymentStatus | null;
  FollowupEvalID: string;
  NextAllocation: string;
  RescheduleTracker: RescheduleTracker | null;
  PreemptedAllocations: string[] | null;
  PreemptedByAllocation: string;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime: number;
  ModifyTime: number;
}

/** A node in `GET /v1/nodes` (Nomad's `NodeListStub`). */
export interface NodeListStub {
  Address: string;
  ID: string;
  /** Only with `?os=true`. */
  Attributes?: Record<string, string>;
  Datacenter: string;
  Name: string;
  NodePool: string;
  NodeClass: string;
  Version: string;
  Drain: boolean;
  SchedulingEligibility: string;
  Status: string;
  StatusDescription: string;
  Drivers: Record<string, DriverInfo> | null;
  HostVolumes: Node["HostVolumes"];
  /** Only with `?resources=true`. */
  NodeResources?: NodeResources | null;
  /** Only with `?resources=true`. */
  ReservedResources?: NodeReservedResources | null;
  LastDrain: Node["LastDrain"];
  CreateIndex: number;
  ModifyIndex: number;
}

/** A related evaluation in `GET /v1/evaluation/:id?related=true` (Nomad's `EvaluationStub`). */
export interface EvaluationStub {
  ID: string;
  Namespace: string;
  Priority: number;
  Type: string;
  TriggeredBy: string;
  JobID: string;
  NodeID: string;
  DeploymentID: string;
  Status: string;
  StatusDescription: string;
  /** RFC 3339. */
  WaitUntil: string;
  NextEval: string;
  PreviousEval: string;
  BlockedEval: string;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime: number;
  ModifyTime: number;
}
