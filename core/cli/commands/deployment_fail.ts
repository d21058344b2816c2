/**
 * `nomad-ts deployment fail [options] <deployment>`: marks a deployment failed, which stops
 * its rolling update and, with `auto_revert`, rolls the job back to its latest stable version
 * (`Deployment "..." failed. Auto-reverted to job version 0.`); then follows the evaluation it
 * created, or with `-detach` prints its ID.
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

/** The `deployment fail` command. */
const deploymentFail: Command = {
  name: "deployment fail",
  help: () =>
    `Usage: ${PROGRAM} deployment fail [options] <deployment id>

  Marks a deployment as failed. This stops the placement of new allocations of
  its rolling update and, when the job has auto_revert, rolls the job back to
  its latest stable version.

General Options:

  ${generalOptionsUsage()}

Fail Options:

  -detach
    Print the evaluation ID and return instead of following the evaluation.

  -verbose
    Show full IDs.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(deploymentFail, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    const length = idLength(flags.verbose);
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      const d = await deploymentArg(deploymentFail, parsed.args, client, ctx, length);
      if (d === undefined) return 1;
      let u;
      try {
        u = await client.deployments.fail(d.ID);
      } catch (err) {
        await ctx.ui.error(`Error failing deployment: ${messageOf(err)}`);
        return 1;
      }
      const reverted = u.RevertedJobVersion ?? null;
      await ctx.ui.output(
        reverted === null
          ? `Deployment ${goQuote(d.ID)} failed`
          : `Deployment ${goQuote(d.ID)} failed. Auto-reverted to job version ${reverted}.`,
      );
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
export default deploymentFail;
