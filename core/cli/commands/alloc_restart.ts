/**
 * `nomad-ts alloc restart [options] <allocation> [task]`: restarts the running tasks of an
 * allocation in place, one task (`-task` or the argument), or with `-all-tasks` every task,
 * also those that already ran. Prints nothing when it worked, as Nomad.
 *
 * @module
 */
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { connect, messageOf } from "./_api.ts";
import { checkAllocTask, findAlloc } from "./_alloc_lookup.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  "all-tasks": { type: "bool" },
  verbose: { type: "bool" },
  task: { type: "string" },
} as const;

/** The `alloc restart` command. */
const allocRestart: Command = {
  name: "alloc restart",
  help: () =>
    `Usage: ${PROGRAM} alloc restart [options] <allocation> <task>

  Restarts the tasks of an allocation where they run. Without a task, the
  tasks that are running restart; -all-tasks also restarts those that already
  ran, such as prestart tasks that are not sidecars.

General Options:

  ${generalOptionsUsage()}

Restart Specific Options:

  -all-tasks
    Restart every task of the allocation, also those that already ran. Not
    with -task or a <task> argument.

  -task <task-name>
    The one task to restart; wins over the <task> argument.

  -verbose
    Show full IDs.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(allocRestart, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (parsed.args.length < 1 || parsed.args.length > 2) {
      await ctx.ui.error("This command takes one or two arguments: <alloc-id> <task-name>");
      await ctx.ui.error(commandErrorText(allocRestart));
      return 1;
    }
    const task = flags.task !== "" ? flags.task : parsed.args[1] ?? "";
    if (flags["all-tasks"] && task !== "") {
      await ctx.ui.error("The -all-tasks option is not allowed when restarting a specific task.");
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      const found = await findAlloc(client, ctx, parsed.args[0]!, { verbose: flags.verbose });
      if ("code" in found) return found.code;
      const { alloc } = found;
      if (task !== "") {
        try {
          checkAllocTask(alloc, task);
        } catch (err) {
          await ctx.ui.error(messageOf(err));
          return 1;
        }
      }
      try {
        await client.allocations.restart(alloc.ID, {
          namespace: alloc.Namespace,
          ...(flags["all-tasks"] ? { allTasks: true } : { task }),
        });
      } catch (err) {
        await ctx.ui.error(
          `Failed to restart ${task !== "" ? "task" : "allocation"}:\n\n${messageOf(err)}`,
        );
        return 1;
      }
      return 0;
    } finally {
      client.close();
    }
  },
};
export default allocRestart;
