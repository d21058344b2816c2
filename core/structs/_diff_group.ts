/**
 * The diff of one task group (Nomad's `TaskGroup.Diff`) and of a job's list of groups.
 *
 * @module
 */
import type { ObjectDiff, TaskGroupDiff } from "./diff_types.ts";
import type { SObj } from "./_diff_server.ts";
import {
  SDisconnect,
  SEphemeralDisk,
  SMigrate,
  SMountOptions,
  SReschedule,
  SRestart,
  SScaling,
  SUpdate,
  SVolumeRequest,
} from "./_diff_server_parts.ts";
import { SConsul } from "./_diff_server_services.ts";
import { STaskGroup } from "./_diff_server.ts";
import { deepEqual, flatten } from "./_diff_flatten.ts";
import {
  append,
  fieldDiffs,
  primitiveObjectDiff,
  sortObjects,
  stringSetDiff,
  structDiff,
} from "./_diff_core.ts";
import { mapDiff, networkDiffs } from "./_diff_resources.ts";
import { serviceDiffs } from "./_diff_services.ts";
import { placementDiffs, taskDiffs } from "./_diff_task.ts";

type Obj = SObj | null;
const list = (v: unknown) => (Array.isArray(v) ? (v as SObj[]) : null);
const obj = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? v as SObj : null);

const SCALING_FILTER = [
  "CreateIndex",
  "ModifyIndex",
  "ID",
  "Type",
  "Target[Job]",
  "Target[Group]",
  "Target[Namespace]",
];

function scalingDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  const diff = structDiff(SScaling, old, nu, "Scaling", contextual, {
    filter: SCALING_FILTER,
    contextualFields: false,
  });
  if (!diff) return null;
  diff.Objects = append(diff.Objects, policyDiff(old?.Policy, nu?.Policy));
  diff.Objects = sortObjects(diff.Objects);
  return diff;
}

/** Nomad never shows unchanged policy keys, even in contextual mode. */
function policyDiff(old: unknown, nu: unknown): ObjectDiff | null {
  return mapDiff(old, nu, "Policy", false);
}

function mountOptionsDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  const diff = structDiff(SMountOptions, old, nu, "MountOptions", contextual);
  if (!diff) return null;
  const strs = (v: unknown) => (Array.isArray(v) ? (v as string[]) : null);
  diff.Objects = append(
    diff.Objects,
    stringSetDiff(strs(old?.MountFlags), strs(nu?.MountFlags), "MountFlags", contextual),
  );
  return diff;
}

function volumeDiffs(old: Obj, nu: Obj, contextual: boolean): ObjectDiff[] | null {
  if (deepEqual(old, nu)) return null;
  const out: ObjectDiff[] = [];
  const one = (o: Obj, n: Obj) => {
    const diff = structDiff(SVolumeRequest, o, n, "Volume", contextual);
    if (!diff) return;
    diff.Objects = append(
      diff.Objects,
      mountOptionsDiff(obj(o?.MountOptions), obj(n?.MountOptions), contextual),
    );
    out.push(diff);
  };
  for (const [name, o] of Object.entries(old ?? {})) one(obj(o), obj(nu?.[name]));
  for (const [name, n] of Object.entries(nu ?? {})) {
    if (!old || !Object.hasOwn(old, name)) one(null, obj(n));
  }
  // Nomad leaves these in map order; sorting keeps our output stable.
  return sortObjects(out);
}

/** The diff of two versions of a task group; either may be `null` (group added or removed). */
export function taskGroupDiff(old: Obj, nu: Obj, contextual: boolean): TaskGroupDiff {
  const diff: TaskGroupDiff = {
    Type: "None",
    Name: String((nu ?? old)?.Name ?? ""),
    Fields: null,
    Objects: null,
    Tasks: null,
    Updates: null,
  };
  if (!old && !nu) return diff;
  if (!old) diff.Type = "Added";
  else if (!nu) diff.Type = "Deleted";
  else if (!deepEqual(old, nu)) diff.Type = "Edited";

  const oldFlat = flatten(STaskGroup, old, true, ["Name"]);
  const newFlat = flatten(STaskGroup, nu, true, ["Name"]);
  if (oldFlat && newFlat) {
    // ShutdownDelay is a pointer on the server; Nomad adds it by hand when diffing two groups.
    const delay = (g: Obj) => (typeof g?.ShutdownDelay === "number" ? String(g.ShutdownDelay) : "");
    oldFlat.set("ShutdownDelay", delay(old));
    newFlat.set("ShutdownDelay", delay(nu));
  }
  diff.Fields = fieldDiffs(oldFlat, newFlat, false);

  const prim = (spec: Parameters<typeof primitiveObjectDiff>[0], key: string, name: string) =>
    primitiveObjectDiff(spec, obj(old?.[key]), obj(nu?.[key]), [], name, contextual);
  let objects = placementDiffs(old, nu, contextual);
  objects = append(objects, prim(SRestart, "RestartPolicy", "RestartPolicy"));
  objects = append(objects, prim(SMigrate, "Migrate", "Migrate"));
  objects = append(objects, prim(SReschedule, "ReschedulePolicy", "ReschedulePolicy"));
  objects = append(objects, prim(SEphemeralDisk, "EphemeralDisk", "EphemeralDisk"));
  objects = append(objects, prim(SConsul, "Consul", "Consul"));
  objects = append(
    objects,
    primitiveObjectDiff(
      SUpdate,
      obj(old?.Update),
      obj(nu?.Update),
      ["Stagger"],
      "Update",
      contextual,
    ),
  );
  objects = append(
    objects,
    structDiff(SDisconnect, obj(old?.Disconnect), obj(nu?.Disconnect), "Disconnect", contextual, {
      primitiveOnly: false,
    }),
  );
  objects = append(objects, networkDiffs(list(old?.Networks), list(nu?.Networks), contextual));
  objects = append(objects, scalingDiff(obj(old?.Scaling), obj(nu?.Scaling), contextual));
  objects = append(objects, serviceDiffs(list(old?.Services), list(nu?.Services), contextual));
  objects = append(objects, volumeDiffs(obj(old?.Volumes), obj(nu?.Volumes), contextual));
  diff.Objects = objects;
  diff.Tasks = taskDiffs(list(old?.Tasks), list(nu?.Tasks), contextual);
  return diff;
}

/** Groups matched by name, sorted by name. */
export function taskGroupDiffs(
  old: SObj[] | null,
  nu: SObj[] | null,
  contextual: boolean,
): TaskGroupDiff[] | null {
  const oldMap = new Map((old ?? []).map((g) => [String(g.Name), g]));
  const newMap = new Map((nu ?? []).map((g) => [String(g.Name), g]));
  const out: TaskGroupDiff[] = [];
  for (const [name, o] of oldMap) out.push(taskGroupDiff(o, newMap.get(name) ?? null, contextual));
  for (const [name, n] of newMap) {
    if (!oldMap.has(name)) out.push(taskGroupDiff(null, n, contextual));
  }
  if (out.length === 0) return null;
  return out.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}
