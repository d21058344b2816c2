/**
 * What the Run Job page shows after Plan, laid out as `nomad job plan` prints it so the two read
 * the same: the annotated job diff (`+/- Job: "web"`, `+/- Task Group: "cache" (2 create, 1
 * in-place update)`, `  +/- Count: "1" => "3" (forces create)`), then the scheduler's dry run
 * (`All tasks successfully allocated.`, or the placement failures per group). Also reads the
 * positioned errors of `POST /v1/jobs/parse` (`input.hcl:3:5: Summary; detail`).
 *
 * @module
 */
import type {
  AllocMetric,
  FieldDiff,
  JobDiff,
  ObjectDiff,
  PlanResponse,
  TaskDiff,
} from "./types.ts";

/** The kind of change a diff line shows. */
export type DiffKind = "Added" | "Deleted" | "Edited" | "None";

/** One line of a rendered diff. */
export interface DiffLine {
  readonly kind: DiffKind;
  /** The whole line as the CLI prints it (without colors). */
  readonly text: string;
  /** Whether the line heads a job, group or task. */
  readonly heading: boolean;
}

const quote = (s: string) => JSON.stringify(s);
const sp = (n: number) => " ".repeat(Math.max(0, n));

function kindOf(type: string): DiffKind {
  return type === "Added" || type === "Deleted" || type === "Edited" ? type : "None";
}

/** The marker of a change and its width: `+ `, `- `, `+/- `, or nothing. */
function marker(type: string): string {
  switch (type) {
    case "Added":
      return "+ ";
    case "Deleted":
      return "- ";
    case "Edited":
      return "+/- ";
    default:
      return "";
  }
}

function widths(fields: readonly FieldDiff[] | null, objects: readonly ObjectDiff[] | null) {
  let field = 0;
  let mark = 0;
  for (const f of fields ?? []) {
    field = Math.max(field, f.Name.length);
    mark = Math.max(mark, marker(f.Type).length);
  }
  for (const o of objects ?? []) mark = Math.max(mark, marker(o.Type).length);
  return { field, mark };
}

const annotate = (a: readonly string[] | null) => (a ?? []).length > 0 ? ` (${a!.join(", ")})` : "";

class Lines {
  readonly out: DiffLine[] = [];
  add(type: string, text: string, heading = false): void {
    this.out.push({ kind: kindOf(type), text, heading });
  }

  fields(
    fields: readonly FieldDiff[] | null,
    objects: readonly ObjectDiff[] | null,
    start: number,
    w: { field: number; mark: number },
  ): void {
    for (const f of fields ?? []) {
      const value = f.Type === "Edited"
        ? `${quote(f.Old)} => ${quote(f.New)}`
        : f.Type === "Deleted"
        ? quote(f.Old)
        : quote(f.New);
      this.add(
        f.Type,
        `${sp(start)}${marker(f.Type)}${sp(w.mark - marker(f.Type).length)}${f.Name}: ${
          sp(w.field - f.Name.length)
        }${value}${annotate(f.Annotations)}`,
      );
    }
    for (const o of objects ?? []) this.object(o, start, w.mark - marker(o.Type).length);
  }

  object(o: ObjectDiff, start: number, pad: number): void {
    this.add(o.Type, `${sp(start)}${marker(o.Type)}${sp(pad)}${o.Name} {`);
    this.fields(o.Fields, o.Objects, start + pad + 2, widths(o.Fields, o.Objects));
    this.add(o.Type, `${sp(start + marker(o.Type).length + pad)}}`);
  }

  task(t: TaskDiff, start: number, pad: number, verbose: boolean): void {
    this.add(
      t.Type,
      `${sp(start)}${marker(t.Type)}${sp(pad)}Task: ${quote(t.Name)}${annotate(t.Annotations)}`,
      true,
    );
    if (t.Type === "None") return;
    if ((t.Type === "Added" || t.Type === "Deleted") && !verbose) return;
    this.fields(t.Fields, t.Objects, start + 2, widths(t.Fields, t.Objects));
  }
}

/** `(2 create, 1 in-place update)`: a group's update counts, sorted by kind. */
export function updateCounts(updates: Readonly<Record<string, number>> | null): string {
  const kinds = Object.keys(updates ?? {}).sort();
  if (kinds.length === 0) return "";
  return ` (${kinds.map((k) => `${updates![k]} ${k}`).join(", ")})`;
}

/**
 * The lines of a job diff. The job's own fields show when it is edited (or `verbose`); the
 * contents of added and deleted tasks only with `verbose`, as in `job plan`.
 */
export function diffLines(diff: JobDiff, verbose = false): DiffLine[] {
  const lines = new Lines();
  lines.add(diff.Type, `${marker(diff.Type)}Job: ${quote(diff.ID)}`, true);
  const w = widths(diff.Fields, diff.Objects);
  for (const tg of diff.TaskGroups ?? []) w.mark = Math.max(w.mark, marker(tg.Type).length);
  if (diff.Type === "Edited" || verbose) lines.fields(diff.Fields, diff.Objects, 0, w);
  for (const tg of diff.TaskGroups ?? []) {
    const tgPad = w.mark - marker(tg.Type).length;
    lines.add(
      tg.Type,
      `${marker(tg.Type)}${sp(tgPad)}Task Group: ${quote(tg.Name)}${updateCounts(tg.Updates)}`,
      true,
    );
    const gw = widths(tg.Fields, tg.Objects);
    for (const t of tg.Tasks ?? []) gw.mark = Math.max(gw.mark, marker(t.Type).length);
    if (tg.Type === "Edited" || verbose) lines.fields(tg.Fields, tg.Objects, tgPad + 2, gw);
    for (const t of tg.Tasks ?? []) {
      lines.task(t, tgPad + 2, gw.mark - marker(t.Type).length, verbose);
    }
  }
  return lines.out;
}

