/**
 * `nomad-ts operator autopilot health [-json]`: whether the region is healthy, how many
 * failures it tolerates, the leader and voters, each server's health in Nomad's layout, and
 * after it the state backend's members (etcd), which a nomad-ts region also depends on.
 *
 * @module
 */
import type { OperatorHealthReply } from "../api/mod.ts";
import { type Command, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { columnize } from "../format/columns.ts";
import { connect, messageOf } from "./_api.ts";

const FLAGS = { ...CLIENT_FLAGS, json: { type: "bool" } } as const;

/** Go's `time.Time.String()` of an RFC 3339 UTC time: `2026-11-23 20:15:00 +0000 UTC`. */
function goTime(rfc3339: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)Z$/.exec(rfc3339);
  return m ? `${m[1]} ${m[2]} +0000 UTC` : rfc3339;
}

/** Nomad's list layout: one column, trimmed, `<none>` for an empty cell. */
function formatList(rows: readonly string[]): string {
  return columnize(rows, { empty: "<none>" });
}

/** The report as `operator autopilot health` prints it. */
export function formatAutopilotHealth(h: OperatorHealthReply): string {
  const voters = formatList((h.Voters ?? []).map((id) => `\t${id}`));
  const rows = [
    "ID|Name|Address|SerfStatus|Version|Leader|Voter|Healthy|LastContact|LastTerm|LastIndex|StableSince",
  ];
  for (const s of h.Servers ?? []) {
    rows.push(
      [
        s.ID,
        s.Name,
        s.Address,
        s.SerfStatus,
        s.Version,
        s.Leader,
        s.Voter,
        s.Healthy,
        s.LastContact,
        s.LastTerm,
        s.LastIndex,
        goTime(s.StableSince),
      ].join("|"),
    );
  }
  let out = `Healthy: ${h.Healthy}\nFailureTolerance: ${h.FailureTolerance}\n` +
    `Leader: ${h.Leader}\nVoters:  \n\t${voters}\nServers: \n${formatList(rows)}\n`;
  const b = h.Backend;
  if (b && (b.Members ?? []).length > 0) {
    const members = ["Endpoint|Healthy|Leader|Version|Error"];
    for (const m of b.Members ?? []) {
      members.push([m.Endpoint, m.Healthy, m.Leader, m.Version, m.Error].join("|"));
    }
    out += `Backend: ${b.Kind}\nBackendFailureTolerance: ${b.FailureTolerance}\n` +
      `${columnize(members)}\n`;
  }
  return out;
}

/** The `operator autopilot health` command. */
const health: Command = {
  name: "operator autopilot health",
  help: () =>
    `Usage: ${PROGRAM} operator autopilot health [options]

  Shows the health of the region's servers: whether each is alive, reaches
  the state backend and knows the current leader, and how many failures the
  region tolerates. A region on etcd also lists etcd's members.

  With ACLs enabled, this needs a token with the 'operator:read' capability.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Output Options:

  -json
    Print the health report as JSON.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(health, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const client = await connect(parsed.flags, ctx);
    if (!client) return 1;
    try {
      let reply;
      try {
        reply = await client.operator.autopilotServerHealth();
      } catch (err) {
        await ctx.ui.error(`Error querying Autopilot configuration: ${messageOf(err)}`);
        return 1;
      }
      // Nomad prints the JSON compact, as Go's json.Marshal writes it.
      await ctx.ui.output(parsed.flags.json ? JSON.stringify(reply) : formatAutopilotHealth(reply));
      return 0;
    } finally {
      client.close();
    }
  },
};
export default health;
