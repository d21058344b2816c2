/**
 * `PUT /v1/search`: IDs that start with a prefix, by context (`jobs`, `evals`, `allocs`,
 * `nodes`, `deployment`, `namespaces`, `node_pools`, or `all`), at most 20 per context with a
 * flag saying whether more matched. Contexts whose objects nomad-ts does not keep yet (CSI
 * plugins and volumes, host volumes, scaling policies, variables) match nothing.
 *
 * @module
 */
import type { Hono } from "hono";
import type { StateSnapshot, TableName } from "../../state/mod.ts";
import { CodedError } from "../errors.ts";
import { ALL_NAMESPACES } from "../query.ts";
import { readBody, respond, setMeta } from "../respond.ts";
import { SearchRequestSpec } from "./_bodies.ts";
import { queryMeta, readOptions } from "./_util.ts";
import type { RouteDeps } from "./deps.ts";

/** The most matches a prefix search returns per context (Nomad's `truncateLimit`). */
export const TRUNCATE_LIMIT = 20;

/** Every searchable context, in the order Nomad lists them. */
export const SEARCH_CONTEXTS = [
  "allocs",
  "jobs",
  "nodes",
  "node_pools",
  "evals",
  "deployment",
  "plugins",
  "volumes",
  "scaling_policy",
  "vars",
  "namespaces",
  "host_volumes",
] as const;

/** A searchable context. */
export type SearchContext = typeof SEARCH_CONTEXTS[number];

const TABLES: Partial<Record<SearchContext, TableName>> = {
  allocs: "allocs",
  jobs: "jobs",
  nodes: "nodes",
  evals: "evals",
  deployment: "deployment",
};

/** The node pools every cluster has. */
const BUILT_IN_NODE_POOLS = ["all", "default"];

function idsOf(
  snap: StateSnapshot,
  context: SearchContext,
  prefix: string,
  namespace: string,
): readonly string[] {
  const ns = namespace === ALL_NAMESPACES ? {} : { namespace };
  switch (context) {
    case "jobs":
      return snap.jobs({ ...ns, prefix }).map((j) => j.ID ?? "");
    case "evals":
      return snap.evals({ ...ns, prefix }).map((e) => e.ID);
    case "allocs":
      return snap.allocs({ ...ns, prefix }).map((a) => a.ID);
    case "deployment":
      return snap.deployments({ ...ns, prefix }).map((d) => d.ID);
    case "nodes":
      return snap.nodesByPrefix(prefix).map((n) => n.ID);
    case "namespaces":
      return ["default"].filter((n) => n.startsWith(prefix));
    case "node_pools":
      return BUILT_IN_NODE_POOLS.filter((p) => p.startsWith(prefix));
    default:
      return [];
  }
}

function contextsOf(context: string): SearchContext[] {
  if (context === "all") return [...SEARCH_CONTEXTS];
  if ((SEARCH_CONTEXTS as readonly string[]).includes(context)) return [context as SearchContext];
  throw new CodedError(
    400,
    `context must be one of [${SEARCH_CONTEXTS.join(" ")}] or 'all' for all contexts; ` +
      `got ${JSON.stringify(context)}`,
  );
}

/** Registers `/v1/search`. */
export function searchRoutes(app: Hono, deps: RouteDeps): void {
  app.on(["PUT", "POST"], "/v1/search", async (c) => {
    const req = await readBody(c, SearchRequestSpec);
    const q = readOptions(c, deps);
    const contexts = contextsOf(req.Context);
    const snap = deps.state.snapshot();
    const matches: Record<string, string[] | null> = {};
    const truncations: Record<string, boolean> = {};
    let index = 0;
    for (const context of [...contexts].sort()) {
      const ids = idsOf(snap, context, req.Prefix, q.namespace);
      matches[context] = ids.length === 0 ? null : ids.slice(0, TRUNCATE_LIMIT);
      truncations[context] = ids.length > TRUNCATE_LIMIT;
      const table = TABLES[context];
      index = Math.max(index, table === undefined ? 0 : snap.tableIndex(table));
    }
    index = Math.max(index, 1);
    setMeta(c, { index });
    return respond(c, { Matches: matches, Truncations: truncations, ...queryMeta(index) });
  });
}
