/**
 * Nomad's canonical defaults for a job, exactly as its API client applies them
 * (`api.Job.Canonicalize`): what `POST /v1/jobs/parse` with `"Canonicalize": true` returns and
 * what the server converts before validating a registration.
 *
 * Server-side defaults applied later on registration (`Datacenters: ["*"]`, node pool
 * `"default"`, the implicit constraints, the default workload identity) are not part of it.
 *
 * @module
 */
import {
  canonicalizeArtifact,
  canonicalizeCSIPlugin,
  canonicalizeEphemeralDisk,
  canonicalizeLogConfig,
  canonicalizeMultiregion,
  canonicalizePeriodic,
  canonicalizeResources,
  canonicalizeScaling,
  canonicalizeTemplate,
  canonicalizeUpdate,
  canonicalizeVault,
  canonicalizeVolumeMount,
  defaultMigrateStrategy,
  defaultReschedulePolicy,
  defaultRestartPolicy,
  defaultUpdateStrategy,
  fill,
  mergeSet,
  nilIfEmpty,
  updateIsEmpty,
} from "./_canonicalize_parts.ts";
import { canonicalizeService } from "./_canonicalize_services.ts";
import { SECOND } from "./duration.ts";
import type { Job, TaskGroup } from "./job.ts";
import type { Affinity, Spread } from "./constraint.ts";
import { ResourcesSpec } from "./resources.ts";
import { zero } from "./schema.ts";
import type { Task } from "./task.ts";

/**
 * Returns a new job with Nomad's canonical defaults filled in; the input is not modified.
 *
 * Defaults depend on the job type: service and system jobs get an update strategy (merged into
 * each group), service jobs a migrate strategy, service and batch jobs a reschedule policy,
 * every group a restart policy for its type and a 300 MB ephemeral disk, every task 100 MHz of
 * CPU, 300 MB of memory, a 5 s kill timeout and log rotation; services are named
 * `<job>-<group>[-<task>]`.
 *
 * @param job A job as parsed from a job file or decoded from the API.
 * @returns A deep copy of the job, canonicalized.
 *
 * @example
 * ```ts
 * const job = canonicalize({ ...zero(JobSpec), ID: "web", TaskGroups: [] });
 * job.Type; // "service"
 * job.Priority; // 50
 * ```
 */
export function canonicalize(job: Job): Job {
  const j = structuredClone(job);
  j.ID ??= "";
  j.Name ??= j.ID;
  fill(j, {
    ParentID: "",
    Namespace: "default",
    Priority: 50,
    Stop: false,
    Region: "global",
    NodePool: "",
    Type: "service",
    AllAtOnce: false,
    ConsulNamespace: "",
    VaultNamespace: "",
    NomadTokenID: "",
    Status: "",
    StatusDescription: "",
    Stable: false,
    Version: 0,
    CreateIndex: 0,
    ModifyIndex: 0,
    JobModifyIndex: 0,
  });
  if (j.Periodic !== null) canonicalizePeriodic(j.Periodic);
  if (j.Update !== null) canonicalizeUpdate(j.Update);
  else if (j.Type === "service" || j.Type === "system") j.Update = defaultUpdateStrategy();
  if (j.Multiregion !== null) canonicalizeMultiregion(j.Multiregion);
  for (const group of j.TaskGroups ?? []) canonicalizeGroup(group, j);
  weighSpreads(j.Spreads);
  weighAffinities(j.Affinities);
  if (j.UI !== null) j.UI.Links = nilIfEmpty(j.UI.Links);
  return j;
}

function weighAffinities(affinities: Affinity[] | null): void {
  for (const a of affinities ?? []) a.Weight ??= 50;
}

function weighSpreads(spreads: Spread[] | null): void {
  for (const s of spreads ?? []) s.Weight ??= 50;
}

