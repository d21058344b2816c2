/**
 * `nomad-ts deployment pause [options] <deployment>`: pauses a deployment, which stops the
 * placement of new allocations of its rolling update until it is resumed.
 *
 * @module
 */
import { type Command, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { idLength } from "../format/columns.ts";
import { goQuote } from "../format/quote.ts";
import { connect, messageOf } from "./_api.ts";
import { deploymentArg } from "./_deployment_parts.ts";

const FLAGS = { ...CLIENT_FLAGS, verbose: { type: "bool" } } as const;

/** The `deployment pause` command. */
const deploymentPause: Command = {
  name: "deployment pause",
  help: () =>
    `Usage: ${PROGRAM} deployment pause [options] <deployment id>

  Pauses a deployment: no new allocation of its rolling update is placed until
  "${PROGRAM} deployment resume" resumes it.

General Options:

  ${generalOptionsUsage()}

Pause Options:

  -verbose
    Show full IDs.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(deploymentPause, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    const length = idLength(flags.verbose);
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      const d = await deploymentArg(deploymentPause, parsed.args, client, ctx, length);
      if (d === undefined) return 1;
      try {
        await client.deployments.pause(d.ID, true);
      } catch (err) {
        await ctx.ui.error(`Error pausing deployment: ${messageOf(err)}`);
        return 1;
      }
      await ctx.ui.output(`Deployment ${goQuote(d.ID)} paused`);
      return 0;
    } finally {
      client.close();
    }
  },
};
export default deploymentPause;
