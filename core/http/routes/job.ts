/**
 * `/v1/job/:id` and its sub-resources. As in Nomad, the path is matched by its suffix, so job
 * IDs that contain `/` (periodic and dispatched children: `batch/periodic-1700000000`) work
 * whether the client escapes the slash or not; each handler answers 405 for verbs it does not
 * serve.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { CodedError, invalidMethod } from "../errors.ts";
import { queryBool, queryInt } from "../query.ts";
import { respond, setIndex } from "../respond.ts";
import { checkEvalPriority, registerJob } from "./_job_write.ts";
import { notImplemented, queryMeta, readOptions, stateQuery, writeContext } from "./_util.ts";
import type { RouteDeps } from "./deps.ts";
import { jobReadHandlers } from "./job_reads.ts";
import { jobWriteHandlers } from "./job_writes.ts";
import { jobLaunchHandlers } from "./job_launch.ts";

/** Handles one sub-resource of a job, given the job's ID. */
export type JobHandler = (c: Context, jobId: string) => Response | Promise<Response>;

const PREFIX = "/v1/job/";

/** Nomad's text for a job that does not exist. */
export const ERR_JOB_NOT_FOUND = "job not found";

function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new CodedError(400, `Invalid job ID ${JSON.stringify(raw)}: bad percent-encoding`);
  }
}

function jobCrud(deps: RouteDeps): JobHandler {
  return async (c, jobId) => {
    switch (c.req.method) {
      case "GET": {
        const q = readOptions(c, deps);
        return stateQuery(c, q, deps.state, ["jobs"], (snap) => {
          const job = snap.job(q.namespace, jobId);
          return job === undefined
            ? { body: undefined }
            : { body: job, index: job.ModifyIndex ?? 0 };
        }, { notFound: ERR_JOB_NOT_FOUND });
      }
      case "PUT":
      case "POST":
        return registerJob(c, deps, jobId);
      case "DELETE": {
        const purge = queryBool(c, "purge") ?? false;
        const global = queryBool(c, "global") ?? false;
        const noShutdownDelay = queryBool(c, "no_shutdown_delay") ?? false;
        const evalPriority = queryInt(c, "eval_priority") ?? 0;
        if (evalPriority > 0) checkEvalPriority(evalPriority);
        const ctx = writeContext(c, deps);
        const out = await deps.server.deregisterJob(
          jobId,
          { purge, global, evalPriority, noShutdownDelay },
          ctx,
        );
        setIndex(c, out.Index);
        return respond(c, {
          EvalID: out.EvalID,
          EvalCreateIndex: out.EvalCreateIndex,
          JobModifyIndex: out.JobModifyIndex,
          VolumeEvalID: "",
          VolumeEvalIndex: 0,
          ...queryMeta(out.Index),
        });
      }
      default:
        throw invalidMethod();
    }
  };
}

function notBuilt(what: string): JobHandler {
  return () => {
    throw notImplemented(what);
  };
}

/**
 * Registers `/v1/job/*`: the job itself (GET, PUT/POST, DELETE) and `allocations`,
 * `evaluations`, `deployments`, `deployment`, `summary`, `versions`, `submission`, `scale`,
 * `services`, `evaluate`, `plan`, `revert`, `stable`, `periodic/force`, `dispatch` and
 * `dispatch/payload`. Actions and version tags answer 501 until the server offers them.
 */
export function jobRoutes(app: Hono, deps: RouteDeps): void {
  const reads = jobReadHandlers(deps);
  const writes = jobWriteHandlers(deps);
  const launches = jobLaunchHandlers(deps);
  const later = "is not supported by this server yet";
  // Checked in this order, as Nomad does; the first suffix that matches wins.
  const bySuffix: [string, JobHandler][] = [
    ["/evaluate", writes.evaluate],
    ["/allocations", reads.allocations],
    ["/evaluations", reads.evaluations],
    ["/periodic/force", launches.periodicForce],
    ["/plan", writes.plan],
    ["/summary", reads.summary],
    ["/dispatch", launches.dispatch],
    ["/dispatch/payload", launches.dispatchPayload],
    ["/versions", reads.versions],
    ["/revert", writes.revert],
    ["/deployments", reads.deployments],
    ["/deployment", reads.deployment],
    ["/stable", writes.stable],
    ["/scale", writes.scale],
    ["/services", reads.services],
    ["/submission", reads.submission],
    ["/actions", notBuilt(`Listing job actions ${later}`)],
    ["/action", notBuilt(`Running job actions ${later}`)],
  ];
  const crud = jobCrud(deps);
  app.all(`${PREFIX}*`, (c) => {
    const path = c.req.path.slice(PREFIX.length);
    for (const [suffix, handler] of bySuffix) {
      if (path.endsWith(suffix)) return handler(c, decodeId(path.slice(0, -suffix.length)));
    }
    if (path.endsWith("/tag")) {
      const parts = path.split("/");
      if (parts.length !== 4) throw new CodedError(404, "invalid job tag endpoint");
      throw notImplemented(`Tagging job versions ${later}`);
    }
    return crud(c, decodeId(path));
  });
}
