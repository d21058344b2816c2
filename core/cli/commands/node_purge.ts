/**
 * `nomad-ts node purge [options] <node>`: removes a node from the servers' state, with an
 * evaluation for each job that had allocations there. Nomad's API has this (`PUT
 * /v1/node/:id/purge`) but its CLI does not; the command follows `node eligibility` in flags,
 * node lookup and messages.
 *
 * @module
 */
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { connect, messageOf } from "./_api.ts";
import { findNode } from "./_node_lookup.ts";

const FLAGS = { ...CLIENT_FLAGS, verbose: { type: "bool" } } as const;

const ERROR_PREFIX = "Error purging node";

/** The `node purge` command. */
const nodePurge: Command = {
  name: "node purge",
  help: () =>
    `Usage: ${PROGRAM} node purge [options] <node>

  Removes a node (given by its ID or an ID prefix) from the servers' state.
  The jobs that had allocations on it are evaluated again, so that their
  allocations are replaced elsewhere. A node whose client still runs registers
  again at its next heartbeat; stop the client first.

  This command is a nomad-ts addition: Nomad offers it only in its HTTP API
  (PUT /v1/node/:node_id/purge).

General Options:

  ${generalOptionsUsage({ namespace: false })}

Node Purge Options:

  -verbose
    Print the IDs of the evaluations the purge created.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(nodePurge, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (parsed.args.length !== 1) {
      await ctx.ui.error("This command takes one argument: <node>");
      await ctx.ui.error(commandErrorText(nodePurge));
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      const found = await findNode(client, ctx, {
        self: false,
        arg: parsed.args[0],
        errorPrefix: ERROR_PREFIX,
      });
      if ("code" in found) return found.code;
      const id = found.node.ID;
      let evalIDs: string[];
      try {
        evalIDs = (await client.nodes.purge(id)).EvalIDs ?? [];
      } catch (err) {
        await ctx.ui.error(`${ERROR_PREFIX}: ${messageOf(err)}`);
        return 1;
      }
      await ctx.ui.output(`Node "${id}" purged`);
      if (flags.verbose) {
        for (const evalID of evalIDs) await ctx.ui.output(`Evaluation ID: ${evalID}`);
      }
      return 0;
    } finally {
      client.close();
    }
  },
};
export default nodePurge;
