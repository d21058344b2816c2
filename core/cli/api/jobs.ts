/**
 * The job endpoints of the API client (`client.jobs`): list, read, register, plan, stop,
 * versions, revert, summary, allocations, evaluations, deployments, dispatch and scale, with
 * Nomad's paths, bodies and result order.
 *
 * @module
 */
import type { Deployment, Job, JobDiff, JobSummary } from "../../structs/mod.ts";
import type { ApiClient, QueryOptions, WriteOptions } from "./client.ts";
import type {
  AllocationListStub,
  ApiEvaluation,
  JobDeregisterResponse,
  JobDispatchResponse,
  JobListStub,
  JobPlanResponse,
  JobRegisterRequest,
  JobRegisterResponse,
  JobSubmission,
  JobVersionsResponse,
} from "./types.ts";

/** How to register a job (`nomad job run` flags). */
export interface RegisterOptions {
  /** Register only if the job's current `JobModifyIndex` is this (0: only if it is new). */
  readonly enforceIndex?: number;
  readonly policyOverride?: boolean;
  readonly preserveCounts?: boolean;
  readonly preserveResources?: boolean;
  /** Priority of the evaluation the registration creates; 0 means the job's. */
  readonly evalPriority?: number;
}

/** How to stop a job (`nomad job stop` flags). */
export interface DeregisterOptions {
  /** Remove the job from the state rather than leaving it stopped until GC. */
  readonly purge?: boolean;
  /** Stop a multi-region job in every region. */
  readonly global?: boolean;
  readonly evalPriority?: number;
  readonly noShutdownDelay?: boolean;
}

/** Which diffs `versions` asks for. */
export interface VersionsOptions {
  /** Include the diff of each version against its predecessor (or the reference version). */
  readonly diffs?: boolean;
  /** Diff against the version with this tag. */
  readonly diffTag?: string;
  /** Diff against this version. */
  readonly diffVersion?: number;
}

/** What to dispatch a parameterized job with. */
export interface DispatchOptions {
  readonly meta?: Readonly<Record<string, string>>;
  /** The payload bytes; sent base64-encoded. */
  readonly payload?: Uint8Array;
  readonly idPrefixTemplate?: string;
  readonly priority?: number;
}

/** A scaling action (`PUT /v1/job/:id/scale`, Nomad's `api.ScalingRequest`). */
export interface ScalingRequest {
  /** The new count; null records an event only. */
  readonly Count: number | null;
  readonly Target: Readonly<Record<string, string>>;
  readonly Message?: string;
  readonly Error?: boolean;
  readonly Meta?: Readonly<Record<string, unknown>> | null;
  readonly PolicyOverride?: boolean;
  /** When non-zero, scale only if the job's `JobModifyIndex` is this. */
  readonly JobModifyIndex?: number;
}

/** The scale status of one task group (`GET /v1/job/:id/scale`). */
export interface TaskGroupScaleStatus {
  Desired: number;
  Placed: number;
  Running: number;
  Healthy: number;
  Unhealthy: number;
  Events: Record<string, unknown>[] | null;
}

/** `GET /v1/job/:id/scale` (Nomad's `JobScaleStatusResponse`). */
export interface JobScaleStatus {
  JobID: string;
  Namespace: string;
  JobCreateIndex: number;
  JobModifyIndex: number;
  JobStopped: boolean;
  TaskGroups: Record<string, TaskGroupScaleStatus>;
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

const byCreateIndexDesc = <T extends { CreateIndex: number }>(a: T, b: T) =>
  b.CreateIndex - a.CreateIndex;

const path = (jobID: string, rest = "") => `/v1/job/${encodeURIComponent(jobID)}${rest}`;

/** The job endpoints. */
export class Jobs {
  readonly #c: ApiClient;

  constructor(client: ApiClient) {
    this.#c = client;
  }

  /** `GET /v1/jobs`: the jobs, sorted by ID. */
  async list(q?: QueryOptions): Promise<JobListStub[]> {
    const jobs = (await this.#c.query<JobListStub[] | null>("/v1/jobs", q)) ?? [];
    return jobs.sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0));
  }

