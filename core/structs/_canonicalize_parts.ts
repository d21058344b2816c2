/**
 * Canonical defaults of the policies and task parts, as Nomad's API client fills them in
 * (`api/jobs.go`, `api/tasks.go`, `api/resources.go`). Every function here mutates the object it
 * is given: `canonicalize()` only ever hands them its own deep copy of the job.
 *
 * @module
 */
import { HOUR, MINUTE, SECOND } from "./duration.ts";
import type { Multiregion, MultiregionStrategy, PeriodicConfig } from "./job.ts";
import type {
  EphemeralDisk,
  MigrateStrategy,
  ReschedulePolicy,
  RestartPolicy,
  ScalingPolicy,
  UpdateStrategy,
} from "./policies.ts";
import type { Resources } from "./resources.ts";
import { zero } from "./schema.ts";
import type {
  LogConfig,
  TaskArtifact,
  TaskCSIPluginConfig,
  Template,
  Vault,
  VolumeMount,
} from "./task_parts.ts";
import { ResourcesSpec } from "./resources.ts";

/** Assigns `value` to every `null` field of `target` named in `defaults`. */
export function fill<T extends object>(target: T, defaults: Partial<T>): T {
  const t = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(defaults)) {
    if (t[key] === null || t[key] === undefined) t[key] = value;
  }
  return target;
}

/** Copies every non-`null` field of `over` onto `target` (Go's pointer-field `Merge`). */
export function mergeSet<T extends object>(target: T, over: T): T {
  const t = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(over)) {
    if (value !== null && value !== undefined) t[key] = value;
  }
  return target;
}

/** `null` when a list or map is empty (Go's `if len(x) == 0 { x = nil }`). */
export function nilIfEmpty<T>(value: T[] | null): T[] | null;
export function nilIfEmpty<T>(value: Record<string, T> | null): Record<string, T> | null;
export function nilIfEmpty<T>(
  value: T[] | Record<string, T> | null,
): T[] | Record<string, T> | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.length === 0 ? null : value;
  return Object.keys(value).length === 0 ? null : value;
}

/** Nomad's default update strategy for service and system jobs. */
export function defaultUpdateStrategy(): UpdateStrategy {
  return {
    Stagger: 30 * SECOND,
    MaxParallel: 1,
    HealthCheck: "checks",
    MinHealthyTime: 10 * SECOND,
    HealthyDeadline: 5 * MINUTE,
    ProgressDeadline: 10 * MINUTE,
    Canary: 0,
    AutoRevert: false,
    AutoPromote: false,
  };
}

/** Fills the unset fields of an update strategy with the defaults. */
export function canonicalizeUpdate(u: UpdateStrategy): void {
  fill(u, defaultUpdateStrategy());
}

/** Whether an update strategy carries no user value (Go's `UpdateStrategy.Empty`). */
export function updateIsEmpty(u: UpdateStrategy | null): boolean {
  if (u === null) return true;
  return !((u.Stagger ?? 0) !== 0 || (u.MaxParallel ?? 0) !== 0 || (u.HealthCheck ?? "") !== "" ||
    (u.MinHealthyTime ?? 0) !== 0 || (u.HealthyDeadline ?? 0) !== 0 ||
    (u.ProgressDeadline ?? 0) !== 0 || u.AutoRevert === true || u.AutoPromote === true ||
    (u.Canary ?? 0) !== 0);
}

/** The reschedule policy Nomad gives a group of a job of this type. */
export function defaultReschedulePolicy(jobType: string): ReschedulePolicy {
  switch (jobType) {
    case "service":
      return {
        Attempts: 0,
        Interval: 0,
        Delay: 30 * SECOND,
        DelayFunction: "exponential",
        MaxDelay: HOUR,
        Unlimited: true,
      };
    case "batch":
      return {
        Attempts: 1,
        Interval: 24 * HOUR,
        Delay: 5 * SECOND,
        DelayFunction: "constant",
        MaxDelay: 0,
        Unlimited: false,
      };
    default:
      return {
        Attempts: 0,
        Interval: 0,
        Delay: 0,
        DelayFunction: "",
        MaxDelay: 0,
        Unlimited: false,
      };
  }
}

/** The restart policy Nomad gives a group of a job of this type. */
export function defaultRestartPolicy(jobType: string): RestartPolicy {
  const service = jobType === "service" || jobType === "system";
  return {
    Interval: service ? 30 * MINUTE : 24 * HOUR,
    Attempts: service ? 2 : 3,
    Delay: 15 * SECOND,
    Mode: "fail",
    RenderTemplates: false,
  };
}

/** Nomad's default migrate strategy (service jobs). */
export function defaultMigrateStrategy(): MigrateStrategy {
  return {
    MaxParallel: 1,
    HealthCheck: "checks",
    MinHealthyTime: 10 * SECOND,
    HealthyDeadline: 5 * MINUTE,
  };
}

/** Fills an ephemeral disk, or gives the default one (300 MB). */
export function canonicalizeEphemeralDisk(d: EphemeralDisk | null): EphemeralDisk {
  return fill(d ?? { Sticky: null, Migrate: null, SizeMB: null }, {
    Sticky: false,
    Migrate: false,
    SizeMB: 300,
  });
}

