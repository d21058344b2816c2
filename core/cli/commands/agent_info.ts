/**
 * `nomad-ts agent-info [options]`: the statistics of the agent the command talks to, from
 * `GET /v1/agent/self`, as Nomad prints them — one section per subsystem (`client`, `nomad`,
 * `raft`, `runtime`, `serf`), sorted, each with sorted `key = value` lines:
 *
 * ```
 * nomad
 *   bootstrap = true
 *   leader = true
 * runtime
 *   arch = amd64
 * ```
 *
 * @module
 */
import type { AgentSelf } from "../api/mod.ts";
import { type Command, commandErrorText, PROGRAM } from "../command.ts";
import { FlagError, parseFlags } from "../flags.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { formatData } from "../format/data.ts";
import { connect, messageOf } from "./_api.ts";

const FLAGS = { ...CLIENT_FLAGS, json: { type: "bool" }, t: { type: "string" } } as const;

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The statistics of `/v1/agent/self` as `agent-info` prints them. */
export function formatAgentStats(stats: AgentSelf["stats"]): string[] {
  const lines: string[] = [];
  for (const section of Object.keys(stats ?? {}).sort(byCodeUnit)) {
    lines.push(section);
    const values = stats?.[section] ?? {};
    for (const key of Object.keys(values).sort(byCodeUnit)) {
      lines.push(`  ${key} = ${values[key]}`);
    }
  }
  return lines;
}

/** The `agent-info` command. */
const agentInfo: Command = {
  name: "agent-info",
  help: () =>
    `Usage: ${PROGRAM} agent-info [options]

  Shows the statistics of the agent the command talks to: its client, server,
  Raft, runtime and gossip state.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Agent Info Options:

  -json
    Print the whole answer of the agent (configuration, member and statistics)
    as JSON.

  -t
    Format the answer with a Go template (not supported yet).`,

  async run(args, ctx) {
    let parsed;
    try {
      parsed = parseFlags(FLAGS, args);
    } catch (err) {
      if (!(err instanceof FlagError)) throw err;
      await ctx.ui.error(err.message);
      await ctx.ui.output(agentInfo.help());
      await ctx.ui.error(`Error parsing flags: ${err.message}`);
      return 1;
    }
    const { flags } = parsed;
    if (parsed.args.length > 0) {
      await ctx.ui.error("This command takes no arguments");
      await ctx.ui.error(commandErrorText(agentInfo));
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      let info: AgentSelf;
      try {
        info = await client.agent.self();
      } catch (err) {
        await ctx.ui.error(`Error querying agent info: ${messageOf(err)}`);
        return 1;
      }
      if (flags.json || flags.t !== "") {
        try {
          await ctx.ui.output(formatData(flags.json, flags.t, info));
        } catch (err) {
          await ctx.ui.error(`Error formatting output: ${messageOf(err)}`);
          return 1;
        }
        return 0;
      }
      for (const line of formatAgentStats(info?.stats ?? null)) await ctx.ui.output(line);
      return 0;
    } finally {
      client.close();
    }
  },
};
export default agentInfo;