/** One line of the dry-run result. */
export interface DryRunLine {
  readonly level: "ok" | "warn" | "info";
  readonly text: string;
}

const sorted = <V>(m: Readonly<Record<string, V>> | null | undefined): [string, V][] =>
  Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Why allocations of a group could not be placed, one reason a line (Nomad's wording). */
export function placementReasons(m: AllocMetric): string[] {
  const out: string[] = [];
  if ((m.NodesEvaluated ?? 0) === 0) out.push("No nodes were eligible for evaluation");
  for (const [dc, n] of sorted(m.NodesAvailable)) {
    if (n === 0) out.push(`No nodes are available in datacenter ${quote(dc)}`);
  }
  for (const [cls, n] of sorted(m.ClassFiltered)) {
    out.push(`Class ${quote(cls)}: ${n} nodes excluded by filter`);
  }
  for (const [c, n] of sorted(m.ConstraintFiltered)) {
    out.push(`Constraint ${quote(c)}: ${n} nodes excluded by filter`);
  }
  if ((m.NodesExhausted ?? 0) > 0) out.push(`Resources exhausted on ${m.NodesExhausted} nodes`);
  for (const [cls, n] of sorted(m.ClassExhausted)) {
    out.push(`Class ${quote(cls)} exhausted on ${n} nodes`);
  }
  for (const [dim, n] of sorted(m.DimensionExhausted)) {
    out.push(`Dimension ${quote(dim)} exhausted on ${n} nodes`);
  }
  for (const q of m.QuotaExhausted ?? []) out.push(`Quota limit hit ${quote(q)}`);
  return out;
}

/** The `Scheduler dry-run:` section of `job plan`, line by line. */
export function dryRunLines(plan: PlanResponse, jobType: string): DryRunLine[] {
  const failed = sorted(plan.FailedTGAllocs);
  const out: DryRunLine[] = [];
  if (failed.length === 0) {
    out.push({ level: "ok", text: "- All tasks successfully allocated." });
  } else {
    out.push({
      level: "warn",
      text: jobType === "system"
        ? "- WARNING: Failed to place allocations on all nodes."
        : "- WARNING: Failed to place all allocations.",
    });
    for (const [group, m] of failed) {
      const n = (m.CoalescedFailures ?? 0) + 1;
      out.push({
        level: "warn",
        text: `  Task Group ${quote(group)} (failed to place ${n} ${
          n > 1 ? "allocations" : "allocation"
        }):`,
      });
      for (const r of placementReasons(m)) out.push({ level: "warn", text: `    * ${r}` });
    }
  }
  const rolling = (plan.CreatedEvals ?? []).filter((e) => e.TriggeredBy === "rolling-update");
  if (rolling.length > 0) {
    out.push({ level: "info", text: "- Rolling update, next evaluation will follow." });
  }
  return out;
}

/** Whether a plan changes allocations (the CLI's exit code 1). */
export function planChangesAllocations(plan: PlanResponse): boolean {
  if (plan.Diff === null || plan.Diff.Type === "None") return false;
  for (const u of Object.values(plan.Annotations?.DesiredTGUpdates ?? {})) {
    const n = (k: string) => u[k] ?? 0;
    if (n("Stop") + n("Place") + n("Migrate") + n("DestructiveUpdate") + n("Canary") > 0) {
      return true;
    }
  }
  return false;
}

/** An error at a place in the job file. */
export interface JobFileError {
  /** 1-based line, or 0 when the error has no position. */
  readonly line: number;
  /** 1-based column, or 0. */
  readonly column: number;
  readonly message: string;
}

/**
 * The errors in the agent's answer to a job file, with their positions: the parse endpoint
 * answers `Failed to parse job: input.hcl:3:5: Unsupported argument; An argument named "cont"
 * is not expected here.`, one error a line.
 *
 * @example
 * ```ts
 * jobFileErrors('Failed to parse job: input.hcl:3:5: Unsupported argument; detail');
 * // [{ line: 3, column: 5, message: "Unsupported argument; detail" }]
 * ```
 */
export function jobFileErrors(text: string): JobFileError[] {
  const body = text.replace(/^\s*Failed to parse job:\s*/, "").trim();
  const out: JobFileError[] = [];
  for (const raw of body.split("\n")) {
    const line = raw.trim().replace(/^\*\s*/, "");
    if (line === "") continue;
    const m = /^(?:[^:\s]+:)?(\d+)[:,](\d+)(?:-\d+(?:,\d+)?)?:\s*(.*)$/.exec(line);
    if (m !== null) out.push({ line: Number(m[1]), column: Number(m[2]), message: m[3]! });
    else out.push({ line: 0, column: 0, message: line });
  }
  return out;
}
