/**
 * `/v1/deployments`, `/v1/deployment/:id`, `/v1/deployment/allocations/:id` and the deployment
 * writes (`PUT`/`POST /v1/deployment/<verb>/:id` with `fail`, `pause`, `promote`,
 * `allocation-health`, `unblock`), which the server's deployment watcher carries out. The
 * writes answer Nomad's `DeploymentUpdateResponse` (`EvalID`, `EvalCreateIndex`,
 * `DeploymentModifyIndex`, `RevertedJobVersion`, `Index`); every one but `fail` wants a body
 * whose `DeploymentID` is the one in the path.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { bool, type Deployment, str, strList, struct } from "../../structs/mod.ts";
import type { DeploymentUpdateResponse } from "../../server/api.ts";
import { CodedError } from "../errors.ts";
import { createIndexIdTokenizer, idTokenizer, paginate } from "../paginate.ts";
import { ALL_NAMESPACES } from "../query.ts";
import { readBody, respond, setIndex } from "../respond.ts";
import { byCreateIndex, compareStrings, readOptions, stateQuery, writeContext } from "./_util.ts";
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

/** The region, namespace and token a write body may carry (Nomad's `WriteRequest`). */
const writeRequest = { Region: str(), Namespace: str(), SecretID: str() };

/** `PUT /v1/deployment/pause/:id`. */
const PauseRequestSpec = struct("DeploymentPauseRequest", {
  DeploymentID: str(),
  Pause: bool(),
  ...writeRequest,
});

/** `PUT /v1/deployment/promote/:id`. */
const PromoteRequestSpec = struct("DeploymentPromoteRequest", {
  DeploymentID: str(),
  All: bool(),
  Groups: strList(),
  ...writeRequest,
});

/** `PUT /v1/deployment/allocation-health/:id`. */
const AllocHealthRequestSpec = struct("DeploymentAllocHealthRequest", {
  DeploymentID: str(),
  HealthyAllocationIDs: strList(),
  UnhealthyAllocationIDs: strList(),
  ...writeRequest,
});

/** `PUT /v1/deployment/unblock/:id`. */
const UnblockRequestSpec = struct("DeploymentUnblockRequest", {
  DeploymentID: str(),
  ...writeRequest,
});

/** The request, once its `DeploymentID` is known to be the one in the path. */
function matching<T extends { DeploymentID: string }>(req: T, id: string): T {
  if (req.DeploymentID === "") throw new CodedError(400, "DeploymentID must be specified");
  if (req.DeploymentID !== id) throw new CodedError(400, "Deployment ID does not match");
  return req;
}

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

  const write = (
    verb: (typeof DEPLOYMENT_WRITES)[number],
    handler: (c: Context, id: string) => Promise<DeploymentUpdateResponse>,
  ) =>
    app.on(["PUT", "POST"], `/v1/deployment/${verb}/:id`, async (c) => {
      const out = await handler(c, c.req.param("id"));
      setIndex(c, out.Index);
      return respond(c, out);
    });

  write("fail", (c, id) => deps.server.failDeployment(id, writeContext(c, deps)));
  write("pause", async (c, id) => {
    const req = matching(await readBody(c, PauseRequestSpec), id);
    return await deps.server.pauseDeployment(id, req.Pause, writeContext(c, deps));
  });
  write("promote", async (c, id) => {
    const req = matching(await readBody(c, PromoteRequestSpec), id);
    const opts = { all: req.All, groups: req.Groups ?? [] };
    return await deps.server.promoteDeployment(id, opts, writeContext(c, deps));
  });
  write("allocation-health", async (c, id) => {
    const req = matching(await readBody(c, AllocHealthRequestSpec), id);
    const opts = {
      healthy: req.HealthyAllocationIDs ?? [],
      unhealthy: req.UnhealthyAllocationIDs ?? [],
    };
    return await deps.server.setDeploymentAllocHealth(id, opts, writeContext(c, deps));
  });
  write("unblock", async (c, id) => {
    matching(await readBody(c, UnblockRequestSpec), id);
    return await deps.server.unblockDeployment(id, writeContext(c, deps));
  });

  app.get("/v1/deployment/:id", (c) => {
    const id = c.req.param("id");
    const q = readOptions(c, deps);
    return stateQuery(c, q, state, ["deployment"], (snap) => {
      const d = snap.deployment(id);
      return d === undefined ? { body: undefined } : { body: d, index: d.ModifyIndex };
    }, { notFound: "deployment not found" });
  });
}
