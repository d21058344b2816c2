/**
 * The writes under `/v1/job/:id/` — evaluate, plan, revert, stable — and `scale`, whose GET
 * answers the scale status (with each group's scaling events, newest first) and whose
 * PUT/POST changes a group's count with a `job-scaling` evaluation, or records an event only
 * when the request has no count (`Job.Scale`).
 *
 * @module
 */
import type { Context } from "hono";
import type { Allocation } from "../../structs/mod.ts";
import { CodedError, invalidMethod } from "../errors.ts";
import { readBody, respond, setIndex, setMeta } from "../respond.ts";
import {
  JobEvaluateRequestSpec,
  JobPlanRequestSpec,
  JobRevertRequestSpec,
  JobStabilityRequestSpec,
  ScalingRequestSpec,
} from "./_bodies.ts";
import { jobForWrite } from "./_job_write.ts";
import {
  decodeJson,
  optionalJson,
  queryMeta,
  readOptions,
  stateQuery,
  writeContext,
} from "./_util.ts";
import type { RouteDeps } from "./deps.ts";
import type { JobHandler } from "./job.ts";

function onlyWrite(c: Context): void {
  if (c.req.method !== "PUT" && c.req.method !== "POST") throw invalidMethod();
}

function terminal(a: Allocation): boolean {
  return a.DesiredStatus === "stop" || a.DesiredStatus === "evict" ||
    a.ClientStatus === "complete" || a.ClientStatus === "failed" || a.ClientStatus === "lost";
}

function registerResponse(
  out: { EvalID: string; EvalCreateIndex: number; JobModifyIndex: number; Index: number },
  warnings = "",
) {
  return {
    EvalID: out.EvalID,
    EvalCreateIndex: out.EvalCreateIndex,
    JobModifyIndex: out.JobModifyIndex,
    Warnings: warnings,
    ...queryMeta(out.Index),
  };
}

/** The write handlers of a job's sub-resources, by name (`scale` serves GET too). */
export function jobWriteHandlers(
  deps: RouteDeps,
): Record<"evaluate" | "plan" | "revert" | "stable" | "scale", JobHandler> {
  const { server } = deps;

  const scaleStatus: JobHandler = (c, jobId) => {
    const q = readOptions(c, deps);
    return stateQuery(c, q, deps.state, ["jobs", "allocs", "scaling_event"], (snap) => {
      const job = snap.job(q.namespace, jobId);
      if (job === undefined) return { body: undefined, index: snap.index };
      const events = snap.scalingEvents(q.namespace, jobId);
      const groups: Record<string, Record<string, unknown>> = {};
      for (const g of job.TaskGroups ?? []) {
        groups[g.Name ?? ""] = {
          Desired: g.Count ?? 0,
          Placed: 0,
          Running: 0,
          Healthy: 0,
          Unhealthy: 0,
          Events: events?.ScalingEvents[g.Name ?? ""] ?? null,
        };
      }
      let index = Math.max(job.ModifyIndex ?? 0, events?.ModifyIndex ?? 0);
      for (const a of snap.allocsByJob(q.namespace, jobId)) {
        if (a.Job !== null && (a.Job.CreateIndex ?? 0) !== (job.CreateIndex ?? 0)) continue;
        const group = groups[a.TaskGroup];
        if (a.DeploymentStatus?.Canary || terminal(a) || group === undefined) continue;
        (group.Placed as number)++;
        if (a.ClientStatus === "running") (group.Running as number)++;
        const healthy = a.DeploymentStatus?.Healthy;
        if (healthy === true) (group.Healthy as number)++;
        if (healthy === false) (group.Unhealthy as number)++;
        index = Math.max(index, a.ModifyIndex);
      }
      return {
        body: {
          JobID: job.ID ?? "",
          Namespace: job.Namespace ?? "",
          JobCreateIndex: job.CreateIndex ?? 0,
          JobModifyIndex: job.ModifyIndex ?? 0,
          JobStopped: job.Stop ?? false,
          TaskGroups: groups,
        },
        index,
      };
    }, { notFound: "job not found" });
  };

  const scaleAction: JobHandler = async (c, jobId) => {
    const req = await readBody(c, ScalingRequestSpec);
    const target = req.Target ?? {};
    if ((target.Job ?? "") !== "" && target.Job !== jobId) {
      throw new CodedError(400, "job ID in payload did not match URL");
    }
    const out = await server.scaleJob(jobId, {
      Count: req.Count,
      Target: req.Target,
      Message: req.Message,
      Error: req.Error,
      Meta: req.Meta,
      PolicyOverride: req.PolicyOverride,
      JobModifyIndex: req.JobModifyIndex,
    }, writeContext(c, deps));
    setIndex(c, out.Index);
    return respond(c, registerResponse(out, out.Warnings));
  };

  return {
    evaluate: async (c, jobId) => {
      onlyWrite(c);
      const json = await optionalJson(c);
      let forceReschedule = false;
      if (json !== undefined) {
        const req = decodeJson(JobEvaluateRequestSpec, json);
        if (req.JobID === "") throw new CodedError(400, "Job ID must be specified");
        if (jobId !== "" && req.JobID !== jobId) {
          throw new CodedError(400, "JobID not same as job name");
        }
        forceReschedule = req.EvalOptions?.ForceReschedule ?? false;
      }
      const out = await server.evaluateJob(jobId, { forceReschedule }, writeContext(c, deps));
      setIndex(c, out.Index);
      return respond(c, registerResponse(out));
    },
    plan: async (c, jobId) => {
      onlyWrite(c);
      const req = await readBody(c, JobPlanRequestSpec);
      if (req.Job === null) throw new CodedError(400, "Job must be specified");
      if (req.Job.ID === null) throw new CodedError(400, "Job must have a valid ID");
      if (jobId !== "" && req.Job.ID !== jobId) throw new CodedError(400, "Job ID does not match");
      const { job, ctx } = jobForWrite(c, deps, req.Job, req);
      const out = await server.planJob(job, {
        diff: req.Diff,
        policyOverride: req.PolicyOverride,
      }, ctx);
      setIndex(c, out.Index);
      return respond(c, out);
    },
    revert: async (c, jobId) => {
      onlyWrite(c);
      const req = await readBody(c, JobRevertRequestSpec);
      if (req.JobID === "") throw new CodedError(400, "JobID must be specified");
      if (req.JobID !== jobId) throw new CodedError(400, "Job ID does not match");
      const out = await server.revertJob(
        jobId,
        req.JobVersion,
        req.EnforcePriorVersion,
        writeContext(c, deps),
      );
      setMeta(c, { index: out.Index });
      return respond(c, registerResponse(out, out.Warnings));
    },
    stable: async (c, jobId) => {
      onlyWrite(c);
      const req = await readBody(c, JobStabilityRequestSpec);
      if (req.JobID === "") throw new CodedError(400, "JobID must be specified");
      if (req.JobID !== jobId) throw new CodedError(400, "Job ID does not match");
      const out = await server.setJobStability(
        jobId,
        req.JobVersion,
        req.Stable,
        writeContext(c, deps),
      );
      setIndex(c, out.Index);
      return respond(c, { Index: out.Index });
    },
    scale: (c, jobId) => {
      if (c.req.method === "GET") return scaleStatus(c, jobId);
      onlyWrite(c);
      return scaleAction(c, jobId);
    },
  };
}
