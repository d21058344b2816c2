/**
 * `nomad-ts deployment resume [options] <deployment>`: resumes a paused deployment, then
 * follows the evaluation that continues its rolling update (or with `-detach` prints its ID).
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

/** The `deployment resume` command. */
const deploymentResume: Command = {
  name: "deployment resume",
  help: () =>
    `Usage: ${PROGRAM} deployment resume [options] <deployment id>

  Resumes a paused deployment: the placement of the new allocations of its
  rolling update goes on.

General Options:

  ${generalOptionsUsage()}

Resume Options:

  -detach
    Print the evaluation ID and return instead of following the evaluation.

  -verbose
    Show full IDs.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(deploymentResume, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    const length = idLength(flags.verbose);
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      const d = await deploymentArg(deploymentResume, parsed.args, client, ctx, length);
      if (d === undefined) return 1;
      let u;
      try {
        u = await client.deployments.pause(d.ID, false);
      } catch (err) {
        await ctx.ui.error(`Error resuming deployment: ${messageOf(err)}`);
        return 1;
      }
      await ctx.ui.output(`Deployment ${goQuote(d.ID)} resumed`);
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
export default deploymentResume;
