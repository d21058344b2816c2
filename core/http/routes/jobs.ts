/**
 * `/v1/jobs` (list and register), `/v1/jobs/parse` and `/v1/validate/job`.
 *
 * @module
 */
import type { Hono } from "hono";
import { canonicalize } from "../../structs/mod.ts";
import { CodedError } from "../errors.ts";
import { namespaceIdTokenizer, paginate } from "../paginate.ts";
import { DEFAULT_NAMESPACE, queryBool } from "../query.ts";
import { readBody, respond } from "../respond.ts";
import { JobsParseRequestSpec, JobValidateRequestSpec } from "./_bodies.ts";
import { registerJob } from "./_job_write.ts";
import { readOptions, stateQuery, writeContext } from "./_util.ts";
import type { RouteDeps } from "./deps.ts";
import { jobListStub } from "./stubs.ts";

/**
 * Parses a job file as `POST /v1/jobs/parse` does: no file system access, `variables` the
 * content of a variable file.
 *
 * core/jobspec is imported on the first parse: most agents never parse a job (the CLI does).
 *
 * @throws {CodedError} 400 `Failed to parse job: ...` listing every problem.
 */
export async function parseJobRequest(hcl: string, variables: string) {
  const { JobspecError, parseJob } = await import("../../jobspec/mod.ts");
  let dir: string | undefined;
  try {
    const varFiles: string[] = [];
    if (variables.trim() !== "") {
      dir = await Deno.makeTempDir({ prefix: "nomad-parse-" });
      const path = `${dir}/variables.hcl`;
      await Deno.writeTextFile(path, variables);
      varFiles.push(path);
    }
    return await parseJob(hcl, { path: "input.hcl", varFiles, allowFS: false });
  } catch (e) {
    if (!(e instanceof JobspecError)) throw e;
    const text = dir === undefined ? e.message : e.message.replaceAll(`${dir}/`, "");
    throw new CodedError(400, `Failed to parse job: ${text}`, { cause: e });
  } finally {
    if (dir !== undefined) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Registers `/v1/jobs`, `/v1/jobs/parse` and `/v1/validate/job`. */
export function jobsRoutes(app: Hono, deps: RouteDeps): void {
  app.get("/v1/jobs", (c) => {
    const q = readOptions(c, deps);
    const meta = queryBool(c, "meta") ?? false;
    return stateQuery(c, q, deps.state, ["jobs", "job_summary"], (snap) => {
      const page = paginate(snap.jobs({ namespace: q.namespace, prefix: q.prefix }), q, {
        tokenizer: namespaceIdTokenizer(),
        stub: (job) =>
          jobListStub(job, snap.jobSummary(job.Namespace ?? "", job.ID ?? "") ?? null, meta),
      });
      return { body: page.items, nextToken: page.nextToken };
    });
  });

  app.on(["PUT", "POST"], "/v1/jobs", (c) => registerJob(c, deps, ""));

  app.on(["PUT", "POST"], "/v1/jobs/parse", async (c) => {
    const req = await readBody(c, JobsParseRequestSpec);
    if (req.JobHCL === "") throw new CodedError(400, "Job spec is empty");
    if (req.HCLv1) {
      throw new CodedError(400, "Failed to parse job: HCL version 1 job files are not supported");
    }
    const job = await parseJobRequest(req.JobHCL, req.Variables);
    return respond(c, req.Canonicalize ? canonicalize(job) : job);
  });

  app.on(["PUT", "POST"], "/v1/validate/job", async (c) => {
    const req = await readBody(c, JobValidateRequestSpec);
    if (req.Job === null) throw new CodedError(400, "Job must be specified");
    const ctx = writeContext(c, deps);
    const job = canonicalize(req.Job);
    const namespace = job.Namespace || DEFAULT_NAMESPACE;
    return respond(
      c,
      deps.server.validateJob({ ...job, Namespace: namespace }, { ...ctx, namespace }),
    );
  });
}
