/**
 * Finding the node a node command acts on, as Nomad's `node eligibility` and `node drain` do:
 * the local agent's node with `-self`, else the node whose ID starts with the argument (at
 * least two characters, cut to whole bytes), with Nomad's messages for no match and for an
 * ambiguous prefix (the candidates listed with full IDs).
 *
 * @module
 */
import type { Node } from "../../structs/mod.ts";
import { type ApiClient, type QueryMeta, sanitizeUUIDPrefix } from "../api/mod.ts";
import type { Context } from "../command.ts";
import { formatNodeStubList } from "../format/tables.ts";
import { goQuote } from "../format/quote.ts";
import { messageOf } from "./_api.ts";

/** A node found by {@link findNode}. */
export interface FoundNode {
  readonly node: Node;
  /** The ID prefix that was looked up (after sanitizing), to tell a prefix from a full ID. */
  readonly prefix: string;
  /** The metadata of the node query (its index starts a blocking query). */
  readonly meta: QueryMeta | undefined;
}

/** Options of {@link findNode}. */
export interface FindNodeOptions {
  /** Use the node of the agent the command talks to. */
  readonly self: boolean;
  /** The ID or prefix the user gave (ignored with `self`). */
  readonly arg?: string | undefined;
  /** What query errors start with (`Error toggling drain mode`). */
  readonly errorPrefix: string;
}

/**
 * The node a command acts on; prints Nomad's error and gives the exit code (1) when there is
 * none or several.
 */
export async function findNode(
  client: ApiClient,
  ctx: Context,
  opts: FindNodeOptions,
): Promise<FoundNode | { code: number }> {
  let nodeID = opts.arg ?? "";
  if (opts.self) {
    try {
      nodeID = await client.agent.localNodeID();
    } catch (err) {
      await ctx.ui.error(messageOf(err));
      return { code: 1 };
    }
  }
  if (nodeID.length === 1) {
    await ctx.ui.error("Identifier must contain at least two characters.");
    return { code: 1 };
  }
  nodeID = sanitizeUUIDPrefix(nodeID);
  let stubs;
  try {
    stubs = await client.nodes.prefixList(nodeID);
  } catch (err) {
    await ctx.ui.error(`${opts.errorPrefix}: ${messageOf(err)}`);
    return { code: 1 };
  }
  if (stubs.length === 0) {
    await ctx.ui.error(`No node(s) with prefix or id ${goQuote(nodeID)} found`);
    return { code: 1 };
  }
  if (stubs.length > 1) {
    await ctx.ui.error(`Prefix matched multiple nodes\n\n${formatNodeStubList(stubs, true)}`);
    return { code: 1 };
  }
  let meta: QueryMeta | undefined;
  try {
    const node = await client.nodes.info(stubs[0]!.ID, { onMeta: (m) => (meta = m) });
    return { node, prefix: nodeID, meta };
  } catch (err) {
    await ctx.ui.error(`${opts.errorPrefix}: ${messageOf(err)}`);
    return { code: 1 };
  }
}

/**
 * The full ID of the node `prefix` names, as Nomad's `lookupNodeID` (`monitor -node-id`).
 *
 * @throws {Error} With the message to print: too short a prefix, a failed query, no match, or
 * several.
 */
export async function lookupNodeID(client: ApiClient, prefix: string): Promise<string> {
  if (prefix.length === 1) throw new Error("Node ID must contain at least two characters.");
  const id = sanitizeUUIDPrefix(prefix);
  let stubs;
  try {
    stubs = await client.nodes.prefixList(id);
  } catch (err) {
    throw new Error(`Error querying node: ${messageOf(err)}`, { cause: err });
  }
  if (stubs.length === 0) throw new Error(`No node(s) with prefix or id ${goQuote(id)} found`);
  if (stubs.length > 1) {
    throw new Error(`Prefix matched multiple nodes\n\n${formatNodeStubList(stubs, true)}`);
  }
  return stubs[0]!.ID;
}
