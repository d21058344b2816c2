/**
 * The annotated job diff that `job plan` and `job history -p` print, laid out as Nomad's
 * `formatJobDiff` does: a marker per line (`+` added, `-` deleted, `+/-` edited, none for
 * unchanged context), names aligned under the longest marker, values aligned under the longest
 * field name, `(forces create)`-style annotations, and group update counts such as
 * `(3 create, 1 destroy)`. The text carries color tags for {@link colorize}.
 *
 * @example
 * ```ts
 * formatJobDiff(diff, false);
 * // +/- Job: "example"
 * // +/- Task Group: "cache" (3 create)
 * //   +/- Count: "1" => "3" (forces create)
 * //       Task: "redis"
 * ```
 *
 * @module
 */
import type {
  DiffType,
  FieldDiff,
  JobDiff,
  ObjectDiff,
  TaskDiff,
  TaskGroupDiff,
} from "../../structs/mod.ts";
import { goQuote } from "./quote.ts";

const encoder = new TextEncoder();
/** Go's `len` of a string: its UTF-8 byte count. */
const byteLength = (s: string) => encoder.encode(s).length;
const spaces = (n: number) => " ".repeat(Math.max(0, n));

/** The colored marker of a diff type and its width without color tags. */
export function diffMarker(type: DiffType | string): [string, number] {
  switch (type) {
    case "Added":
      return ["[green]+[reset] ", 2];
    case "Deleted":
      return ["[red]-[reset] ", 2];
    case "Edited":
      return ["[light_yellow]+/-[reset] ", 4];
    default:
      return ["", 0];
  }
}

const ANNOTATION_COLORS: Readonly<Record<string, string>> = {
  "forces create": "green",
  "forces destroy": "red",
  "forces in-place update": "cyan",
  "forces create/destroy update": "yellow",
};

/** Joins annotations with `, `, coloring the ones Nomad colors. */
export function colorAnnotations(annotations: readonly string[] | null): string {
  return (annotations ?? []).map((a) => {
    const color = ANNOTATION_COLORS[a];
    return color ? `[${color}]${a}[reset]` : a;
  }).join(", ");
}

const UPDATE_COLORS: Readonly<Record<string, string>> = {
  create: "[green]",
  destroy: "[red]",
  migrate: "[blue]",
  "in-place update": "[cyan]",
  "create/destroy update": "[yellow]",
  canary: "[light_yellow]",
};

function longestPrefixes(
  fields: readonly FieldDiff[] | null,
  objects: readonly ObjectDiff[] | null,
): [number, number] {
  let longestField = 0;
  let longestMarker = 0;
  for (const f of fields ?? []) {
    longestField = Math.max(longestField, byteLength(f.Name));
    longestMarker = Math.max(longestMarker, diffMarker(f.Type)[1]);
  }
  for (const o of objects ?? []) longestMarker = Math.max(longestMarker, diffMarker(o.Type)[1]);
  return [longestField, longestMarker];
}

function formatFieldDiff(f: FieldDiff, start: number, keyPrefix: number, valuePrefix: number) {
  let out = `${spaces(start)}${diffMarker(f.Type)[0]}${spaces(keyPrefix)}${f.Name}: ${
    spaces(valuePrefix)
  }`;
  switch (f.Type) {
    case "Added":
      out += goQuote(f.New);
      break;
    case "Deleted":
      out += goQuote(f.Old);
      break;
    case "Edited":
      out += `${goQuote(f.Old)} => ${goQuote(f.New)}`;
      break;
    default:
      out += goQuote(f.New);
  }
  if ((f.Annotations ?? []).length > 0) out += ` (${colorAnnotations(f.Annotations)})`;
  return out;
}

function formatObjectDiff(o: ObjectDiff, start: number, keyPrefix: number): string {
  const [marker, markerLength] = diffMarker(o.Type);
  let out = `${spaces(start)}${marker}${spaces(keyPrefix)}${o.Name} {\n`;
  const [longestField, longestMarker] = longestPrefixes(o.Fields, o.Objects);
  out += alignedFieldsAndObjects(
    o.Fields,
    o.Objects,
    start + keyPrefix + 2,
    longestField,
    longestMarker,
  );
  return `${out}\n${spaces(start + markerLength + keyPrefix)}}`;
}

