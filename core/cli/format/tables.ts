/**
 * The tables Nomad's commands share: allocation lists (with `Created`/`Modified` ages, or full
 * times with `-verbose`), evaluation lists, the job list, deployment progress per task group,
 * node lists and plan annotations. Each returns the aligned text of `formatList`.
 *
 * @module
 */
import type {
  Allocation,
  DeploymentState,
  Evaluation,
  Job,
  PlanAnnotations,
} from "../../structs/mod.ts";
import type {
  AllocationListStub,
  ApiEvaluation,
  EvaluationStub,
  JobListStub,
  NodeListStub,
} from "../api/types.ts";
import { columnize, formatList, idLength, limit } from "./columns.ts";
import {
  formatApiTime,
  formatTime,
  formatUnixNanoTime,
  nanosToMillis,
  now,
  parseApiTime,
  prettyTimeDiff,
} from "./time.ts";

const ago = (ns: number) => prettyTimeDiff(ns ? nanosToMillis(ns) : null, now());

/** When a batch allocation's `max_run_duration` ends, in epoch ms, or `null` when it has none. */
function maxRunDeadline(job: Job | null | undefined, group: string, createTime: number) {
  if (!job || (job.Type !== "batch" && job.Type !== "sysbatch") || !createTime) return null;
  const tg = (job.TaskGroups ?? []).find((g) => g.Name === group);
  const max = tg?.MaxRunDuration ?? 0;
  return max > 0 ? nanosToMillis(createTime + max) : null;
}

function deadlineText(deadline: number | null, verbose: boolean): string {
  if (deadline === null) return "";
  return verbose ? formatTime(deadline) : prettyTimeDiff(deadline, now());
}

interface AllocRow {
  ID: string;
  EvalID: string;
  NodeID: string;
  NodeName?: string;
  TaskGroup: string;
  JobVersion: number;
  DesiredStatus: string;
  ClientStatus: string;
  CreateTime: number;
  ModifyTime: number;
}

function allocTable(
  rows: readonly AllocRow[],
  verbose: boolean,
  length: number,
  deadlines: readonly string[],
  withNodeName: boolean,
): string {
  if (rows.length === 0) return "No allocations placed";
  const showDeadline = deadlines.some((d) => d !== "");
  const head = verbose
    ? `ID|Eval ID|Node ID|${withNodeName ? "Node Name|" : ""}Task Group|Version|Desired|Status|` +
      "Created|Modified"
    : "ID|Node ID|Task Group|Version|Desired|Status|Created|Modified";
  const lines = [head + (showDeadline ? "|Max Run Deadline" : "")];
  rows.forEach((a, i) => {
    const cells = verbose
      ? [
        limit(a.ID, length),
        limit(a.EvalID, length),
        limit(a.NodeID, length),
        ...(withNodeName ? [a.NodeName ?? ""] : []),
        a.TaskGroup,
        String(a.JobVersion ?? 0),
        a.DesiredStatus,
        a.ClientStatus,
        formatUnixNanoTime(a.CreateTime),
        formatUnixNanoTime(a.ModifyTime),
      ]
      : [
        limit(a.ID, length),
        limit(a.NodeID, length),
        a.TaskGroup,
        String(a.JobVersion ?? 0),
        a.DesiredStatus,
        a.ClientStatus,
        ago(a.CreateTime),
        ago(a.ModifyTime),
      ];
    if (showDeadline) cells.push(deadlines[i] ?? "");
    lines.push(cells.join("|"));
  });
  return formatList(lines);
}

/** Allocation stubs as `job status`, `eval status` and `alloc` lists print them. */
export function formatAllocListStubs(
  stubs: readonly AllocationListStub[],
  verbose: boolean,
  length: number,
): string {
  return allocTable(stubs, verbose, length, [], true);
}

