/**
 * The per-task sections of `alloc status`, as Nomad prints them: for each task (prestart tasks
 * first, then sidecars, then the main tasks, by name) `Task "web" is "running"`, the "Task
 * Resources" table (usage/limit when the client reports stats), with `-stats` the measured
 * memory and CPU figures, the task's host and CSI volumes, "Task Events" and "Recent Events"
 * (newest first); with `-short` one "Tasks" table instead.
 *
 * @module
 */
import type { Allocation, Resources, TaskLifecycle, TaskState } from "../../structs/mod.ts";
import type { AllocResourceUsage, ResourceUsage } from "../api/mod.ts";
import type { Context } from "../command.ts";
import { formatKV, formatList, formatListWithSpaces } from "../format/columns.ts";
import { formatIBytes } from "../format/data.ts";
import { goQuote } from "../format/quote.ts";
import { formatApiTime, formatUnixNanoTime } from "../format/time.ts";
import { paint } from "./_api.ts";
import { eventDescription } from "./_alloc_events.ts";
import { allocTaskGroup } from "./_alloc_lookup.ts";

const MB = 1024 * 1024;

/** What the task sections show besides the allocation. */
export interface TaskView {
  /** Resource use from the node's client, when it answered. */
  readonly stats: AllocResourceUsage | undefined;
  /** `-stats`: the measured memory and CPU figures. */
  readonly displayStats: boolean;
  readonly verbose: boolean;
}

function lifecycles(alloc: Allocation): Map<string, TaskLifecycle | null> {
  const out = new Map<string, TaskLifecycle | null>();
  for (const t of allocTaskGroup(alloc)?.Tasks ?? []) out.set(t.Name, t.Lifecycle ?? null);
  return out;
}

/** `main`, or the hook with ` sidecar` (Nomad's `lifecycleDisplayName`). */
export function lifecycleName(lc: TaskLifecycle | null | undefined): string {
  if (!lc) return "main";
  return lc.Hook + (lc.Sidecar ? " sidecar" : "");
}

/** The tasks with a state, by name, prestart tasks first, then sidecars, then the rest. */
export function sortedTaskNames(alloc: Allocation): string[] {
  const lc = lifecycles(alloc);
  const rank = (name: string) => {
    const l = lc.get(name);
    if (!l) return 2;
    return l.Sidecar ? 1 : 0;
  };
  return Object.keys(alloc.TaskStates ?? {}).sort().sort((a, b) => rank(a) - rank(b));
}

/**
 * The resources of a task as Nomad's legacy `TaskResources` carries them, built from
 * `AllocatedResources` when a server leaves that field out.
 */
function taskResources(alloc: Allocation, task: string): Resources | undefined {
  const legacy = alloc.TaskResources?.[task];
  if (legacy) return legacy;
  const r = alloc.AllocatedResources?.Tasks?.[task];
  if (!r) return undefined;
  return {
    CPU: r.Cpu?.CpuShares ?? 0,
    Cores: r.Cpu?.ReservedCores?.length ?? 0,
    MemoryMB: r.Memory?.MemoryMB ?? 0,
    MemoryMaxMB: r.Memory?.MemoryMaxMB ?? 0,
    Networks: r.Networks,
  } as Resources;
}

function allocDiskMB(alloc: Allocation): number {
  return alloc.Resources?.DiskMB ?? alloc.AllocatedResources?.Shared?.DiskMB ?? 0;
}

/** The "Task Resources" table of `task`, or `undefined` when the task has no resources. */
export function formatTaskResources(
  alloc: Allocation,
  task: string,
  stats: AllocResourceUsage | undefined,
): string | undefined {
  const res = taskResources(alloc, task);
  if (!res) return undefined;
  const addrs: string[] = [];
  for (const nw of res.Networks ?? []) {
    for (const p of [...(nw.DynamicPorts ?? []), ...(nw.ReservedPorts ?? [])]) {
      addrs.push(`${p.Label}: ${nw.IP}:${p.Value}`);
    }
  }
  const cores = res.Cores ?? 0;
  const rows = [`${cores > 0 ? `CPU (${cores} cores)` : "CPU"}|Memory|Disk|Addresses`];
  let cpu = String(res.CPU ?? 0);
  let mem = formatIBytes((res.MemoryMB ?? 0) * MB);
  const max = res.MemoryMaxMB ?? 0;
  const memMax = max !== 0 && max !== res.MemoryMB ? `Max: ${formatIBytes(max * MB)}` : "";
  const usage = stats?.Tasks?.[task]?.ResourceUsage;
  if (usage?.CpuStats) cpu = `${Math.floor(usage.CpuStats.TotalTicks ?? 0)}/${cpu}`;
  const ms = usage?.MemoryStats;
  if (ms) {
    // RSS is the figure Nomad reports, unless the driver does not measure it (cgroups v2).
    let used = ms.RSS ?? 0;
    if (used === 0 && !(ms.Measured ?? []).includes("RSS")) used = ms.Usage ?? 0;
    mem = `${formatIBytes(used)}/${mem}`;
  }
  rows.push(`${cpu} MHz|${mem}|${formatIBytes(allocDiskMB(alloc) * MB)}|${addrs[0] ?? ""}`);
  if (memMax !== "" || addrs.length > 1) rows.push(`|${memMax}||${addrs[1] ?? ""}`);
  for (const a of addrs.slice(2)) rows.push(`|||${a}`);
  return formatListWithSpaces(rows);
}

const MEMORY_FIELDS: Readonly<Record<string, keyof NonNullable<ResourceUsage["MemoryStats"]>>> = {
  "RSS": "RSS",
  "Cache": "Cache",
  "Swap": "Swap",
  "Usage": "Usage",
  "Max Usage": "MaxUsage",
  "Kernel Usage": "KernelUsage",
  "Kernel Max Usage": "KernelMaxUsage",
};

