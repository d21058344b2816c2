/**
 * `nomad-ts deployment unblock [options] <deployment>`: unblocks a multiregion deployment that
 * waits for its peer regions. Single-region deployments are never blocked, so the server only
 * checks the deployment and nothing follows.
 *
 * @module
 */
import { type Command, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { idLength } from "../format/columns.ts";
import { goQuote } from "../format/quote.ts";
import { connect, messageOf } from "./_api.ts";
import { deploymentArg } from "./_deployment_parts.ts";
import { EvalMonitor } from "./_monitor.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  detach: { type: "bool" },
  verbose: { type: "bool" },
} as const;

/** The `deployment unblock` command. */
const deploymentUnblock: Command = {
  name: "deployment unblock",
  help: () =>
    `Usage: ${PROGRAM} deployment unblock [options] <deployment id>

  Unblocks a multiregion deployment that waits for the deployments of its peer
  regions to complete.

General Options:

  ${generalOptionsUsage()}

Unblock Options:

  -detach
    Print the evaluation ID and return instead of following the evaluation.

  -verbose
    Show full IDs.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(deploymentUnblock, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    const length = idLength(flags.verbose);
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      const d = await deploymentArg(deploymentUnblock, parsed.args, client, ctx, length);
      if (d === undefined) return 1;
      let u;
      try {
        u = await client.deployments.unblock(d.ID);
      } catch (err) {
        await ctx.ui.error(`Error unblocking deployment: ${messageOf(err)}`);
        return 1;
      }
      await ctx.ui.output(`Deployment ${goQuote(d.ID)} unblocked`);
      if (u.EvalID === "") return 0;
      if (flags.detach) {
        await ctx.ui.output(`Evaluation ID: ${u.EvalID}`);
        return 0;
      }
      await ctx.ui.output("");
      return await new EvalMonitor(client, ctx, length).monitor(u.EvalID);
    } finally {
      client.close();
    }
  },
};
export default deploymentUnblock;
