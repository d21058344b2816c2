/**
 * `nomad-ts node status [options] [node]`: without a node, the node list (`ID  Node Pool  DC
 * Name  Class  Drain  Eligibility  Status`); with one (an ID prefix of at least two
 * characters, or `-self`), the node's detail view.
 *
 * @module
 */
import type { Node } from "../../structs/mod.ts";
import type { ApiClient, QueryMeta } from "../api/mod.ts";
import { sanitizeUUIDPrefix } from "../api/mod.ts";
import {
  type Command,
  commandErrorText,
  type Context,
  parseCommandFlags,
  PROGRAM,
} from "../command.ts";
import type { FlagValues } from "../flags.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { formatList, idLength, limit } from "../format/columns.ts";
import { formatData } from "../format/data.ts";
import { formatNodeStubList } from "../format/tables.ts";
import { goQuote } from "../format/quote.ts";
import { argsWithoutPageToken, connect, messageOf, showUiHint } from "./_api.ts";
import { outputNode } from "./_node_status_detail.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  short: { type: "bool" },
  os: { type: "bool" },
  quiet: { type: "bool" },
  verbose: { type: "bool" },
  allocs: { type: "bool" },
  self: { type: "bool" },
  stats: { type: "bool" },
  json: { type: "bool" },
  t: { type: "string" },
  filter: { type: "string" },
  "per-page": { type: "int" },
  "page-token": { type: "string" },
  ui: { type: "bool" },
} as const;

type Flags = FlagValues<typeof FLAGS>;

async function listNodes(client: ApiClient, ctx: Context, flags: Flags, args: string[]) {
  if (flags.quiet && (flags.verbose || flags.json)) {
    await ctx.ui.error("-quiet cannot be used with -verbose or -json");
    return 1;
  }
  let meta: QueryMeta | undefined;
  let nodes;
  try {
    nodes = await client.nodes.list({
      filter: flags.filter,
      perPage: flags["per-page"],
      nextToken: flags["page-token"],
      ...(flags.os ? { params: { os: "true" } } : {}),
      onMeta: (m) => (meta = m),
    });
  } catch (err) {
    await ctx.ui.error(`Error querying node status: ${messageOf(err)}`);
    return 1;
  }
  if (flags.json || flags.t !== "") {
    try {
      await ctx.ui.output(formatData(flags.json, flags.t, nodes));
    } catch (err) {
      await ctx.ui.error(messageOf(err));
      return 1;
    }
    return 0;
  }
  if (nodes.length === 0) {
    await ctx.ui.output("No nodes registered");
    return 0;
  }
  if (flags.quiet) {
    await ctx.ui.output(formatList(nodes.map((n) => n.ID)));
    return 0;
  }
  const length = idLength(flags.verbose);
  let head = "ID|Node Pool|DC|Name|Class|";
  if (flags.os) head += "OS|";
  if (flags.verbose) head += "Address|Version|";
  head += "Drain|Eligibility|Status";
  if (flags.allocs) head += "|Running Allocs";
  const rows = [head];
  for (const n of nodes) {
    let row = `${limit(n.ID, length)}|${n.NodePool}|${n.Datacenter}|${n.Name}|${n.NodeClass}`;
    if (flags.os) row += `|${n.Attributes?.["os.name"] ?? ""}`;
    if (flags.verbose) row += `|${n.Address}|${n.Version}`;
    row += `|${n.Drain}|${n.SchedulingEligibility}|${n.Status}`;
    if (flags.allocs) {
      try {
        const allocs = await client.nodes.allocations(n.ID);
        row += `|${allocs.filter((a) => a.ClientStatus === "running").length}`;
      } catch (err) {
        await ctx.ui.error(`Error querying node allocations: ${messageOf(err)}`);
        return 1;
      }
    }
    rows.push(row);
  }
  await ctx.ui.output(formatList(rows));
  if (meta && meta.nextToken !== "") {
    await ctx.ui.output(`
Results have been paginated. To get the next page run:

${argsWithoutPageToken([PROGRAM, "node", "status", ...args])} -page-token ${meta.nextToken}`);
  }
  await showUiHint(client, ctx, "node status", {}, { open: flags.ui });
  return 0;
}

async function showNode(client: ApiClient, ctx: Context, flags: Flags, arg: string | undefined) {
  let nodeID = arg ?? "";
  if (flags.self) {
    try {
      nodeID = await client.agent.localNodeID();
    } catch (err) {
      await ctx.ui.error(messageOf(err));
      return 1;
    }
  }
  if (nodeID.length === 1) {
    await ctx.ui.error("Identifier must contain at least two characters.");
    return 1;
  }
  nodeID = sanitizeUUIDPrefix(nodeID);
  let nodes;
  try {
    nodes = await client.nodes.prefixList(nodeID);
  } catch (err) {
    await ctx.ui.error(`Error querying node info: ${messageOf(err)}`);
    return 1;
  }
  if (nodes.length === 0) {
    await ctx.ui.error(`No node(s) with prefix ${goQuote(nodeID)} found`);
    return 1;
  }
  if (nodes.length > 1) {
    await ctx.ui.error(
      `Prefix matched multiple nodes\n\n${formatNodeStubList(nodes, flags.verbose)}`,
    );
    return 1;
  }
  let node: Node;
  try {
    node = await client.nodes.info(nodes[0]!.ID);
  } catch (err) {
    await ctx.ui.error(`Error querying node info: ${messageOf(err)}`);
    return 1;
  }
  if (flags.json || flags.t !== "") {
    try {
      await ctx.ui.output(formatData(flags.json, flags.t, node));
    } catch (err) {
      await ctx.ui.error(messageOf(err));
      return 1;
    }
    return 0;
  }
  return await outputNode({
    client,
    ctx,
    length: idLength(flags.verbose),
    verbose: flags.verbose,
    short: flags.short,
    stats: flags.stats,
    openUi: flags.ui,
  }, node);
}

/** The `node status` command. */
const nodeStatus: Command = {
  name: "node status",
  help: () =>
    `Usage: ${PROGRAM} node status [options] <node>

  Shows the client nodes jobs can be placed on: without a node, a list with
  their status; with a node (a prefix of its ID), its details, drivers, events,
  resource use and allocations.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Node Status Options:

  -self
    Show the node of the agent the command talks to.

  -stats
    Show detailed resource use (CPU, memory and disk statistics).

  -allocs
    Show how many allocations run on each node.

  -short
    With a node, leave out the resource sections.

  -verbose
    Show full IDs, addresses, versions, drivers, attributes and meta.

  -per-page
    How many nodes to show per page.

  -page-token
    Where to start the page (the token the previous page printed).

  -filter
    Show only the nodes that match this filter expression.

  -ui
    Open the node's page in the web UI.

  -os
    Show each node's operating system.

  -quiet
    Show only node IDs.

  -json
    Print the nodes or the node as JSON.

  -t
    Format the output with a Go template (not supported yet).`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(nodeStatus, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (parsed.args.length > 1) {
      await ctx.ui.error("This command takes either one or no arguments");
      await ctx.ui.error(commandErrorText(nodeStatus));
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      if (parsed.args.length === 0 && !flags.self) {
        return await listNodes(client, ctx, flags, args);
      }
      return await showNode(client, ctx, flags, parsed.args[0]);
    } finally {
      client.close();
    }
  },
};
export default nodeStatus;
