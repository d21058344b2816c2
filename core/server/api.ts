/**
 * What the server offers the HTTP API (and, later, the RPC layer): one method per Nomad RPC
 * endpoint the API calls (`Job.Register` -> {@link ServerApi.registerJob}, ...). Reads go
 * straight to the state store's snapshots; every write goes through these methods, which
 * validate, apply entries to the state machine and feed the eval broker.
 *
 * Request and response shapes are Nomad's API JSON (PascalCase). Errors are the domain errors of
 * core/structs/errors.ts (ValidationError -> 400, NotFoundError -> 404, ConflictError -> 409,
 * e.g. `Enforcing job modify index 5: job exists with conflicting job modify index: 7`), or a
 * plain `Error` (500) for what Nomad also answers with a 500.
 *
 * @module
 */
import type { AllocClientUpdate } from "../state/mod.ts";
import type {
  AllocMetric,
  DrainStrategy,
  Evaluation,
  Job,
  JobDiff,
  Node,
  PlanAnnotations,
  SchedulerConfiguration,
} from "../structs/mod.ts";

/** Where a request comes from and for: namespace, region, token. */
export interface RequestContext {
  readonly namespace: string;
  readonly region: string;
  readonly token: string;
}

/** `PUT /v1/jobs` body (Nomad's `JobRegisterRequest`). */
export interface JobRegisterRequest {
  Job: Job;
  EnforceIndex?: boolean;
  JobModifyIndex?: number;
  PolicyOverride?: boolean;
  PreserveCounts?: boolean;
  PreserveResources?: boolean;
  EvalPriority?: number;
  Submission?: {
    Source: string;
    Format: string;
    VariableFlags?: Record<string, string>;
    Variables?: string;
  } | null;
}

/** The answer to a job registration. */
export interface JobRegisterResponse {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
  Warnings: string;
  Index: number;
}

/** The answer to deregister/evaluate/revert-style writes that create an evaluation. */
export interface EvalResponse {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
  Index: number;
}

/** `POST /v1/job/:id/plan` answer (Nomad's `JobPlanResponse`). */
export interface JobPlanResponse {
  JobModifyIndex: number;
  CreatedEvals: Evaluation[] | null;
  Diff: JobDiff | null;
  Annotations: PlanAnnotations | null;
  FailedTGAllocs: Record<string, AllocMetric> | null;
  /** RFC 3339; the zero time when the job is not periodic. */
  NextPeriodicLaunch: string;
  Warnings: string;
  Index: number;
}

/** `POST /v1/validate/job` answer. */
export interface JobValidateResponse {
  DriverConfigValidated: boolean;
  ValidationErrors: string[] | null;
  Error: string;
  Warnings: string;
}

/** `GET /v1/job/:id/submission`: the job file a version was registered from. */
export interface JobSubmission {
  Source: string;
  /** `hcl2` or `json`. */
  Format: string;
  VariableFlags: Record<string, string> | null;
  Variables: string;
  Namespace: string;
  JobID: string;
  Version: number;
  JobModifyIndex: number;
}

/** `POST /v1/job/:id/periodic/force` answer (Nomad's `PeriodicForceResponse`). */
export interface PeriodicForceResponse {
  EvalID: string;
  EvalCreateIndex: number;
  Index: number;
}

/** What to dispatch a parameterized job with (Nomad's `JobDispatchRequest`). */
export interface JobDispatchRequest {
  /** The input data, at most 16 KiB (stored snappy-compressed in the child's `Payload`). */
  Payload?: Uint8Array | null;
  /** Merged into the child's meta; keys must be the job's required or optional ones. */
  Meta?: Record<string, string> | null;
  /** A second dispatch with the same token answers the first child while it is stored. */
  IdempotencyToken?: string;
  /** Put into the child's ID: `<job>/dispatch-<template>-<unix>-<8 hex>`. */
  IdPrefixTemplate?: string;
  /** The child's priority; 0 means the parameterized job's. */
  Priority?: number;
}

/** The answer to a dispatch (Nomad's `JobDispatchResponse`). */
export interface JobDispatchResponse {
  DispatchedJobID: string;
  /** `""` when no evaluation was created (a periodic child, or an idempotent repeat). */
  EvalID: string;
  EvalCreateIndex: number;
  JobCreateIndex: number;
  Index: number;
}

/** A scaling action or event (Nomad's `JobScaleRequest`). */
export interface JobScaleRequest {
  /** The new count of the group; null records an event without scaling. */
  Count: number | null;
  /** `Group` (required), and optionally `Job` and `Namespace`, which must match the request. */
  Target: Record<string, string> | null;
  Message?: string;
  Error?: boolean;
  Meta?: Record<string, unknown> | null;
  PolicyOverride?: boolean;
  /** When non-zero, scale only if the job's `JobModifyIndex` is this. */
  JobModifyIndex?: number;
}

