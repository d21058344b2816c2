/**
 * Allocations (a task group placed on a node), their resources, task states and placement
 * metrics, in Nomad's JSON shape (`GET /v1/allocation/:id`).
 *
 * @module
 */
import {
  anyMap,
  bool,
  dur,
  float,
  floatMap,
  type Infer,
  inline,
  int,
  intList,
  intMap,
  list,
  optBool,
  ref,
  str,
  strList,
  strMap,
  struct,
  structMap,
  time,
} from "./schema.ts";
import { JobSpec } from "./job.ts";
import { SNetwork as NetworkSpec, SResources as ResourcesSpec } from "./_diff_server_parts.ts";

/** What the servers want of an allocation. */
export const AllocDesiredStatus = { Run: "run", Stop: "stop", Evict: "evict" } as const;

/** What the client reports of an allocation. */
export const AllocClientStatus = {
  Pending: "pending",
  Running: "running",
  Complete: "complete",
  Failed: "failed",
  Lost: "lost",
  Unknown: "unknown",
} as const;

/** A port given to an allocation: label, host port, port inside the task, host IP. */
export const AllocatedPortMappingSpec = struct("AllocatedPortMapping", {
  Label: str(),
  Value: int(),
  To: int(),
  HostIP: str(),
  IgnoreCollision: bool(),
});
/** A port given to an allocation. */
export type AllocatedPortMapping = Infer<typeof AllocatedPortMappingSpec>;

/** The resources given to one task. */
export const AllocatedTaskResourcesSpec = struct("AllocatedTaskResources", {
  Cpu: inline(struct("AllocatedCpuResources", { CpuShares: int(), ReservedCores: intList() })),
  Memory: inline(struct("AllocatedMemoryResources", { MemoryMB: int(), MemoryMaxMB: int() })),
  Networks: list(NetworkSpec),
  Devices: list(struct("AllocatedDeviceResource", {
    Vendor: str(),
    Type: str(),
    Name: str(),
    DeviceIDs: strList(),
  })),
});
/** The resources given to one task. */
export type AllocatedTaskResources = Infer<typeof AllocatedTaskResourcesSpec>;

/** The resources given to an allocation: per task, and shared by the group. */
export const AllocatedResourcesSpec = struct("AllocatedResources", {
  Tasks: structMap(AllocatedTaskResourcesSpec),
  TaskLifecycles: structMap(struct("TaskLifecycleConfig", { Hook: str(), Sidecar: bool() })),
  Shared: inline(struct("AllocatedSharedResources", {
    Networks: list(NetworkSpec),
    DiskMB: int(),
    Ports: list(AllocatedPortMappingSpec),
  })),
});
/** The resources given to an allocation. */
export type AllocatedResources = Infer<typeof AllocatedResourcesSpec>;

/** Scores of one node during placement. */
export const NodeScoreMetaSpec = struct("NodeScoreMeta", {
  NodeID: str(),
  Scores: floatMap(),
  NormScore: float(),
});

/** How a placement went: how many nodes were looked at, filtered, exhausted and why. */
export const AllocMetricSpec = struct("AllocMetric", {
  NodesEvaluated: int(),
  NodesFiltered: int(),
  NodesInPool: int(),
  NodePool: str(),
  NodesAvailable: intMap(),
  ClassFiltered: intMap(),
  ConstraintFiltered: intMap(),
  NodesExhausted: int(),
  ClassExhausted: intMap(),
  DimensionExhausted: intMap(),
  QuotaExhausted: strList(),
  ResourcesExhausted: structMap(ResourcesSpec),
  Scores: floatMap(),
  ScoreMetaData: list(NodeScoreMetaSpec),
  AllocationTime: dur(),
  CoalescedFailures: int(),
});
/** How a placement went. */
export type AllocMetric = Infer<typeof AllocMetricSpec>;

/** The deployment health of an allocation. */
export const AllocDeploymentStatusSpec = struct("AllocDeploymentStatus", {
  Healthy: optBool(),
  Timestamp: time(),
  Canary: bool(),
  ModifyIndex: int(),
});
/** The deployment health of an allocation. */
export type AllocDeploymentStatus = Infer<typeof AllocDeploymentStatusSpec>;

