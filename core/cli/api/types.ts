/**
 * The shapes of Nomad's HTTP API responses that the domain types in `core/structs` do not
 * cover: list stubs, request and response envelopes, agent and search answers. Field names and
 * meanings are Nomad's (`api/*.go`). Full objects (`Job`, `Allocation`, `Evaluation`, `Node`,
 * `Deployment`, `JobSummary`, `SchedulerConfiguration`, `JobDiff`) come from `core/structs`.
 *
 * Responses are not validated: fields a server leaves out are `undefined` at run time, so
 * readers fall back to Go's zero values where it matters.
 *
 * @module
 */
export type {
  AllocListStub as AllocationListStub,
  EvaluationStub,
  JobListStub,
  NodeListStub,
} from "../../structs/mod.ts";
import type { EvaluationStub } from "../../structs/mod.ts";
import type {
  AllocMetric,
  Evaluation,
  Job,
  JobDiff,
  PlanAnnotations,
  SchedulerConfiguration,
} from "../../structs/mod.ts";

/** An evaluation as the API returns it: related evaluations come as {@link EvaluationStub}s. */
export type ApiEvaluation = Omit<Evaluation, "RelatedEvals"> & {
  RelatedEvals?: EvaluationStub[] | null;
};

/** The body of `PUT /v1/jobs`. */
export interface JobRegisterRequest {
  Job: Job;
  EnforceIndex?: boolean;
  JobModifyIndex?: number;
  PolicyOverride?: boolean;
  PreserveCounts?: boolean;
  PreserveResources?: boolean;
  EvalPriority?: number;
}

/** The answer to a job registration, revert or dispatch. */
export interface JobRegisterResponse {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
  Warnings: string;
}

/** The answer to `DELETE /v1/job/:id`. */
export interface JobDeregisterResponse {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
}

/** The answer to `PUT /v1/job/:id/plan`. */
export interface JobPlanResponse {
  JobModifyIndex: number;
  CreatedEvals: ApiEvaluation[] | null;
  Diff: JobDiff | null;
  Annotations: PlanAnnotations | null;
  FailedTGAllocs: Record<string, AllocMetric> | null;
  /** RFC 3339; Go's zero time when the job is not periodic. */
  NextPeriodicLaunch: string;
  Warnings: string;
}

/** The answer to `GET /v1/job/:id/versions`. */
export interface JobVersionsResponse {
  Versions: Job[] | null;
  Diffs: JobDiff[] | null;
}

/** The job file a version was submitted from (`GET /v1/job/:id/submission`). */
export interface JobSubmission {
  Source: string;
  /** `hcl2` or `json`. */
  Format: string;
  /** The `-var` flags it was submitted with. */
  VariableFlags: Record<string, string> | null;
  /** The content of its variable files. */
  Variables: string;
}

/** The answer to `PUT /v1/job/:id/dispatch`. */
export interface JobDispatchResponse {
  DispatchedJobID: string;
  EvalID: string;
  EvalCreateIndex: number;
  JobCreateIndex: number;
}

/**
 * The answer to the deployment writes (`fail`, `pause`, `promote`, `allocation-health`,
 * `unblock`): the evaluation created (`""` when none) and the job version an auto-revert
 * rolled back to (`null` when none).
 */
export interface DeploymentUpdateResponse {
  EvalID: string;
  EvalCreateIndex: number;
  DeploymentModifyIndex: number;
  RevertedJobVersion: number | null;
}

/** A member of the server gossip pool (`GET /v1/agent/members`). */
export interface AgentMember {
  Name: string;
  Addr: string;
  Port: number;
  Tags: Record<string, string> | null;
  Status: string;
  ProtocolMin: number;
  ProtocolMax: number;
  ProtocolCur: number;
  DelegateMin: number;
  DelegateMax: number;
  DelegateCur: number;
}

/** The answer to `GET /v1/agent/members`. */
export interface ServerMembers {
  ServerName: string;
  ServerRegion: string;
  ServerDC: string;
  Members: AgentMember[] | null;
}

/** The answer to `GET /v1/agent/self`; the only lower-case keys of the API. */
export interface AgentSelf {
  config: Record<string, unknown> | null;
  member: AgentMember;
  stats: Record<string, Record<string, string>> | null;
}

/** The answer to `GET /v1/operator/scheduler/configuration`. */
export interface SchedulerConfigurationResponse {
  SchedulerConfig: SchedulerConfiguration | null;
}

/** The answer to `PUT /v1/operator/scheduler/configuration`. */
export interface SchedulerSetConfigurationResponse {
  /** Whether the configuration changed; only meaningful for check-and-set requests. */
  Updated: boolean;
}

export type {
  BackendMemberHealth,
  OperatorHealthReply,
  RaftConfiguration,
  RaftServer,
  ServerHealth,
} from "../../structs/operator.ts";