/** What a client gets back when it registers or heartbeats. */
export interface NodeUpdateResponse {
  HeartbeatTTL: number;
  EvalIDs: string[] | null;
  EvalCreateIndex: number;
  NodeModifyIndex: number;
  LeaderRPCAddr: string;
  NumNodes: number;
  Servers: {
    RPCAdvertiseAddr: string;
    RPCMajorVersion: number;
    RPCMinorVersion: number;
    Datacenter: string;
  }[] | null;
  Index: number;
}

/**
 * The answer to the deployment writes (Nomad's `DeploymentUpdateResponse`): the evaluation
 * created (`""` when none), the index of the write, and the job version an auto-revert rolled
 * back to (`null` when none).
 */
export interface DeploymentUpdateResponse {
  EvalID: string;
  EvalCreateIndex: number;
  DeploymentModifyIndex: number;
  RevertedJobVersion: number | null;
  Index: number;
}

/** A server in `GET /v1/agent/members`. */
export interface ServerMember {
  Name: string;
  Addr: string;
  Port: number;
  Tags: Record<string, string>;
  Status: string;
  ProtocolMin: number;
  ProtocolMax: number;
  ProtocolCur: number;
  DelegateMin: number;
  DelegateMax: number;
  DelegateCur: number;
}

export type {
  OperatorHealthReply,
  RaftConfiguration,
  RaftServer,
  ServerHealth,
} from "../structs/operator.ts";
import type { OperatorHealthReply, RaftConfiguration } from "../structs/operator.ts";

/** The server as the HTTP API sees it. */
export interface ServerApi {
  readonly region: string;
  readonly datacenter: string;
  /** `<name>.<region>`, as in `server members`. */
  readonly name: string;
  /** The RPC address clients and `status/leader` use, `ip:4647`. */
  readonly rpcAddr: string;

  registerJob(req: JobRegisterRequest, ctx: RequestContext): Promise<JobRegisterResponse>;
  deregisterJob(
    jobId: string,
    opts: { purge: boolean; global: boolean; evalPriority: number; noShutdownDelay: boolean },
    ctx: RequestContext,
  ): Promise<EvalResponse>;
  evaluateJob(
    jobId: string,
    opts: { forceReschedule: boolean },
    ctx: RequestContext,
  ): Promise<EvalResponse>;
  /** A dry run: diff against the current version and the scheduler's placements, nothing applied. */
  planJob(
    job: Job,
    opts: { diff: boolean; policyOverride: boolean },
    ctx: RequestContext,
  ): Promise<JobPlanResponse>;
  validateJob(job: Job, ctx: RequestContext): JobValidateResponse;
  revertJob(
    jobId: string,
    version: number,
    enforcePriorVersion: number | null,
    ctx: RequestContext,
  ): Promise<JobRegisterResponse>;
  setJobStability(
    jobId: string,
    version: number,
    stable: boolean,
    ctx: RequestContext,
  ): Promise<{ JobModifyIndex: number; Index: number }>;
  /** `GET /v1/job/:id/versions?diffs=true` diffs between consecutive versions. */
  jobVersionDiffs(jobId: string, ctx: RequestContext): JobDiff[];
  /**
   * `Job.GetJobSubmission`: the source a job version was registered with (`Submission` of the
   * register request), or null when this server did not keep it (kept in memory only).
   */
  jobSubmission(jobId: string, version: number, ctx: RequestContext): JobSubmission | null;
  /**
   * `Periodic.Force`: launches a periodic job now, even when it prohibits overlap. Errors (as
   * Nomad's, answered with 500): `job not found`, `can't force launch non-periodic job`.
   */
  forcePeriodic(jobId: string, ctx: RequestContext): Promise<PeriodicForceResponse>;
  /**
   * `Job.Dispatch`: registers an instance of a parameterized job. Errors (500, as Nomad's):
   * `parameterized job not found`, `Specified job "x" is not a parameterized job`, payload
   * and meta requirements, priority range.
   */
  dispatchJob(
    jobId: string,
    req: JobDispatchRequest,
    ctx: RequestContext,
  ): Promise<JobDispatchResponse>;
  /**
   * `Job.Scale`: sets a group's count with a `job-scaling` evaluation, and records a scaling
   * event (also when `Count` is null).
   */
  scaleJob(jobId: string, req: JobScaleRequest, ctx: RequestContext): Promise<JobRegisterResponse>;

  stopAlloc(
    allocId: string,
    opts: { noShutdownDelay: boolean },
    ctx: RequestContext,
  ): Promise<{ EvalID: string; Index: number }>;

