/**
 * Internal endpoints for clients, under `/v1/internal/`. Nomad's clients reach these server
 * functions over RPC on port 4647 (`Node.Register`, `Node.UpdateStatus`,
 * `Node.GetClientAllocs`, `Alloc.GetAllocs`, `Node.UpdateAlloc`); until nomad-ts has its RPC
 * layer, its clients call them here over HTTP. They are not part of Nomad's HTTP API: no
 * other client calls them, and they move to the RPC listener later.
 *
 * | route                                    | Nomad RPC            |
 * | ---------------------------------------- | -------------------- |
 * | `PUT /v1/internal/node/register` `{Node}` | `Node.Register`      |
 * | `PUT /v1/internal/node/:id/status` `{Status}` | `Node.UpdateStatus` (heartbeat) |
 * | `GET /v1/internal/node/:id/allocs` (blocking) | `Node.GetClientAllocs` |
 * | `POST /v1/internal/allocs/get` `{AllocIDs}` (blocking) | `Alloc.GetAllocs` |
 * | `POST /v1/internal/allocs/update` `{Alloc}` | `Node.UpdateAlloc`   |
 *
 * A client authenticates with its node's `SecretID` as its token (`X-Nomad-Token`) when it
 * reads its allocations.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import type { AllocClientUpdate } from "../../state/mod.ts";
import { CodedError, ERR_PERMISSION_DENIED } from "../errors.ts";
import { authToken, readBody, respond, setIndex } from "../respond.ts";
import {
  AllocsGetRequestSpec,
  AllocUpdateRequestSpec,
  NodeRegisterRequestSpec,
  NodeStatusRequestSpec,
} from "./_bodies.ts";
import { readOptions, stateQuery, writeContext } from "./_util.ts";
import type { RouteDeps } from "./deps.ts";
import { nodeUpdateBody } from "./nodes.ts";

function withToken(c: Context, deps: RouteDeps, secret: string) {
  const ctx = writeContext(c, deps);
  return ctx.token === "" ? { ...ctx, token: secret } : ctx;
}

/** Registers the internal client endpoints. */
export function internalRoutes(app: Hono, deps: RouteDeps): void {
  const { server, state } = deps;

  app.on(["PUT", "POST"], "/v1/internal/node/register", async (c) => {
    const req = await readBody(c, NodeRegisterRequestSpec);
    if (req.Node === null) throw new CodedError(400, "missing node for client registration");
    if (req.Node.ID === "") throw new CodedError(400, "missing node ID for client registration");
    const out = await server.registerNode(req.Node, withToken(c, deps, req.Node.SecretID));
    setIndex(c, out.Index);
    return respond(c, nodeUpdateBody(out));
  });

  app.on(["PUT", "POST"], "/v1/internal/node/:id/status", async (c) => {
    const req = await readBody(c, NodeStatusRequestSpec);
    if (req.Status === "") throw new CodedError(400, "missing status for client heartbeat");
    const nodeId = c.req.param("id");
    if (req.NodeID !== "" && req.NodeID !== nodeId) {
      throw new CodedError(400, "Node ID in the body does not match the path");
    }
    const out = await server.updateNodeStatus(nodeId, req.Status, writeContext(c, deps));
    setIndex(c, out.Index);
    return respond(c, nodeUpdateBody(out));
  });

  app.get("/v1/internal/node/:id/allocs", (c) => {
    const nodeId = c.req.param("id");
    const q = readOptions(c, deps);
    const node = state.snapshot().node(nodeId);
    if (node !== undefined && node.SecretID !== "" && authToken(c) !== node.SecretID) {
      throw new CodedError(403, ERR_PERMISSION_DENIED);
    }
    let known = -1;
    return stateQuery(c, q, state, ["allocs"], (snap) => {
      const allocs = snap.node(nodeId) === undefined ? [] : snap.allocsByNode(nodeId);
      const byId: Record<string, number> = {};
      let index = 0;
      for (const a of allocs) {
        byId[a.ID] = a.AllocModifyIndex;
        index = Math.max(index, a.ModifyIndex);
      }
      // No allocations, or fewer than last time (some were collected): the table's index.
      const useTable = allocs.length === 0 || known < 0 || allocs.length < known;
      known = allocs.length;
      return {
        body: { Allocs: byId, MigrateTokens: {} },
        ...(useTable ? {} : { index }),
      };
    }, { embedMeta: true });
  });

  app.on(["PUT", "POST"], "/v1/internal/allocs/get", async (c) => {
    const req = await readBody(c, AllocsGetRequestSpec);
    const ids = req.AllocIDs ?? [];
    const q = readOptions(c, deps);
    return stateQuery(c, q, state, ["allocs"], (snap) => {
      const allocs = ids.map((id) => {
        const alloc = snap.alloc(id);
        if (alloc === undefined) {
          throw new CodedError(404, `Unknown allocation ${JSON.stringify(id)}`);
        }
        return alloc;
      });
      let index = 0;
      for (const a of allocs) index = Math.max(index, a.ModifyIndex);
      return { body: { Allocs: allocs }, ...(allocs.length > 0 ? { index } : {}) };
    }, { embedMeta: true });
  });

  app.on(["PUT", "POST"], "/v1/internal/allocs/update", async (c) => {
    const req = await readBody(c, AllocUpdateRequestSpec);
    const updates: AllocClientUpdate[] = (req.Alloc ?? []).map((a) => ({
      ID: a.ID,
      NodeID: a.NodeID,
      ClientStatus: a.ClientStatus,
      ClientDescription: a.ClientDescription,
      TaskStates: a.TaskStates,
      DeploymentStatus: a.DeploymentStatus,
      NetworkStatus: a.NetworkStatus,
      ...(a.ModifyTime !== 0 ? { ModifyTime: a.ModifyTime } : {}),
    }));
    if (updates.length === 0) throw new CodedError(400, "Must update at least one allocation");
    const out = await server.updateAllocsFromClient(updates, writeContext(c, deps));
    setIndex(c, out.Index);
    return respond(c, { Index: out.Index });
  });
}
