/**
 * The client's allocation and node endpoints (the client parts of Nomad's
 * `alloc_endpoint.go` and `stats_endpoint.go`):
 *
 * | route                                               | answer                        |
 * | --------------------------------------------------- | ----------------------------- |
 * | `GET /v1/client/allocation/:id/stats?task=`         | `AllocResourceUsage`          |
 * | `PUT/POST /v1/client/allocation/:id/restart` `{TaskName, AllTasks}` | `{"Index":0}` |
 * | `PUT/POST /v1/client/allocation/:id/signal` `{Task, Signal}` | `{"Index":0}`        |
 * | `GET/PUT /v1/client/allocation/:id/gc`              | empty                         |
 * | `GET /v1/client/allocation/:id/checks`              | `{}` (no Nomad service checks run yet) |
 * | `GET/PUT /v1/client/gc?node_id=`                    | empty                         |
 * | `GET /v1/client/stats?node_id=`                     | `HostStats`                   |
 * | `GET /v1/client/metadata?node_id=`                  | 501: not built yet            |
 *
 * Requests for another node's allocation (or `node_id`) are forwarded to that node's agent.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { CodedError } from "../errors.ts";
import { getField, respond } from "../respond.ts";
import { type ClientRouteDeps, onAlloc, onNode } from "./_client_deps.ts";
import { optionalJson } from "./_util.ts";

/** Nomad's `GenericResponse`: a write's index (0: the client wrote nothing to the state). */
const GENERIC_RESPONSE = { Index: 0 };

function nodeId(c: Context): string {
  return new URL(c.req.url).searchParams.get("node_id") ?? "";
}

function str(body: unknown, name: string): string {
  const v = getField(body, name);
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") {
    throw new CodedError(
      400,
      `Failed to decode body: json: cannot unmarshal ${typeof v} into Go struct field .${name} of type string`,
    );
  }
  return v;
}

async function signalBody(c: Context): Promise<{ task: string; signal: string }> {
  const text = await c.req.text();
  if (text.trim() === "") throw new CodedError(400, "Failed to decode body: EOF");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new CodedError(400, `Failed to decode body: ${(e as Error).message}`);
  }
  return { task: str(body, "Task"), signal: str(body, "Signal") };
}

/** Registers the client's allocation and node endpoints. */
export function clientAllocRoutes(app: Hono, deps: ClientRouteDeps): void {
  app.get("/v1/client/allocation/:id/stats", (c) => {
    const id = c.req.param("id");
    const task = new URL(c.req.url).searchParams.get("task") ?? "";
    return onAlloc(
      c,
      deps,
      id,
      async (client) => respond(c, await client.allocStats(id, task === "" ? undefined : task)),
    );
  });

  app.get("/v1/client/allocation/:id/checks", (c) => {
    const id = c.req.param("id");
    return onAlloc(c, deps, id, () => Promise.resolve(respond(c, {})));
  });

  app.on(["PUT", "POST"], "/v1/client/allocation/:id/restart", async (c) => {
    const id = c.req.param("id");
    const body = await optionalJson(c);
    const task = str(body, "TaskName");
    const allTasks = getField(body, "AllTasks") === true;
    return onAlloc(c, deps, id, async (client) => {
      await client.restartAlloc(id, { ...(task === "" ? {} : { task }), allTasks });
      return respond(c, GENERIC_RESPONSE);
    });
  });

  app.on(["PUT", "POST"], "/v1/client/allocation/:id/signal", async (c) => {
    const id = c.req.param("id");
    const { task, signal } = await signalBody(c);
    return onAlloc(c, deps, id, async (client) => {
      await client.signalAlloc(id, { ...(task === "" ? {} : { task }), signal });
      return respond(c, GENERIC_RESPONSE);
    });
  });

  app.on(["GET", "PUT", "POST"], "/v1/client/allocation/:id/gc", (c) => {
    const id = c.req.param("id");
    return onAlloc(c, deps, id, async (client) => {
      await client.gcAlloc(id);
      return respond(c, undefined);
    });
  });

  app.on(
    ["GET", "PUT", "POST"],
    "/v1/client/gc",
    (c) =>
      onNode(c, deps, nodeId(c), async (client) => {
        await client.gcAll();
        return respond(c, undefined);
      }),
  );

  app.get(
    "/v1/client/stats",
    (c) => onNode(c, deps, nodeId(c), async (client) => respond(c, await client.hostStats())),
  );

  app.on(["GET", "PUT", "POST"], "/v1/client/metadata", (c) =>
    onNode(c, deps, nodeId(c), () => {
      throw new CodedError(
        501,
        "Node metadata is not available in nomad-ts yet: read the node's Meta with `node status -verbose`",
      );
    }));
}