  /** The jobs whose ID starts with `prefix`. */
  prefixList(prefix: string, q: QueryOptions = {}): Promise<JobListStub[]> {
    return this.list({ ...q, prefix });
  }

  /** `GET /v1/job/:id`. */
  info(jobID: string, q?: QueryOptions): Promise<Job> {
    return this.#c.query<Job>(path(jobID), q);
  }

  /** `PUT /v1/jobs`: registers (creates or updates) `job`. */
  register(job: Job, opts: RegisterOptions = {}, w?: WriteOptions): Promise<JobRegisterResponse> {
    const req: JobRegisterRequest = { Job: job };
    if (opts.enforceIndex !== undefined) {
      req.EnforceIndex = true;
      req.JobModifyIndex = opts.enforceIndex;
    }
    req.PolicyOverride = opts.policyOverride ?? false;
    req.PreserveCounts = opts.preserveCounts ?? false;
    req.PreserveResources = opts.preserveResources ?? false;
    req.EvalPriority = opts.evalPriority ?? 0;
    return this.#c.put<JobRegisterResponse>("/v1/jobs", req, w);
  }

  /** `DELETE /v1/job/:id`: stops (and with `purge` removes) a job; the evaluation ID or `""`. */
  async deregister(jobID: string, opts: DeregisterOptions = {}, w?: WriteOptions) {
    const query = `?purge=${opts.purge ?? false}&global=${opts.global ?? false}` +
      `&eval_priority=${opts.evalPriority ?? 0}&no_shutdown_delay=${opts.noShutdownDelay ?? false}`;
    const res = await this.#c.delete<JobDeregisterResponse | null>(path(jobID, query), w);
    return res?.EvalID ?? "";
  }

