/**
 * The structural diff of two versions of a job, as `nomad job plan` shows it (Nomad's
 * `Job.Diff` in `nomad/structs/diff.go`).
 *
 * @module
 */
import type { JobDiff, ObjectDiff } from "./diff_types.ts";
import type { Job } from "./job.ts";
import {
  SJob,
  SMRRegion,
  SMRStrategy,
  type SObj,
  SParameterized,
  SPeriodic,
  SUI,
  SUILink,
} from "./_diff_server.ts";
import { deepEqual, flatten, toServer } from "./_diff_flatten.ts";
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
import { serverJob } from "./_diff_convert.ts";
import { taskGroupDiffs } from "./_diff_group.ts";
import { placementDiffs } from "./_diff_task.ts";

type Obj = SObj | null;
const strs = (v: unknown) => (Array.isArray(v) ? (v as string[]) : null);
const list = (v: unknown) => (Array.isArray(v) ? (v as SObj[]) : null);
const obj = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? v as SObj : null);

/** Job fields that change on every version, or live elsewhere, and are never diffed. */
const JOB_FILTER = [
  "ID",
  "Status",
  "StatusDescription",
  "Version",
  "Stable",
  "CreateIndex",
  "ModifyIndex",
  "JobModifyIndex",
  "Update",
  "SubmitTime",
  "NomadTokenID",
  "VaultToken",
];

function periodicDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  const diff = structDiff(SPeriodic, old, nu, "Periodic", contextual);
  if (!diff) return null;
  const specs = stringSetDiff(strs(old?.Specs), strs(nu?.Specs), "Specs", contextual);
  if (specs && specs.Type !== "None") diff.Objects = append(diff.Objects, specs);
  return diff;
}

function parameterizedDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  const diff = structDiff(SParameterized, old, nu, "ParameterizedJob", contextual);
  if (!diff) return null;
  for (const key of ["MetaOptional", "MetaRequired"]) {
    diff.Objects = append(
      diff.Objects,
      stringSetDiff(strs(old?.[key]), strs(nu?.[key]), key, contextual),
    );
  }
  return diff;
}

/** A region's diff; like Nomad, it only counts when one of its own fields changed. */
function regionDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  const diff = structDiff(SMRRegion, old, nu, "Region", contextual);
  if (!diff) return null;
  const dcs = stringSetDiff(
    strs(old?.Datacenters),
    strs(nu?.Datacenters),
    "Datacenters",
    contextual,
  );
  if (dcs && dcs.Type !== "None") diff.Objects = append(diff.Objects, dcs);
  const types = new Set((diff.Fields ?? []).map((f) => f.Type));
  if (types.has("Edited") || (types.has("Added") && types.has("Deleted"))) diff.Type = "Edited";
  else if (types.has("Added")) diff.Type = "Added";
  else if (types.has("Deleted")) diff.Type = "Deleted";
  else return null;
  return diff;
}

function multiregionDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  if (deepEqual(old, nu)) return null;
  const diff: ObjectDiff = {
    Type: changeType(old, nu),
    Name: "Multiregion",
    Fields: null,
    Objects: null,
  };
  // Nomad canonicalizes a missing old block, which gives it an empty strategy.
  const oldStrategy = old ? obj(old.Strategy) : toServer(SMRStrategy, {});
  diff.Objects = append(
    diff.Objects,
    primitiveObjectDiff(SMRStrategy, oldStrategy, obj(nu?.Strategy), [], "Strategy", contextual),
  );
  diff.Objects = append(
    diff.Objects,
    keyedDiffs(
      list(old?.Regions),
      list(nu?.Regions),
      (r) => String(r.Name),
      (o, n) => regionDiff(o, n, contextual),
    ),
  );
  diff.Objects = sortObjects(diff.Objects);
  return diff;
}

function uiDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  const diff = structDiff(SUI, old, nu, "UI", contextual);
  if (!diff) return null;
  const links = indexedDiffs(list(old?.Links), list(nu?.Links), (o, n) => {
    const a = o ?? toServer(SUILink, {});
    const b = n ?? toServer(SUILink, {});
    if (deepEqual(a, b)) return null;
    return {
      Type: changeType(o, n),
      Name: "Link",
      Fields: fieldDiffs(flatten(SUILink, a, true), flatten(SUILink, b, true), contextual),
      Objects: null,
    };
  });
  diff.Objects = sortObjects(append(diff.Objects, links));
  return diff;
}

/** Options of {@link diffJobs}. */
export interface DiffJobsOptions {
  /**
   * Include unchanged fields (Type `"None"`) inside changed objects, as the plan endpoint does
   * for `job plan -verbose`. Default `false`.
   */
  contextual?: boolean;
}

/**
 * Diffs two versions of a job the way Nomad's plan does. Either side may be `null` (a job
 * being created or removed). Both jobs are expected canonicalized. Indexes, status, version,
 * stability and submit time are ignored; values are compared as Nomad's server structs and
 * printed as Nomad prints them (durations in nanoseconds).
 *
 * @param oldJob The running version, or `null`.
 * @param newJob The submitted version, or `null`.
 * @param opts `contextual` to keep unchanged fields of changed objects.
 * @returns The diff; Type `"None"` with no fields when the jobs are equivalent.
 * @throws {TypeError} When both jobs are given and their IDs differ.
 *
 * @example
 * ```ts
 * const diff = diffJobs(running, submitted, { contextual: true });
 * diff.TaskGroups?.[0]?.Fields; // [{ Name: "Count", Old: "1", New: "3", ... }]
 * ```
 */
export function diffJobs(
  oldJob: Job | null,
  newJob: Job | null,
  opts: DiffJobsOptions = {},
): JobDiff {
  const contextual = opts.contextual ?? false;
  const diff: JobDiff = { Type: "None", ID: "", Fields: null, Objects: null, TaskGroups: null };
  if (!oldJob && !newJob) return diff;
  if (oldJob && newJob && (oldJob.ID ?? "") !== (newJob.ID ?? "")) {
    throw new TypeError(
      `Cannot diff job ${JSON.stringify(oldJob.ID ?? "")} against job ${
        JSON.stringify(newJob.ID ?? "")
      }: ` +
        "a diff compares two versions of the same job, so both must have the same ID",
    );
  }
  const old = oldJob ? serverJob(oldJob) : null;
  const nu = newJob ? serverJob(newJob) : null;
  if (!old) diff.Type = "Added";
  else if (!nu) diff.Type = "Deleted";
  diff.ID = String((nu ?? old)?.ID ?? "");
  diff.Fields = fieldDiffs(
    flatten(SJob, old, true, JOB_FILTER),
    flatten(SJob, nu, true, JOB_FILTER),
    false,
  );

  const dcs = stringSetDiff(
    strs(old?.Datacenters),
    strs(nu?.Datacenters),
    "Datacenters",
    contextual,
  );
  if (dcs && dcs.Type !== "None") diff.Objects = append(diff.Objects, dcs);
  diff.Objects = append(diff.Objects, placementDiffs(old, nu, contextual));
  diff.TaskGroups = taskGroupDiffs(list(old?.TaskGroups), list(nu?.TaskGroups), contextual);
  diff.Objects = append(
    diff.Objects,
    periodicDiff(obj(old?.Periodic), obj(nu?.Periodic), contextual),
  );
  diff.Objects = append(
    diff.Objects,
    parameterizedDiff(obj(old?.ParameterizedJob), obj(nu?.ParameterizedJob), contextual),
  );
  diff.Objects = append(
    diff.Objects,
    multiregionDiff(obj(old?.Multiregion), obj(nu?.Multiregion), contextual),
  );
  diff.Objects = append(diff.Objects, uiDiff(obj(old?.UI), obj(nu?.UI), contextual));

  if (
    diff.Type === "None" &&
    [...(diff.Fields ?? []), ...(diff.Objects ?? []), ...(diff.TaskGroups ?? [])].some((d) =>
      d.Type !== "None"
    )
  ) {
    diff.Type = "Edited";
  }
  return diff;
}
