/**
 * `/v1/nodes` and `/v1/node/:id` with its allocations, and the operator's node writes:
 * `evaluate`, `drain`, `eligibility`, `purge`.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { type DrainStrategy, type Node, ZERO_TIME } from "../../structs/mod.ts";
import { CodedError } from "../errors.ts";
import { idTokenizer, paginate } from "../paginate.ts";
import { queryBool } from "../query.ts";
import { readBody, respond, setIndex } from "../respond.ts";
import { NodeDrainRequestSpec, NodeEligibilityRequestSpec } from "./_bodies.ts";
import { compareStrings, queryMeta, readOptions, stateQuery, writeContext } from "./_util.ts";
import { sanitizeAlloc } from "./allocs.ts";
import type { RouteDeps } from "./deps.ts";
import { nodeListStub, type NodeStubFields } from "./stubs.ts";

/** A node without its secret (Nomad's `Node.Sanitize`). */
export function sanitizeNode(node: Node): Node {
  return node.SecretID === "" ? node : { ...node, SecretID: "" };
}

/** What node writes answer: Nomad's `NodeUpdateResponse` with its query meta. */
export function nodeUpdateBody(out: {
  EvalIDs: string[] | null;
  EvalCreateIndex: number;
  NodeModifyIndex: number;
  Index: number;
  HeartbeatTTL?: number;
  LeaderRPCAddr?: string;
  NumNodes?: number;
  Servers?: unknown;
}): Record<string, unknown> {
  return {
    HeartbeatTTL: out.HeartbeatTTL ?? 0,
    EvalIDs: out.EvalIDs,
    EvalCreateIndex: out.EvalCreateIndex,
    NodeModifyIndex: out.NodeModifyIndex,
    Features: 0,
    LeaderRPCAddr: out.LeaderRPCAddr ?? "",
    NumNodes: out.NumNodes ?? 0,
    Servers: out.Servers ?? null,
    SchedulingEligibility: "",
    SignedIdentity: null,
    ...queryMeta(out.Index),
  };
}

function stubFields(c: Context): NodeStubFields {
  try {
    return { resources: queryBool(c, "resources") ?? false, os: queryBool(c, "os") ?? false };
  } catch (e) {
    throw new CodedError(400, `Failed to parse node list fields: ${(e as Error).message}`);
  }
}

/** Registers the node endpoints. */
export function nodeRoutes(app: Hono, deps: RouteDeps): void {
  const { state, server } = deps;

  app.get("/v1/nodes", (c) => {
    const q = readOptions(c, deps);
    const fields = stubFields(c);
    return stateQuery(c, q, state, ["nodes"], (snap) => {
      const rows = q.prefix !== "" ? snap.nodesByPrefix(q.prefix) : snap.nodes();
      const page = paginate(rows, q, {
        tokenizer: idTokenizer<Node>(),
        stub: (n) => nodeListStub(n, fields),
      });
      return { body: page.items, nextToken: page.nextToken };
    });
  });

  app.get("/v1/node/:id", (c) => {
    const id = c.req.param("id");
    const q = readOptions(c, deps);
    return stateQuery(c, q, state, ["nodes"], (snap) => {
      const node = snap.node(id);
      return node === undefined
        ? { body: undefined }
        : { body: sanitizeNode(node), index: node.ModifyIndex };
    }, { notFound: "node not found" });
  });

  app.get("/v1/node/:id/allocations", (c) => {
    const id = c.req.param("id");
    const q = readOptions(c, deps);
    return stateQuery(c, q, state, ["allocs"], (snap) => {
      const allocs = [...snap.allocsByNode(id)].sort((a, b) => compareStrings(a.ID, b.ID));
      if (allocs.length === 0) return { body: [] };
      let index = 0;
      for (const a of allocs) index = Math.max(index, a.ModifyIndex);
      return { body: allocs.map(sanitizeAlloc), index };
    });
  });

  app.on(["PUT", "POST"], "/v1/node/:id/evaluate", async (c) => {
    const out = await server.evaluateNode(c.req.param("id"), writeContext(c, deps));
    setIndex(c, out.Index);
    return respond(c, nodeUpdateBody(out));
  });

  app.on(["PUT", "POST"], "/v1/node/:id/drain", async (c) => {
    const req = await readBody(c, NodeDrainRequestSpec);
    const drain: DrainStrategy | null = req.DrainSpec === null ? null : {
      Deadline: req.DrainSpec.Deadline,
      IgnoreSystemJobs: req.DrainSpec.IgnoreSystemJobs,
      ForceDeadline: ZERO_TIME,
      StartedAt: ZERO_TIME,
    };
    const out = await server.updateNodeDrain(
      c.req.param("id"),
      drain,
      req.MarkEligible,
      writeContext(c, deps),
    );
    setIndex(c, out.Index);
    return respond(c, {
      NodeModifyIndex: out.NodeModifyIndex,
      EvalIDs: out.EvalIDs,
      EvalCreateIndex: out.EvalCreateIndex,
      Index: out.Index,
    });
  });

  app.on(["PUT", "POST"], "/v1/node/:id/eligibility", async (c) => {
    const req = await readBody(c, NodeEligibilityRequestSpec);
    const nodeId = req.NodeID || c.req.param("id");
    if (req.Eligibility !== "eligible" && req.Eligibility !== "ineligible") {
      throw new CodedError(
        400,
        `invalid scheduling eligibility ${JSON.stringify(req.Eligibility)}: ` +
          `use "eligible" or "ineligible"`,
      );
    }
    const out = await server.updateNodeEligibility(
      nodeId,
      req.Eligibility,
      writeContext(c, deps),
    );
    setIndex(c, out.Index);
    return respond(c, {
      NodeModifyIndex: out.NodeModifyIndex,
      EvalIDs: out.EvalIDs,
      EvalCreateIndex: out.EvalCreateIndex,
      Index: out.Index,
    });
  });

  app.on(["PUT", "POST"], "/v1/node/:id/purge", async (c) => {
    const out = await server.purgeNode(c.req.param("id"), writeContext(c, deps));
    setIndex(c, out.Index);
    return respond(c, nodeUpdateBody(out));
  });
}
