/**
 * Diffs of the smaller parts of a task: templates, Vault, secrets, identities, actions,
 * volume mounts and schedules.
 *
 * @module
 */
import type { ObjectDiff } from "./diff_types.ts";
import type { SObj } from "./_diff_server.ts";
import {
  SAction,
  SChangeScript,
  SCron,
  SIdentity,
  SSecret,
  STemplate,
  SVolumeMount,
  SWaitConfig,
} from "./_diff_server_parts.ts";
import { deepEqual, flatten } from "./_diff_flatten.ts";
import {
  append,
  changeType,
  fieldDiffs,
  indexedDiffs,
  keyedDiffs,
  primitiveObjectDiff,
  sortObjects,
  stringSetDiff,
  structDiff,
} from "./_diff_core.ts";

type Obj = SObj | null;
const strs = (v: unknown) => (Array.isArray(v) ? (v as string[]) : null);
const obj = (v: unknown) => (v && typeof v === "object" ? v as SObj : null);

/** The diff of one workload identity; its audience is a string set. */
export function identityDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  const diff = structDiff(SIdentity, old, nu, "Identity", contextual);
  if (!diff) return null;
  diff.Objects = append(
    diff.Objects,
    stringSetDiff(strs(old?.Audience), strs(nu?.Audience), "Audience", contextual),
  );
  return diff;
}

/** Identities keyed by name. */
export function identityDiffs(
  old: SObj[] | null,
  nu: SObj[] | null,
  contextual: boolean,
): ObjectDiff[] | null {
  return keyedDiffs(old, nu, (i) => String(i.Name), (o, n) => identityDiff(o, n, contextual));
}

/** Volume mounts, matched by position. */
export function volumeMountDiffs(
  old: SObj[] | null,
  nu: SObj[] | null,
  contextual: boolean,
): ObjectDiff[] | null {
  return indexedDiffs(
    old,
    nu,
    (o, n) => structDiff(SVolumeMount, o, n, "VolumeMount", contextual),
  );
}

/** Actions, matched by position; their arguments are a string set. */
export function actionDiffs(
  old: SObj[] | null,
  nu: SObj[] | null,
  contextual: boolean,
): ObjectDiff[] | null {
  return indexedDiffs(old, nu, (o, n) => {
    const diff = structDiff(SAction, o, n, "Action", contextual);
    if (!diff) return null;
    diff.Objects = append(
      diff.Objects,
      stringSetDiff(strs(o?.Args), strs(n?.Args), "Args", contextual),
    );
    return diff;
  });
}

/** Secrets keyed by name, flattened whole (`Config[...]`, `Env[...]`). */
export function secretDiffs(
  old: SObj[] | null,
  nu: SObj[] | null,
  contextual: boolean,
): ObjectDiff[] | null {
  return keyedDiffs(
    old,
    nu,
    (s) => String(s.Name),
    (o, n) => structDiff(SSecret, o, n, "Secret", contextual, { primitiveOnly: false }),
  );
}

/** A task's schedule: the fields of its cron window, under the name `Schedule`. */
export function scheduleDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  if (deepEqual(old, nu)) return null;
  return primitiveObjectDiff(SCron, obj(old?.Cron), obj(nu?.Cron), [], "Schedule", contextual);
}

function templateDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  if (deepEqual(old, nu)) return null;
  const oldFlat = old ? flatten(STemplate, old, true) : null;
  const newFlat = nu ? flatten(STemplate, nu, true) : null;
  // Uid and Gid are pointers on the server; Nomad adds them by hand when set.
  for (const key of ["Uid", "Gid"]) {
    if (typeof old?.[key] === "number") oldFlat?.set(key, String(old[key]));
    if (typeof nu?.[key] === "number") newFlat?.set(key, String(nu[key]));
  }
  const diff: ObjectDiff = {
    Type: changeType(old, nu),
    Name: "Template",
    Fields: fieldDiffs(oldFlat, newFlat, contextual),
    Objects: null,
  };
  // Nomad names the wait diff "Template" too.
  diff.Objects = append(
    diff.Objects,
    structDiff(SWaitConfig, obj(old?.Wait), obj(nu?.Wait), "Template", contextual, {
      primitiveOnly: false,
    }),
  );
  const script = structDiff(
    SChangeScript,
    obj(old?.ChangeScript),
    obj(nu?.ChangeScript),
    "ChangeScript",
    contextual,
  );
  if (script) {
    script.Objects = append(
      script.Objects,
      stringSetDiff(
        strs(obj(old?.ChangeScript)?.Args),
        strs(obj(nu?.ChangeScript)?.Args),
        "Args",
        contextual,
      ),
    );
  }
  diff.Objects = append(diff.Objects, script);
  return diff;
}

/**
 * Templates: a single template on each side is diffed directly; otherwise templates are
 * matched by destination path.
 */
export function templateDiffs(
  old: SObj[] | null,
  nu: SObj[] | null,
  contextual: boolean,
): ObjectDiff[] | null {
  if (old?.length === 1 && nu?.length === 1) {
    const d = templateDiff(old[0] ?? null, nu[0] ?? null, contextual);
    return d ? [d] : null;
  }
  const taken = new Set<number>();
  const out: ObjectDiff[] = [];
  for (const o of old ?? []) {
    const idx = (nu ?? []).findIndex((n, i) => !taken.has(i) && n.DestPath === o.DestPath);
    if (idx < 0) {
      const d = templateDiff(o, null, contextual);
      if (d) out.push(d);
      continue;
    }
    taken.add(idx);
    const d = templateDiff(o, nu?.[idx] ?? null, contextual);
    if (d) out.push(d);
  }
  (nu ?? []).forEach((n, i) => {
    if (taken.has(i)) return;
    const d = templateDiff(null, n, contextual);
    if (d) out.push(d);
  });
  return sortObjects(out);
}
