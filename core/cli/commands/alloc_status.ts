/**
 * `nomad-ts alloc status [options] <allocation>`: an allocation's fields, addresses, Nomad
 * service checks and, per task, its resources, volumes and events — Nomad's layout:
 *
 * ```
 * ID                  = 95a0741c-aace-805c-c0b3-fedd8052db0b
 * Eval ID             = 69f38b58
 * Name                = postgres.database[0]
 * ...
 * Task "postgres" is "running"
 * Task Resources:
 * CPU        Memory       Disk     Addresses
 * 0/500 MHz  0 B/512 MiB  300 MiB
 * ```
 *
 * With `-short`, the fields and a one-line-per-task table; with `-json`, the allocation (or,
 * without one, every allocation) as JSON.
 *
 * @module
 */
import type { Allocation } from "../../structs/mod.ts";
import { formatDuration } from "../../structs/mod.ts";
import type { AllocResourceUsage, ApiClient } from "../api/mod.ts";
import {
  type Command,
  commandErrorText,
  type Context,
  parseCommandFlags,
  PROGRAM,
} from "../command.ts";
import type { FlagValues } from "../flags.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { formatKV, formatList, idLength, limit } from "../format/columns.ts";
import { formatData } from "../format/data.ts";
import { formatAllocMetrics } from "../format/metrics.ts";
import { goQuote } from "../format/quote.ts";
import {
  formatTime,
  formatUnixNanoTime,
  nanosToMillis,
  now,
  parseApiTime,
  prettyTimeDiff,
} from "../format/time.ts";
import { connect, messageOf, paint, showUiHint } from "./_api.ts";
import { allocTaskGroup, findAlloc } from "./_alloc_lookup.ts";
import { formatShortTaskStatus, outputTaskDetails } from "./_alloc_status_tasks.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  short: { type: "bool" },
  verbose: { type: "bool" },
  stats: { type: "bool" },
  json: { type: "bool" },
  t: { type: "string" },
  ui: { type: "bool" },
} as const;

type Flags = FlagValues<typeof FLAGS>;

const ago = (ns: number) => prettyTimeDiff(ns ? nanosToMillis(ns) : null, now());

/** When a batch allocation's `max_run_duration` runs out, in epoch ms, or `null`. */
function maxRunDeadline(alloc: Allocation): number | null {
  const type = alloc.Job?.Type;
  if ((type !== "batch" && type !== "sysbatch") || !alloc.CreateTime) return null;
  const max = allocTaskGroup(alloc)?.MaxRunDuration ?? 0;
  return max > 0 ? nanosToMillis(alloc.CreateTime + max) : null;
}

function deadlineText(deadline: number, verbose: boolean): string {
  return verbose ? formatTime(deadline) : prettyTimeDiff(deadline, now());
}

/**
 * How many reschedules of the allocation fall in its policy's interval, and how many the
 * policy allows (Nomad's `RescheduleInfo`, counted at the allocation's last change).
 */
export function rescheduleInfo(alloc: Allocation): [number, number] {
  const policy = allocTaskGroup(alloc)?.ReschedulePolicy;
  if (!policy) return [0, 0];
  const allowed = policy.Attempts ?? 0;
  const interval = policy.Interval ?? 0;
  let attempted = 0;
  if (allowed > 0 && interval > 0) {
    for (const e of alloc.RescheduleTracker?.Events ?? []) {
      if (alloc.ModifyTime - e.RescheduleTime < interval) attempted++;
    }
  }
  return [attempted, allowed];
}

/** The `-short` block: ID, name, ages and the max run deadline. */
export function formatAllocShortInfo(alloc: Allocation): string {
  const basic = [
    `ID|${alloc.ID}`,
    `Name|${alloc.Name}`,
    `Created|${ago(alloc.CreateTime)}`,
    `Modified|${ago(alloc.ModifyTime)}`,
  ];
  const deadline = maxRunDeadline(alloc);
  if (deadline !== null) basic.push(`Max Run Deadline|${deadlineText(deadline, false)}`);
  return formatKV(basic);
}

/** What {@link formatAllocBasicInfo} shows besides the allocation. */
export interface BasicInfoOptions {
  readonly length: number;
  readonly verbose: boolean;
  /** When the follow-up evaluation may reschedule the allocation (`""` when unknown). */
  readonly rescheduleEligibility: string;
}