function cpuFigure(cs: NonNullable<ResourceUsage["CpuStats"]>, name: string): string | undefined {
  switch (name) {
    case "Percent":
      return `${(cs.Percent ?? 0).toFixed(2)}%`;
    case "Throttled Periods":
      return String(cs.ThrottledPeriods ?? 0);
    case "Throttled Time":
      return String(cs.ThrottledTime ?? 0);
    case "User Mode":
      return `${(cs.UserMode ?? 0).toFixed(2)}%`;
    case "System Mode":
      return `${(cs.SystemMode ?? 0).toFixed(2)}%`;
  }
  return undefined;
}

/** The "Memory Stats" and "CPU Stats" tables of `-stats`, as lines to print. */
export function formatVerboseUsage(usage: ResourceUsage): string[] {
  const out: string[] = [];
  const ms = usage.MemoryStats;
  if (ms && (ms.Measured ?? []).length > 0) {
    const names = [...ms.Measured!].sort();
    const values = names.flatMap((n) => {
      const field = MEMORY_FIELDS[n];
      return field ? [formatIBytes(Number(ms[field] ?? 0))] : [];
    });
    out.push("Memory Stats", formatList([names.join("|"), values.join("|")]), "");
  }
  const cs = usage.CpuStats;
  if (cs && (cs.Measured ?? []).length > 0) {
    const names = [...cs.Measured!].sort();
    const values = names.flatMap((n) => cpuFigure(cs, n) ?? []);
    out.push("CPU Stats", formatList([names.join("|"), values.join("|")]));
  }
  return out;
}

/**
 * The "Host Volumes" and "CSI Volumes" tables of a task, as lines to print (each followed by
 * an empty line); `undefined` when the job does not have the task.
 */
export function formatTaskVolumes(alloc: Allocation, task: string): string[] | undefined {
  for (const tg of alloc.Job?.TaskGroups ?? []) {
    const t = (tg.Tasks ?? []).find((x) => x.Name === task);
    if (!t) continue;
    const host = ["ID|Read Only"];
    const csi = ["ID|Read Only"];
    for (const m of t.VolumeMounts ?? []) {
      const req = tg.Volumes?.[m.Volume ?? ""];
      if (req?.Type === "host") host.push(`${req.Name}|${m.ReadOnly ?? false}`);
      else if (req?.Type === "csi") csi.push(`${req.Name}|${req.ReadOnly}`);
    }
    const out: string[] = [];
    if (host.length > 1) out.push("Host Volumes:", formatList(host), "");
    if (csi.length > 1) out.push("CSI Volumes:", formatList(csi), "");
    return out;
  }
  return undefined;
}

function taskTime(text: string | null | undefined): string {
  const t = formatApiTime(text);
  return t === "" ? "N/A" : t;
}

/** "Task Events" and "Recent Events" (newest first) of a task. */
export function formatTaskState(state: TaskState): string {
  const basic = formatKV([
    `Started At|${taskTime(state.StartedAt)}`,
    `Finished At|${taskTime(state.FinishedAt)}`,
    `Total Restarts|${state.Restarts ?? 0}`,
    `Last Restart|${taskTime(state.LastRestart)}`,
  ]);
  const events = ["Time|Type|Description"];
  for (const e of [...(state.Events ?? [])].reverse()) {
    events.push(`${formatUnixNanoTime(e.Time)}|${e.Type}|${eventDescription(e)}`);
  }
  return `Task Events:\n${basic}\n\nRecent Events:\n${formatList(events)}`;
}

/** Prints the sections of every task of the allocation. */
export async function outputTaskDetails(
  ctx: Context,
  alloc: Allocation,
  v: TaskView,
): Promise<void> {
  const lc = lifecycles(alloc);
  for (const task of sortedTaskNames(alloc)) {
    const state = alloc.TaskStates![task]!;
    const l = lc.get(task);
    const indicator = l ? ` (${lifecycleName(l)})` : "";
    await ctx.ui.output(
      paint(ctx, `\n[bold]Task ${goQuote(task)}${indicator} is ${goQuote(state.State)}[reset]`),
    );
    const resources = formatTaskResources(alloc, task, v.stats);
    if (resources !== undefined) {
      await ctx.ui.output("Task Resources:");
      await ctx.ui.output(resources);
      const usage = v.stats?.Tasks?.[task]?.ResourceUsage;
      if (usage && v.displayStats) {
        await ctx.ui.output("");
        for (const line of formatVerboseUsage(usage)) await ctx.ui.output(line);
      }
    }
    await ctx.ui.output("");
    const volumes = formatTaskVolumes(alloc, task);
    if (volumes === undefined) {
      await ctx.ui.error(`Could not find task data for ${goQuote(task)}`);
    } else {
      for (const line of volumes) await ctx.ui.output(line);
    }
    await ctx.ui.output(formatTaskState(state));
  }
}

/** The "Tasks" table of `-short`: each task's state, last event and lifecycle. */
export function formatShortTaskStatus(alloc: Allocation): string {
  const lc = lifecycles(alloc);
  const rows = ["Name|State|Last Event|Time|Lifecycle"];
  for (const task of sortedTaskNames(alloc)) {
    const state = alloc.TaskStates![task]!;
    const last = (state.Events ?? []).at(-1);
    rows.push(
      [
        task,
        state.State,
        last?.Type ?? "",
        last ? formatUnixNanoTime(last.Time) : "",
        lifecycleName(lc.get(task)),
      ].join("|"),
    );
  }
  return `\n[bold]Tasks[reset]\n${formatList(rows)}`;
}
