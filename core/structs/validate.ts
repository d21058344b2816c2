/**
 * Validation of a canonical job, as Nomad's server does on registration (`Job.Validate`,
 * `TaskGroup.Validate`, `Task.Validate` and the register-time checks), reporting every problem
 * at once. Each problem is one line that says where it is (`Task group "cache": Task "redis": `)
 * followed by Nomad's own wording (`Missing task driver`).
 *
 * The job is read the way the server reads it after its own canonicalization: empty
 * datacenters mean `["*"]`, an empty namespace is `default`, volumes of unknown types are
 * dropped. Checks that need cluster state (node pools, namespaces, ACLs, Vault and Consul
 * settings) belong to the server, not here.
 *
 * @module
 */
import { ValidationError } from "./errors.ts";
import type { Job, TaskGroup } from "./job.ts";
import type { VolumeRequest } from "./policies.ts";
import {
  eachValidated,
  validateAffinity,
  validateConstraint,
  validateDisconnect,
  validateMigrate,
  validateParameterized,
  validatePeriodic,
  validateReschedule,
  validateRestart,
  validateSpread,
  validateUpdate,
} from "./_validate_policies.ts";
import { checkName, serviceName, validateGroupServices } from "./_validate_services.ts";
import { validateNetworks } from "./_validate_networks.ts";
import { knownVolumes, validateTask } from "./_validate_task.ts";
import { byteLength, Problems, quote } from "./_validate_util.ts";

const JOB_TYPES = ["_core", "service", "batch", "system", "sysbatch"];

/**
 * Lists every problem of a canonical job (see {@link canonicalize}); an empty list means the
 * job is valid.
 *
 * @example
 * ```ts
 * validateJob(canonicalize(job));
 * // ['Task group "cache": Task "redis": Missing task driver']
 * ```
 */
export function validateJob(job: Job): string[] {
  const p = new Problems();
  const type = job.Type ?? "";
  const id = job.ID ?? "", name = job.Name ?? "";
  if ((job.Region ?? "") === "" && job.Multiregion === null) p.add("Missing job region");
  if (id === "") p.add("Missing job ID");
  else if (id.includes(" ")) p.add("Job ID contains a space");
  else if (id.includes("\0")) p.add("Job ID contains a null character");
  if (name === "") p.add("Missing job name");
  else if (name.includes("\0")) p.add("Job Name contains a null character");
  if (type === "") p.add("Missing job type");
  else if (!JOB_TYPES.includes(type)) p.add(`Invalid job type: ${quote(type)}`);
  for (const dc of job.Datacenters ?? []) {
    if (dc === "") p.add("Job datacenter must be non-empty string");
  }
  const groups = job.TaskGroups ?? [];
  if (groups.length === 0) p.add("Missing job task groups");
  eachValidated(job.Constraints, "Constraint", p, validateConstraint);
  if (type === "system") {
    if ((job.Affinities ?? []).length > 0) p.add("System jobs may not have an affinity block");
    if ((job.Spreads ?? []).length > 0) p.add("System jobs may not have a spread block");
  } else {
    eachValidated(job.Affinities, "Affinity", p, validateAffinity);
    eachValidated(job.Spreads, "Spread", p, validateSpread);
  }
  const ui = byteLength(job.UI?.Description ?? "");
  if (ui > 1000) p.add(`UI description must be under 1000 characters, currently ${ui}`);
  const tag = byteLength(job.VersionTag?.Description ?? "");
  if (tag > 1000) {
    p.add(`Tagged version description must be under 1000 characters, currently ${tag}`);
  }

  const seen = new Map<string, number>();
  groups.forEach((g, i) => {
    const groupName = g.Name ?? "";
    const first = seen.get(groupName);
    if (groupName === "") p.add(`Job task group ${i + 1} missing name`);
    else if (first !== undefined) {
      p.add(`Job task group ${i + 1} redefines '${groupName}' from group ${first + 1}`);
    } else seen.set(groupName, i);
    if (type === "system" && (g.Count ?? 1) > 1) {
      p.add(
        `Job task group ${groupName} has count ${g.Count}. Count cannot exceed 1 with system scheduler`,
      );
    }
  });
  for (const g of groups) validateGroup(g, job, p.at(`Task group ${quote(g.Name ?? "")}: `));

  const periodic = job.Periodic;
  if (periodic !== null && periodic.Enabled !== false) {
    if (type !== "batch" && type !== "sysbatch") {
      p.add(`Periodic can only be used with "batch" or "sysbatch" scheduler`);
    }
    validatePeriodic(periodic, p);
  }
  if (job.ParameterizedJob !== null && !job.Dispatched) {
    if (type !== "batch" && type !== "sysbatch") {
      p.add(`Parameterized job can only be used with "batch" or "sysbatch" scheduler`);
    }
    validateParameterized(job.ParameterizedJob, p);
  }
  if ((job.Multiregion?.Regions ?? []).length > 0) p.add("Multiregion jobs are unlicensed.");

  if (type === "_core") p.add("job type cannot be core");
  if ((job.Payload ?? "") !== "") p.add("job can't be submitted with a payload, only dispatched");
  const priority = job.Priority ?? 50;
  if (priority < 1 || priority > 100) p.add("job priority must be between [1, 100]");
  return p.all;
}

