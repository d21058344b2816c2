/**
 * The task environment: every variable Nomad's client gives a task (`NOMAD_ALLOC_ID`,
 * `NOMAD_TASK_DIR`, `NOMAD_PORT_<label>`, `NOMAD_META_<key>`, ...), the job's and task's `env`
 * interpolated, the host's environment for drivers without an image, and the node values
 * `${attr.*}`, `${meta.*}` and `${node.*}` references resolve against.
 *
 * The order of the layers is Nomad's: Nomad's own variables, the ports of the task's networks,
 * the other tasks' and the group's ports, Connect upstreams, the allocation's network, task
 * meta, the host environment (never overriding), the task's `env` (interpolated), extra env
 * from hooks; last, keys under `NOMAD_ADDR_`, `NOMAD_IP_`, `NOMAD_PORT_`, `NOMAD_HOST_PORT_`
 * and `NOMAD_META_` have characters a shell cannot name replaced by `_`.
 *
 * @module
 */
import type { AllocatedPortMapping, Allocation, ServerNetwork } from "../structs/alloc.ts";
import type { Job, TaskGroup } from "../structs/job.ts";
import type { Node } from "../structs/node.ts";
import type { Task } from "../structs/task.ts";
import type { DriverNetwork, FSIsolation, TaskDirPaths } from "../../plugins/sdk.ts";
import { formatIdSet } from "./_idset.ts";
import { type InterpolationEnv, replaceEnv } from "./interpolate.ts";

/** Host variables a task never inherits (Nomad's default `env.denylist`). */
export const DEFAULT_ENV_DENYLIST: readonly string[] = [
  "CONSUL_TOKEN",
  "CONSUL_HTTP_TOKEN",
  "CONSUL_HTTP_TOKEN_FILE",
  "NOMAD_TOKEN",
  "VAULT_TOKEN",
  "CONSUL_LICENSE",
  "NOMAD_LICENSE",
  "VAULT_LICENSE",
  "CONSUL_LICENSE_PATH",
  "NOMAD_LICENSE_PATH",
  "VAULT_LICENSE_PATH",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_METADATA_URL",
  "GOOGLE_APPLICATION_CREDENTIALS",
  "GOOGLE_OAUTH_ACCESS_TOKEN",
];

/** The allocation's network as the network hook reports it (bridge or CNI). */
export interface AllocNetworkStatus {
  /** The interface inside the allocation's namespace. */
  InterfaceName: string;
  /** The allocation's address. */
  Address: string;
}

/** What the environment is built from. */
export interface TaskEnvInput {
  /** The allocation, with its job. */
  alloc: Allocation;
  /** The task (from the allocation's job). */
  task: Task;
  /** The node the task runs on. */
  node?: Node | null;
  /** The client's region (`NOMAD_REGION`, `${node.region}`). */
  region?: string;
  /** The task's directories on the host. */
  taskDir?: TaskDirPaths | null;
  /**
   * The driver's file system isolation: `"none"` (raw_exec) gives host paths in
   * `NOMAD_ALLOC_DIR`, `NOMAD_TASK_DIR`, `NOMAD_SECRETS_DIR`; otherwise `/alloc`, `/local`,
   * `/secrets`. Default `"none"`.
   */
  fsIsolation?: FSIsolation;
  /** The agent's environment (`Deno.env.toObject()`); ignored for `"image"` isolation. */
  hostEnv?: Readonly<Record<string, string>>;
  /** Host variables to leave out; default {@linkcode DEFAULT_ENV_DENYLIST}. */
  envDenylist?: readonly string[];
  /** The network a driver made for the task (maps port labels to ports inside the task). */
  driverNetwork?: DriverNetwork | null;
  /** The allocation's network (`NOMAD_ALLOC_INTERFACE_<label>`, ...). */
  networkStatus?: AllocNetworkStatus | null;
  /** Variables from hooks (templates with `env = true`, devices), applied last. */
  extraEnv?: Readonly<Record<string, string>>;
}

