/**
 * `/v1/allocations` and `/v1/allocation/:id` (read, stop).
 *
 * @module
 */
import type { Context, Hono } from "hono";
import type { Allocation } from "../../structs/mod.ts";
import { NotFoundError } from "../../structs/mod.ts";
import { CodedError } from "../errors.ts";
import { createIndexIdTokenizer, idTokenizer, paginate } from "../paginate.ts";
import { ALL_NAMESPACES, queryBool } from "../query.ts";
import { respond, setIndex } from "../respond.ts";
import { byCreateIndex, readOptions, stateQuery, writeContext } from "./_util.ts";
import type { RouteDeps } from "./deps.ts";
import { allocListStub, type AllocStubFields } from "./stubs.ts";

/** `?resources` and `?task_states`; `undefined` when neither is given (Nomad's nil fields). */
export function allocStubFields(c: Context): AllocStubFields | undefined {
  const resources = queryBool(c, "resources");
  const taskStates = queryBool(c, "task_states");
  if (resources === undefined && taskStates === undefined) return undefined;
  return { resources: resources ?? false, taskStates: taskStates ?? true };
}

/** An allocation without the workload identities it was signed (Nomad's `Sanitize`). */
export function sanitizeAlloc(alloc: Allocation): Allocation {
  return alloc.SignedIdentities === null ? alloc : { ...alloc, SignedIdentities: null };
}

/** Registers the allocation endpoints. */
export function allocRoutes(app: Hono, deps: RouteDeps): void {
  app.get("/v1/allocations", (c) => {
    const q = readOptions(c, deps);
    const fields = allocStubFields(c);
    return stateQuery(c, q, deps.state, ["allocs"], (snap) => {
      const namespace = q.namespace === ALL_NAMESPACES ? undefined : q.namespace;
      const byPrefix = q.prefix !== "";
      const rows = byPrefix
        ? snap.allocs({ prefix: q.prefix, ...(namespace ? { namespace } : {}) })
        : byCreateIndex(snap.allocs(namespace ? { namespace } : {}));
      const page = paginate(rows, q, {
        tokenizer: byPrefix ? idTokenizer<Allocation>() : createIndexIdTokenizer<Allocation>(),
        stub: (a) => allocListStub(a, fields),
      });
      return { body: page.items, nextToken: page.nextToken };
    });
  });

  app.get("/v1/allocation/:id", (c) => {
    const id = c.req.param("id");
    const q = readOptions(c, deps);
    return stateQuery(c, q, deps.state, ["allocs"], (snap) => {
      const alloc = snap.alloc(id);
      return alloc === undefined
        ? { body: undefined }
        : { body: sanitizeAlloc(alloc), index: alloc.ModifyIndex };
    }, { notFound: "alloc not found" });
  });

  app.on(["PUT", "POST"], "/v1/allocation/:id/stop", async (c) => {
    const id = c.req.param("id");
    const noShutdownDelay = queryBool(c, "no_shutdown_delay") ?? false;
    queryBool(c, "reschedule"); // checked as Nomad does; the server reschedules stopped allocs
    const ctx = writeContext(c, deps);
    let out: { EvalID: string; Index: number };
    try {
      out = await deps.server.stopAlloc(id, { noShutdownDelay }, ctx);
    } catch (e) {
      if (e instanceof NotFoundError) throw new CodedError(404, "allocation not found");
      throw e;
    }
    setIndex(c, out.Index);
    return respond(c, { EvalID: out.EvalID, Index: out.Index });
  });
}