/** The allocation's own fields, as `alloc status` starts. */
export function formatAllocBasicInfo(alloc: Allocation, o: BasicInfoOptions): string {
  const time = (ns: number) => o.verbose ? formatUnixNanoTime(ns) : ago(ns);
  const basic = [
    `ID|${alloc.ID}`,
    `Eval ID|${limit(alloc.EvalID, o.length)}`,
    `Name|${alloc.Name}`,
    `Node ID|${limit(alloc.NodeID, o.length)}`,
    `Node Name|${alloc.NodeName}`,
    `Job ID|${alloc.JobID}`,
    `Job Version|${alloc.Job?.Version ?? 0}`,
    `Client Status|${alloc.ClientStatus}`,
    `Client Description|${alloc.ClientDescription}`,
    `Desired Status|${alloc.DesiredStatus}`,
    `Desired Description|${alloc.DesiredDescription}`,
    `Created|${time(alloc.CreateTime)}`,
    `Modified|${time(alloc.ModifyTime)}`,
  ];
  const deadline = maxRunDeadline(alloc);
  if (deadline !== null) basic.push(`Max Run Deadline|${deadlineText(deadline, o.verbose)}`);
  if (alloc.DeploymentID) {
    const healthy = alloc.DeploymentStatus?.Healthy;
    const health = healthy === true ? "healthy" : healthy === false ? "unhealthy" : "unset";
    basic.push(
      `Deployment ID|${limit(alloc.DeploymentID, o.length)}`,
      `Deployment Health|${health}`,
    );
    if (alloc.DeploymentStatus?.Canary) basic.push("Canary|true");
  }
  if ((alloc.RescheduleTracker?.Events ?? []).length > 0) {
    const [attempts, total] = rescheduleInfo(alloc);
    if (total > 0) basic.push(`Reschedule Attempts|${attempts}/${total}`);
  }
  if (alloc.NextAllocation) {
    basic.push(`Replacement Alloc ID|${limit(alloc.NextAllocation, o.length)}`);
  }
  if (o.rescheduleEligibility !== "") {
    basic.push(`Reschedule Eligibility|${o.rescheduleEligibility}`);
  }
  if (o.verbose) {
    const m = alloc.Metrics;
    basic.push(
      `Evaluated Nodes|${m?.NodesEvaluated ?? 0}`,
      `Filtered Nodes|${m?.NodesFiltered ?? 0}`,
      `Exhausted Nodes|${m?.NodesExhausted ?? 0}`,
      `Allocation Time|${formatDuration(m?.AllocationTime ?? 0)}`,
      `Failures|${m?.CoalescedFailures ?? 0}`,
    );
  }
  return formatKV(basic);
}

/** "Allocation Addresses", or `undefined` when the allocation's network has no ports. */
export function formatAllocNetworkInfo(alloc: Allocation): string | undefined {
  const shared = alloc.AllocatedResources?.Shared;
  const nw = shared?.Networks?.[0];
  if (!nw || (nw.DynamicPorts ?? []).length + (nw.ReservedPorts ?? []).length === 0) {
    return undefined;
  }
  const rows = ["Label|Dynamic|Address"];
  const row = (label: string, value: number, to: number, ip: string) =>
    `${label}|yes|${ip}:${value}${to > 0 ? ` -> ${to}` : ""}`;
  if ((shared.Ports ?? []).length > 0) {
    for (const p of shared.Ports!) rows.push(row(`*${p.Label}`, p.Value, p.To, p.HostIP));
  } else {
    for (const p of [...(nw.DynamicPorts ?? []), ...(nw.ReservedPorts ?? [])]) {
      rows.push(row(p.Label, p.Value, p.To, nw.IP));
    }
  }
  const mode = nw.Mode ? ` (mode = ${goQuote(nw.Mode)})` : "";
  return `Allocation Addresses${mode}:\n${formatList(rows)}`;
}

async function serviceChecks(client: ApiClient, allocID: string): Promise<string | undefined> {
  let checks;
  try {
    checks = Object.values(await client.allocations.checks(allocID));
  } catch {
    return undefined;
  }
  if (checks.length === 0) return undefined;
  const rows = checks
    .map((c) => `${c.Service}|${c.Task || "(group)"}|${c.Check}|${c.Mode}|${c.Status}`)
    .sort();
  return `Nomad Service Checks:\n${formatList(["Service|Task|Name|Mode|Status", ...rows])}`;
}

