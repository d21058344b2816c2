/**
 * Annotates a job diff with what the scheduler will do, for `nomad job plan` (Nomad's
 * `scheduler/annotate.go`): count changes force creates or destroys, task changes force an
 * in-place or a destructive update, and each group gets its update counts.
 *
 * @module
 */
import type { FieldDiff, JobDiff, TaskDiff, TaskGroupDiff } from "./diff_types.ts";

/** Set on a count increase and on tasks of an added group. */
export const ANNOTATION_FORCES_CREATE = "forces create";
/** Set on a count decrease and on tasks of a removed group. */
export const ANNOTATION_FORCES_DESTROY = "forces destroy";
/** Set on a task whose changes the client applies without restarting it. */
export const ANNOTATION_FORCES_INPLACE_UPDATE = "forces in-place update";
/** Set on a task whose changes need its allocations replaced. */
export const ANNOTATION_FORCES_DESTRUCTIVE_UPDATE = "forces create/destroy update";

/** What the scheduler would do to a task group's allocations (Nomad's `DesiredUpdates`). */
export interface DesiredUpdates {
  Ignore: number;
  Place: number;
  Migrate: number;
  Stop: number;
  InPlaceUpdate: number;
  DestructiveUpdate: number;
  Canary: number;
  Preemptions: number;
  Disconnect: number;
  Reconnect: number;
  RescheduleNow: number;
  RescheduleLater: number;
}

/** The names `TaskGroupDiff.Updates` uses for the counts of {@link DesiredUpdates}. */
const UPDATE_NAMES: ReadonlyArray<readonly [keyof DesiredUpdates, string]> = [
  ["Ignore", "ignore"],
  ["Place", "create"],
  ["Migrate", "migrate"],
  ["Stop", "destroy"],
  ["Canary", "canary"],
  ["InPlaceUpdate", "in-place update"],
  ["DestructiveUpdate", "create/destroy update"],
];

/** Task objects whose changes the client can apply in place. */
const IN_PLACE_OBJECTS = new Set(["Service", "Constraint", "Affinity", "Spread"]);

const withNote = (notes: string[] | null, note: string) => [...(notes ?? []), note];

function parseCount(text: string, group: string): number {
  if (text === "") return 0;
  const n = Number(text);
  if (!Number.isInteger(n)) {
    throw new RangeError(
      `Cannot annotate the plan of group "${group}": its count "${text}" is not an integer`,
    );
  }
  return n;
}

function annotateCount(field: FieldDiff, group: string): FieldDiff {
  if (field.Name !== "Count") return field;
  const oldCount = parseCount(field.Old, group);
  const newCount = parseCount(field.New, group);
  if (oldCount < newCount) {
    return { ...field, Annotations: withNote(field.Annotations, ANNOTATION_FORCES_CREATE) };
  }
  if (newCount < oldCount) {
    return { ...field, Annotations: withNote(field.Annotations, ANNOTATION_FORCES_DESTROY) };
  }
  return field;
}

/** Whether a task's changes need its allocations replaced. */
function isDestructive(task: TaskDiff): boolean {
  if ((task.Fields ?? []).some((f) => f.Name !== "KillTimeout")) return true;
  return (task.Objects ?? []).some((o) => {
    if (IN_PLACE_OBJECTS.has(o.Name)) return false;
    // Turning the logger on or off needs a new task; other log settings do not.
    if (o.Name === "LogConfig") return (o.Fields ?? []).some((f) => f.Name === "Disabled");
    return true;
  });
}

function annotateTask(task: TaskDiff, group: TaskGroupDiff): TaskDiff {
  if (task.Type === "None") return task;
  if (group.Type === "Added" || group.Type === "Deleted") {
    if (task.Type === "Added") {
      return { ...task, Annotations: withNote(task.Annotations, ANNOTATION_FORCES_CREATE) };
    }
    if (task.Type === "Deleted") {
      return { ...task, Annotations: withNote(task.Annotations, ANNOTATION_FORCES_DESTROY) };
    }
  }
  const note = isDestructive(task)
    ? ANNOTATION_FORCES_DESTRUCTIVE_UPDATE
    : ANNOTATION_FORCES_INPLACE_UPDATE;
  return { ...task, Annotations: withNote(task.Annotations, note) };
}

function annotateGroup(
  group: TaskGroupDiff,
  desired?: Record<string, DesiredUpdates>,
): TaskGroupDiff {
  let updates = group.Updates;
  const counts = desired && Object.hasOwn(desired, group.Name) ? desired[group.Name] : undefined;
  if (counts) {
    const next: Record<string, number> = { ...(updates ?? {}) };
    for (const [key, name] of UPDATE_NAMES) if (counts[key]) next[name] = counts[key];
    updates = next;
  }
  const out: TaskGroupDiff = { ...group, Updates: updates };
  const countIndex = (group.Fields ?? []).findIndex((f) => f.Name === "Count");
  if (countIndex >= 0 && group.Fields) {
    out.Fields = group.Fields.map((f, i) => (i === countIndex ? annotateCount(f, group.Name) : f));
  }
  if (group.Tasks) out.Tasks = group.Tasks.map((t) => annotateTask(t, group));
  return out;
}

/**
 * Annotates a job diff for display: a group's `Count` field gets `"forces create"` (up) or
 * `"forces destroy"` (down); each changed task gets `"forces create"`/`"forces destroy"` when its
 * whole group is added or removed, else `"forces in-place update"` when only its kill timeout,
 * services, constraints, affinities, spreads or log settings (other than turning logging on or
 * off) changed, else `"forces create/destroy update"`. Groups named in `desired` get their
 * non-zero update counts in `Updates` (`create`, `destroy`, `migrate`, `canary`, `ignore`,
 * `in-place update`, `create/destroy update`). The input is not modified: the result is a deep copy.
 *
 * @param diff A diff from `diffJobs`.
 * @param desired The scheduler's desired updates, by group name.
 * @returns A new, annotated diff.
 * @throws {RangeError} When a `Count` field does not hold an integer.
 *
 * @example
 * ```ts
 * const plan = annotateDiff(diffJobs(running, submitted, { contextual: true }), desired);
 * plan.TaskGroups?.[0]?.Updates; // { create: 2, ignore: 1 }
 * ```
 */
export function annotateDiff(diff: JobDiff, desired?: Record<string, DesiredUpdates>): JobDiff {
  const copy = structuredClone(diff);
  if (copy.TaskGroups) copy.TaskGroups = copy.TaskGroups.map((g) => annotateGroup(g, desired));
  return copy;
}
