/**
 * Cluster-wide endpoints: `/v1/status/leader` and `peers`, `/v1/regions`, the operator's
 * scheduler configuration, the Raft configuration and peer removal (`/v1/operator/raft/...`),
 * `/v1/system/gc` and `reconcile/summaries`, the namespaces (only `default` exists),
 * `/v1/metrics`, and Nomad's 501 for Enterprise-only paths.
 *
 * @module
 */
import type { Hono } from "hono";
import { SchedulerConfigurationSpec } from "../../structs/mod.ts";
import { decode } from "../../structs/schema.ts";
import { CodedError, ERR_INVALID_METHOD } from "../errors.ts";
import { registerMetrics } from "../metrics.ts";
import { readJson, respond, setIndex, setMeta } from "../respond.ts";
import { notImplemented, readOptions, stateQuery, writeContext } from "./_util.ts";
import type { RouteDeps } from "./deps.ts";

/** Nomad's answer on Enterprise-only paths. */
export const ERR_ENTERPRISE_ONLY = "Nomad Enterprise only endpoint";

/** The paths Nomad's community edition answers with {@link ERR_ENTERPRISE_ONLY}. */
export const ENTERPRISE_PATHS = [
  "/v1/sentinel/policies",
  "/v1/sentinel/policy/*",
  "/v1/quotas",
  "/v1/quota-usages",
  "/v1/quota/*",
  "/v1/quota",
  "/v1/recommendation",
  "/v1/recommendations",
  "/v1/recommendations/apply",
  "/v1/recommendation/*",
] as const;

/** The `default` namespace, as Nomad creates it. */
export const DEFAULT_NAMESPACE_OBJECT = {
  Name: "default",
  Description: "Default shared namespace",
  Quota: "",
  Capabilities: null,
  NodePoolConfiguration: null,
  VaultConfiguration: null,
  ConsulConfiguration: null,
  Meta: null,
  Hash: null,
  CreateIndex: 1,
  ModifyIndex: 1,
  RequiredExtraClaims: null,
  OptionalExtraClaims: null,
} as const;

/** Nomad's 400 for `DELETE /v1/operator/raft/peer?address=`: peers go by ID since Raft v3. */
export const ERR_REMOVE_BY_ADDRESS =
  "Removing a peer by address is not supported in the current raft protocol version";

/** Nomad's 400 for `DELETE /v1/operator/raft/peer` without `?id=`. */
export const ERR_PEER_ID_REQUIRED = "Must specify the peer's ID to remove";

const ALGORITHMS = new Set(["", "binpack", "spread"]);

/** Registers the cluster-wide endpoints. */
export function clusterRoutes(app: Hono, deps: RouteDeps): void {
  const { server, state } = deps;

  app.get("/v1/status/leader", (c) => {
    readOptions(c, deps);
    return respond(c, server.leader());
  });
  app.get("/v1/status/peers", (c) => {
    readOptions(c, deps);
    return respond(c, server.peers());
  });
  app.get("/v1/regions", (c) => respond(c, [server.region]));

  app.get("/v1/operator/scheduler/configuration", (c) => {
    const q = readOptions(c, deps);
    return stateQuery(c, q, state, ["scheduler_config"], (snap) => ({
      body: { SchedulerConfig: snap.schedulerConfig() },
    }), { embedMeta: true });
  });

  app.on(["PUT", "POST"], "/v1/operator/scheduler/configuration", async (c) => {
    writeContext(c, deps);
    const json = await readJson(c).catch((e: Error) => {
      throw new CodedError(400, `Error parsing scheduler config: ${e.message}`);
    });
    const { value: config, problems } = decode(SchedulerConfigurationSpec, json);
    if (problems.length > 0) {
      const list = problems.map((p) => `${p.path}: ${p.message}`).join("; ");
      throw new CodedError(400, `Error parsing scheduler config: ${list}`);
    }
    if (!ALGORITHMS.has(config.SchedulerAlgorithm)) {
      throw new CodedError(400, `invalid scheduler algorithm: ${config.SchedulerAlgorithm}`);
    }
    const params = new URL(c.req.url).searchParams;
    let cas: number | null = null;
    if (params.has("cas")) {
      const raw = params.get("cas") ?? "";
      if (!/^\d+$/.test(raw)) {
        throw new CodedError(
          400,
          `Error parsing cas value: strconv.ParseUint: parsing ${JSON.stringify(raw)}: ` +
            "invalid syntax",
        );
      }
      cas = Number(raw);
    }
    const out = await server.setSchedulerConfig(config, cas);
    setIndex(c, out.Index);
    return respond(c, { Updated: out.Updated, Index: out.Index });
  });

  // Nomad routes every `/v1/operator/raft/` path by its prefix, each handler checking the verb.
  app.all("/v1/operator/raft/*", async (c) => {
    const rest = c.req.path.slice("/v1/operator/raft/".length);
    if (rest.startsWith("configuration")) {
      // Nomad answers a wrong verb here with a bare 405, without its usual text.
      if (c.req.method !== "GET") return c.body(null, 405);
      readOptions(c, deps);
      return respond(c, server.raftConfiguration());
    }
    if (rest.startsWith("peer")) {
      if (c.req.method !== "DELETE") throw new CodedError(404, ERR_INVALID_METHOD);
      const params = new URL(c.req.url).searchParams;
      if (params.has("address")) throw new CodedError(400, ERR_REMOVE_BY_ADDRESS);
      if (!params.has("id")) throw new CodedError(400, ERR_PEER_ID_REQUIRED);
      writeContext(c, deps);
      await server.removeRaftPeer(params.get("id") ?? "");
      return respond(c, undefined);
    }
    if (rest.startsWith("transfer-leadership")) {
      throw notImplemented(
        "Transferring Raft leadership is not supported: the servers elect their leader " +
          "through the state backend",
      );
    }
    throw new CodedError(404, ERR_INVALID_METHOD);
  });

  app.put("/v1/system/gc", async (c) => {
    readOptions(c, deps);
    await server.garbageCollect();
    return respond(c, undefined);
  });
  app.put("/v1/system/reconcile/summaries", async (c) => {
    readOptions(c, deps);
    await server.reconcileSummaries();
    return respond(c, undefined);
  });

  app.get("/v1/namespaces", (c) => {
    const q = readOptions(c, deps);
    setMeta(c, { index: 1 });
    return respond(
      c,
      DEFAULT_NAMESPACE_OBJECT.Name.startsWith(q.prefix) ? [DEFAULT_NAMESPACE_OBJECT] : [],
    );
  });
  app.get("/v1/namespace/:name", (c) => {
    readOptions(c, deps);
    setMeta(c, { index: 1 });
    if (c.req.param("name") !== DEFAULT_NAMESPACE_OBJECT.Name) {
      throw new CodedError(404, "Namespace not found");
    }
    return respond(c, DEFAULT_NAMESPACE_OBJECT);
  });
  const namespacesLater = () => {
    throw notImplemented(
      'Creating, changing or deleting namespaces is not supported yet: only "default" exists',
    );
  };
  app.on(["PUT", "POST"], "/v1/namespace", namespacesLater);
  app.on(["PUT", "POST", "DELETE"], "/v1/namespace/:name", namespacesLater);

  registerMetrics(app, deps.metrics, { prometheus: deps.agent.prometheusMetrics ?? false });

  for (const path of ENTERPRISE_PATHS) {
    app.all(path, () => {
      throw new CodedError(501, ERR_ENTERPRISE_ONLY);
    });
  }
}
