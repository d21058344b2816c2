/**
 * The policies of a job and its groups: update, migrate, restart, reschedule, disconnect,
 * ephemeral disk, scaling and volume requests.
 *
 * @module
 */
import {
  anyMap,
  bool,
  type Infer,
  int,
  optBool,
  optDur,
  optInt,
  optStr,
  ref,
  str,
  strList,
  strMap,
  struct,
} from "./schema.ts";

/** How a rolling update (and canary deployment) proceeds. */
export const UpdateStrategySpec = struct("UpdateStrategy", {
  Stagger: optDur("stagger"),
  MaxParallel: optInt("max_parallel"),
  HealthCheck: optStr("health_check"),
  MinHealthyTime: optDur("min_healthy_time"),
  HealthyDeadline: optDur("healthy_deadline"),
  ProgressDeadline: optDur("progress_deadline"),
  Canary: optInt("canary"),
  AutoRevert: optBool("auto_revert"),
  AutoPromote: optBool("auto_promote"),
});
/** How a rolling update proceeds. */
export type UpdateStrategy = Infer<typeof UpdateStrategySpec>;

/** How allocations move off a draining node. */
export const MigrateStrategySpec = struct("MigrateStrategy", {
  MaxParallel: optInt("max_parallel"),
  HealthCheck: optStr("health_check"),
  MinHealthyTime: optDur("min_healthy_time"),
  HealthyDeadline: optDur("healthy_deadline"),
});
/** How allocations move off a draining node. */
export type MigrateStrategy = Infer<typeof MigrateStrategySpec>;

/** How the client restarts a failed task in place. */
export const RestartPolicySpec = struct("RestartPolicy", {
  Interval: optDur("interval"),
  Attempts: optInt("attempts"),
  Delay: optDur("delay"),
  /** `fail` or `delay`. */
  Mode: optStr("mode"),
  RenderTemplates: optBool("render_templates"),
});
/** How the client restarts a failed task in place. */
export type RestartPolicy = Infer<typeof RestartPolicySpec>;

/** How the scheduler replaces a failed allocation, possibly on another node. */
export const ReschedulePolicySpec = struct("ReschedulePolicy", {
  Attempts: optInt("attempts"),
  Interval: optDur("interval"),
  Delay: optDur("delay"),
  /** `constant`, `exponential` or `fibonacci`. */
  DelayFunction: optStr("delay_function"),
  MaxDelay: optDur("max_delay"),
  Unlimited: optBool("unlimited"),
});
/** How the scheduler replaces a failed allocation. */
export type ReschedulePolicy = Infer<typeof ReschedulePolicySpec>;

/** What happens to allocations of a client that loses contact with the servers. */
export const DisconnectStrategySpec = struct("DisconnectStrategy", {
  LostAfter: optDur("lost_after"),
  StopOnClientAfter: optDur("stop_on_client_after"),
  Replace: optBool("replace"),
  /** `best_score`, `keep_original`, `keep_replacement` or `longest_running`. */
  Reconcile: optStr("reconcile"),
});
/** What happens to allocations of a disconnected client. */
export type DisconnectStrategy = Infer<typeof DisconnectStrategySpec>;

/** The scratch disk of an allocation. */
export const EphemeralDiskSpec = struct("EphemeralDisk", {
  Sticky: optBool("sticky"),
  Migrate: optBool("migrate"),
  SizeMB: optInt("size"),
});
/** The scratch disk of an allocation. */
export type EphemeralDisk = Infer<typeof EphemeralDiskSpec>;

/** Bounds and policy for the autoscaler. */
export const ScalingPolicySpec = struct("ScalingPolicy", {
  Min: optInt("min"),
  Max: optInt("max"),
  Policy: anyMap({ name: "policy", block: true }),
  Enabled: optBool("enabled"),
  Type: str("type"),
  ID: str(),
  Namespace: str(),
  Target: strMap(),
  CreateIndex: int(),
  ModifyIndex: int(),
});
/** Bounds and policy for the autoscaler. */
export type ScalingPolicy = Infer<typeof ScalingPolicySpec>;

/** Mount options of a CSI volume. */
export const CSIMountOptionsSpec = struct("CSIMountOptions", {
  FSType: str("fs_type"),
  MountFlags: strList("mount_flags"),
});
/** Mount options of a CSI volume. */
export type CSIMountOptions = Infer<typeof CSIMountOptionsSpec>;

/** A host or CSI volume a group needs. */
export const VolumeRequestSpec = struct("VolumeRequest", {
  Name: str({ name: "name", label: true }),
  Type: str("type"),
  Source: str("source"),
  ReadOnly: bool("read_only"),
  Sticky: bool("sticky"),
  AccessMode: str("access_mode"),
  AttachmentMode: str("attachment_mode"),
  MountOptions: ref(CSIMountOptionsSpec, { name: "mount_options", block: true }),
  PerAlloc: bool("per_alloc"),
});
/** A host or CSI volume a group needs. */
export type VolumeRequest = Infer<typeof VolumeRequestSpec>;
