/**
 * What job writes share: turning an API job into the one the server registers (Nomad's
 * `apiJobAndRequestToStructs`: canonical defaults, the namespace and region the request and
 * job name), and the registration handler behind both `PUT /v1/jobs` and `PUT /v1/job/:id`.
 *
 * @module
 */
import type { Context } from "hono";
import { canonicalize, type Job } from "../../structs/mod.ts";
import type { RequestContext } from "../../server/api.ts";
import { CodedError } from "../errors.ts";
import { DEFAULT_NAMESPACE, DEFAULT_REGION } from "../query.ts";
import { authToken, readBody, respond, setIndex } from "../respond.ts";
import { JobRegisterRequestSpec } from "./_bodies.ts";
import { ERR_NO_REGION_PATH, queryMeta } from "./_util.ts";
import type { RouteDeps } from "./deps.ts";

/** The region, namespace and token fields of a write body. */
export interface BodyWriteRequest {
  readonly Region: string;
  readonly Namespace: string;
  readonly SecretID: string;
}

/**
 * The canonical job to write and the context of the write. The namespace is the query's, else
 * the body's, else the job's, else `default`; the region likewise, where `global` means this
 * agent's region (a multiregion job keeps `global` as its own region).
 *
 * @throws {CodedError} 500 `No path to region` when the request is for another region.
 */
export function jobForWrite(
  c: Context,
  deps: RouteDeps,
  job: Job,
  body: BodyWriteRequest,
): { job: Job; ctx: RequestContext } {
  const query = new URL(c.req.url).searchParams;
  let region = query.get("region") || body.Region || job.Region || "";
  if (region === "" || region === DEFAULT_REGION) region = deps.server.region;
  let jobRegion = region;
  const regions = job.Multiregion?.Regions ?? [];
  if (job.Multiregion !== null) {
    jobRegion = DEFAULT_REGION;
    if (regions.length > 0 && !regions.some((r) => r.Name === region)) {
      region = regions[0]!.Name;
    }
  }
  if (region !== deps.server.region) throw new CodedError(500, ERR_NO_REGION_PATH);
  const namespace = query.get("namespace") || body.Namespace || job.Namespace ||
    DEFAULT_NAMESPACE;
  const canonical = canonicalize({ ...job, Namespace: namespace });
  canonical.Region = jobRegion;
  return {
    job: canonical,
    ctx: { namespace, region, token: authToken(c) || body.SecretID },
  };
}

/**
 * Checks an evaluation priority given with a write.
 *
 * @throws {CodedError} 400 unless it is within 1..100.
 */
export function checkEvalPriority(priority: number): void {
  if (priority < 1 || priority > 100) {
    throw new CodedError(400, "Eval priority must be between 1 and 100 inclusively");
  }
}

/**
 * `PUT /v1/jobs` (`pathId` empty) and `PUT /v1/job/:id`: registers the body's job, answering
 * Nomad's `JobRegisterResponse`.
 */
export async function registerJob(c: Context, deps: RouteDeps, pathId: string): Promise<Response> {
  const req = await readBody(c, JobRegisterRequestSpec);
  if (req.Job === null) throw new CodedError(400, "Job must be specified");
  if (req.Job.ID === null) throw new CodedError(400, "Job ID hasn't been provided");
  if (pathId !== "" && req.Job.ID !== pathId) {
    throw new CodedError(400, "Job ID does not match name");
  }
  if (req.Job.Type === "system" && (req.Job.TaskGroups ?? []).some((g) => g.Scaling !== null)) {
    throw new CodedError(400, "Task groups with job type system do not support scaling blocks");
  }
  if (req.EvalPriority !== 0) checkEvalPriority(req.EvalPriority);
  const { job, ctx } = jobForWrite(c, deps, req.Job, req);
  const submission = req.Submission === null || req.Submission.Source === "" ? null : {
    Source: req.Submission.Source,
    Format: req.Submission.Format || "hcl2",
    ...(req.Submission.VariableFlags ? { VariableFlags: req.Submission.VariableFlags } : {}),
    Variables: req.Submission.Variables,
  };
  const out = await deps.server.registerJob({
    Job: job,
    EnforceIndex: req.EnforceIndex,
    JobModifyIndex: req.JobModifyIndex,
    PolicyOverride: req.PolicyOverride,
    PreserveCounts: req.PreserveCounts,
    PreserveResources: req.PreserveResources,
    EvalPriority: req.EvalPriority,
    Submission: submission,
  }, ctx);
  setIndex(c, out.Index);
  return respond(c, {
    EvalID: out.EvalID,
    EvalCreateIndex: out.EvalCreateIndex,
    JobModifyIndex: out.JobModifyIndex,
    Warnings: out.Warnings,
    ...queryMeta(out.Index),
  });
}