  /** `PUT /v1/job/:id/plan`: a dry run of registering `job`, with the diff when asked. */
  plan(
    job: Job,
    opts: { diff?: boolean; policyOverride?: boolean } = {},
    w?: WriteOptions,
  ): Promise<JobPlanResponse> {
    if (job.ID === null || job.ID === undefined) {
      return Promise.reject(new TypeError("Cannot plan a job without an ID"));
    }
    return this.#c.put<JobPlanResponse>(path(job.ID, "/plan"), {
      Job: job,
      Diff: opts.diff ?? false,
      PolicyOverride: opts.policyOverride ?? false,
    }, w);
  }

  /** `GET /v1/job/:id/versions`: every version, newest first, and the diffs when asked. */
  async versions(
    jobID: string,
    opts: VersionsOptions = {},
    q?: QueryOptions,
  ): Promise<{ versions: Job[]; diffs: JobDiff[] }> {
    const p = new URLSearchParams({ diffs: String(opts.diffs ?? false) });
    if (opts.diffTag) p.set("diff_tag", opts.diffTag);
    if (opts.diffVersion !== undefined) p.set("diff_version", String(opts.diffVersion));
    const res = await this.#c.query<JobVersionsResponse | null>(path(jobID, `/versions?${p}`), q);
    return { versions: res?.Versions ?? [], diffs: res?.Diffs ?? [] };
  }

  /**
   * The version of a job tagged `tag`.
   *
   * @throws {Error} `version tag <tag> not found for job <id>` when no version has the tag.
   */
  async versionByTag(jobID: string, tag: string, q?: QueryOptions): Promise<Job> {
    const { versions } = await this.versions(jobID, {}, q);
    const found = versions.find((v) => v.VersionTag?.Name === tag);
    if (!found) throw new Error(`version tag ${tag} not found for job ${jobID}`);
    return found;
  }

  /** `GET /v1/job/:id/submission?version=`: the job file a version was submitted from. */
  submission(jobID: string, version: number, q?: QueryOptions): Promise<JobSubmission | null> {
    return this.#c.query<JobSubmission | null>(path(jobID, `/submission?version=${version}`), q);
  }

  /** `PUT /v1/job/:id/revert`: makes an earlier version current again. */
  revert(
    jobID: string,
    version: number,
    opts: { enforcePriorVersion?: number } = {},
    w?: WriteOptions,
  ): Promise<JobRegisterResponse> {
    return this.#c.put<JobRegisterResponse>(path(jobID, "/revert"), {
      JobID: jobID,
      JobVersion: version,
      EnforcePriorVersion: opts.enforcePriorVersion ?? null,
    }, w);
  }

  /** `GET /v1/job/:id/summary`: allocation counts per task group. */
  summary(jobID: string, q?: QueryOptions): Promise<JobSummary | null> {
    return this.#c.query<JobSummary | null>(path(jobID, "/summary"), q);
  }

  /** `GET /v1/job/:id/allocations`, newest first; `all` includes older job instances. */
  async allocations(jobID: string, all = false, q?: QueryOptions): Promise<AllocationListStub[]> {
    const res = await this.#c.query<AllocationListStub[] | null>(
      path(jobID, `/allocations?all=${all}`),
      q,
    );
    return (res ?? []).sort(byCreateIndexDesc);
  }

  /** `GET /v1/job/:id/evaluations`, newest first. */
  async evaluations(jobID: string, q?: QueryOptions): Promise<ApiEvaluation[]> {
    const res = await this.#c.query<ApiEvaluation[] | null>(path(jobID, "/evaluations"), q);
    return (res ?? []).sort(byCreateIndexDesc);
  }

  /** `GET /v1/job/:id/deployments`, newest first. */
  async deployments(jobID: string, all = false, q?: QueryOptions): Promise<Deployment[]> {
    const res = await this.#c.query<Deployment[] | null>(
      path(jobID, `/deployments?all=${all}`),
      q,
    );
    return (res ?? []).sort(byCreateIndexDesc);
  }

  /** `GET /v1/job/:id/deployment`: the latest deployment, or `null`. */
  latestDeployment(jobID: string, q?: QueryOptions): Promise<Deployment | null> {
    return this.#c.query<Deployment | null>(path(jobID, "/deployment"), q);
  }

  /** `PUT /v1/job/:id/evaluate`: a new evaluation of the job; its ID. */
  async evaluate(jobID: string, opts: { forceReschedule?: boolean } = {}, w?: WriteOptions) {
    const res = await this.#c.put<JobRegisterResponse>(path(jobID, "/evaluate"), {
      JobID: jobID,
      EvalOptions: { ForceReschedule: opts.forceReschedule ?? false },
    }, w);
    return res.EvalID;
  }

  /** `PUT /v1/job/:id/periodic/force`: launches a periodic job now; the evaluation ID. */
  async periodicForce(jobID: string, w?: WriteOptions): Promise<string> {
    const res = await this.#c.put<{ EvalID: string }>(path(jobID, "/periodic/force"), null, w);
    return res.EvalID;
  }

  /** `PUT /v1/job/:id/scale`: sets a group's count (or records a scaling event). */
  scale(jobID: string, req: ScalingRequest, w?: WriteOptions): Promise<JobRegisterResponse> {
    return this.#c.put<JobRegisterResponse>(path(jobID, "/scale"), req, w);
  }

  /** `GET /v1/job/:id/scale`: each group's desired and placed counts and scaling events. */
  scaleStatus(jobID: string, q?: QueryOptions): Promise<JobScaleStatus> {
    return this.#c.query<JobScaleStatus>(path(jobID, "/scale"), q);
  }

  /** `PUT /v1/job/:id/dispatch`: an instance of a parameterized job. */
  dispatch(
    jobID: string,
    opts: DispatchOptions = {},
    w?: WriteOptions,
  ): Promise<JobDispatchResponse> {
    const payload = opts.payload && opts.payload.length > 0 ? toBase64(opts.payload) : null;
    return this.#c.put<JobDispatchResponse>(path(jobID, "/dispatch"), {
      JobID: jobID,
      Meta: opts.meta ?? null,
      Payload: payload,
      IdPrefixTemplate: opts.idPrefixTemplate ?? "",
      Priority: opts.priority ?? 0,
    }, w);
  }
}
