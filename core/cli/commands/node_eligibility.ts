/**
 * `nomad-ts node eligibility -enable|-disable [-self] <node>`: marks a node eligible or
 * ineligible for new placements; what already runs there stays.
 *
 * @module
 */
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { connect, messageOf } from "./_api.ts";
import { findNode } from "./_node_lookup.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  enable: { type: "bool" },
  disable: { type: "bool" },
  self: { type: "bool" },
} as const;

const ERROR_PREFIX = "Error updating scheduling eligibility";

/** The `node eligibility` command. */
const nodeEligibility: Command = {
  name: "node eligibility",
  help: () =>
    `Usage: ${PROGRAM} node eligibility [options] <node>

  Sets whether the servers may place new allocations on a node. An ineligible
  node keeps the allocations it runs; use "${PROGRAM} node drain" to move them
  off.

  Give exactly one of -enable and -disable. -self acts on the node of the
  agent the command talks to.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Node Eligibility Options:

  -disable
    Make the node ineligible for new allocations.

  -enable
    Make the node eligible for new allocations.

  -self
    Act on the node of the local agent.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(nodeEligibility, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (flags.enable === flags.disable) {
      await ctx.ui.error("Either the '-enable' or '-disable' flag must be set");
      await ctx.ui.error(commandErrorText(nodeEligibility));
      return 1;
    }
    const n = parsed.args.length;
    if ((flags.self && n !== 0) || (!flags.self && n !== 1)) {
      await ctx.ui.error("Node ID must be specified if -self isn't being used");
      await ctx.ui.error(commandErrorText(nodeEligibility));
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      const found = await findNode(client, ctx, {
        self: flags.self,
        arg: parsed.args[0],
        errorPrefix: ERROR_PREFIX,
      });
      if ("code" in found) return found.code;
      const id = found.node.ID;
      try {
        await client.nodes.toggleEligibility(id, flags.enable);
      } catch (err) {
        await ctx.ui.error(`${ERROR_PREFIX}: ${messageOf(err)}`);
        return 1;
      }
      const state = flags.enable ? "eligible" : "ineligible";
      await ctx.ui.output(
        `Node "${id}" scheduling eligibility set: ${state} for scheduling`,
      );
      return 0;
    } finally {
      client.close();
    }
  },
};
export default nodeEligibility;
