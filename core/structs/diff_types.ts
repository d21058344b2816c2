/**
 * The structural job diff behind `nomad job plan`, in Nomad's API JSON shape (`api.JobDiff`).
 *
 * Values are strings as Nomad prints them: booleans `"true"`/`"false"`, integers in decimal,
 * durations as integer nanoseconds (`"30000000000"`). A list Go would marshal as `null`
 * (nothing changed) is `null` here too.
 *
 * @module
 */

/** What happened to a field, object, task, group or job between two versions. */
export type DiffType = "None" | "Added" | "Deleted" | "Edited";

/** One primitive value that changed (or, in contextual mode, did not). */
export interface FieldDiff {
  Type: DiffType;
  /** Server-side field name, e.g. `Count`, `Meta[owner]`, `port_map[0][db]`. */
  Name: string;
  /** The old value as a string; `""` when the field was added. */
  Old: string;
  /** The new value as a string; `""` when the field was deleted. */
  New: string;
  /** Scheduler notes such as `"forces create"`; `null` when there are none. */
  Annotations: string[] | null;
}

/** A nested object (a block such as `Constraint`, `Resources`, `Config`) that changed. */
export interface ObjectDiff {
  Type: DiffType;
  Name: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
}

/** The diff of one task. */
export interface TaskDiff {
  Type: DiffType;
  Name: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
  /** `"forces create/destroy update"`, `"forces in-place update"`, ... once annotated. */
  Annotations: string[] | null;
}

/** The diff of one task group. */
export interface TaskGroupDiff {
  Type: DiffType;
  Name: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
  Tasks: TaskDiff[] | null;
  /** How many allocations each kind of update touches (`create`, `destroy`, ...). */
  Updates: Record<string, number> | null;
}

/** The diff of two versions of a job. */
export interface JobDiff {
  Type: DiffType;
  ID: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
  TaskGroups: TaskGroupDiff[] | null;
}