/**
 * Validates a canonical job and throws when it has problems.
 *
 * @throws {ValidationError} `Job "<id>" is invalid`, with every problem in `problems`.
 */
export function assertValidJob(job: Job): void {
  const problems = validateJob(job);
  if (problems.length > 0) {
    throw new ValidationError(`Job ${quote(job.ID ?? "")} is invalid`, problems);
  }
}

function validateGroup(g: TaskGroup, job: Job, p: Problems): void {
  const type = job.Type ?? "";
  const name = g.Name ?? "", count = g.Count ?? 1, tasks = g.Tasks ?? [];
  if ((g.ShutdownDelay ?? 0) < 0) p.add("ShutdownDelay must be a positive value");
  if (name === "") p.add("Missing task group name");
  else if (name.includes("\0")) p.add("Task group name contains null character");
  if (count < 0) p.add("Task group count can't be negative");
  if (tasks.length === 0) p.add("Missing tasks for task group");
  if (g.Disconnect !== null) validateDisconnect(g.Disconnect, type, p);
  if (g.MaxRunDuration !== null) {
    if (g.MaxRunDuration <= 0) p.add("MaxRunDuration must be greater than zero");
    if (type !== "batch" && type !== "sysbatch") {
      p.add(`Job type ${quote(type)} does not allow max_run_duration`);
    }
  }
  eachValidated(g.Constraints, "Constraint", p, validateConstraint);
  const system = type === "system";
  if (system && (g.Affinities ?? []).length > 0) {
    p.add("System jobs may not have an affinity block");
  }
  if (!system) eachValidated(g.Affinities, "Affinity", p, validateAffinity);
  if (g.RestartPolicy !== null) validateRestart(g.RestartPolicy, p);
  else p.add(`Task Group ${name} should have a restart policy`);
  if (system && (g.Spreads ?? []).length > 0) p.add("System jobs may not have a spread block");
  if (!system) eachValidated(g.Spreads, "Spread", p, validateSpread);
  if (type === "system" || type === "sysbatch") {
    if (g.ReschedulePolicy !== null) {
      p.add("System or sysbatch jobs should not have a reschedule policy");
    }
  } else if (g.ReschedulePolicy !== null) validateReschedule(g.ReschedulePolicy, p);
  else p.add(`Task Group ${name} should have a reschedule policy`);
  const disk = g.EphemeralDisk?.SizeMB ?? 300;
  if (disk < 10) p.add(`minimum DiskMB value is 10; got ${disk}`);
  if (g.Update !== null) {
    if (type !== "service" && type !== "system") {
      p.add(`Job type ${quote(type)} does not allow update block`);
    }
    validateUpdate(g.Update, p);
  }
  if (type === "service") {
    if (g.Migrate !== null) validateMigrate(g.Migrate, p);
  } else if (g.Migrate !== null) p.add(`Job type ${quote(type)} does not allow migrate block`);

  const taskIndex = new Map<string, number>();
  let leaders = 0, mains = 0;
  tasks.forEach((t, i) => {
    const first = taskIndex.get(t.Name);
    if (t.Name === "") p.add(`Task ${i + 1} missing name`);
    else if (first !== undefined) {
      p.add(`Task ${i + 1} redefines '${t.Name}' from task ${first + 1}`);
    } else taskIndex.set(t.Name, i);
    if (t.Leader) leaders++;
    if (t.Lifecycle === null || t.Lifecycle.Hook === "") mains++;
  });
  if (leaders > 1) p.add("Only one task may be marked as leader");
  if (tasks.length > 0 && mains === 0) p.add(`Task group ${name} must have at least one main task`);

  const canaries = g.Update?.Canary ?? 0;
  const known = knownVolumes(g);
  for (const [volName, v] of Object.entries(g.Volumes ?? {})) {
    if (!known.has(volName)) continue;
    const vp = p.at(`Task group volume validation for ${volName} failed: `);
    validateVolume(v, type, count, canaries, vp);
  }
  validateNetworks(g, p.at("Task group network validation failed: "));
  validateGroupServices(g, job.Name ?? "", p.at("Task group service validation failed: "));
  for (const s of g.Services ?? []) {
    if (s.TaskName !== "") continue;
    for (const c of s.Checks ?? []) {
      if (c.Type === "script" && c.TaskName === "") {
        const service = serviceName(s, job.Name ?? "", name, null);
        p.add(
          `Task group service check validation failed: Service [${name}]->${service} or Check ` +
            `${checkName(c, service)} must specify task parameter`,
        );
      }
    }
  }
  validateScaling(g, job, p.at("Task group scaling policy validation failed: "));
  for (const t of tasks) validateTask(t, g, job, p.at(`Task ${quote(t.Name)}: `));
}