/** A job's allocation stubs, with a `Max Run Deadline` column for batch groups that have one. */
export function formatJobAllocListStubs(
  stubs: readonly AllocationListStub[],
  job: Job,
  verbose: boolean,
  length: number,
): string {
  const deadlines = stubs.map((a) =>
    deadlineText(maxRunDeadline(job, a.TaskGroup, a.CreateTime), verbose)
  );
  return allocTable(stubs, verbose, length, deadlines, true);
}

/** Full allocations (as `node status` lists them), versions taken from each one's job. */
export function formatAllocList(
  allocs: readonly Allocation[],
  verbose: boolean,
  length: number,
): string {
  const rows = allocs.map((a) => ({ ...a, JobVersion: a.Job?.Version ?? 0 }));
  const deadlines = allocs.map((a) =>
    deadlineText(maxRunDeadline(a.Job, a.TaskGroup, a.CreateTime), verbose)
  );
  return allocTable(rows, verbose, length, deadlines, false);
}

/**
 * What the "Placement Failures" column says: `true`/`false`, or `N/A - In Progress` for a
 * blocked evaluation; and whether the evaluation has failures.
 */
export function evalFailureStatus(e: Pick<Evaluation, "FailedTGAllocs" | "Status">) {
  const has = Object.keys(e.FailedTGAllocs ?? {}).length > 0;
  return { text: e.Status === "blocked" ? "N/A - In Progress" : String(has), has };
}

/** The evaluation table of `eval list` and of ambiguous prefixes. */
export function formatEvalList(evals: readonly ApiEvaluation[], verbose: boolean): string {
  const length = idLength(verbose);
  const lines = ["ID|Priority|Triggered By|Job ID|Namespace|Node ID|Status|Placement Failures"];
  for (const e of evals) {
    lines.push(
      [
        limit(e.ID, length),
        e.Priority,
        e.TriggeredBy,
        e.JobID,
        e.Namespace,
        limit(e.NodeID ?? "", length),
        e.Status,
        evalFailureStatus(e).text,
      ].join("|"),
    );
  }
  return formatList(lines);
}

/** `running`, or `running (stopped)` for a job marked stopped. */
export function jobStatusText(status: string, stop: boolean | null | undefined): string {
  return stop ? `${status} (stopped)` : status;
}

function jobTypeText(job: JobListStub): string {
  return job.Type + (job.Periodic ? "/periodic" : "") +
    (job.ParameterizedJob ? "/parameterized" : "");
}

/** The job list of `job status` (with a `Namespace` column when listing all namespaces). */
export function formatJobList(jobs: readonly JobListStub[], withNamespace: boolean): string {
  const lines = [
    withNamespace
      ? "ID|Namespace|Type|Priority|Status|Submit Date"
      : "ID|Type|Priority|Status|Submit Date",
  ];
  for (const j of jobs) {
    lines.push([
      j.ID,
      ...(withNamespace ? [j.JobSummary?.Namespace ?? j.Namespace ?? ""] : []),
      jobTypeText(j),
      j.Priority,
      jobStatusText(j.Status, j.Stop),
      formatUnixNanoTime(j.SubmitTime),
    ].join("|"));
  }
  return formatList(lines);
}

/** The per-group progress of a deployment (`Deployed`), with optional columns as Nomad adds them. */
export function formatDeploymentGroups(groups: Record<string, DeploymentState>): string {
  const names = Object.keys(groups).sort();
  const states = names.map((n) => groups[n]!);
  const autoRevert = states.some((s) => s.AutoRevert);
  const canaries = states.some((s) => s.DesiredCanaries > 0);
  const deadline = states.some((s) => s.ProgressDeadline !== 0);
  let head = "Task Group|";
  if (autoRevert) head += "Auto Revert|";
  if (canaries) head += "Promoted|";
  head += "Desired|";
  if (canaries) head += "Canaries|";
  head += "Placed|Healthy|Unhealthy";
  if (deadline) head += "|Progress Deadline";
  const lines = [head];
  names.forEach((name, i) => {
    const s = states[i]!;
    let row = `${name}|`;
    if (autoRevert) row += `${s.AutoRevert}|`;
    if (canaries) row += `${s.DesiredCanaries > 0 ? s.Promoted : "N/A"}|`;
    row += `${s.DesiredTotal}|`;
    if (canaries) row += `${s.DesiredCanaries}|`;
    row += `${s.PlacedAllocs}|${s.HealthyAllocs}|${s.UnhealthyAllocs}`;
    if (deadline) {
      const by = parseApiTime(s.RequireProgressBy);
      row += `|${by === null ? "N/A" : formatApiTime(s.RequireProgressBy)}`;
    }
    lines.push(row);
  });
  return formatList(lines);
}

