/**
 * Whether a job change needs new allocations (Nomad's `tasksUpdated`): a change of a task's
 * driver, config, environment, artifacts, templates, resources, networks, volumes, identities,
 * meta, Consul namespace or Connect plumbing cannot be applied to a running task; anything else
 * (services, constraints, count, update strategy, ...) can be applied in place.
 *
 * @module
 */
import type {
  ConsulConnect,
  Job,
  NetworkResource,
  Resources,
  RestartPolicy,
  Service,
  Task,
} from "../structs/mod.ts";
import { lookupTaskGroup } from "./util.ts";

/** The first destructive difference found between two versions of a group. */
export interface Comparison {
  readonly modified: boolean;
  /** What changed, for debugging (`"task config"`, `"network mode"`, ...). */
  readonly label: string;
}

const SAME: Comparison = { modified: false, label: "" };
const diff = (label: string): Comparison => ({ modified: true, label });

/**
 * Structural equality of decoded JSON values; a missing key, `undefined` and `null` are the same
 * (Go's nil pointers, slices and maps).
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined) return b === null || b === undefined;
  if (b === null || b === undefined) return false;
  if (typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k in ao) if (!deepEqual(ao[k], bo[k])) return false;
  for (const k in bo) if (!(k in ao) && !deepEqual(undefined, bo[k])) return false;
  return true;
}

/** Like {@link deepEqual}, but empty lists and maps also equal null (Go's nil vs empty). */
function sameOrEmpty(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) =>
    v === null || v === undefined || (Array.isArray(v) && v.length === 0) ||
    (typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0);
  return (empty(a) && empty(b)) || deepEqual(a, b);
}

function portMap(n: NetworkResource): unknown[] {
  return [
    ...(n.ReservedPorts ?? []).map((p) => [p.Label, p.Value, p.To, p.HostNetwork]),
    ...(n.DynamicPorts ?? []).map((p) => [p.Label, -1, p.To, p.HostNetwork]),
  ];
}

/** Whether networks changed in a way a running task cannot take (dynamic port values aside). */
export function networkUpdated(
  a: readonly NetworkResource[] | null,
  b: readonly NetworkResource[] | null,
): Comparison {
  const na = a ?? [];
  const nb = b ?? [];
  if (na.length !== nb.length) return diff("network lengths");
  for (let i = 0; i < na.length; i++) {
    const x = na[i]!;
    const y = nb[i]!;
    if (x.Mode !== y.Mode) return diff("network mode");
    if ((x.MBits ?? 0) !== (y.MBits ?? 0)) return diff("network mbits");
    if (x.Hostname !== y.Hostname) return diff("network hostname");
    if (!deepEqual(x.DNS, y.DNS)) return diff("network dns");
    if (!deepEqual(x.CNI, y.CNI)) return diff("network cni");
    if (!deepEqual(portMap(x), portMap(y))) return diff("network port map");
  }
  return SAME;
}

function resourcesUpdated(a: Resources | null, b: Resources | null): Comparison {
  if (a === null || b === null) return a === b ? SAME : diff("task resources");
  if ((a.CPU ?? 0) !== (b.CPU ?? 0)) return diff("task cpu");
  if ((a.Cores ?? 0) !== (b.Cores ?? 0)) return diff("task cores");
  if ((a.MemoryMB ?? 0) !== (b.MemoryMB ?? 0)) return diff("task memory");
  if ((a.MemoryMaxMB ?? 0) !== (b.MemoryMaxMB ?? 0)) return diff("task memory max");
  if (!sameOrEmpty(a.Devices, b.Devices)) return diff("task devices");
  if (!deepEqual(a.NUMA, b.NUMA)) return diff("numa");
  if ((a.SecretsMB ?? 0) !== (b.SecretsMB ?? 0)) return diff("task secrets");
  return SAME;
}

function consulUpdated(
  a: { Namespace: string; Cluster: string; Partition: string } | null,
  b: { Namespace: string; Cluster: string; Partition: string } | null,
): Comparison {
  if ((a?.Namespace ?? "") !== (b?.Namespace ?? "")) return diff("consul namespace");
  if (a !== null && b !== null) {
    if (a.Cluster !== b.Cluster) return diff("consul cluster");
    if (a.Partition !== b.Partition) return diff("consul partition");
  }
  return SAME;
}

function connectUpdated(a: ConsulConnect | null, b: ConsulConnect | null): Comparison {
  if (a === null && b === null) return SAME;
  if (a === null) return diff("connect added");
  if (b === null) return diff("connect removed");
  if (a.Native !== b.Native) return diff("connect native");
  if (!deepEqual(a.Gateway, b.Gateway)) return diff("connect gateway");
  if (!deepEqual(a.SidecarTask, b.SidecarTask)) return diff("connect sidecar task");
  const sa = a.SidecarService;
  const sb = b.SidecarService;
  if (sa === null && sb !== null) return diff("connect service add");
  if (sa !== null && sb === null) return diff("connect service delete");
  if (sa !== null && sb !== null && sa.Port !== sb.Port) return diff("connect port");
  return SAME;
}

