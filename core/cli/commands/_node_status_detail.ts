/**
 * The detail view of `node status <node>`, as Nomad prints it: the node's fields, drivers,
 * events, allocated resources, resource use (from the node's client, when it answers) and
 * allocations, with host volumes, networks, drivers, attributes and meta under `-verbose`.
 *
 * @module
 */
import type { Allocation, Node } from "../../structs/mod.ts";
import type { ApiClient, HostStats } from "../api/mod.ts";
import type { Context } from "../command.ts";
import { formatKV, formatList } from "../format/columns.ts";
import { formatIBytes } from "../format/data.ts";
import { formatAllocList } from "../format/tables.ts";
import { formatApiTime } from "../format/time.ts";
import { formatDuration } from "../../structs/mod.ts";
import { messageOf, paint, showUiHint } from "./_api.ts";

/** What the detail view needs of the command line. */
export interface NodeView {
  readonly client: ApiClient;
  readonly ctx: Context;
  readonly length: number;
  readonly verbose: boolean;
  readonly short: boolean;
  readonly stats: boolean;
  readonly openUi: boolean;
}

const MB = 1024 * 1024;
const sortedKeys = (m: Record<string, unknown> | null | undefined) => Object.keys(m ?? {}).sort();

/** `true; 2024-...Z deadline; ignoring system jobs`, or `false`, as Nomad's `formatDrain`. */
export function formatDrain(node: Node): string {
  const d = node.DrainStrategy;
  if (!d) return "false";
  let out = "true";
  if (d.Deadline < 0) out += "; force drain";
  else if (formatApiTime(d.ForceDeadline) === "") out += "; no deadline";
  else out += `; ${formatApiTime(d.ForceDeadline)} deadline`;
  if (d.IgnoreSystemJobs) out += "; ignoring system jobs";
  return out;
}

function driverSummary(node: Node): string {
  const names: string[] = [];
  for (const [name, info] of Object.entries(node.Drivers ?? {})) {
    if (!info.Detected) continue;
    names.push(info.Healthy ? name : `${name} (unhealthy)`);
  }
  return names.sort().join(",");
}

function csiVolumeNames(allocs: readonly Allocation[]): string {
  const names: string[] = [];
  for (const a of allocs) {
    const tg = (a.Job?.TaskGroups ?? []).find((g) => g.Name === a.TaskGroup);
    for (const v of Object.values(tg?.Volumes ?? {})) if (v.Type === "csi") names.push(v.Name);
  }
  return names.sort().join(",");
}

