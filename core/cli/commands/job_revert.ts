/**
 * `nomad-ts job revert [options] <job> <version|tag>`: makes an earlier version of a job
 * current again, then follows the evaluation that rolls it out (or with `-detach` prints its
 * ID).
 *
 * @module
 */
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { idLength } from "../format/columns.ts";
import { connect, messageOf, parseUint } from "./_api.ts";
import { EvalMonitor } from "./_monitor.ts";
import { jobIDByPrefix } from "./_prefix.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  detach: { type: "bool" },
  verbose: { type: "bool" },
} as const;

/** The `job revert` command. */
const jobRevert: Command = {
  name: "job revert",
  help: () =>
    `Usage: ${PROGRAM} job revert [options] <job> <version|tag>

  Makes an earlier version of a job current again; "${PROGRAM} job history" lists
  the versions. The version is given by number or by its tag. The job may be
  given by a unique prefix of its ID.

General Options:

  ${generalOptionsUsage()}

Revert Options:

  -detach
    Print the evaluation ID and return instead of following the evaluation.

  -verbose
    Show full IDs.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(jobRevert, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (parsed.args.length !== 2) {
      await ctx.ui.error("This command takes two arguments: <job> <version|tag>");
      await ctx.ui.error(commandErrorText(jobRevert));
      return 1;
    }
    const [jobArg, versionArg] = parsed.args as [string, string];
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      let version: number | undefined;
      try {
        version = parseUint(versionArg);
      } catch {
        version = undefined;
      }
      if (version === undefined) {
        try {
          version = (await client.jobs.versionByTag(jobArg, versionArg)).Version ?? 0;
        } catch (err) {
          await ctx.ui.error(`Error retrieving job versions: ${messageOf(err)}`);
          return 1;
        }
      }
      let ref;
      try {
        ref = await jobIDByPrefix(client, jobArg.trim());
      } catch (err) {
        await ctx.ui.error(messageOf(err));
        return 1;
      }
      let evalID: string;
      try {
        evalID = (await client.jobs.revert(ref.id, version, {}, { namespace: ref.namespace }))
          .EvalID;
      } catch (err) {
        await ctx.ui.error(`Error retrieving job versions: ${messageOf(err)}`);
        return 1;
      }
      if (!evalID) return 0;
      if (flags.detach) {
        await ctx.ui.output(`Evaluation ID: ${evalID}`);
        return 0;
      }
      return await new EvalMonitor(client, ctx, idLength(flags.verbose)).monitor(evalID);
    } finally {
      client.close();
    }
  },
};
export default jobRevert;