function alignedFieldsAndObjects(
  fields: readonly FieldDiff[] | null,
  objects: readonly ObjectDiff[] | null,
  start: number,
  longestField: number,
  longestMarker: number,
): string {
  const fs = fields ?? [];
  const os = objects ?? [];
  let out = "";
  fs.forEach((f, i) => {
    const keyPrefix = longestMarker - diffMarker(f.Type)[1];
    out += formatFieldDiff(f, start, keyPrefix, longestField - byteLength(f.Name));
    if (i + 1 !== fs.length || os.length > 0) out += "\n";
  });
  os.forEach((o, i) => {
    out += formatObjectDiff(o, start, longestMarker - diffMarker(o.Type)[1]);
    if (i + 1 !== os.length) out += "\n";
  });
  return out;
}

function formatTaskDiff(task: TaskDiff, start: number, taskPrefix: number, verbose: boolean) {
  let out = `${spaces(start)}${diffMarker(task.Type)[0]}${spaces(taskPrefix)}[bold]Task: ${
    goQuote(task.Name)
  }`;
  if ((task.Annotations ?? []).length > 0) {
    out += ` [reset](${colorAnnotations(task.Annotations)})`;
  }
  if (task.Type === "None") return out;
  if ((task.Type === "Deleted" || task.Type === "Added") && !verbose) return out;
  out += "\n";
  const [longestField, longestMarker] = longestPrefixes(task.Fields, task.Objects);
  return out +
    alignedFieldsAndObjects(task.Fields, task.Objects, start + 2, longestField, longestMarker);
}

function formatTaskGroupDiff(tg: TaskGroupDiff, tgPrefix: number, verbose: boolean): string {
  let out = `${diffMarker(tg.Type)[0]}${spaces(tgPrefix)}[bold]Task Group: ${
    goQuote(tg.Name)
  }[reset]`;
  const updates = Object.keys(tg.Updates ?? {}).sort();
  if (updates.length > 0) {
    const parts = updates.map((u) => `[reset]${UPDATE_COLORS[u] ?? ""}${tg.Updates![u]} ${u}`);
    out += ` (${parts.join(", ")}[reset])\n`;
  } else {
    out += "[reset]\n";
  }
  let [longestField, longestMarker] = longestPrefixes(tg.Fields, tg.Objects);
  for (const t of tg.Tasks ?? []) longestMarker = Math.max(longestMarker, diffMarker(t.Type)[1]);
  const subStart = tgPrefix + 2;
  if (tg.Type === "Edited" || verbose) {
    const fo = alignedFieldsAndObjects(
      tg.Fields,
      tg.Objects,
      subStart,
      longestField,
      longestMarker,
    );
    out += fo;
    if (fo.length > 0) out += "\n";
  }
  for (const t of tg.Tasks ?? []) {
    const prefix = longestMarker - diffMarker(t.Type)[1];
    out += `${formatTaskDiff(t, subStart, prefix, verbose)}\n`;
  }
  return out;
}

/**
 * The annotated diff of a job as Nomad's `formatJobDiff` lays it out, with color tags. The
 * job's own fields show only when the job is edited (or `verbose`); added and deleted tasks
 * show their contents only with `verbose`.
 */
export function formatJobDiff(job: JobDiff, verbose: boolean): string {
  let out = `${diffMarker(job.Type)[0]}[bold]Job: ${goQuote(job.ID)}\n`;
  let [longestField, longestMarker] = longestPrefixes(job.Fields, job.Objects);
  for (const tg of job.TaskGroups ?? []) {
    longestMarker = Math.max(longestMarker, diffMarker(tg.Type)[1]);
  }
  if (job.Type === "Edited" || verbose) {
    const fo = alignedFieldsAndObjects(job.Fields, job.Objects, 0, longestField, longestMarker);
    out += fo;
    if (fo.length > 0) out += "\n";
  }
  for (const tg of job.TaskGroups ?? []) {
    out += `${formatTaskGroupDiff(tg, longestMarker - diffMarker(tg.Type)[1], verbose)}\n`;
  }
  return out;
}