/** A built task environment. */
export interface TaskEnv extends InterpolationEnv {
  /** The variables the task runs with. */
  readonly env: Record<string, string>;
  /** Node values for interpolation: `node.unique.id`, `attr.<name>`, `meta.<key>`, ... */
  readonly nodeAttrs: Record<string, string>;
}

/** The group named `name` in a job. */
export function lookupTaskGroup(job: Job | null, name: string): TaskGroup | undefined {
  return job?.TaskGroups?.find((g) => g.Name === name);
}

/**
 * The task's meta merged over its group's and its job's (Nomad's `CombinedTaskMeta`): the
 * task's keys win, then the group's.
 */
export function combinedTaskMeta(
  job: Job | null,
  group: string,
  task: string,
): Record<string, string> {
  const g = lookupTaskGroup(job, group);
  const t = g?.Tasks?.find((x) => x.Name === task);
  return { ...(job?.Meta ?? {}), ...(g?.Meta ?? {}), ...(t?.Meta ?? {}) };
}

/** The index in an allocation's name `<job>.<group>[<index>]` (Nomad's `AllocIndexFromName`). */
export function allocIndex(alloc: Pick<Allocation, "Name" | "JobID" | "TaskGroup">): number {
  const name = alloc.Name;
  const prefix = alloc.JobID.length + alloc.TaskGroup.length + 2;
  if (name.length <= 3 || name.length <= prefix) return 0;
  const n = Number.parseInt(name.slice(prefix, name.length - 1), 10);
  return Number.isNaN(n) ? 0 : n;
}

/** Replaces what a shell cannot name in a variable with `r` (Nomad's `CleanEnvVar`). */
export function cleanEnvVar(s: string, r = "_"): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const ok = c === "_" || c === "." || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") ||
      (i > 0 && c >= "0" && c <= "9");
    out += ok ? c : r;
  }
  return out;
}

