/**
 * `/v1/deployments`, `/v1/deployment/:id` and `/v1/deployment/allocations/:id`. The
 * deployment writes (`fail`, `pause`, `promote`, `allocation-health`, `unblock`) answer 501
 * until the server has a deployment watcher to carry them out.
 *
 * @module
 */
import type { Hono } from "hono";
import type { Deployment } from "../../structs/mod.ts";
import { createIndexIdTokenizer, idTokenizer, paginate } from "../paginate.ts";
import { ALL_NAMESPACES } from "../query.ts";
import { byCreateIndex, compareStrings, notImplemented, readOptions, stateQuery } from "./_util.ts";
import type { RouteDeps } from "./deps.ts";
import { allocListStub } from "./stubs.ts";

/** The deployment writes Nomad serves at `/v1/deployment/<verb>/:id`. */
export const DEPLOYMENT_WRITES = [
  "fail",
  "pause",
  "promote",
  "allocation-health",
  "unblock",
] as const;

/** Registers the deployment endpoints. */
export function deploymentRoutes(app: Hono, deps: RouteDeps): void {
  const { state } = deps;

  app.get("/v1/deployments", (c) => {
    const q = readOptions(c, deps);
    return stateQuery(c, q, state, ["deployment"], (snap) => {
      const namespace = q.namespace === ALL_NAMESPACES ? undefined : q.namespace;
      const byPrefix = q.prefix !== "";
      const rows = byPrefix
        ? snap.deployments({ prefix: q.prefix, ...(namespace ? { namespace } : {}) })
        : byCreateIndex(snap.deployments(namespace ? { namespace } : {}));
      const page = paginate(rows, q, {
        tokenizer: byPrefix ? idTokenizer<Deployment>() : createIndexIdTokenizer<Deployment>(),
      });
      return { body: page.items, nextToken: page.nextToken };
    });
  });

  app.get("/v1/deployment/allocations/:id", (c) => {
    const id = c.req.param("id");
    const q = readOptions(c, deps);
    return stateQuery(c, q, state, ["allocs"], (snap) => ({
      body: [...snap.allocsByDeployment(id)].sort((a, b) => compareStrings(a.ID, b.ID))
        .map((a) => allocListStub(a)),
    }));
  });

  for (const verb of DEPLOYMENT_WRITES) {
    app.on(["PUT", "POST"], `/v1/deployment/${verb}/:id`, () => {
      throw notImplemented(
        `Deployment ${verb} is not supported by this server yet: it has no deployment watcher`,
      );
    });
  }

  app.get("/v1/deployment/:id", (c) => {
    const id = c.req.param("id");
    const q = readOptions(c, deps);
    return stateQuery(c, q, state, ["deployment"], (snap) => {
      const d = snap.deployment(id);
      return d === undefined ? { body: undefined } : { body: d, index: d.ModifyIndex };
    }, { notFound: "deployment not found" });
  });
}
