/**
 * `nomad-ts server join [options] <addr> [<addr>...]`: joins the agent's server to the servers
 * at the addresses (`host` or `host:port`, the Serf port by default). One address that answers
 * is enough; the servers then find each other.
 *
 * @module
 */
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { connect, messageOf } from "./_api.ts";

/** The `server join` command. */
const serverJoin: Command = {
  name: "server join",
  help: () =>
    `Usage: ${PROGRAM} server join [options] <addr> [<addr>...]

  Joins the server of the local agent to one or more other servers. Only
  servers join this way, and one address that answers is enough: the servers
  then discover each other through their gossip pool.

General Options:

  ${generalOptionsUsage({ namespace: false })}`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(serverJoin, CLIENT_FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    if (parsed.args.length < 1) {
      await ctx.ui.error("One or more node addresses must be given as arguments");
      await ctx.ui.error(commandErrorText(serverJoin));
      return 1;
    }
    const client = await connect(parsed.flags, ctx);
    if (!client) return 1;
    try {
      let res;
      try {
        res = await client.agent.join(parsed.args);
      } catch (err) {
        await ctx.ui.error(`Error joining: ${messageOf(err)}`);
        return 1;
      }
      if (res.warning !== "") {
        if (res.joined === 0) {
          await ctx.ui.error(`Error joining: ${res.warning}`);
          return 1;
        }
        await ctx.ui.warn(
          `Joined ${res.joined} servers successfully but got warning: ${res.warning}`,
        );
        return 0;
      }
      await ctx.ui.output(`Joined ${res.joined} servers successfully`);
      return 0;
    } finally {
      client.close();
    }
  },
};
export default serverJoin;
