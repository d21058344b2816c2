/**
 * The parts of Nomad's API JSON the UI reads. The UI layer imports nothing from core, so these
 * are written against the HTTP API (the same shapes Nomad's own UI reads), with only the
 * fields the pages use; everything may be `null` where Go would send `nil`.
 *
 * @module
 */

/** Per-group allocation counts of a job summary. */
export interface GroupSummary {
  Queued: number;
  Complete: number;
  Failed: number;
  Running: number;
  Starting: number;
  Lost: number;
  Unknown: number;
}

/** `/v1/job/:id/summary`, also embedded in job list stubs. */
export interface JobSummary {
  JobID: string;
  Namespace: string;
  Summary: Record<string, GroupSummary> | null;
  Children: { Pending: number; Running: number; Dead: number } | null;
}

/** One entry of `/v1/jobs`. */
export interface JobStub {
  ID: string;
  Name: string;
  Namespace: string;
  Type: string;
  Priority: number;
  Status: string;
  StatusDescription: string;
  Stop: boolean;
  Periodic: boolean;
  ParameterizedJob: boolean;
  ParentID: string;
  NodePool: string;
  Datacenters: string[] | null;
  JobSummary: JobSummary | null;
  SubmitTime: number;
  ModifyIndex: number;
}

/** A task's resources as submitted. */
export interface TaskResources {
  CPU: number;
  Cores: number;
  MemoryMB: number;
  MemoryMaxMB: number | null;
  DiskMB: number | null;
}

/** A task of a job. */
export interface Task {
  Name: string;
  Driver: string;
  Config: Record<string, unknown> | null;
  Resources: TaskResources | null;
  Lifecycle: { Hook: string; Sidecar: boolean } | null;
}

/** A task group of a job. */
export interface TaskGroup {
  Name: string;
  Count: number;
  Tasks: Task[] | null;
  EphemeralDisk: { SizeMB: number } | null;
  Meta: Record<string, string> | null;
}

/** `/v1/job/:id`. */
export interface Job {
  ID: string;
  Name: string;
  Namespace: string;
  Region: string;
  Type: string;
  Priority: number;
  Status: string;
  StatusDescription: string;
  Stop: boolean;
  Stable: boolean;
  Version: number;
  NodePool: string;
  Datacenters: string[] | null;
  TaskGroups: TaskGroup[] | null;
  Meta: Record<string, string> | null;
  SubmitTime: number;
  CreateIndex: number;
  ModifyIndex: number;
  JobModifyIndex: number;
}

/** A task event. */
export interface TaskEvent {
  Type: string;
  Time: number;
  DisplayMessage: string;
  Message: string;
  ExitCode: number;
  FailsTask: boolean;
}

/** The state of one task in an allocation. */
export interface TaskState {
  State: string;
  Failed: boolean;
  Restarts: number;
  StartedAt: string | null;
  FinishedAt: string | null;
  LastRestart: string | null;
  Events: TaskEvent[] | null;
}

/** A port given to an allocation. */
export interface Port {
  Label: string;
  Value: number;
  To: number;
  HostIP?: string;
}

/** A network given to a task or an allocation. */
export interface NetworkResource {
  Mode: string;
  IP: string;
  ReservedPorts: Port[] | null;
  DynamicPorts: Port[] | null;
}

/** What an allocation holds on its node. */
export interface AllocatedResources {
  Tasks:
    | Record<string, {
      Cpu: { CpuShares: number; ReservedCores: number[] | null };
      Memory: { MemoryMB: number; MemoryMaxMB: number };
      Networks: NetworkResource[] | null;
    }>
    | null;
  Shared: { DiskMB: number; Networks: NetworkResource[] | null; Ports: Port[] | null } | null;
}

/** One entry of an allocation list. */
export interface AllocStub {
  ID: string;
  Name: string;
  Namespace: string;
  EvalID: string;
  NodeID: string;
  NodeName: string;
  JobID: string;
  JobType: string;
  JobVersion: number;
  TaskGroup: string;
  DesiredStatus: string;
  DesiredDescription: string;
  ClientStatus: string;
  ClientDescription: string;
  TaskStates: Record<string, TaskState> | null;
  AllocatedResources?: AllocatedResources | null;
  FollowupEvalID: string;
  NextAllocation: string;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime: number;
  ModifyTime: number;
}

/** `/v1/allocation/:id`. */
export interface Allocation extends AllocStub {
  Job: Job | null;
  AllocatedResources: AllocatedResources | null;
  PreviousAllocation: string;
  DeploymentID: string;
  Metrics: AllocMetric | null;
}

/** Why allocations could (not) be placed. */
export interface AllocMetric {
  NodesEvaluated: number;
  NodesFiltered: number;
  NodesAvailable: Record<string, number> | null;
  ClassFiltered: Record<string, number> | null;
  ConstraintFiltered: Record<string, number> | null;
  NodesExhausted: number;
  ClassExhausted: Record<string, number> | null;
  DimensionExhausted: Record<string, number> | null;
  QuotaExhausted: string[] | null;
  CoalescedFailures: number;
}