function validateScaling(g: TaskGroup, job: Job, p: Problems): void {
  const s = g.Scaling;
  if (s === null) return;
  const count = g.Count ?? 1, min = s.Min ?? count, max = s.Max ?? -1;
  const sp = p.at("Scaling policy invalid: ");
  if (s.Type === "") sp.add("missing scaling policy type");
  else if (s.Type !== "horizontal") sp.add(`scaling policy type "${s.Type}" is not valid`);
  if (max < 0) sp.add("maximum count must be specified and non-negative");
  else if (max < min) sp.add("maximum count must not be less than minimum count");
  if (min < 0) sp.add("minimum count must be specified and non-negative");
  if (max < count) {
    sp.add("task group count must not be greater than maximum count in scaling policy");
  }
  const multiregion = (job.Multiregion?.Regions ?? []).length > 0;
  if (count < min && !(multiregion && count === 0 && job.Region === "global")) {
    sp.add("task group count must not be less than minimum count in scaling policy");
  }
}

const HOST_ACCESS = [
  "",
  "single-node-reader-only",
  "single-node-writer",
  "single-node-single-writer",
  "single-node-multi-writer",
];

function validateVolume(
  v: VolumeRequest,
  type: string,
  count: number,
  canaries: number,
  p: Problems,
): void {
  if (v.Source === "") p.add("volume has an empty source");
  if (v.PerAlloc) {
    if (type === "system" || type === "sysbatch") {
      p.add("volume cannot be per_alloc for system or sysbatch jobs");
    }
    if (canaries > 0) p.add("volume cannot be per_alloc when canaries are in use");
    if (v.Sticky) p.add("volume cannot be per_alloc and sticky at the same time");
  }
  const mode = v.AccessMode;
  if (v.Type === "host") {
    if (v.MountOptions !== null) p.add("host volumes cannot have mount options");
    if (mode === "single-node-reader-only" && !v.ReadOnly) {
      p.add(`${mode} volumes must be read-only`);
    }
    if (!HOST_ACCESS.includes(mode)) {
      p.add(`host volumes cannot be mounted with ${mode} access mode`);
    }
    return;
  }
  if (v.AttachmentMode === "") p.add("CSI volumes must have an attachment mode");
  if (v.AttachmentMode === "block-device" && v.MountOptions !== null) {
    p.add("block devices cannot have mount options");
  }
  const shared = count > 1 && !v.PerAlloc;
  if (mode === "") p.add("CSI volumes must have an access mode");
  else if (mode === "single-node-reader-only") {
    if (!v.ReadOnly) p.add(`${mode} volumes must be read-only`);
    if (shared) p.add(`volume with ${mode} access mode allows only one reader`);
  } else if (mode === "single-node-writer") {
    if (shared) p.add(`volume with ${mode} access mode allows only one reader or writer`);
  } else if (mode === "multi-node-reader-only") {
    if (!v.ReadOnly) p.add(`${mode} volumes must be read-only`);
  } else if (mode === "multi-node-single-writer") {
    if (!v.ReadOnly && shared) p.add(`volume with ${mode} access mode allows only one writer`);
  }
}
