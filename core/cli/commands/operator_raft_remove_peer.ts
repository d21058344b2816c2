/**
 * `nomad-ts operator raft remove-peer -peer-id=<id>`: removes a server that failed for good
 * from the region's Raft configuration, by the ID `operator raft list-peers` shows. A server
 * that is still alive cannot be removed.
 *
 * @module
 */
import { type Command, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { goQuote } from "../format/quote.ts";
import { connect, messageOf } from "./_api.ts";

const FLAGS = { ...CLIENT_FLAGS, "peer-id": { type: "string" } } as const;

/** The `operator raft remove-peer` command. */
const removePeer: Command = {
  name: "operator raft remove-peer",
  help: () =>
    `Usage: ${PROGRAM} operator raft remove-peer [options]

  Removes the server whose ID is -peer-id from the region's Raft configuration.

  Use it for a server that failed and will not come back but is still listed by
  "${PROGRAM} operator raft list-peers". A server the member list still shows is
  better removed with "${PROGRAM} server force-leave". A server that is alive
  cannot be removed: stop it first.

  With ACLs enabled, this needs a management token.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Remove Peer Options:

  -peer-id=<id>
    The ID of the server to remove, as "operator raft list-peers" shows it.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(removePeer, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const id = parsed.flags["peer-id"];
    if (id === "") {
      await ctx.ui.error("Missing peer id required");
      return 1;
    }
    const client = await connect(parsed.flags, ctx);
    if (!client) return 1;
    try {
      await client.operator.raftRemovePeerByID(id);
    } catch (err) {
      await ctx.ui.error(`Error removing peer: ${messageOf(err)}`);
      return 1;
    } finally {
      client.close();
    }
    await ctx.ui.output(`Removed peer with id ${goQuote(id)}`);
    return 0;
  },
};
export default removePeer;
