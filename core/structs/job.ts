/**
 * The `Job` and its `TaskGroup`s, in Nomad's API JSON shape: PascalCase fields, durations in
 * nanoseconds, `null` for what was not set.
 *
 * @module
 */
import {
  bool,
  bytes,
  type Infer,
  int,
  list,
  optBool,
  optDur,
  optInt,
  optStr,
  ref,
  str,
  strList,
  strMap,
  struct,
  structMap,
} from "./schema.ts";
import { AffinitySpec, ConstraintSpec, SpreadSpec } from "./constraint.ts";
import {
  DisconnectStrategySpec,
  EphemeralDiskSpec,
  MigrateStrategySpec,
  ReschedulePolicySpec,
  RestartPolicySpec,
  ScalingPolicySpec,
  UpdateStrategySpec,
  VolumeRequestSpec,
} from "./policies.ts";
import { NetworkResourceSpec } from "./resources.ts";
import { ConsulSpec, ServiceSpec } from "./services.ts";
import { TaskSpec } from "./task.ts";

/** A set of tasks placed together on one node, `Count` times. */
export const TaskGroupSpec = struct("TaskGroup", {
  Name: optStr({ name: "name", label: true }),
  Count: optInt("count"),
  Constraints: list(ConstraintSpec, { name: "constraint", block: true }),
  Affinities: list(AffinitySpec, { name: "affinity", block: true }),
  Tasks: list(TaskSpec, { name: "task", block: true }),
  Spreads: list(SpreadSpec, { name: "spread", block: true }),
  Volumes: structMap(VolumeRequestSpec, { name: "volume", block: true }),
  RestartPolicy: ref(RestartPolicySpec, { name: "restart", block: true }),
  Disconnect: ref(DisconnectStrategySpec, { name: "disconnect", block: true }),
  ReschedulePolicy: ref(ReschedulePolicySpec, { name: "reschedule", block: true }),
  EphemeralDisk: ref(EphemeralDiskSpec, { name: "ephemeral_disk", block: true }),
  Update: ref(UpdateStrategySpec, { name: "update", block: true }),
  Migrate: ref(MigrateStrategySpec, { name: "migrate", block: true }),
  Networks: list(NetworkResourceSpec, { name: "network", block: true }),
  Meta: strMap({ name: "meta", block: true }),
  Services: list(ServiceSpec, { name: "service", block: true }),
  ShutdownDelay: optDur("shutdown_delay"),
  MaxRunDuration: optDur("max_run_duration"),
  StopAfterClientDisconnect: optDur("stop_after_client_disconnect"),
  MaxClientDisconnect: optDur("max_client_disconnect"),
  Scaling: ref(ScalingPolicySpec, { name: "scaling", block: true }),
  Consul: ref(ConsulSpec, { name: "consul", block: true }),
  PreventRescheduleOnLost: optBool("prevent_reschedule_on_lost"),
});
/** A set of tasks placed together on one node. */
export type TaskGroup = Infer<typeof TaskGroupSpec>;

/** How a multiregion deployment rolls out. */
export const MultiregionStrategySpec = struct("MultiregionStrategy", {
  MaxParallel: optInt("max_parallel"),
  OnFailure: optStr("on_failure"),
});
/** How a multiregion deployment rolls out. */
export type MultiregionStrategy = Infer<typeof MultiregionStrategySpec>;

/** One region of a multiregion job. */
export const MultiregionRegionSpec = struct("MultiregionRegion", {
  Name: str({ name: "name", label: true }),
  Count: optInt("count"),
  Datacenters: strList("datacenters"),
  NodePool: str("node_pool"),
  Meta: strMap({ name: "meta", block: true }),
});
/** One region of a multiregion job. */
export type MultiregionRegion = Infer<typeof MultiregionRegionSpec>;

/** Deploys one job to several regions (Nomad Enterprise). */
export const MultiregionSpec = struct("Multiregion", {
  Strategy: ref(MultiregionStrategySpec, { name: "strategy", block: true }),
  Regions: list(MultiregionRegionSpec, { name: "region", block: true }),
});
/** Deploys one job to several regions. */
export type Multiregion = Infer<typeof MultiregionSpec>;

