/**
 * `nomad-ts alloc stop [options] <allocation>`: stops an allocation so that the servers place
 * a replacement (batch allocations too), then follows the evaluation that does it, as
 * `job run` does; with `-detach`, prints only the evaluation's ID.
 *
 * @module
 */
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { idLength } from "../format/columns.ts";
import { connect, messageOf } from "./_api.ts";
import { findAlloc } from "./_alloc_lookup.ts";
import { EvalMonitor } from "./_monitor.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  detach: { type: "bool" },
  verbose: { type: "bool" },
  "no-shutdown-delay": { type: "bool" },
} as const;

/** The `alloc stop` command. */
const allocStop: Command = {
  name: "alloc stop",
  help: () =>
    `Usage: ${PROGRAM} alloc stop [options] <allocation>

  Stops an allocation; the servers then place a replacement. The evaluation
  that does it is followed until it finishes (Ctrl-C leaves it running).

General Options:

  ${generalOptionsUsage()}

Stop Specific Options:

  -detach
    Print the ID of the evaluation and return at once instead of following it.

  -no-shutdown-delay
    Skip the shutdown_delay of the group and tasks: the tasks stop right after
    their services are deregistered, so connections to them may fail.

  -verbose
    Show full IDs.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(allocStop, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (parsed.args.length !== 1) {
      await ctx.ui.error("This command takes one argument: <alloc-id>");
      await ctx.ui.error(commandErrorText(allocStop));
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      const found = await findAlloc(client, ctx, parsed.args[0]!, { verbose: flags.verbose });
      if ("code" in found) return found.code;
      const { alloc } = found;
      let evalID: string;
      try {
        const res = await client.allocations.stop(alloc.ID, {
          namespace: alloc.Namespace,
          reschedule: alloc.Job?.Type === "batch",
          noShutdownDelay: flags["no-shutdown-delay"],
        });
        evalID = res.EvalID;
      } catch (err) {
        await ctx.ui.error(`Error stopping allocation: ${messageOf(err)}`);
        return 1;
      }
      if (flags.detach) {
        await ctx.ui.output(evalID);
        return 0;
      }
      return await new EvalMonitor(client, ctx, idLength(flags.verbose)).monitor(evalID);
    } finally {
      client.close();
    }
  },
};
export default allocStop;