/** When the follow-up evaluation may run, as an age from now; `""` when past or unknown. */
async function rescheduleEligibility(client: ApiClient, alloc: Allocation): Promise<string> {
  if (!alloc.FollowupEvalID) return "";
  try {
    const wait = parseApiTime((await client.evaluations.info(alloc.FollowupEvalID)).WaitUntil);
    if (wait === null || now() > wait) return "";
    return prettyTimeDiff(wait, now());
  } catch {
    return "";
  }
}

async function show(ctx: Context, client: ApiClient, alloc: Allocation, flags: Flags) {
  const length = idLength(flags.verbose);
  if (flags.short) {
    await ctx.ui.output(formatAllocShortInfo(alloc));
    await ctx.ui.output(paint(ctx, formatShortTaskStatus(alloc)));
  } else {
    await ctx.ui.output(formatAllocBasicInfo(alloc, {
      length,
      verbose: flags.verbose,
      rescheduleEligibility: await rescheduleEligibility(client, alloc),
    }));
    const addresses = formatAllocNetworkInfo(alloc);
    if (addresses !== undefined) await ctx.ui.output(`\n${addresses}`);
    const checks = await serviceChecks(client, alloc.ID);
    if (checks !== undefined) await ctx.ui.output(`\n${checks}`);
    let stats: AllocResourceUsage | undefined;
    try {
      stats = await client.allocations.stats(alloc.ID, { namespace: alloc.Namespace });
    } catch (err) {
      await ctx.ui.output("");
      await ctx.ui.error(`Couldn't retrieve stats: ${messageOf(err)}`);
    }
    await outputTaskDetails(ctx, alloc, {
      stats,
      displayStats: flags.stats,
      verbose: flags.verbose,
    });
  }
  if (flags.verbose && alloc.Metrics) {
    await ctx.ui.output(paint(ctx, "\n[bold]Placement Metrics[reset]"));
    await ctx.ui.output(paint(ctx, formatAllocMetrics(alloc.Metrics, true, "  ")));
  }
  await showUiHint(client, ctx, "alloc status", { allocID: alloc.ID }, { open: flags.ui });
  return 0;
}

async function run(ctx: Context, client: ApiClient, args: string[], flags: Flags) {
  if (args.length === 0 && (flags.json || flags.t !== "")) {
    let allocs;
    try {
      allocs = await client.allocations.list();
    } catch (err) {
      await ctx.ui.error(`Error querying allocations: ${messageOf(err)}`);
      return 1;
    }
    return await printData(ctx, flags, allocs);
  }
  if (args.length !== 1) {
    await ctx.ui.error("This command takes one of the following argument conditions:");
    await ctx.ui.error(" * A single <allocation>");
    await ctx.ui.error(" * No arguments, with output format specified");
    await ctx.ui.error(commandErrorText(allocStatus));
    return 1;
  }
  const found = await findAlloc(client, ctx, args[0]!, {
    verbose: flags.verbose,
    tooShort: "Identifier must contain at least two characters.",
    candidatesAreOutput: true,
  });
  if ("code" in found) return found.code;
  if (flags.json || flags.t !== "") return await printData(ctx, flags, found.alloc);
  return await show(ctx, client, found.alloc, flags);
}

async function printData(ctx: Context, flags: Flags, data: unknown): Promise<number> {
  try {
    await ctx.ui.output(formatData(flags.json, flags.t, data));
    return 0;
  } catch (err) {
    await ctx.ui.error(messageOf(err));
    return 1;
  }
}

/** The `alloc status` command. */
const allocStatus: Command = {
  name: "alloc status",
  help: () =>
    `Usage: ${PROGRAM} alloc status [options] <allocation>

  Shows an allocation: where it runs, what the servers and the client say of
  it, its addresses, and for each task its resources, volumes and recent
  events. The allocation may be given by a prefix of its ID.

General Options:

  ${generalOptionsUsage()}

Alloc Status Options:

  -short
    Show only the allocation's IDs and ages and one line per task.

  -stats
    Show the memory and CPU figures the client measures for each task.

  -verbose
    Show full IDs, exact times and the placement metrics.

  -ui
    Open the allocation's page in the web UI.

  -json
    Print the allocation as JSON; without an allocation, every allocation.

  -t
    Format the allocation with a Go template (not supported yet).`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(allocStatus, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const client = await connect(parsed.flags, ctx);
    if (!client) return 1;
    try {
      return await run(ctx, client, parsed.args, parsed.flags);
    } finally {
      client.close();
    }
  },
};
export default allocStatus;