/** The node table of an ambiguous node prefix. */
export function formatNodeStubList(nodes: readonly NodeListStub[], verbose: boolean): string {
  if (nodes.length === 0) return "";
  const length = idLength(verbose);
  const lines = ["ID|DC|Name|Class|Drain|Eligibility|Status"];
  for (const n of nodes) {
    lines.push(
      [limit(n.ID, length), n.Datacenter, n.Name, n.NodeClass, n.Drain, n.SchedulingEligibility]
        .join("|") + `|${n.Status}`,
    );
  }
  return formatList(lines);
}

/** The related evaluations of `eval status`. */
export function formatRelatedEvalStubs(evals: readonly EvaluationStub[], length: number): string {
  const lines = ["ID|Priority|Triggered By|Node ID|Status|Description"];
  for (const e of evals) {
    lines.push(
      [
        limit(e.ID, length),
        e.Priority,
        e.TriggeredBy,
        limit(e.NodeID ?? "", length),
        e.Status,
        e.StatusDescription,
      ].join("|"),
    );
  }
  return formatList(lines);
}

/** Allocations preempted by a plan, which may belong to other jobs. */
export function formatPreemptedAllocListStubs(
  stubs: readonly AllocationListStub[],
  length: number,
): string {
  const lines = ["ID|Job ID|Node ID|Task Group|Version|Desired|Status|Created|Modified"];
  for (const a of stubs) {
    lines.push([
      limit(a.ID, length),
      a.JobID,
      limit(a.NodeID, length),
      a.TaskGroup,
      a.JobVersion ?? 0,
      a.DesiredStatus,
      a.ClientStatus,
      ago(a.CreateTime),
      ago(a.ModifyTime),
    ].join("|"));
  }
  return formatList(lines);
}

const OPTIONAL_UPDATE_COLUMNS = [
  ["Migrate", "Migrate"],
  ["Canary", "Canary"],
  ["Preemptions", "Preemptions"],
  ["Reschedule Now", "RescheduleNow"],
  ["Reschedule Later", "RescheduleLater"],
  ["Disconnect", "Disconnect"],
  ["Reconnect", "Reconnect"],
] as const;

/**
 * What a plan does per task group (`eval status`'s `Plan Annotations`): ignore, place, stop,
 * in-place and destructive always; the other counts when any is non-zero or with `verbose`.
 */
export function formatPlanAnnotations(
  updates: PlanAnnotations["DesiredTGUpdates"],
  verbose: boolean,
): string {
  const groups = Object.keys(updates ?? {}).sort();
  const lines = ["Task Group|Ignore|Place|Stop|InPlace|Destructive"];
  for (const g of groups) {
    const u = updates![g]!;
    lines.push(`${g}|${u.Ignore}|${u.Place}|${u.Stop}|${u.InPlaceUpdate}|${u.DestructiveUpdate}`);
  }
  for (const [title, key] of OPTIONAL_UPDATE_COLUMNS) {
    const values = groups.map((g) => updates![g]![key] ?? 0);
    if (!verbose && values.every((v) => v === 0)) continue;
    lines[0] += `|${title}`;
    values.forEach((v, i) => (lines[i + 1] += `|${v}`));
  }
  return columnize(lines);
}