/** What a prefix search looks in (`/v1/search`). */
export type SearchContext =
  | "allocs"
  | "deployment"
  | "evals"
  | "jobs"
  | "nodes"
  | "node_pools"
  | "namespaces"
  | "quotas"
  | "plugins"
  | "vars"
  | "volumes"
  | "all";

/** The answer to `PUT /v1/search`: matching IDs by context. */
export interface SearchResponse {
  Matches: Record<string, string[] | null> | null;
  Truncations: Record<string, boolean> | null;
}

/** A host's resource usage, from `GET /v1/client/stats` (only the fields the CLI prints). */
export interface HostStats {
  Memory: { Total: number; Available: number; Used: number; Free: number } | null;
  CPU: { CPU: string; User: number; System: number; Idle: number }[] | null;
  DiskStats:
    | { Device: string; Mountpoint: string; Size: number; Used: number; Available: number }[]
    | null;
  Uptime: number;
  CPUTicksConsumed: number;
}

/** A file or directory of an allocation (`/v1/client/fs/ls/:alloc`, `stat/:alloc`). */
export interface AllocFileInfo {
  Name: string;
  IsDir: boolean;
  Size: number;
  /** Go's `os.FileMode` text, e.g. `-rw-r--r--` or `drwxrwxrwx`. */
  FileMode: string;
  /** RFC 3339. */
  ModTime: string;
  ContentType: string;
}

/**
 * One frame of a file or log stream (`/v1/client/fs/stream`, `/v1/client/fs/logs`), with its
 * base64 `Data` decoded. `Offset` is where the data ends in `File`; `FileEvent` is
 * `file deleted` or `file truncated` when that happened. Heartbeats (`{}`) are not frames.
 */
export interface StreamFrame {
  Offset: number;
  Data: Uint8Array;
  File: string;
  FileEvent: string;
}

/** Memory use of a task or process; `Measured` names the fields the driver measures. */
export interface MemoryStats {
  RSS: number;
  Cache: number;
  Swap: number;
  Usage: number;
  MaxUsage: number;
  KernelUsage: number;
  KernelMaxUsage: number;
  Measured: string[] | null;
}

/** CPU use of a task or process; `Measured` names the fields the driver measures. */
export interface CpuStats {
  SystemMode: number;
  UserMode: number;
  /** MHz used. */
  TotalTicks: number;
  ThrottledPeriods: number;
  ThrottledTime: number;
  Percent: number;
  Measured: string[] | null;
}

/** Resource use: memory, CPU and devices. */
export interface ResourceUsage {
  MemoryStats: MemoryStats | null;
  CpuStats: CpuStats | null;
  DeviceStats: unknown[] | null;
}

/** The resource use of a task, in total and per process. */
export interface TaskResourceUsage {
  ResourceUsage: ResourceUsage | null;
  /** Unix nanoseconds. */
  Timestamp: number;
  Pids: Record<string, ResourceUsage> | null;
}

/** The answer to `GET /v1/client/allocation/:id/stats`. */
export interface AllocResourceUsage {
  ResourceUsage: ResourceUsage | null;
  Tasks: Record<string, TaskResourceUsage> | null;
  Timestamp: number;
}

/** The answer to `PUT /v1/allocation/:id/stop`: the evaluation that replaces the allocation. */
export interface AllocStopResponse {
  EvalID: string;
  Index: number;
}

/** The status of one Nomad service check of an allocation. */
export interface AllocCheckStatus {
  ID: string;
  Check: string;
  Group: string;
  Mode: string;
  Output: string;
  Service: string;
  /** `""` for a group service's check. */
  Task: string;
  Status: string;
  StatusCode: number;
  Timestamp: number;
}

/** The answer to `GET /v1/client/allocation/:id/checks`, by check ID. */
export type AllocCheckStatuses = Record<string, AllocCheckStatus>;

/** What `PUT /v1/node/:id/drain` sends: the drain (or `null` to stop one) and its options. */
export interface DrainOptions {
  /** `Deadline` in nanoseconds (-1 s forces the drain, 0 has no deadline); `null` cancels. */
  DrainSpec: { Deadline: number; IgnoreSystemJobs: boolean } | null;
  /** Mark the node eligible again when the drain is cancelled. */
  MarkEligible: boolean;
  /** Metadata recorded with the drain (`message`, `cancel_message`, `-meta` pairs). */
  Meta: Record<string, string> | null;
}

/** The answer to the node writes (`drain`, `eligibility`, `purge`). */
export interface NodeUpdateResponse {
  NodeModifyIndex: number;
  EvalIDs: string[] | null;
  EvalCreateIndex: number;
}

/** The answer to `PUT /v1/agent/join`, in lower case as Nomad sends it. */
export interface JoinResponse {
  num_joined: number;
  error: string;
  warning?: string;
}
