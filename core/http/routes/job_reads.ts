/**
 * The reads under `/v1/job/:id/`: allocations, evaluations, deployments, the latest
 * deployment, the summary, versions (with diffs), the scale status, services and the
 * submitted source. Each blocks on the tables Nomad's RPC reads.
 *
 * @module
 */
import type { Context } from "hono";
import { type Deployment, diffJobs, type Job, type JobDiff } from "../../structs/mod.ts";
import { CodedError, invalidMethod } from "../errors.ts";
import { queryBool } from "../query.ts";
import { compareStrings, readOptions, stateQuery, writeContext } from "./_util.ts";
import type { RouteDeps } from "./deps.ts";
import type { JobHandler } from "./job.ts";
import { allocListStub } from "./stubs.ts";

const ERR_JOB_NOT_FOUND = "job not found";

function onlyGet(c: Context): void {
  if (c.req.method !== "GET") throw invalidMethod();
}

/** `?all=...` read as Nomad does: anything but a Go boolean is false. */
function lenientBool(c: Context, name: string): boolean {
  try {
    return queryBool(c, name) ?? false;
  } catch {
    return false;
  }
}

/** Whether `alloc` belongs to the current instance of its job (a job re-created keeps its ID). */
function sameInstance(job: Job | undefined, createIndex: number | null | undefined): boolean {
  return job === undefined || (job.CreateIndex ?? 0) === (createIndex ?? 0);
}

function deploymentsOf(
  deployments: readonly Deployment[],
  job: Job | undefined,
  all: boolean,
): Deployment[] {
  return deployments.filter((d) => all || sameInstance(job, d.JobCreateIndex))
    .sort((a, b) => compareStrings(a.ID, b.ID));
}

/** Diffs of each version against its predecessor, or against one version when asked. */
function versionDiffs(c: Context, versions: readonly Job[]): JobDiff[] {
  const tag = c.req.query("diff_tag") ?? "";
  const rawVersion = c.req.query("diff_version") ?? "";
  if (rawVersion !== "" && !/^\d+$/.test(rawVersion)) {
    throw new CodedError(
      400,
      `Failed to parse value of "diff_version" (${rawVersion}) as a uint64: ` +
        `strconv.ParseUint: parsing ${JSON.stringify(rawVersion)}: invalid syntax`,
    );
  }
  let against: Job | undefined;
  if (tag !== "") {
    against = versions.find((v) => v.VersionTag?.Name === tag);
    if (against === undefined) throw new CodedError(404, `tag ${JSON.stringify(tag)} not found`);
  } else if (rawVersion !== "") {
    against = versions.find((v) => (v.Version ?? 0) === Number(rawVersion));
    if (against === undefined) throw new CodedError(404, `version ${rawVersion} not found`);
  }
  const diffs: JobDiff[] = [];
  for (let i = 0; i < versions.length; i++) {
    const old = against ?? versions[i + 1];
    if (old === undefined) break;
    diffs.push(diffJobs(old, versions[i]!, { contextual: true }));
  }
  return diffs;
}

/** The GET handlers of a job's sub-resources, by name. */
export function jobReadHandlers(deps: RouteDeps): Record<
  | "allocations"
  | "evaluations"
  | "deployments"
  | "deployment"
  | "summary"
  | "versions"
  | "services"
  | "submission",
  JobHandler
> {
  const { state } = deps;
  return {
    allocations: (c, jobId) => {
      onlyGet(c);
      const all = lenientBool(c, "all");
      const q = readOptions(c, deps);
      return stateQuery(c, q, state, ["allocs"], (snap) => {
        const job = snap.job(q.namespace, jobId);
        const allocs = snap.allocsByJob(q.namespace, jobId)
          .filter((a) => all || sameInstance(job, a.Job?.CreateIndex))
          .sort((a, b) => compareStrings(a.ID, b.ID));
        return { body: allocs.map((a) => allocListStub(a)) };
      });
    },
    evaluations: (c, jobId) => {
      onlyGet(c);
      const q = readOptions(c, deps);
      return stateQuery(c, q, state, ["evals"], (snap) => ({
        body: [...snap.evalsByJob(q.namespace, jobId)].sort((a, b) => compareStrings(a.ID, b.ID)),
      }));
    },
    deployments: (c, jobId) => {
      onlyGet(c);
      const all = lenientBool(c, "all");
      const q = readOptions(c, deps);
      return stateQuery(c, q, state, ["deployment"], (snap) => ({
        body: deploymentsOf(
          snap.deploymentsByJob(q.namespace, jobId),
          snap.job(q.namespace, jobId),
          all,
        ),
      }));
    },
    deployment: (c, jobId) => {
      onlyGet(c);
      const q = readOptions(c, deps);
      return stateQuery(c, q, state, ["deployment"], (snap) => {
        const list = deploymentsOf(
          snap.deploymentsByJob(q.namespace, jobId),
          snap.job(q.namespace, jobId),
          false,
        );
        let latest: Deployment | undefined;
        for (const d of list) if (!latest || d.CreateIndex > latest.CreateIndex) latest = d;
        return { body: latest };
      });
    },
    summary: (c, jobId) => {
      onlyGet(c);
      const q = readOptions(c, deps);
      return stateQuery(c, q, state, ["job_summary"], (snap) => {
        const summary = snap.jobSummary(q.namespace, jobId);
        return summary === undefined
          ? { body: undefined }
          : { body: summary, index: summary.ModifyIndex };
      }, { notFound: ERR_JOB_NOT_FOUND });
    },
    versions: (c, jobId) => {
      onlyGet(c);
      const wantDiffs = queryBool(c, "diffs") ?? false;
      const q = readOptions(c, deps);
      return stateQuery(c, q, state, ["job_version"], (snap) => {
        const versions = snap.jobVersions(q.namespace, jobId);
        if (versions.length === 0) return { body: undefined };
        let index = 0;
        for (const v of versions) index = Math.max(index, v.ModifyIndex ?? 0);
        const diffs = wantDiffs ? versionDiffs(c, versions) : [];
        return {
          body: { Versions: versions, Diffs: diffs.length > 0 ? diffs : null },
          index,
        };
      }, { notFound: "job versions not found", embedMeta: true });
    },
    services: (c, jobId) => {
      onlyGet(c);
      const q = readOptions(c, deps);
      // Nomad-provider services are not registered yet: a job that exists has none.
      return stateQuery(c, q, state, ["jobs"], (snap) => ({
        body: snap.job(q.namespace, jobId) === undefined ? undefined : [],
      }), { notFound: ERR_JOB_NOT_FOUND });
    },
    submission: (c, jobId) => {
      onlyGet(c);
      const raw = c.req.query("version") ?? "";
      if (!/^\d+$/.test(raw)) {
        throw new CodedError(400, "Unable to parse job submission version parameter");
      }
      const q = readOptions(c, deps);
      const ctx = { ...writeContext(c, deps), namespace: q.namespace };
      return stateQuery(c, q, state, ["jobs"], () => {
        const found = deps.server.jobSubmission(jobId, Number(raw), ctx) ?? undefined;
        return { body: found, index: found?.JobModifyIndex ?? 0 };
      }, { notFound: "job source not found" });
    },
  };
}
