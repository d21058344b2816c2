/**
 * `nomad-ts system gc`: asks the servers to garbage-collect dead jobs, evaluations,
 * allocations and nodes now. Prints nothing on success, as Nomad.
 *
 * @module
 */
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { connect, messageOf } from "./_api.ts";

/** The `system gc` command. */
const systemGc: Command = {
  name: "system gc",
  help: () =>
    `Usage: ${PROGRAM} system gc [options]

  Starts a garbage collection of jobs, evaluations, allocations and nodes.

  With ACLs enabled, this needs a management token.

General Options:

  ${generalOptionsUsage({ namespace: false })}`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(systemGc, CLIENT_FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    if (parsed.args.length > 0) {
      // Nomad reports extra arguments but goes on.
      await ctx.ui.error("This command takes no arguments");
      await ctx.ui.error(commandErrorText(systemGc));
    }
    const client = await connect(parsed.flags, ctx);
    if (!client) return 1;
    try {
      await client.system.garbageCollect();
      return 0;
    } catch (err) {
      await ctx.ui.error(`Error running system garbage-collection: ${messageOf(err)}`);
      return 1;
    } finally {
      client.close();
    }
  },
};
export default systemGc;