/** Fills a scaling policy; `count` is the group's canonical count. */
export function canonicalizeScaling(p: ScalingPolicy, count: number): void {
  fill(p, { Enabled: true, Min: count });
  if (p.Type === "") p.Type = "horizontal";
}

/** Fills a periodic block: enabled, cron spec type, UTC. */
export function canonicalizePeriodic(p: PeriodicConfig): void {
  fill(p, { Enabled: true, Spec: "", Specs: [], SpecType: "cron", ProhibitOverlap: false });
  if (p.TimeZone === null || p.TimeZone === "") p.TimeZone = "UTC";
}

/** Fills a multiregion block. */
export function canonicalizeMultiregion(m: Multiregion): void {
  const strategy: MultiregionStrategy = m.Strategy ?? { MaxParallel: null, OnFailure: null };
  m.Strategy = fill(strategy, { MaxParallel: 0, OnFailure: "" });
  m.Regions ??= [];
  for (const region of m.Regions) fill(region, { Count: 1, Datacenters: [], Meta: {} });
}

/**
 * Fills task resources: 100 MHz of CPU unless cores are asked for, 300 MB of memory, one of
 * each requested device.
 */
export function canonicalizeResources(r: Resources): void {
  if (r.Cores === null) {
    r.Cores = 0;
    r.CPU ??= 100;
  }
  r.CPU ??= 0;
  r.MemoryMB ??= 300;
  for (const d of r.Devices ?? []) {
    d.Count ??= 1;
    for (const a of d.Affinities ?? []) a.Weight ??= 50;
  }
  if (r.NUMA !== null) {
    if (r.NUMA.Affinity === "") r.NUMA.Affinity = "none";
    r.NUMA.Devices = nilIfEmpty(r.NUMA.Devices);
  }
}

/** The resources of a Connect sidecar task that sets none. */
export function defaultResources(): Resources {
  return { ...zero(ResourcesSpec), CPU: 100, Cores: 0, MemoryMB: 300 };
}

/** Fills a log config, or gives the default one (10 files of 10 MB). */
export function canonicalizeLogConfig(l: LogConfig | null): LogConfig {
  return fill(l ?? { MaxFiles: null, MaxFileSizeMB: null, Enabled: null, Disabled: null }, {
    MaxFiles: 10,
    MaxFileSizeMB: 10,
    Disabled: false,
  });
}

/** Go's `path.Base`. */
function pathBase(p: string): string {
  if (p === "") return ".";
  const trimmed = p.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** Go's `path.Clean` for slash-separated paths. */
export function cleanPath(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return "/" + joined;
  return joined === "" ? "." : joined;
}

/** Fills an artifact: mode `any`, destination `local/` (or `local/<file>` in file mode). */
export function canonicalizeArtifact(a: TaskArtifact): void {
  fill(a, { GetterMode: "any", GetterInsecure: false, GetterSource: "" });
  a.GetterOptions = nilIfEmpty(a.GetterOptions);
  a.GetterHeaders = nilIfEmpty(a.GetterHeaders);
  if (a.RelativeDest === null) {
    a.RelativeDest = a.GetterMode === "file"
      ? cleanPath(`local/${pathBase(a.GetterSource ?? "")}`)
      : "local/";
  }
}

/** Fills a template: restart on change, 5 s splay, mode 0644, `{{ }}` delimiters. */
export function canonicalizeTemplate(t: Template): void {
  fill(t, { SourcePath: "", DestPath: "", EmbeddedTmpl: "", ChangeMode: "restart" });
  if (t.ChangeSignal === null) t.ChangeSignal = t.ChangeMode === "signal" ? "SIGHUP" : "";
  else t.ChangeSignal = t.ChangeSignal.toUpperCase();
  if (t.ChangeScript !== null) {
    fill(t.ChangeScript, {
      Command: "",
      Args: [],
      Timeout: 5 * SECOND,
      FailOnError: false,
      RunOnFirstRender: false,
    });
  }
  fill(t, {
    Once: false,
    Splay: 5 * SECOND,
    Perms: "0644",
    LeftDelim: "{{",
    RightDelim: "}}",
    Envvars: false,
    ErrMissingKey: false,
    VaultGrace: 0,
  });
}

/** Fills a vault block: token in env and file, restart on change, default cluster. */
export function canonicalizeVault(v: Vault): void {
  fill(v, { Env: true, DisableFile: false, Namespace: "" });
  if (v.Cluster === "") v.Cluster = "default";
  fill(v, { ChangeMode: "restart", ChangeSignal: "SIGHUP", AllowTokenExpiration: false });
}

/** Fills a volume mount: private propagation, read-write. */
export function canonicalizeVolumeMount(vm: VolumeMount): void {
  fill(vm, { PropagationMode: "private", ReadOnly: false, SELinuxLabel: "" });
}

/** Fills a CSI plugin block: `/csi` mount dir, `/local/csi` staging dir, 30 s health timeout. */
export function canonicalizeCSIPlugin(c: TaskCSIPluginConfig): void {
  if (c.MountDir === "") c.MountDir = "/csi";
  if (c.StagePublishBaseDir === "") c.StagePublishBaseDir = "/local/csi";
  if (c.HealthTimeout === 0) c.HealthTimeout = 30 * SECOND;
}