/** Resource usage of a task or an allocation (`/v1/client/allocation/:id/stats`). */
export interface ResourceUsage {
  MemoryStats: { RSS: number; Usage: number; Cache: number; Swap: number } | null;
  CpuStats: { Percent: number; TotalTicks: number } | null;
}

/** `/v1/client/allocation/:id/stats`. */
export interface AllocStats {
  ResourceUsage: ResourceUsage | null;
  Tasks: Record<string, { ResourceUsage: ResourceUsage | null; Timestamp: number }> | null;
  Timestamp: number;
}

/** An evaluation. */
export interface Evaluation {
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
  BlockedEval: string;
  FailedTGAllocs: Record<string, AllocMetric> | null;
  QueuedAllocations: Record<string, number> | null;
  CreateTime: number;
  ModifyTime: number;
  CreateIndex: number;
}

/** A driver's health on a node. */
export interface DriverInfo {
  Attributes: Record<string, string> | null;
  Detected: boolean;
  Healthy: boolean;
  HealthDescription: string;
  UpdateTime: string;
}

/** One entry of `/v1/nodes` (with `?resources=true`, its resources too). */
export interface NodeStub {
  ID: string;
  Name: string;
  Address: string;
  Datacenter: string;
  NodePool: string;
  NodeClass: string;
  Version: string;
  Drain: boolean;
  SchedulingEligibility: string;
  Status: string;
  StatusDescription: string;
  Drivers: Record<string, DriverInfo> | null;
  NodeResources?: NodeResources | null;
  ReservedResources?: {
    Cpu: { CpuShares: number } | null;
    Memory: { MemoryMB: number } | null;
  } | null;
  CreateIndex: number;
  ModifyIndex: number;
}

/** A node's total resources. */
export interface NodeResources {
  Cpu: { CpuShares: number; TotalCpuCores: number } | null;
  Memory: { MemoryMB: number } | null;
  Disk: { DiskMB: number } | null;
}

/** A node event. */
export interface NodeEvent {
  Message: string;
  Subsystem: string;
  Timestamp: string;
  Details: Record<string, string> | null;
}

/** `/v1/node/:id`. */
export interface Node extends NodeStub {
  HTTPAddr: string;
  Attributes: Record<string, string> | null;
  Meta: Record<string, string> | null;
  NodeResources: NodeResources | null;
  DrainStrategy: { Deadline: number; ForceDeadline: string; IgnoreSystemJobs: boolean } | null;
  Events: NodeEvent[] | null;
  StatusUpdatedAt: number;
}

/** A server of `/v1/agent/members`. */
export interface Member {
  Name: string;
  Addr: string;
  Port: number;
  Status: string;
  Tags: Record<string, string> | null;
}

/** `/v1/agent/members`. */
export interface Members {
  ServerName: string;
  ServerRegion: string;
  ServerDC: string;
  Members: Member[] | null;
}

/** A changed field of a diff. */
export interface FieldDiff {
  Type: string;
  Name: string;
  Old: string;
  New: string;
  Annotations: string[] | null;
}

/** A changed block of a diff. */
export interface ObjectDiff {
  Type: string;
  Name: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
}

/** A task's diff. */
export interface TaskDiff extends ObjectDiff {
  Annotations: string[] | null;
}

/** A task group's diff. */
export interface TaskGroupDiff extends ObjectDiff {
  Tasks: TaskDiff[] | null;
  Updates: Record<string, number> | null;
}

/** A job's diff (`job plan`, `/v1/job/:id/versions?diffs=true`). */
export interface JobDiff {
  Type: string;
  ID: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
  TaskGroups: TaskGroupDiff[] | null;
}

/** `POST /v1/job/:id/plan`. */
export interface PlanResponse {
  JobModifyIndex: number;
  Diff: JobDiff | null;
  FailedTGAllocs: Record<string, AllocMetric> | null;
  Annotations: {
    DesiredTGUpdates: Record<string, Record<string, number>> | null;
    PreemptedAllocs: AllocStub[] | null;
  } | null;
  CreatedEvals: Evaluation[] | null;
  Warnings: string;
  NextPeriodicLaunch: string;
}

/** `/v1/job/:id/versions?diffs=true`. */
export interface JobVersions {
  Versions: Job[] | null;
  Diffs: JobDiff[] | null;
}

/** An entry of `/v1/client/fs/ls`. */
export interface FileInfo {
  Name: string;
  IsDir: boolean;
  Size: number;
  FileMode: string;
  ModTime: string;
}

/** A deployment. */
export interface Deployment {
  ID: string;
  JobID: string;
  JobVersion: number;
  Status: string;
  StatusDescription: string;
  TaskGroups:
    | Record<string, {
      DesiredTotal: number;
      PlacedAllocs: number;
      HealthyAllocs: number;
      UnhealthyAllocs: number;
      DesiredCanaries: number;
      Promoted: boolean;
    }>
    | null;
}
