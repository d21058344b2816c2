/**
 * Placement results as Nomad prints them: the reasons an allocation could not be placed
 * (`formatAllocMetrics`: `* Constraint "${attr.kernel.name} = windows": 3 nodes excluded by
 * filter`, `* Resources exhausted on 1 nodes`, `* Dimension "memory" exhausted on 1 nodes`), the
 * `Scheduler dry-run:` section of `job plan`, and the plan's exit code. Go iterates these maps
 * in random order; nomad-ts sorts the keys so output is stable.
 *
 * @module
 */
import type { AllocMetric, Job } from "../../structs/mod.ts";
import { formatDuration, nextAfter, parseCron } from "../../structs/mod.ts";
import type { JobPlanResponse } from "../api/types.ts";
import { formatList } from "./columns.ts";
import { goQuote } from "./quote.ts";
import { formatApiTime, formatSecondsBetween, formatTime, now, parseApiTime } from "./time.ts";

const sortedEntries = <V>(m: Record<string, V> | null | undefined): [string, V][] =>
  Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Go's `%.3g` of a score. */
function g3(n: number): string {
  if (n === 0) return "0";
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 3) {
    const [mant, e] = n.toExponential(2).split("e");
    const m = String(Number(mant));
    const ev = Number(e);
    return `${m}e${ev < 0 ? "-" : "+"}${String(Math.abs(ev)).padStart(2, "0")}`;
  }
  return String(Number(n.toPrecision(3)));
}

/**
 * The reasons in a placement metric, one `prefix* ...` line each, as Nomad's
 * `formatAllocMetrics`; constraints about missing drivers are tagged red. With `scores`, the
 * node scores follow as a table.
 */
export function formatAllocMetrics(metrics: AllocMetric, scores: boolean, prefix: string): string {
  let out = "";
  if ((metrics.NodesEvaluated ?? 0) === 0) {
    out += `${prefix}* No nodes were eligible for evaluation\n`;
  }
  for (const [dc, available] of sortedEntries(metrics.NodesAvailable)) {
    if (available === 0) out += `${prefix}* No nodes are available in datacenter ${goQuote(dc)}\n`;
  }
  for (const [cls, n] of sortedEntries(metrics.ClassFiltered)) {
    out += `${prefix}* Class ${goQuote(cls)}: ${n} nodes excluded by filter\n`;
  }
  for (const [cs, n] of sortedEntries(metrics.ConstraintFiltered)) {
    const line = `${prefix}* Constraint ${goQuote(cs)}: ${n} nodes excluded by filter`;
    out += cs.includes("missing drivers") ? `[red]${line}[reset]\n` : `${line}\n`;
  }
  if ((metrics.NodesExhausted ?? 0) > 0) {
    out += `${prefix}* Resources exhausted on ${metrics.NodesExhausted} nodes\n`;
  }
  for (const [cls, n] of sortedEntries(metrics.ClassExhausted)) {
    out += `${prefix}* Class ${goQuote(cls)} exhausted on ${n} nodes\n`;
  }
  for (const [dim, n] of sortedEntries(metrics.DimensionExhausted)) {
    out += `${prefix}* Dimension ${goQuote(dim)} exhausted on ${n} nodes\n`;
  }
  for (const dim of metrics.QuotaExhausted ?? []) {
    out += `${prefix}* Quota limit hit ${goQuote(dim)}\n`;
  }
  if (scores) out += formatScores(metrics, prefix);
  return out.replace(/\n$/, "");
}

function formatScores(metrics: AllocMetric, prefix: string): string {
  const meta = metrics.ScoreMetaData ?? [];
  if (meta.length === 0) {
    return sortedEntries(metrics.Scores)
      .map(([name, score]) => `${prefix}* Score ${goQuote(name)} = ${score.toFixed(6)}\n`)
      .join("");
  }
  const names = [...new Set(meta.flatMap((m) => Object.keys(m.Scores ?? {})))].sort();
  const rows = [`Node|${names.join("|")}|final score`];
  for (const m of meta) {
    rows.push(
      `${m.NodeID}|${names.map((n) => `${g3(m.Scores?.[n] ?? 0)}|`).join("")}${g3(m.NormScore)}`,
    );
  }
  return formatList(rows);
}