/** Humanize's `FormatFloat("#,###.##", n)`: thousands separated by commas, two decimals. */
export function formatFloat2(n: number): string {
  const [whole, frac] = Math.abs(n).toFixed(2).split(".");
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${n < 0 ? "-" : ""}${grouped}.${frac}`;
}

function totals(node: Node) {
  const r = node.NodeResources;
  const res = node.ReservedResources;
  return {
    cpu: (r?.Cpu.CpuShares ?? 0) - (res?.Cpu.CpuShares ?? 0),
    memoryMB: (r?.Memory.MemoryMB ?? 0) - (res?.Memory.MemoryMB ?? 0),
    diskMB: (r?.Disk.DiskMB ?? 0) - (res?.Disk.DiskMB ?? 0),
  };
}

function allocatedResources(node: Node, running: readonly Allocation[]): string[] {
  const total = totals(node);
  let cpu = 0;
  let mem = 0;
  let disk = 0;
  for (const a of running) {
    cpu += a.Resources?.CPU ?? 0;
    mem += a.Resources?.MemoryMB ?? 0;
    disk += a.Resources?.DiskMB ?? 0;
  }
  const count = node.NodeMaxAllocs
    ? `${running.length}/${node.NodeMaxAllocs}`
    : String(running.length);
  return [
    "CPU|Memory|Disk|Alloc Count",
    `${cpu}/${total.cpu} MHz|${formatIBytes(mem * MB)}/${formatIBytes(total.memoryMB * MB)}|` +
    `${formatIBytes(disk * MB)}/${formatIBytes(total.diskMB * MB)}|${count}`,
  ];
}

interface AllocStats {
  ResourceUsage?: {
    CpuStats?: { TotalTicks?: number };
    MemoryStats?: { Usage?: number; RSS?: number };
  };
}

async function actualResources(v: NodeView, node: Node, running: readonly Allocation[]) {
  const total = totals(node);
  let cpu = 0;
  let mem = 0;
  for (const a of running) {
    const stats = await v.client.query<AllocStats>(`/v1/client/allocation/${a.ID}/stats`);
    cpu += stats?.ResourceUsage?.CpuStats?.TotalTicks ?? 0;
    const m = stats?.ResourceUsage?.MemoryStats;
    mem += (m?.Usage ?? 0) > 0 ? m!.Usage! : m?.RSS ?? 0;
  }
  return [
    "CPU|Memory",
    `${Math.floor(cpu)}/${total.cpu} MHz|${formatIBytes(mem)}/${formatIBytes(total.memoryMB * MB)}`,
  ];
}

function hostResources(stats: HostStats, node: Node): string[] {
  const device = node.Attributes?.["unique.storage.volume"] ?? "";
  const disk = (stats.DiskStats ?? []).findLast((d) => d.Device === device);
  const cpu = `${Math.floor(stats.CPUTicksConsumed ?? 0)}/${
    node.NodeResources?.Cpu.CpuShares ?? 0
  } MHz`;
  const mem = `${formatIBytes(stats.Memory?.Used ?? 0)}/${formatIBytes(stats.Memory?.Total ?? 0)}`;
  const diskText = disk ? `${formatIBytes(disk.Used)}/${formatIBytes(disk.Size)}` : `(${device})`;
  return ["CPU|Memory|Disk", `${cpu}|${mem}|${diskText}`];
}

async function section(v: NodeView, title: string, body: string) {
  await v.ctx.ui.output(paint(v.ctx, `\n[bold]${title}[reset]`));
  await v.ctx.ui.output(body);
}

async function verboseSections(v: NodeView, node: Node) {
  const volumes = sortedKeys(node.HostVolumes);
  if (volumes.length > 0) {
    await section(
      v,
      "Host Volumes",
      formatList([
        "Name|ReadOnly|Source",
        ...volumes.map((n) => {
          const info = node.HostVolumes![n]!;
          return `${n}|${info.ReadOnly}|${info.Path}`;
        }),
      ]),
    );
  }
  const networks = sortedKeys(node.HostNetworks);
  if (networks.length > 0) {
    await section(
      v,
      "Host Networks",
      formatList([
        "Name|CIDR|Interface|ReservedPorts",
        ...networks.map((n) => {
          const info = node.HostNetworks![n]!;
          return `${n}|${info.CIDR}|${info.Interface}|${info.ReservedPorts}`;
        }),
      ]),
    );
  }
  await section(
    v,
    "Drivers",
    formatList([
      "Driver|Detected|Healthy|Message|Time",
      ...sortedKeys(node.Drivers).map((d) => {
        const info = node.Drivers![d]!;
        return `${d}|${info.Detected}|${info.Healthy}|${info.HealthDescription}|${
          formatApiTime(info.UpdateTime)
        }`;
      }),
    ]),
  );
}

function nodeEvents(node: Node, verbose: boolean): string {
  const events = node.Events ?? [];
  const rows = [verbose ? "Time|Subsystem|Message|Details" : "Time|Subsystem|Message"];
  for (const e of [...events].reverse()) {
    const driver = e.Details?.driver ?? "";
    const subsystem = driver === "" ? e.Subsystem : `Driver: ${driver}`;
    const base = `${formatApiTime(e.Timestamp)}|${subsystem}|${e.Message}`;
    rows.push(
      verbose
        ? `${base}|${Object.entries(e.Details ?? {}).map(([k, val]) => `${k}: ${val}`).join(", ")}`
        : base,
    );
  }
  return formatList(rows);
}

function printStats(stats: HostStats): string[] {
  const cpu = (stats.CPU ?? []).map((c) =>
    formatKV([
      `CPU|${c.CPU}`,
      `User|${formatFloat2(c.User)}%`,
      `System|${formatFloat2(c.System)}%`,
      `Idle|${formatFloat2(c.Idle)}%`,
    ])
  );
  const m = stats.Memory;
  const memory = formatKV([
    `Total|${formatIBytes(m?.Total ?? 0)}`,
    `Available|${formatIBytes(m?.Available ?? 0)}`,
    `Used|${formatIBytes(m?.Used ?? 0)}`,
    `Free|${formatIBytes(m?.Free ?? 0)}`,
  ]);
  const disks = (stats.DiskStats ?? []).map((d) => {
    const x = d as typeof d & { UsedPercent?: number; InodesUsedPercent?: number };
    return formatKV([
      `Device|${d.Device}`,
      `MountPoint|${d.Mountpoint}`,
      `Size|${formatIBytes(d.Size)}`,
      `Used|${formatIBytes(d.Used)}`,
      `Available|${formatIBytes(d.Available)}`,
      `Used Percent|${formatFloat2(x.UsedPercent ?? 0)}%`,
      `Inodes Percent|${formatFloat2(x.InodesUsedPercent ?? 0)}%`,
    ]);
  });
  return [cpu.join("\n\n"), memory, disks.join("\n\n")];
}

/** Prints the detail view of `node`; the exit code. */
export async function outputNode(v: NodeView, node: Node): Promise<number> {
  const { ctx, client } = v;
  let allocs: Allocation[];
  try {
    allocs = await client.nodes.allocations(node.ID);
  } catch (err) {
    await ctx.ui.error(`Error querying node allocations: ${messageOf(err)}`);
    return 1;
  }
  const running = allocs.filter((a) => a.ClientStatus === "running");
  const basic = [
    `ID|${node.ID}`,
    `Name|${node.Name}`,
    `Node Pool|${node.NodePool}`,
    `Class|${node.NodeClass}`,
    `DC|${node.Datacenter}`,
    `Drain|${formatDrain(node)}`,
    `Eligibility|${node.SchedulingEligibility}`,
    `Status|${node.Status}`,
    `CSI Controllers|${sortedKeys(node.CSIControllerPlugins).join(",")}`,
    `CSI Drivers|${sortedKeys(node.CSINodePlugins).join(",")}`,
  ];
  const hint = () =>
    showUiHint(client, ctx, "node status single", { nodeID: node.ID }, { open: v.openUi });
  const allocSection = async () => {
    await section(v, "Allocations", formatAllocList(allocs, v.verbose, v.length));
    if (!v.verbose) return;
    await section(
      v,
      "Attributes",
      formatKV(sortedKeys(node.Attributes).map((k) => `${k}|${node.Attributes![k]}`)),
    );
    await section(
      v,
      "Meta",
      formatKV(sortedKeys(node.Meta).filter((k) => k !== "").map((k) => `${k}|${node.Meta![k]}`)),
    );
  };
  const volumesEtc = [
    `Host Volumes|${sortedKeys(node.HostVolumes).join(",")}`,
    `Host Networks|${sortedKeys(node.HostNetworks).join(",")}`,
    `CSI Volumes|${csiVolumeNames(running)}`,
  ];
  if (v.short) {
    basic.push(...volumesEtc, `Drivers|${nodeDriverAttributes(node)}`);
    await ctx.ui.output(paint(ctx, formatKV(basic)));
    await hint();
    await allocSection();
    return 0;
  }
  let hostStats: HostStats | undefined;
  try {
    hostStats = await client.nodes.stats(node.ID);
  } catch (err) {
    await ctx.ui.output("");
    await ctx.ui.error(`error fetching node stats: ${messageOf(err)}`);
  }
  if (hostStats) basic.push(`Uptime|${formatDuration((hostStats.Uptime ?? 0) * 1e9)}`);
  if (!v.verbose) basic.push(...volumesEtc, `Driver Status| ${driverSummary(node)}`);
  await ctx.ui.output(paint(ctx, formatKV(basic)));
  if (v.verbose) await verboseSections(v, node);
  await section(v, "Node Events", nodeEvents(node, v.verbose));
  await section(v, "Allocated Resources", formatList(allocatedResources(node, running)));
  try {
    const actual = await actualResources(v, node, running);
    await section(v, "Allocation Resource Utilization", formatList(actual));
  } catch {
    // Nomad leaves the section out when a client cannot report its allocations' usage.
  }
  if (hostStats) {
    await section(v, "Host Resource Utilization", formatList(hostResources(hostStats, node)));
  } else {
    await ctx.ui.output("");
    await ctx.ui.error("error fetching node stats: actual resource usage not present");
  }
  if (hostStats && v.stats) {
    const [cpu, memory, disk] = printStats(hostStats);
    await section(v, "CPU Stats", cpu!);
    await section(v, "Memory Stats", memory!);
    await section(v, "Disk Stats", disk!);
  }
  await allocSection();
  await hint();
  return 0;
}

/** The drivers a node's attributes mark as present (`driver.docker = 1`). */
function nodeDriverAttributes(node: Node): string {
  return Object.entries(node.Attributes ?? {})
    .filter(([k, val]) => /^driver\.[^.]+$/.test(k) && val === "1")
    .map(([k]) => k.slice("driver.".length))
    .sort()
    .join(",");
}
