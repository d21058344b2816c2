/**
 * The smaller blocks of a task: logs, templates, artifacts, identities, volume mounts, Vault,
 * secrets, lifecycle, actions and schedules.
 *
 * @module
 */
import {
  anyMap,
  bool,
  dur,
  type Infer,
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

/** Log rotation of a task's stdout and stderr. */
export const LogConfigSpec = struct("LogConfig", {
  MaxFiles: optInt("max_files"),
  MaxFileSizeMB: optInt("max_file_size"),
  Enabled: optBool("enabled"),
  Disabled: optBool("disabled"),
});
/** Log rotation of a task's stdout and stderr. */
export type LogConfig = Infer<typeof LogConfigSpec>;

/** Mounts a group volume into a task. */
export const VolumeMountSpec = struct("VolumeMount", {
  Volume: optStr("volume"),
  Destination: optStr("destination"),
  ReadOnly: optBool("read_only"),
  PropagationMode: optStr("propagation_mode"),
  SELinuxLabel: optStr("selinux_label"),
});
/** Mounts a group volume into a task. */
export type VolumeMount = Infer<typeof VolumeMountSpec>;

/** A workload identity token handed to a task. */
export const WorkloadIdentitySpec = struct("WorkloadIdentity", {
  Name: str("name"),
  Audience: strList("aud"),
  ChangeMode: str("change_mode"),
  ChangeSignal: str("change_signal"),
  Env: bool("env"),
  File: bool("file"),
  Filepath: str("filepath"),
  ServiceName: str("service_name"),
  TTL: dur("ttl"),
  ExtraClaims: strList("extra_claims"),
});
/** A workload identity token handed to a task. */
export type WorkloadIdentity = Infer<typeof WorkloadIdentitySpec>;

/** When a task runs relative to the main tasks of its group. */
export const TaskLifecycleSpec = struct("TaskLifecycle", {
  /** `prestart`, `poststart` or `poststop`. */
  Hook: str({ name: "hook", required: true }),
  Sidecar: bool("sidecar"),
});
/** When a task runs relative to the main tasks of its group. */
export type TaskLifecycle = Infer<typeof TaskLifecycleSpec>;

/** Where a dispatched job's payload is written. */
export const DispatchPayloadConfigSpec = struct("DispatchPayloadConfig", {
  File: str("file"),
});
/** Where a dispatched job's payload is written. */
export type DispatchPayloadConfig = Infer<typeof DispatchPayloadConfigSpec>;

/** A file or archive fetched into the task directory before the task starts. */
export const TaskArtifactSpec = struct("TaskArtifact", {
  GetterSource: optStr("source"),
  GetterOptions: strMap({ name: "options", block: true }),
  GetterHeaders: strMap({ name: "headers", block: true }),
  GetterMode: optStr("mode"),
  GetterInsecure: optBool("insecure"),
  RelativeDest: optStr("destination"),
  Chown: bool("chown"),
});
/** A file or archive fetched into the task directory. */
export type TaskArtifact = Infer<typeof TaskArtifactSpec>;

/** Minimum and maximum wait before a template re-renders. */
export const WaitConfigSpec = struct("WaitConfig", {
  Min: optDur({ name: "min", required: true }),
  Max: optDur({ name: "max", required: true }),
});
/** Minimum and maximum wait before a template re-renders. */
export type WaitConfig = Infer<typeof WaitConfigSpec>;

/** A script run when a template changes (`change_mode = "script"`). */
export const ChangeScriptSpec = struct("ChangeScript", {
  Command: optStr({ name: "command", required: true }),
  Args: strList("args"),
  Timeout: optDur("timeout"),
  FailOnError: optBool({ name: "fail_on_error", required: true }),
  RunOnFirstRender: optBool("run_on_first_render"),
});
/** A script run when a template changes. */
export type ChangeScript = Infer<typeof ChangeScriptSpec>;

/** A file rendered into the task directory from a template. */
export const TemplateSpec = struct("Template", {
  SourcePath: optStr("source"),
  DestPath: optStr("destination"),
  EmbeddedTmpl: optStr("data"),
  ChangeMode: optStr("change_mode"),
  ChangeScript: ref(ChangeScriptSpec, { name: "change_script", block: true }),
  ChangeSignal: optStr("change_signal"),
  Once: optBool("once"),
  Splay: optDur("splay"),
  Perms: optStr("perms"),
  Uid: optInt("uid"),
  Gid: optInt("gid"),
  LeftDelim: optStr("left_delimiter"),
  RightDelim: optStr("right_delimiter"),
  Envvars: optBool("env"),
  VaultGrace: optDur("vault_grace"),
  Wait: ref(WaitConfigSpec, { name: "wait", block: true }),
  ErrMissingKey: optBool("error_on_missing_key"),
});
/** A file rendered into the task directory from a template. */
export type Template = Infer<typeof TemplateSpec>;

/** Vault token settings of a task. */
export const VaultSpec = struct("Vault", {
  Policies: strList("policies"),
  Role: str("role"),
  Namespace: optStr("namespace"),
  Cluster: str("cluster"),
  Env: optBool("env"),
  DisableFile: optBool("disable_file"),
  ChangeMode: optStr("change_mode"),
  ChangeSignal: optStr("change_signal"),
  AllowTokenExpiration: optBool("allow_token_expiration"),
});
/** Vault token settings of a task. */
export type Vault = Infer<typeof VaultSpec>;

/** A secret fetched from a provider and exposed to the task. */
export const SecretSpec = struct("Secret", {
  Name: str({ name: "name", label: true }),
  Provider: str("provider"),
  Path: str("path"),
  Config: anyMap({ name: "config", block: true }),
  Env: strMap({ name: "env", block: true }),
});
/** A secret fetched from a provider. */
export type Secret = Infer<typeof SecretSpec>;

/** Marks a task as a CSI plugin. */
export const TaskCSIPluginConfigSpec = struct("TaskCSIPluginConfig", {
  ID: str("id"),
  Type: str("type"),
  MountDir: str("mount_dir"),
  StagePublishBaseDir: str("stage_publish_base_dir"),
  HealthTimeout: dur("health_timeout"),
});
/** Marks a task as a CSI plugin. */
export type TaskCSIPluginConfig = Infer<typeof TaskCSIPluginConfigSpec>;

/** A named command an operator can run inside a task (`nomad action`). */
export const ActionSpec = struct("Action", {
  Name: str({ name: "name", label: true }),
  Command: str({ name: "command", required: true }),
  Args: strList("args"),
});
/** A named command an operator can run inside a task. */
export type Action = Infer<typeof ActionSpec>;

/** The cron window in which a scheduled task may run. */
export const TaskScheduleCronSpec = struct("TaskScheduleCron", {
  Start: str("start"),
  End: str("end"),
  Timezone: str("timezone"),
});
/** The cron window in which a scheduled task may run. */
export type TaskScheduleCron = Infer<typeof TaskScheduleCronSpec>;

/** A time window for a task (`schedule { cron { ... } }`). */
export const TaskScheduleSpec = struct("TaskSchedule", {
  Cron: ref(TaskScheduleCronSpec, { name: "cron", block: true }),
});
/** A time window for a task. */
export type TaskSchedule = Infer<typeof TaskScheduleSpec>;