  /**
   * `Node.UpdateAlloc`: a client's batch of allocation status updates (all for the node of
   * the first one). Stores them (job summaries follow) and creates the evaluations failed
   * allocations need. Resolves with the index of the write.
   */
  updateAllocsFromClient(
    updates: AllocClientUpdate[],
    ctx: RequestContext,
  ): Promise<{ Index: number }>;

  registerNode(node: Node, ctx: RequestContext): Promise<NodeUpdateResponse>;
  /** A client heartbeat (`Node.UpdateStatus`). */
  updateNodeStatus(
    nodeId: string,
    status: string,
    ctx: RequestContext,
  ): Promise<NodeUpdateResponse>;
  updateNodeEligibility(
    nodeId: string,
    eligibility: string,
    ctx: RequestContext,
  ): Promise<
    { EvalIDs: string[] | null; EvalCreateIndex: number; NodeModifyIndex: number; Index: number }
  >;
  updateNodeDrain(
    nodeId: string,
    drain: DrainStrategy | null,
    markEligible: boolean,
    ctx: RequestContext,
  ): Promise<
    { EvalIDs: string[] | null; EvalCreateIndex: number; NodeModifyIndex: number; Index: number }
  >;
  evaluateNode(
    nodeId: string,
    ctx: RequestContext,
  ): Promise<
    { EvalIDs: string[] | null; EvalCreateIndex: number; NodeModifyIndex: number; Index: number }
  >;
  purgeNode(
    nodeId: string,
    ctx: RequestContext,
  ): Promise<
    { EvalIDs: string[] | null; EvalCreateIndex: number; NodeModifyIndex: number; Index: number }
  >;

  /**
   * `Deployment.Fail`: marks an active deployment failed; with `auto_revert` the job rolls
   * back to its latest stable version. Errors: `deployment not found`, `can't fail terminal
   * deployment`.
   */
  failDeployment(deploymentId: string, ctx: RequestContext): Promise<DeploymentUpdateResponse>;
  /** `Deployment.Pause`: pauses a deployment, or resumes it (with an evaluation). */
  pauseDeployment(
    deploymentId: string,
    pause: boolean,
    ctx: RequestContext,
  ): Promise<DeploymentUpdateResponse>;
  /** `Deployment.Promote`: promotes the healthy canaries of `groups`, or of every group. */
  promoteDeployment(
    deploymentId: string,
    opts: { all: boolean; groups: string[] },
    ctx: RequestContext,
  ): Promise<DeploymentUpdateResponse>;
  /**
   * `Deployment.SetAllocHealth`: marks allocations of a deployment healthy or unhealthy by
   * hand; an unhealthy one fails the deployment.
   */
  setDeploymentAllocHealth(
    deploymentId: string,
    opts: { healthy: string[]; unhealthy: string[] },
    ctx: RequestContext,
  ): Promise<DeploymentUpdateResponse>;
  /** `Deployment.Unblock` (multiregion deployments; checks the deployment only). */
  unblockDeployment(deploymentId: string, ctx: RequestContext): Promise<DeploymentUpdateResponse>;

  deleteEvals(evalIds: string[], ctx: RequestContext): Promise<{ Index: number }>;

  getSchedulerConfig(): { SchedulerConfig: SchedulerConfiguration; Index: number };
  setSchedulerConfig(
    config: SchedulerConfiguration,
    cas: number | null,
  ): Promise<{ Updated: boolean; Index: number }>;

  /** `PUT /v1/system/gc`: collect terminal evals/allocs, dead jobs, down nodes now. */
  garbageCollect(): Promise<void>;
  reconcileSummaries(): Promise<void>;

  /** The servers of this region, sorted by name (Nomad's Serf members). */
  members(): ServerMember[];
  /** The leader's RPC address; empty when no leader is known. */
  leader(): string;
  /** The RPC addresses of the Raft configuration's servers, sorted. */
  peers(): string[];
  /** `GET /v1/operator/raft/configuration`. */
  raftConfiguration(): RaftConfiguration;
  /**
   * `DELETE /v1/operator/raft/peer?id=`: removes a dead server from the configuration.
   *
   * @throws {NotFoundError} no server has that ID. @throws {ConflictError} it is alive.
   */
  removeRaftPeer(id: string): Promise<void>;
  /** `GET /v1/operator/autopilot/health`: each server's health and the backend's. */
  autopilotHealth(): Promise<OperatorHealthReply>;
  /**
   * `PUT /v1/agent/force-leave`: marks the dead server `node` (`name` or `name.region`) left,
   * or with `prune` removes it; an unknown or live server is no error.
   */
  forceLeave(node: string, prune: boolean): Promise<void>;
}