/** Transitions the servers asked of an allocation (migrate, reschedule). */
export const DesiredTransitionSpec = struct("DesiredTransition", {
  Migrate: optBool(),
  Reschedule: optBool(),
  ForceReschedule: optBool(),
  NoShutdownDelay: optBool(),
  MigrateDisablePlacement: optBool(),
});
/** Transitions the servers asked of an allocation. */
export type DesiredTransition = Infer<typeof DesiredTransitionSpec>;

/** One reschedule of an allocation. */
export const RescheduleEventSpec = struct("RescheduleEvent", {
  RescheduleTime: int(),
  PrevAllocID: str(),
  PrevNodeID: str(),
  Delay: dur(),
});
/** One reschedule of an allocation. */
export type RescheduleEvent = Infer<typeof RescheduleEventSpec>;

/** The reschedules that led to an allocation. */
export const RescheduleTrackerSpec = struct("RescheduleTracker", {
  Events: list(RescheduleEventSpec),
  LastReschedule: str(),
});
/** The reschedules that led to an allocation. */
export type RescheduleTracker = Infer<typeof RescheduleTrackerSpec>;

/** Something that happened to a task (Received, Started, Terminated, ...). */
export const TaskEventSpec = struct("TaskEvent", {
  Type: str(),
  Time: int(),
  Message: str(),
  DisplayMessage: str(),
  Details: strMap(),
  FailsTask: bool(),
  RestartReason: str(),
  SetupError: str(),
  DriverError: str(),
  ExitCode: int(),
  Signal: int(),
  KillTimeout: dur(),
  KillError: str(),
  KillReason: str(),
  StartDelay: int(),
  DownloadError: str(),
  ValidationError: str(),
  DiskLimit: int(),
  FailedSibling: str(),
  VaultError: str(),
  TaskSignalReason: str(),
  TaskSignal: str(),
  DriverMessage: str(),
  GenericSource: str(),
});
/** Something that happened to a task. */
export type TaskEvent = Infer<typeof TaskEventSpec>;

/** The state of a task: pending, running or dead, with its events. */
export const TaskStateSpec = struct("TaskState", {
  State: str(),
  Failed: bool(),
  Restarts: int(),
  LastRestart: time(),
  StartedAt: time(),
  FinishedAt: time(),
  Events: list(TaskEventSpec),
  Paused: str(),
});
/** The state of a task. */
export type TaskState = Infer<typeof TaskStateSpec>;

/** An allocation: a task group of a job version placed on a node. */
export const AllocationSpec = struct("Allocation", {
  ID: str(),
  Namespace: str(),
  EvalID: str(),
  Name: str(),
  NodeID: str(),
  NodeName: str(),
  JobID: str(),
  Job: ref(JobSpec),
  TaskGroup: str(),
  Resources: ref(ResourcesSpec),
  SharedResources: ref(ResourcesSpec),
  TaskResources: structMap(ResourcesSpec),
  AllocatedResources: ref(AllocatedResourcesSpec),
  Metrics: ref(AllocMetricSpec),
  DesiredStatus: str(),
  DesiredDescription: str(),
  DesiredTransition: inline(DesiredTransitionSpec),
  ClientStatus: str(),
  ClientDescription: str(),
  TaskStates: structMap(TaskStateSpec),
  AllocStates: list(struct("AllocState", { Field: str(), Value: str(), Time: time() })),
  PreviousAllocation: str(),
  NextAllocation: str(),
  DeploymentID: str(),
  DeploymentStatus: ref(AllocDeploymentStatusSpec),
  RescheduleTracker: ref(RescheduleTrackerSpec),
  NetworkStatus: anyMap(),
  FollowupEvalID: str(),
  PreemptedAllocations: strList(),
  PreemptedByAllocation: str(),
  SignedIdentities: strMap(),
  SigningKeyID: str(),
  CreateIndex: int(),
  ModifyIndex: int(),
  AllocModifyIndex: int(),
  CreateTime: int(),
  ModifyTime: int(),
});
/** An allocation. */
export type Allocation = Infer<typeof AllocationSpec>;

/** The server-side network shape allocations and nodes carry (`MBits` an int, ports by value). */
export const ServerNetworkSpec = NetworkSpec;
/** A network as allocations and nodes carry it. */
export type ServerNetwork = Infer<typeof NetworkSpec>;
/** The server-side (legacy) resources shape of allocations. */
export const ServerResourcesSpec = ResourcesSpec;
/** Resources as allocations carry them. */
export type ServerResources = Infer<typeof ResourcesSpec>;
