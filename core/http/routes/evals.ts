/**
 * `/v1/evaluations` (list, delete), `/v1/evaluations/count` and `/v1/evaluation/:id` (with
 * `?related=true`) and its allocations.
 *
 * @module
 */
import type { Hono } from "hono";
import type { Evaluation } from "../../structs/mod.ts";
import { BexprError, compileFilter, type Filter } from "../bexpr.ts";
import { CodedError } from "../errors.ts";
import { createIndexIdTokenizer, idTokenizer, paginate } from "../paginate.ts";
import { ALL_NAMESPACES } from "../query.ts";
import { readBody, respond, setIndex } from "../respond.ts";
import { EvalDeleteRequestSpec } from "./_bodies.ts";
import { byCreateIndex, compareStrings, readOptions, stateQuery, writeContext } from "./_util.ts";
import type { RouteDeps } from "./deps.ts";
import { allocListStub, relatedEvals } from "./stubs.ts";

/** The most evaluation IDs one delete may name (Nomad's `MaxUUIDsPerWriteRequest`). */
export const MAX_UUIDS_PER_WRITE = 7281;

/** Registers the evaluation endpoints. */
export function evalRoutes(app: Hono, deps: RouteDeps): void {
  const { state } = deps;

  app.get("/v1/evaluations", (c) => {
    const q = readOptions(c, deps);
    const job = c.req.query("job") ?? "";
    const status = c.req.query("status") ?? "";
    if (q.filter !== null && (job !== "" || status !== "")) {
      throw new CodedError(400, "Filter expression cannot be used with other filter parameters");
    }
    return stateQuery(c, q, state, ["evals"], (snap) => {
      const namespace = q.namespace === ALL_NAMESPACES ? undefined : q.namespace;
      const byPrefix = q.prefix !== "";
      const rows = byPrefix
        ? snap.evals({ prefix: q.prefix, ...(namespace ? { namespace } : {}) })
        : byCreateIndex(snap.evals(namespace ? { namespace } : {}));
      const page = paginate(rows, q, {
        tokenizer: byPrefix ? idTokenizer<Evaluation>() : createIndexIdTokenizer<Evaluation>(),
        select: (e) => (job === "" || e.JobID === job) && (status === "" || e.Status === status),
      });
      return { body: page.items, nextToken: page.nextToken };
    });
  });

  app.get("/v1/evaluations/count", (c) => {
    const q = readOptions(c, deps);
    return stateQuery(c, q, state, ["evals"], (snap) => {
      const namespace = q.namespace === ALL_NAMESPACES ? undefined : q.namespace;
      let count = 0;
      for (const e of snap.evals({ prefix: q.prefix, ...(namespace ? { namespace } : {}) })) {
        try {
          if (q.filter === null || q.filter.matches(e)) count++;
        } catch (err) {
          if (!(err instanceof BexprError)) throw err;
        }
      }
      return { body: { Count: count } };
    }, { embedMeta: true });
  });

  app.delete("/v1/evaluations", async (c) => {
    const req = await readBody(c, EvalDeleteRequestSpec);
    const ids = req.EvalIDs ?? [];
    if (req.Filter !== "" && ids.length > 0) {
      throw new CodedError(400, "evals cannot be deleted by both ID and filter");
    }
    if (req.Filter === "" && ids.length === 0) {
      throw new CodedError(400, "evals must be deleted by either ID or filter");
    }
    if (ids.length > MAX_UUIDS_PER_WRITE) {
      throw new CodedError(
        400,
        `request includes ${ids.length} evaluation IDs, must be ${MAX_UUIDS_PER_WRITE} or fewer`,
      );
    }
    const ctx = writeContext(c, deps);
    let targets = ids;
    if (req.Filter !== "") {
      let filter: Filter;
      try {
        filter = compileFilter(req.Filter);
      } catch (e) {
        if (!(e instanceof BexprError)) throw e;
        throw new CodedError(400, `failed to read filter expression: ${e.message}`, { cause: e });
      }
      const snap = state.snapshot();
      const namespace = ctx.namespace === ALL_NAMESPACES ? undefined : ctx.namespace;
      targets = snap.evals(namespace ? { namespace } : {}).filter((e) => {
        try {
          return filter.matches(e);
        } catch (err) {
          if (err instanceof BexprError) return false;
          throw err;
        }
      }).map((e) => e.ID);
    }
    const out = await deps.server.deleteEvals(targets, ctx);
    setIndex(c, out.Index);
    return respond(c, { Count: targets.length, Index: out.Index });
  });

  app.get("/v1/evaluation/:id", (c) => {
    const id = c.req.param("id");
    const related = c.req.query("related") === "true";
    const q = readOptions(c, deps);
    return stateQuery(c, q, state, ["evals"], (snap) => {
      const e = snap.eval(id);
      if (e === undefined) return { body: undefined };
      const body = related ? { ...e, RelatedEvals: relatedEvals(e, (x) => snap.eval(x)) } : e;
      return { body, index: e.ModifyIndex };
    }, { notFound: "eval not found" });
  });

  app.get("/v1/evaluation/:id/allocations", (c) => {
    const id = c.req.param("id");
    const q = readOptions(c, deps);
    return stateQuery(c, q, state, ["allocs"], (snap) => ({
      body: [...snap.allocsByEval(id)].sort((a, b) => compareStrings(a.ID, b.ID))
        .map((a) => allocListStub(a)),
    }));
  });
}