/** A task group's failure heading: `Task Group "cache" (failed to place 2 allocations):`. */
export function failedGroupHeading(group: string, metrics: AllocMetric): string {
  const coalesced = metrics.CoalescedFailures ?? 0;
  const noun = coalesced > 0 ? "allocations" : "allocation";
  return `Task Group ${goQuote(group)} (failed to place ${coalesced + 1} ${noun}):`;
}

/** The task group names of placement failures, sorted. */
export function sortedFailedGroups(failed: Record<string, AllocMetric> | null): string[] {
  return Object.keys(failed ?? {}).sort();
}

/** The next launch of a periodic job after `from`, or `null` (Go's `PeriodicConfig.Next`). */
export function nextPeriodicLaunch(job: Job, from: number): number | null {
  const p = job.Periodic;
  if (!p) return null;
  const specs = p.Spec ? [p.Spec] : p.Specs ?? [];
  let next: number | null = null;
  for (const spec of specs) {
    const t = nextAfter(parseCron(spec), new Date(from), p.TimeZone ?? "UTC")?.getTime() ?? null;
    if (t !== null && (next === null || t < next)) next = t;
  }
  return next;
}

/**
 * When a periodic job launches next, as `job run` and `job status` print it:
 * `2024-12-01T00:00:00Z (5h3m0s from now)`, in the job's time zone. `undefined` when the job's
 * time zone is unknown (Nomad then prints nothing).
 *
 * @throws {Error} When the cron expression cannot be evaluated.
 */
export function nextLaunchText(job: Job): string | undefined {
  const zone = job.Periodic?.TimeZone || "UTC";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    return undefined;
  }
  const from = now();
  const next = nextPeriodicLaunch(job, from);
  if (next === null) throw new Error("no next launch time before the year 2100");
  return `${formatTime(next, zone)} (${formatSecondsBetween(from, next)} from now)`;
}

/** Whether a job is parameterized and not itself a dispatched instance. */
export function isParameterized(job: Job): boolean {
  return job.ParameterizedJob !== null && job.ParameterizedJob !== undefined && !job.Dispatched;
}

/**
 * The `Scheduler dry-run:` body of `job plan`, with color tags: all placed, or a warning and
 * the failures per task group; a pending rolling update; the next periodic launch.
 */
export function formatDryRun(resp: JobPlanResponse, job: Job): string {
  const rolling = (resp.CreatedEvals ?? []).filter((e) => e.TriggeredBy === "rolling-update")
    .at(-1);
  let out: string;
  const failed = sortedFailedGroups(resp.FailedTGAllocs);
  if (failed.length === 0) {
    out = "[bold][green]- All tasks successfully allocated.[reset]\n";
  } else {
    out = job.Type === "system"
      ? "[bold][yellow]- WARNING: Failed to place allocations on all nodes.[reset]\n"
      : "[bold][yellow]- WARNING: Failed to place all allocations.[reset]\n";
    for (const tg of failed) {
      const metrics = resp.FailedTGAllocs![tg]!;
      out += `  [yellow]${failedGroupHeading(tg, metrics)}\n[reset]`;
      out += `[yellow]${formatAllocMetrics(metrics, false, "    ")}[reset]\n\n`;
    }
    if (!rolling) out = out.replace(/\n$/, "");
  }
  if (rolling) {
    out += `[green]- Rolling update, next evaluation will be in ${
      formatDuration(rolling.Wait ?? 0)
    }.\n`;
  }
  const next = parseApiTime(resp.NextPeriodicLaunch);
  if (next !== null && !isParameterized(job)) {
    out += `[green]- If submitted now, next periodic launch would be at ${
      formatApiTime(resp.NextPeriodicLaunch)
    } (${formatSecondsBetween(now(), next)} from now).\n`;
  }
  return out.replace(/\n$/, "");
}

/**
 * The exit code of `job plan`: 0 when nothing changes or no allocation is created, stopped,
 * migrated or destructively updated; 1 otherwise.
 */
export function planExitCode(resp: JobPlanResponse): number {
  if (!resp.Diff || resp.Diff.Type === "None") return 0;
  for (const d of Object.values(resp.Annotations?.DesiredTGUpdates ?? {})) {
    if (d.Stop + d.Place + d.Migrate + d.DestructiveUpdate + d.Canary > 0) return 1;
  }
  return 0;
}
