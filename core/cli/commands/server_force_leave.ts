/**
 * `nomad-ts server force-leave [-prune] <node>`: forces a server (by its member name, e.g.
 * `server-2.global`) into the `left` state, for servers that failed and will not come back.
 * Prints nothing on success, as Nomad.
 *
 * @module
 */
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { connect, messageOf } from "./_api.ts";

const FLAGS = { ...CLIENT_FLAGS, prune: { type: "bool" } } as const;

/** The `server force-leave` command. */
const serverForceLeave: Command = {
  name: "server force-leave",
  help: () =>
    `Usage: ${PROGRAM} server force-leave [options] <node>

  Forces a server into the "left" state, to remove a server that failed and
  will not rejoin. A server that is in fact alive joins again on its own. Left
  and failed servers are forgotten after 24 hours.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Server Force-Leave Options:

  -prune
    Remove the failed or left server from the member list at once.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(serverForceLeave, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    if (parsed.args.length !== 1) {
      await ctx.ui.error("This command takes one argument: <node>");
      await ctx.ui.error(commandErrorText(serverForceLeave));
      return 1;
    }
    const node = parsed.args[0]!;
    const client = await connect(parsed.flags, ctx);
    if (!client) return 1;
    try {
      await client.agent.forceLeave(node, { prune: parsed.flags.prune });
      return 0;
    } catch (err) {
      await ctx.ui.error(`Error force-leaving server ${node}: ${messageOf(err)}`);
      return 1;
    } finally {
      client.close();
    }
  },
};
export default serverForceLeave;