function connectServicesUpdated(a: readonly Service[] | null, b: readonly Service[] | null) {
  for (const sa of a ?? []) {
    if (sa.Connect === null) continue;
    const sb = (b ?? []).find((s) => s.Name === sa.Name);
    if (!sb) continue;
    const c = connectUpdated(sa.Connect, sb.Connect);
    if (c.modified) return c;
    if (sa.PortLabel !== sb.PortLabel) return diff("connect service port label");
    if (sa.Cluster !== sb.Cluster) return diff("connect service cluster");
  }
  return SAME;
}

function renderTemplatesUpdated(
  a: RestartPolicy | null,
  b: RestartPolicy | null,
  label: string,
): Comparison {
  return (a?.RenderTemplates === true) !== (b?.RenderTemplates === true) ? diff(label) : SAME;
}

function combinedMeta(job: Job, group: string, task: Task): Record<string, string> {
  const tg = lookupTaskGroup(job, group);
  return { ...(job.Meta ?? {}), ...(tg?.Meta ?? {}), ...(task.Meta ?? {}) };
}

function taskUpdated(jobA: Job, jobB: Job, group: string, at: Task, bt: Task): Comparison {
  if (at.Driver !== bt.Driver) return diff("task driver");
  if (at.User !== bt.User) return diff("task user");
  if (!sameOrEmpty(at.Config, bt.Config)) return diff("task config");
  if (!sameOrEmpty(at.Env, bt.Env)) return diff("task env");
  if (!sameOrEmpty(at.Artifacts, bt.Artifacts)) return diff("task artifacts");
  if (!deepEqual(at.Vault, bt.Vault)) return diff("task vault");
  if (!sameOrEmpty(at.Secrets, bt.Secrets)) return diff("task secrets");
  const consul = consulUpdated(at.Consul, bt.Consul);
  if (consul.modified) return consul;
  if (!sameOrEmpty(at.Templates, bt.Templates)) return diff("task templates");
  if (!deepEqual(at.CSIPluginConfig, bt.CSIPluginConfig)) return diff("task csi config");
  if (!sameOrEmpty(at.VolumeMounts, bt.VolumeMounts)) return diff("task volume mount");
  if (!deepEqual(combinedMeta(jobA, group, at), combinedMeta(jobB, group, bt))) {
    return diff("task meta");
  }
  const net = networkUpdated(at.Resources?.Networks ?? null, bt.Resources?.Networks ?? null);
  if (net.modified) return net;
  const res = resourcesUpdated(at.Resources, bt.Resources);
  if (res.modified) return res;
  if (!deepEqual(at.Identity, bt.Identity)) return diff("task identity");
  if (!sameOrEmpty(at.Identities, bt.Identities)) return diff("task identity");
  if ((at.LogConfig?.Disabled === true) !== (bt.LogConfig?.Disabled === true)) {
    return diff("task log disabled");
  }
  return renderTemplatesUpdated(
    at.RestartPolicy,
    bt.RestartPolicy,
    "task restart render_templates",
  );
}

/**
 * Compares a group across two job versions and returns the first change that needs its
 * allocations replaced; `modified: false` when they can be updated in place (or ignored).
 *
 * @example
 * ```ts
 * tasksUpdated(v1, v2, "web"); // { modified: true, label: "task config" } after an image change
 * ```
 */
export function tasksUpdated(jobA: Job, jobB: Job, group: string): Comparison {
  const a = lookupTaskGroup(jobA, group);
  const b = lookupTaskGroup(jobB, group);
  if (a === undefined || b === undefined) return a === b ? SAME : diff("task group");
  const ta = a.Tasks ?? [];
  const tb = b.Tasks ?? [];
  if (ta.length !== tb.length) return diff("number of tasks");
  const da = a.EphemeralDisk;
  const db = b.EphemeralDisk;
  if (
    (da?.Sticky ?? false) !== (db?.Sticky ?? false) ||
    (da?.SizeMB ?? 0) !== (db?.SizeMB ?? 0) || (da?.Migrate ?? false) !== (db?.Migrate ?? false)
  ) {
    return diff("ephemeral disk");
  }
  for (
    const c of [
      networkUpdated(a.Networks, b.Networks),
      consulUpdated(a.Consul, b.Consul),
      connectServicesUpdated(a.Services, b.Services),
    ]
  ) {
    if (c.modified) return c;
  }
  if (!sameOrEmpty(a.Volumes, b.Volumes)) return diff("volume request");
  const render = renderTemplatesUpdated(
    a.RestartPolicy,
    b.RestartPolicy,
    "group restart render_templates",
  );
  if (render.modified) return render;
  for (const at of ta) {
    const bt = tb.find((t) => t.Name === at.Name);
    if (bt === undefined) return diff("task deleted");
    const c = taskUpdated(jobA, jobB, group, at, bt);
    if (c.modified) return c;
  }
  return SAME;
}