/** Mutates a group of the (already copied) job; `job` has its own defaults set. */
function canonicalizeGroup(g: TaskGroup, job: Job): void {
  const type = job.Type ?? "service";
  g.Name ??= "";
  g.Count ??= g.Scaling?.Min ?? 1;
  if (g.Scaling !== null) canonicalizeScaling(g.Scaling, g.Count);
  g.EphemeralDisk = canonicalizeEphemeralDisk(g.EphemeralDisk);
  if (g.Consul !== null) {
    if (g.Consul.Namespace === "" && job.ConsulNamespace !== null) {
      g.Consul.Namespace = job.ConsulNamespace;
    }
    if (g.Consul.Cluster === "") g.Consul.Cluster = "default";
  }

  if (job.Update !== null && g.Update !== null) {
    g.Update = mergeSet({ ...job.Update }, g.Update);
  } else if (job.Update !== null && !updateIsEmpty(job.Update)) {
    g.Update = { ...job.Update };
  }
  if (g.Update !== null) canonicalizeUpdate(g.Update);

  if (job.Reschedule !== null) {
    const merged = { ...job.Reschedule };
    g.ReschedulePolicy = g.ReschedulePolicy === null
      ? merged
      : mergeSet(merged, g.ReschedulePolicy);
  }
  if (g.ReschedulePolicy === null && type !== "system" && type !== "sysbatch") {
    g.ReschedulePolicy = defaultReschedulePolicy(type);
  }
  if (g.ReschedulePolicy !== null) fill(g.ReschedulePolicy, defaultReschedulePolicy(type));

  if (job.Migrate !== null) {
    const merged = { ...job.Migrate };
    g.Migrate = g.Migrate === null ? merged : mergeSet(merged, g.Migrate);
  }
  if (g.Migrate === null && type === "service") {
    g.Migrate = {
      MaxParallel: null,
      HealthCheck: null,
      MinHealthyTime: null,
      HealthyDeadline: null,
    };
  }
  if (g.Migrate !== null) fill(g.Migrate, defaultMigrateStrategy());

  const restart = defaultRestartPolicy(type);
  if (g.RestartPolicy !== null) mergeSet(restart, g.RestartPolicy);
  g.RestartPolicy = restart;

  for (const task of g.Tasks ?? []) canonicalizeTask(task, g, job);
  weighSpreads(g.Spreads);
  weighAffinities(g.Affinities);
  const owner = { job: job.Name ?? "", group: g.Name, task: null };
  for (const s of g.Services ?? []) canonicalizeService(s, owner);
  if (g.Disconnect !== null) fill(g.Disconnect, { Replace: true, Reconcile: "best_score" });
}

/** Mutates a task of the (already copied) job; its group's restart policy is canonical. */
function canonicalizeTask(t: Task, g: TaskGroup, job: Job): void {
  t.Resources ??= zero(ResourcesSpec);
  canonicalizeResources(t.Resources);
  t.KillTimeout ??= 5 * SECOND;
  t.LogConfig = canonicalizeLogConfig(t.LogConfig);
  for (const a of t.Artifacts ?? []) canonicalizeArtifact(a);
  if (t.Vault !== null) canonicalizeVault(t.Vault);
  if (t.Consul !== null && t.Consul.Cluster === "") t.Consul.Cluster = "default";
  for (const tmpl of t.Templates ?? []) canonicalizeTemplate(tmpl);
  for (const secret of t.Secrets ?? []) {
    secret.Config = nilIfEmpty(secret.Config);
    secret.Env = nilIfEmpty(secret.Env);
  }
  const owner = { job: job.Name ?? "", group: g.Name ?? "", task: t.Name };
  for (const s of t.Services ?? []) canonicalizeService(s, owner);
  weighAffinities(t.Affinities);
  for (const vm of t.VolumeMounts ?? []) canonicalizeVolumeMount(vm);
  if (t.CSIPluginConfig) canonicalizeCSIPlugin(t.CSIPluginConfig);
  const groupRestart = { ...(g.RestartPolicy ?? defaultRestartPolicy(job.Type ?? "service")) };
  t.RestartPolicy = t.RestartPolicy === null
    ? groupRestart
    : mergeSet(groupRestart, t.RestartPolicy);
}