/** Launches the job on a cron schedule. */
export const PeriodicConfigSpec = struct("PeriodicConfig", {
  Enabled: optBool("enabled"),
  Spec: optStr("cron"),
  Specs: strList("crons"),
  SpecType: optStr(),
  ProhibitOverlap: optBool("prohibit_overlap"),
  TimeZone: optStr("time_zone"),
});
/** Launches the job on a cron schedule. */
export type PeriodicConfig = Infer<typeof PeriodicConfigSpec>;

/** Makes the job a template that `job dispatch` instantiates. */
export const ParameterizedJobConfigSpec = struct("ParameterizedJobConfig", {
  /** `optional`, `required` or `forbidden`. */
  Payload: str("payload"),
  MetaRequired: strList("meta_required"),
  MetaOptional: strList("meta_optional"),
});
/** Makes the job a template that `job dispatch` instantiates. */
export type ParameterizedJobConfig = Infer<typeof ParameterizedJobConfigSpec>;

/** A link shown on the job's page in the web UI. */
export const JobUILinkSpec = struct("JobUILink", {
  Label: str("label"),
  URL: str("url"),
});
/** A link shown on the job's page in the web UI. */
export type JobUILink = Infer<typeof JobUILinkSpec>;

/** The description and links the web UI shows for the job. */
export const JobUIConfigSpec = struct("JobUIConfig", {
  Description: str("description"),
  Links: list(JobUILinkSpec, { name: "link", block: true }),
});
/** The description and links the web UI shows for the job. */
export type JobUIConfig = Infer<typeof JobUIConfigSpec>;

/** A named tag on a job version. */
export const JobVersionTagSpec = struct("JobVersionTag", {
  Name: str(),
  Description: str(),
  TaggedTime: int(),
});
/** A named tag on a job version. */
export type JobVersionTag = Infer<typeof JobVersionTagSpec>;

/** A job: the desired state a user submits. */
export const JobSpec = struct("Job", {
  Region: optStr("region"),
  Namespace: optStr("namespace"),
  ID: optStr("id"),
  Name: optStr("name"),
  /** `service`, `batch`, `system` or `sysbatch`. */
  Type: optStr("type"),
  Priority: optInt("priority"),
  AllAtOnce: optBool("all_at_once"),
  Datacenters: strList("datacenters"),
  NodePool: optStr("node_pool"),
  Constraints: list(ConstraintSpec, { name: "constraint", block: true }),
  Affinities: list(AffinitySpec, { name: "affinity", block: true }),
  TaskGroups: list(TaskGroupSpec, { name: "group", block: true }),
  Update: ref(UpdateStrategySpec, { name: "update", block: true }),
  Multiregion: ref(MultiregionSpec, { name: "multiregion", block: true }),
  Spreads: list(SpreadSpec, { name: "spread", block: true }),
  Periodic: ref(PeriodicConfigSpec, { name: "periodic", block: true }),
  ParameterizedJob: ref(ParameterizedJobConfigSpec, { name: "parameterized", block: true }),
  Reschedule: ref(ReschedulePolicySpec, { name: "reschedule", block: true }),
  Migrate: ref(MigrateStrategySpec, { name: "migrate", block: true }),
  Meta: strMap({ name: "meta", block: true }),
  UI: ref(JobUIConfigSpec, { name: "ui", block: true }),
  Stop: optBool(),
  ParentID: optStr(),
  Dispatched: bool(),
  DispatchIdempotencyToken: optStr(),
  Payload: bytes(),
  ConsulNamespace: optStr(),
  VaultNamespace: optStr(),
  NomadTokenID: optStr(),
  Status: optStr(),
  StatusDescription: optStr(),
  Stable: optBool(),
  Version: optInt(),
  SubmitTime: optInt(),
  CreateIndex: optInt(),
  ModifyIndex: optInt(),
  JobModifyIndex: optInt(),
  VersionTag: ref(JobVersionTagSpec),
});
/** A job: the desired state a user submits. */
export type Job = Infer<typeof JobSpec>;