function joinHostPort(host: string, port: string | number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The node values `${...}` references resolve against. */
export function nodeAttributes(node: Node | null | undefined, region = ""): Record<string, string> {
  const attrs: Record<string, string> = {};
  if (region) attrs["node.region"] = region;
  if (!node) return attrs;
  attrs["node.unique.id"] = node.ID;
  attrs["node.unique.name"] = node.Name;
  attrs["node.class"] = node.NodeClass;
  attrs["node.datacenter"] = node.Datacenter;
  attrs["node.pool"] = node.NodePool;
  for (const [k, v] of Object.entries(node.Attributes ?? {})) attrs[`attr.${k}`] = v;
  for (const [k, v] of Object.entries(node.Meta ?? {})) attrs[`meta.${k}`] = v;
  return attrs;
}

function taskPortEnv(
  env: Record<string, string>,
  networks: readonly ServerNetwork[],
  driverNet: DriverNetwork | null | undefined,
): void {
  for (const n of networks) {
    for (const p of [...(n.ReservedPorts ?? []), ...(n.DynamicPorts ?? [])]) {
      const port = String(p.Value);
      const family = n.IP.includes(":") ? "NOMAD_IPv6_" : "NOMAD_IPv4_";
      env[`NOMAD_IP_${p.Label}`] = n.IP;
      env[`${family}${p.Label}`] = n.IP;
      env[`NOMAD_HOST_PORT_${p.Label}`] = port;
      env[`NOMAD_ADDR_${p.Label}`] = joinHostPort(n.IP, port);
      const mapped = driverNet?.PortMap[p.Label];
      env[`NOMAD_PORT_${p.Label}`] = mapped ? String(mapped) : port;
    }
  }
}

function otherPortsEnv(env: Record<string, string>, alloc: Allocation, taskName: string): void {
  const ar = alloc.AllocatedResources;
  if (!ar) return;
  for (const [name, res] of Object.entries(ar.Tasks ?? {})) {
    if (name === taskName) continue;
    for (const nw of res.Networks ?? []) {
      for (const p of [...(nw.ReservedPorts ?? []), ...(nw.DynamicPorts ?? [])]) {
        env[`NOMAD_ADDR_${name}_${p.Label}`] = joinHostPort(nw.IP, p.Value);
        env[`NOMAD_IP_${name}_${p.Label}`] = nw.IP;
        env[`NOMAD_PORT_${name}_${p.Label}`] = String(p.Value);
      }
    }
  }
  for (const nw of ar.Shared.Networks ?? []) {
    for (const p of [...(nw.ReservedPorts ?? []), ...(nw.DynamicPorts ?? [])]) {
      env[`NOMAD_PORT_${p.Label}`] = String(p.To > 0 ? p.To : p.Value);
      env[`NOMAD_HOST_PORT_${p.Label}`] = String(p.Value);
    }
  }
  for (const p of ar.Shared.Ports ?? []) allocatedPortEnv(env, p);
}

function allocatedPortEnv(env: Record<string, string>, p: AllocatedPortMapping): void {
  const port = String(p.Value);
  const inside = String(p.To > 0 ? p.To : p.Value);
  env[`NOMAD_ADDR_${p.Label}`] = joinHostPort(p.HostIP, port);
  env[`NOMAD_HOST_ADDR_${p.Label}`] = joinHostPort(p.HostIP, port);
  env[`NOMAD_IP_${p.Label}`] = p.HostIP;
  env[`NOMAD_HOST_IP_${p.Label}`] = p.HostIP;
  env[`NOMAD_PORT_${p.Label}`] = inside;
  env[`NOMAD_ALLOC_PORT_${p.Label}`] = inside;
  env[`NOMAD_HOST_PORT_${p.Label}`] = port;
}

function upstreamEnv(env: Record<string, string>, group: TaskGroup | undefined): void {
  const ip = "127.0.0.1";
  for (const svc of group?.Services ?? []) {
    const proxy = svc.Connect?.SidecarService?.Proxy as { Upstreams?: unknown } | null | undefined;
    const ups = Array.isArray(proxy?.Upstreams) ? proxy.Upstreams : [];
    for (const u of ups as { DestinationName?: string; LocalBindPort?: number }[]) {
      const name = u.DestinationName ?? "";
      const port = String(u.LocalBindPort ?? 0);
      for (const n of [name, cleanEnvVar(name)]) {
        env[`NOMAD_UPSTREAM_IP_${n}`] = ip;
        env[`NOMAD_UPSTREAM_PORT_${n}`] = port;
        env[`NOMAD_UPSTREAM_ADDR_${n}`] = joinHostPort(ip, port);
      }
    }
  }
}

const CLEANED_PREFIXES = [
  "NOMAD_ADDR_",
  "NOMAD_IP_",
  "NOMAD_PORT_",
  "NOMAD_HOST_PORT_",
  "NOMAD_META_",
];

/**
 * Builds a task's environment as Nomad's client does.
 *
 * @example
 * ```ts
 * const { env } = buildTaskEnv({ alloc, task, node, region: "global", taskDir });
 * env.NOMAD_ALLOC_DIR; // "<data dir>/alloc/<alloc id>/alloc"
 * ```
 */
export function buildTaskEnv(input: TaskEnvInput): TaskEnv {
  const { alloc, task, node } = input;
  const job = alloc.Job;
  const nodeAttrs = nodeAttributes(node, input.region ?? "");
  const env: Record<string, string> = {};
  const fsi = input.fsIsolation ?? "none";
  const dirs = input.taskDir;
  if (dirs) {
    const host = fsi === "none";
    env.NOMAD_ALLOC_DIR = host ? dirs.SharedAllocDir : "/alloc";
    env.NOMAD_TASK_DIR = host ? dirs.LocalDir : "/local";
    env.NOMAD_SECRETS_DIR = host ? dirs.SecretsDir : "/secrets";
  }
  const taskRes = alloc.AllocatedResources?.Tasks?.[task.Name];
  const memory = taskRes ? taskRes.Memory.MemoryMB : task.Resources?.MemoryMB ?? 0;
  const memoryMax = taskRes ? taskRes.Memory.MemoryMaxMB : task.Resources?.MemoryMaxMB ?? 0;
  const cpu = taskRes ? taskRes.Cpu.CpuShares : task.Resources?.CPU ?? 0;
  if (memory) env.NOMAD_MEMORY_LIMIT = String(memory);
  if (memoryMax) env.NOMAD_MEMORY_MAX_LIMIT = String(memoryMax);
  if (cpu) env.NOMAD_CPU_LIMIT = String(cpu);
  if (taskRes) env.NOMAD_CPU_CORES = formatIdSet(taskRes.Cpu.ReservedCores ?? []);
  if (alloc.ID) {
    env.NOMAD_ALLOC_ID = alloc.ID;
    env.NOMAD_SHORT_ALLOC_ID = alloc.ID.slice(0, 8);
  }
  if (alloc.Name) env.NOMAD_ALLOC_NAME = alloc.Name;
  if (alloc.TaskGroup) env.NOMAD_GROUP_NAME = alloc.TaskGroup;
  env.NOMAD_ALLOC_INDEX = String(allocIndex(alloc));
  if (task.Name) env.NOMAD_TASK_NAME = task.Name;
  if (job?.ID) env.NOMAD_JOB_ID = job.ID;
  if (job?.Name) env.NOMAD_JOB_NAME = job.Name;
  if (job?.ParentID) env.NOMAD_JOB_PARENT_ID = job.ParentID;
  if (node?.Datacenter) env.NOMAD_DC = node.Datacenter;
  if (node?.CgroupParent) env.NOMAD_PARENT_CGROUP = node.CgroupParent;
  if (alloc.Namespace) env.NOMAD_NAMESPACE = alloc.Namespace;
  if (input.region) env.NOMAD_REGION = input.region;

  taskPortEnv(env, taskRes?.Networks ?? [], input.driverNetwork);
  otherPortsEnv(env, alloc, task.Name);
  const group = lookupTaskGroup(job, alloc.TaskGroup);
  upstreamEnv(env, group);
  const shared = alloc.AllocatedResources?.Shared.Ports;
  if (input.networkStatus && shared) {
    const ns = input.networkStatus;
    for (const p of shared) {
      env[`NOMAD_ALLOC_INTERFACE_${p.Label}`] = ns.InterfaceName;
      env[`NOMAD_ALLOC_IP_${p.Label}`] = ns.Address;
      env[`NOMAD_ALLOC_ADDR_${p.Label}`] = joinHostPort(ns.Address, p.To || p.Value);
    }
  }

  const meta: Record<string, string> = {};
  if (job?.Dispatched) {
    for (const k of job.ParameterizedJob?.MetaOptional ?? []) {
      meta[`NOMAD_META_${k.toUpperCase()}`] = "";
      meta[`NOMAD_META_${k}`] = "";
    }
  }
  for (const [k, v] of Object.entries(combinedTaskMeta(job, alloc.TaskGroup, task.Name))) {
    meta[`NOMAD_META_${k.toUpperCase()}`] = v;
    meta[`NOMAD_META_${k}`] = v;
  }
  for (const [k, v] of Object.entries(meta)) {
    env[replaceEnv(k, nodeAttrs, env)] = replaceEnv(v, nodeAttrs, env);
  }
  if (fsi !== "image" && input.hostEnv) {
    const deny = new Set(input.envDenylist ?? DEFAULT_ENV_DENYLIST);
    for (const [k, v] of Object.entries(input.hostEnv)) {
      if (!deny.has(k) && !Object.hasOwn(env, k)) env[k] = replaceEnv(v, nodeAttrs, env);
    }
  }
  for (const [k, v] of Object.entries(task.Env ?? {})) env[k] = replaceEnv(v, nodeAttrs, env);
  for (const [k, v] of Object.entries(input.extraEnv ?? {})) {
    env[k] = replaceEnv(v, nodeAttrs, env);
  }

  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    cleaned[CLEANED_PREFIXES.some((p) => k.startsWith(p)) ? cleanEnvVar(k) : k] = v;
  }
  return { env: cleaned, nodeAttrs };
}
