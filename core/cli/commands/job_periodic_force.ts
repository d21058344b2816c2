/**
 * `nomad-ts job periodic force [options] <job id>`: launches a periodic job now, then follows
 * the evaluation of the launched child (or with `-detach` prints its ID).
 *
 * @module
 */
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { idLength } from "../format/columns.ts";
import { goQuote } from "../format/quote.ts";
import { connect, messageOf } from "./_api.ts";
import { EvalMonitor } from "./_monitor.ts";
import { jobIDByPrefix, NoJobWithPrefixError } from "./_prefix.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  detach: { type: "bool" },
  verbose: { type: "bool" },
} as const;

/** The `job periodic force` command. */
const jobPeriodicForce: Command = {
  name: "job periodic force",
  help: () =>
    `Usage: ${PROGRAM} job periodic force <job id>

  This command is used to force the creation of a new instance of a periodic job.
  This is used to immediately run a periodic job, even if it violates the job's
  prohibit_overlap setting.

  When ACLs are enabled, this command requires a token with either the
  'submit-job' or 'force-periodic-job' capability for the job's namespace. The
  'list-jobs' capability is required to run the command with a job prefix
  instead of the exact job ID. The 'read-job' capability is required to monitor
  the resulting evaluation when -detach is not used.

General Options:

  ${generalOptionsUsage()}

Periodic Force Options:

  -detach
    Return immediately instead of entering monitor mode. After the force,
    the evaluation ID will be printed to the screen, which can be used to
    examine the evaluation using the eval-status command.

  -verbose
    Display full information.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(jobPeriodicForce, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (parsed.args.length !== 1) {
      await ctx.ui.error("This command takes one argument: <job id>");
      await ctx.ui.error(commandErrorText(jobPeriodicForce));
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      const prefix = parsed.args[0]!.trim();
      let ref;
      try {
        ref = await jobIDByPrefix(client, prefix, { filter: (j) => j.Periodic });
      } catch (err) {
        await ctx.ui.error(
          err instanceof NoJobWithPrefixError
            ? `No periodic job(s) with prefix or ID ${goQuote(prefix)} found`
            : messageOf(err),
        );
        return 1;
      }
      let evalID: string;
      try {
        evalID = await client.jobs.periodicForce(ref.id, { namespace: ref.namespace });
      } catch (err) {
        await ctx.ui.error(`Error forcing periodic job ${goQuote(ref.id)}: ${messageOf(err)}`);
        return 1;
      }
      if (flags.detach) {
        await ctx.ui.output("Force periodic successful");
        await ctx.ui.output(`Evaluation ID: ${evalID}`);
        return 0;
      }
      return await new EvalMonitor(client, ctx, idLength(flags.verbose)).monitor(evalID);
    } finally {
      client.close();
    }
  },
};
export default jobPeriodicForce;
