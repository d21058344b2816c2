/**
 * The diff of one task (Nomad's `Task.Diff`) and of a group's list of tasks.
 *
 * @module
 */
import type { ObjectDiff, TaskDiff } from "./diff_types.ts";
import type { SObj } from "./_diff_server.ts";
import {
  SAffinity,
  SArtifact,
  SConstraint,
  SDispatchPayload,
  SLogConfig,
  SVault,
} from "./_diff_server_parts.ts";
import { SConsul } from "./_diff_server_services.ts";
import { STask } from "./_diff_server.ts";
import { deepEqual, flatten } from "./_diff_flatten.ts";
import {
  append,
  fieldDiffs,
  primitiveObjectDiff,
  primitiveObjectSetDiff,
  structDiff,
} from "./_diff_core.ts";
import { mapDiff, resourcesDiff } from "./_diff_resources.ts";
import { serviceDiffs } from "./_diff_services.ts";
import {
  actionDiffs,
  identityDiff,
  identityDiffs,
  scheduleDiff,
  secretDiffs,
  templateDiffs,
  volumeMountDiffs,
} from "./_diff_task_parts.ts";

type Obj = SObj | null;
const list = (v: unknown) => (Array.isArray(v) ? (v as SObj[]) : null);
const obj = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? v as SObj : null);

/** Constraints are keyed by `LTarget Operand RTarget`. */
export const constraintId = (c: SObj) => `${c.LTarget} ${c.Operand} ${c.RTarget}`;
/** Affinities are keyed by `LTarget Operand RTarget Weight`. */
export const affinityId = (a: SObj) => `${a.LTarget} ${a.Operand} ${a.RTarget} ${a.Weight}`;

/** The constraint and affinity set diffs shared by jobs, groups and tasks. */
export function placementDiffs(old: Obj, nu: Obj, contextual: boolean): ObjectDiff[] | null {
  const constraints = primitiveObjectSetDiff(
    SConstraint,
    list(old?.Constraints),
    list(nu?.Constraints),
    ["str"],
    "Constraint",
    contextual,
    constraintId,
  );
  const affinities = primitiveObjectSetDiff(
    SAffinity,
    list(old?.Affinities),
    list(nu?.Affinities),
    ["str"],
    "Affinity",
    contextual,
    affinityId,
  );
  return append(constraints, affinities);
}

/** The diff of two versions of a task; either may be `null` (task added or removed). */
export function taskDiff(old: Obj, nu: Obj, contextual: boolean): TaskDiff {
  const diff: TaskDiff = {
    Type: "None",
    Name: String((nu ?? old)?.Name ?? ""),
    Fields: null,
    Objects: null,
    Annotations: null,
  };
  if (!old && !nu) return diff;
  if (!old) diff.Type = "Added";
  else if (!nu) diff.Type = "Deleted";
  else if (!deepEqual(old, nu)) diff.Type = "Edited";
  const filter = ["Name", "Config"];
  diff.Fields = fieldDiffs(
    flatten(STask, old, true, filter),
    flatten(STask, nu, true, filter),
    false,
  );

  let objects = placementDiffs(old, nu, contextual);
  objects = append(objects, mapDiff(old?.Config, nu?.Config, "Config", contextual));
  objects = append(objects, resourcesDiff(obj(old?.Resources), obj(nu?.Resources), contextual));
  objects = append(
    objects,
    primitiveObjectDiff(
      SLogConfig,
      obj(old?.LogConfig),
      obj(nu?.LogConfig),
      [],
      "LogConfig",
      contextual,
    ),
  );
  objects = append(
    objects,
    primitiveObjectDiff(
      SDispatchPayload,
      obj(old?.DispatchPayload),
      obj(nu?.DispatchPayload),
      [],
      "DispatchPayload",
      contextual,
    ),
  );
  objects = append(
    objects,
    primitiveObjectSetDiff(
      SArtifact,
      list(old?.Artifacts),
      list(nu?.Artifacts),
      [],
      "Artifact",
      contextual,
      (a) => String(a.RelativeDest ?? ""),
    ),
  );
  objects = append(objects, serviceDiffs(list(old?.Services), list(nu?.Services), contextual));
  objects = append(
    objects,
    structDiff(SVault, obj(old?.Vault), obj(nu?.Vault), "Vault", contextual),
  );
  objects = append(objects, secretDiffs(list(old?.Secrets), list(nu?.Secrets), contextual));
  objects = append(
    objects,
    primitiveObjectDiff(SConsul, obj(old?.Consul), obj(nu?.Consul), [], "Consul", contextual),
  );
  objects = append(objects, templateDiffs(list(old?.Templates), list(nu?.Templates), contextual));
  objects = append(objects, identityDiff(obj(old?.Identity), obj(nu?.Identity), contextual));
  objects = append(objects, identityDiffs(list(old?.Identities), list(nu?.Identities), contextual));
  objects = append(objects, actionDiffs(list(old?.Actions), list(nu?.Actions), contextual));
  objects = append(
    objects,
    volumeMountDiffs(list(old?.VolumeMounts), list(nu?.VolumeMounts), contextual),
  );
  objects = append(objects, scheduleDiff(obj(old?.Schedule), obj(nu?.Schedule), contextual));
  diff.Objects = objects;
  return diff;
}

/** Tasks matched by name, sorted by name. */
export function taskDiffs(
  old: SObj[] | null,
  nu: SObj[] | null,
  contextual: boolean,
): TaskDiff[] | null {
  const oldMap = new Map((old ?? []).map((t) => [String(t.Name), t]));
  const newMap = new Map((nu ?? []).map((t) => [String(t.Name), t]));
  const out: TaskDiff[] = [];
  for (const [name, o] of oldMap) out.push(taskDiff(o, newMap.get(name) ?? null, contextual));
  for (const [name, n] of newMap) if (!oldMap.has(name)) out.push(taskDiff(null, n, contextual));
  if (out.length === 0) return null;
  return out.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}
