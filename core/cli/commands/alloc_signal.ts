/**
 * `nomad-ts alloc signal [options] <allocation> [task]`: sends a signal (`-s`, default
 * SIGKILL) to one task of an allocation (`-task` or the argument) or to all of them. Prints
 * nothing when it worked, as Nomad.
 *
 * @module
 */
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { connect, messageOf } from "./_api.ts";
import { checkAllocTask, findAlloc } from "./_alloc_lookup.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  verbose: { type: "bool" },
  s: { type: "string", default: "SIGKILL" },
  task: { type: "string" },
} as const;

/** The `alloc signal` command. */
const allocSignal: Command = {
  name: "alloc signal",
  help: () =>
    `Usage: ${PROGRAM} alloc signal [options] <allocation> <task>

  Sends a signal to the tasks of an allocation: to one task when it is named,
  to all of them otherwise.

General Options:

  ${generalOptionsUsage()}

Signal Specific Options:

  -s
    The signal to send (SIGHUP, SIGUSR1, ...). Default: SIGKILL.

  -task <task-name>
    The one task to signal; wins over the <task> argument.

  -verbose
    Show full IDs.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(allocSignal, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (parsed.args.length < 1 || parsed.args.length > 2) {
      await ctx.ui.error("This command takes up to two arguments: <alloc-id> <task>");
      await ctx.ui.error(commandErrorText(allocSignal));
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      const found = await findAlloc(client, ctx, parsed.args[0]!, { verbose: flags.verbose });
      if ("code" in found) return found.code;
      const { alloc } = found;
      const task = flags.task !== "" ? flags.task : parsed.args[1] ?? "";
      if (task !== "") {
        try {
          checkAllocTask(alloc, task);
        } catch (err) {
          await ctx.ui.error(messageOf(err));
          return 1;
        }
      }
      try {
        await client.allocations.signal(alloc.ID, flags.s, { task, namespace: alloc.Namespace });
      } catch (err) {
        await ctx.ui.error(`Error signalling allocation: ${messageOf(err)}`);
        return 1;
      }
      return 0;
    } finally {
      client.close();
    }
  },
};
export default allocSignal;
