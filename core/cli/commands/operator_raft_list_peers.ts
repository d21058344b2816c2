/**
 * `nomad-ts operator raft list-peers [-stale]`: the servers of the region's Raft configuration,
 * sorted by node name, in Nomad's table (`Node  ID  Address  State  Voter  RaftProtocol`).
 *
 * @module
 */
import type { RaftServer } from "../api/mod.ts";
import { type Command, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { columnize } from "../format/columns.ts";
import { connect, messageOf } from "./_api.ts";

const FLAGS = { ...CLIENT_FLAGS, stale: { type: "bool" } } as const;

/**
 * The peer table, as `operator raft list-peers` prints it: one row per server, sorted by
 * node name, the leader's state `leader` and every other's `follower`.
 */
export function formatRaftPeers(servers: readonly RaftServer[]): string {
  const sorted = [...servers].sort((a, b) => a.Node < b.Node ? -1 : a.Node > b.Node ? 1 : 0);
  const rows = ["Node|ID|Address|State|Voter|RaftProtocol"];
  for (const s of sorted) {
    const state = s.Leader ? "leader" : "follower";
    rows.push([s.Node, s.ID, s.Address, state, s.Voter, s.RaftProtocol].join("|"));
  }
  return columnize(rows);
}

/** The `operator raft list-peers` command. */
const listPeers: Command = {
  name: "operator raft list-peers",
  help: () =>
    `Usage: ${PROGRAM} operator raft list-peers [options]

  Lists the servers of the region's Raft configuration: each server's name,
  ID and RPC address, whether it leads, and whether it votes.

  With ACLs enabled, this needs a management token.

General Options:

  ${generalOptionsUsage({ namespace: false })}

List Peers Options:

  -stale=[true|false]
    Let any server answer instead of only the leader (default: false). Use it
    when the region has lost its leader, to see the configuration a follower
    holds.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(listPeers, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const client = await connect(parsed.flags, ctx);
    if (!client) return 1;
    try {
      let reply;
      try {
        reply = await client.operator.raftGetConfiguration({ stale: parsed.flags.stale });
      } catch (err) {
        await ctx.ui.error(`Failed to retrieve raft configuration: ${messageOf(err)}`);
        return 1;
      }
      await ctx.ui.output(formatRaftPeers(reply?.Servers ?? []));
      return 0;
    } finally {
      client.close();
    }
  },
};
export default listPeers;
