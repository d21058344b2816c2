/**
 * `nomad-ts server members [options]`: the servers of the gossip pool, sorted by region,
 * datacenter and name, with Nomad's current columns (`Name  Address  Port  Status  Leader
 * Raft Version  Build  Datacenter  Region`); `-verbose` adds the protocol and every tag.
 *
 * @module
 */
import type { AgentMember, ApiClient } from "../api/mod.ts";
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { columnize } from "../format/columns.ts";
import { formatData } from "../format/data.ts";
import { goQuote } from "../format/quote.ts";
import { connect, messageOf, showUiHint } from "./_api.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  detailed: { type: "bool" },
  verbose: { type: "bool" },
  json: { type: "bool" },
  ui: { type: "bool" },
  t: { type: "string" },
} as const;

const tag = (m: AgentMember, name: string) => m.Tags?.[name] ?? "";

/** Orders members by region, datacenter, then name, as Nomad's `AgentMembersNameSort`. */
export function sortMembers(members: AgentMember[]): AgentMember[] {
  const key = (m: AgentMember) => [tag(m, "region"), tag(m, "dc"), m.Name] as const;
  return members.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < 3; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
    return 0;
  });
}

/** Host and port joined as Go's `net.JoinHostPort` does (brackets around IPv6 hosts). */
const joinHostPort = (host: string, port: string) =>
  host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;

/** Whether `m` is its region's leader, by its RPC address. */
function isLeader(m: AgentMember, leaders: ReadonlyMap<string, string>): boolean {
  const leader = leaders.get(tag(m, "region"));
  return leader !== undefined && leader === joinHostPort(m.Addr, tag(m, "port"));
}

/** The leader of every region that has a member that has not left, and the errors. */
async function regionLeaders(client: ApiClient, members: readonly AgentMember[]) {
  const regions = new Set(members.filter((m) => m.Status !== "left").map((m) => tag(m, "region")));
  const leaders = new Map<string, string>();
  const errors: string[] = [];
  for (const region of regions) {
    try {
      leaders.set(region, await client.status.regionLeader(region));
    } catch (err) {
      errors.push(`Region ${goQuote(region)}: ${messageOf(err)}`);
    }
  }
  return { leaders, errors };
}

/** The member table, as `server members` prints it. */
export function formatMembers(
  members: readonly AgentMember[],
  leaders: ReadonlyMap<string, string>,
  verbose: boolean,
): string {
  const rows = [
    verbose
      ? "Name|Address|Port|Status|Leader|Protocol|Raft Version|Build|Datacenter|Region|Tags"
      : "Name|Address|Port|Status|Leader|Raft Version|Build|Datacenter|Region",
  ];
  for (const m of members) {
    const common = [m.Name, m.Addr, m.Port, m.Status, isLeader(m, leaders)];
    const rest = [tag(m, "raft_vsn"), tag(m, "build"), tag(m, "dc"), tag(m, "region")];
    if (verbose) {
      const tags = Object.entries(m.Tags ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
      rows.push([...common, m.ProtocolCur, ...rest, tags].join("|"));
    } else {
      rows.push([...common, ...rest].join("|"));
    }
  }
  return columnize(rows);
}

/** Go's `multierror` text for a list of errors. */
function multiError(errors: readonly string[]): string {
  const points = errors.map((e) => `\t* ${e}`).join("\n");
  return `${errors.length} error${errors.length === 1 ? "" : "s"} occurred:\n${points}\n\n`;
}

/** The `server members` command. */
const serverMembers: Command = {
  name: "server members",
  help: () =>
    `Usage: ${PROGRAM} server members [options]

  Lists the servers the agent knows of and their status. Only servers can
  answer this command.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Server Members Options:

  -verbose
    Show the protocol version and every tag of each server. -detailed is an
    older name for it.

  -ui
    Open the servers page of the web UI.

  -json
    Print the members as JSON.

  -t
    Format the members with a Go template (not supported yet).`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(serverMembers, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (parsed.args.length !== 0) {
      await ctx.ui.error("This command takes no arguments");
      await ctx.ui.error(commandErrorText(serverMembers));
      return 1;
    }
    const verbose = flags.verbose || flags.detailed;
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      let res;
      try {
        res = await client.agent.members();
      } catch (err) {
        await ctx.ui.error(`Error querying servers: ${messageOf(err)}`);
        return 1;
      }
      if (!res) {
        await ctx.ui.error("Agent doesn't know about server members");
        return 0;
      }
      const members = sortMembers(res.Members ?? []);
      const { leaders, errors } = await regionLeaders(client, members);
      if (flags.json || flags.t !== "") {
        for (const m of members) {
          m.Tags = { ...m.Tags, Leader: String(isLeader(m, leaders)) };
        }
        try {
          await ctx.ui.output(formatData(flags.json, flags.t, members));
        } catch (err) {
          await ctx.ui.error(messageOf(err));
          return 1;
        }
        return 0;
      }
      await ctx.ui.output(formatMembers(members, leaders, verbose));
      await showUiHint(client, ctx, "server members", {}, { open: flags.ui });
      if (errors.length > 0) {
        await ctx.ui.output("");
        await ctx.ui.warn(`Error determining leaders: ${multiError(errors)}`);
        return 1;
      }
      return 0;
    } finally {
      client.close();
    }
  },
};
export default serverMembers;
