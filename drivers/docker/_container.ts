/**
 * Turns a task into the body of Docker's `POST /containers/create`, as Nomad's
 * `createContainerConfig` does: the allocation's directories bound at `/alloc`, `/local` and
 * `/secrets`, resources as memory limits and CPU shares, ports published from the group's
 * `network` (`ports`) or the task's legacy network (`port_map`), labels, mounts, capabilities,
 * DNS, ulimits and the rest of the task config.
 *
 * @module
 */
import { isAbsolute, join, normalize, relative } from "node:path";
import type { DriverNetwork, TaskConfig } from "../../plugins/sdk.ts";
import { ConfigError } from "../../plugins/sdk.ts";
import {
  decodeMounts,
  DOCKER_DEFAULT_CAPS,
  type DockerMountConfig,
  type DockerPluginConfig,
  type DockerTaskConfig,
  mergeMaps,
  portMap,
} from "./_config.ts";

/** The label every container of the driver carries: its allocation's ID. */
export const LABEL_ALLOC_ID = "com.hashicorp.nomad.alloc_id";
const MB = 1024 * 1024;
const EXTRA_LABELS: Record<string, (t: TaskConfig) => string> = {
  job_name: (t) => t.JobName,
  job_id: (t) => t.JobID,
  task_group_name: (t) => t.TaskGroupName,
  task_name: (t) => t.Name,
  namespace: (t) => t.Namespace,
  node_id: (t) => t.NodeID,
};

/** What {@linkcode buildContainer} gives. */
export interface ContainerSpec {
  /** The container's name: `<task>-<alloc id>`. */
  name: string;
  /** The create body. */
  body: Record<string, unknown>;
  /** The port labels mapped inside the container (`port_map`), for the driver network. */
  portMap: Record<string, number>;
}

/** The container name Nomad gives a task. */
export function containerName(task: TaskConfig): string {
  return `${task.Name.replaceAll("/", "_")}-${task.AllocID}`;
}

/** Memory limit and reservation in bytes, as Nomad derives them. */
export function memoryLimits(
  hardLimitMB: number,
  memoryMB: number,
  memoryMaxMB: number,
): { memory: number; reservation: number } {
  if (memoryMaxMB === -1) return { memory: 0, reservation: memoryMB * MB };
  const high = Math.max(hardLimitMB, memoryMaxMB);
  if (high === 0) return { memory: memoryMB * MB, reservation: 0 };
  return { memory: high * MB, reservation: memoryMB * MB };
}

const normCap = (c: string) => c.toUpperCase().replace(/^CAP_/, "");

/** Nomad's capability delta: what to add and drop given `allow_caps`, `cap_add`, `cap_drop`. */
export function capabilityDelta(
  allow: readonly string[],
  capAdd: readonly string[],
  capDrop: readonly string[],
): { add: string[]; drop: string[] } {
  const allowed = new Set(allow.map(normCap));
  const missing = capAdd.map(normCap).filter((c) => !allowed.has(c) && !allowed.has("ALL"));
  if (missing.length > 0) {
    throw new ConfigError("Invalid docker task config", [
      `driver does not allow the following capabilities: ${missing.join(", ")}`,
    ]);
  }
  const add = capAdd.some((c) => normCap(c) === "ALL")
    ? ["ALL"]
    : [...new Set(capAdd.map(normCap))];
  const drop = new Set(
    allowed.has("ALL") ? [] : DOCKER_DEFAULT_CAPS.filter((c) => !allowed.has(c)),
  );
  for (const c of capDrop) drop.add(normCap(c));
  return { add, drop: drop.has("ALL") ? ["ALL"] : [...drop].sort() };
}

function within(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

function expand(taskDir: string, path: string): string {
  return isAbsolute(path) ? normalize(path) : join(taskDir, path);
}

/** The binds of the allocation's directories and the task's `volumes`. */
function binds(task: TaskConfig, cfg: DockerTaskConfig, plugin: DockerPluginConfig): string[] {
  const dirs = task.TaskDir;
  const allocDir = task.Env.NOMAD_ALLOC_DIR ?? "/alloc";
  const label = plugin.volumes.selinuxlabel;
  const withLabel = (b: string) => (label ? `${b}:${label}` : b);
  const out = [
    withLabel(`${dirs.SharedAllocDir}:${allocDir}`),
    withLabel(`${dirs.LocalDir}:${task.Env.NOMAD_TASK_DIR ?? "/local"}`),
    withLabel(`${dirs.SecretsDir}:${task.Env.NOMAD_SECRETS_DIR ?? "/secrets"}`),
    `${dirs.SharedAllocDir}/logs:${allocDir}/logs:${label ? `ro,${label}` : "ro"}`,
  ];
  const localDriver = cfg.volume_driver === "";
  if (!plugin.volumes.enabled && !localDriver) {
    throw new Error(`volumes are not enabled; cannot use volume driver "${cfg.volume_driver}"`);
  }
  for (const spec of cfg.volumes) {
    const parts = spec.split(":");
    if (parts.length < 2 || parts.length > 3 || parts[0] === "" || parts[1] === "") {
      throw new ConfigError("Invalid docker task config", [
        `invalid docker volume "${spec}": use "source:destination[:mode]"`,
      ]);
    }
    const [src0, dst, mode] = parts as [string, string, string | undefined];
    const src = localDriver ? expand(dirs.Dir, src0) : src0;
    if (!plugin.volumes.enabled && !within(task.AllocDir, src)) {
      throw new Error(`volumes are not enabled; cannot mount host path: "${spec}"`);
    }
    const opts = [mode, label].filter((x) => x).join(",");
    out.push(opts ? `${src}:${dst}:${opts}` : `${src}:${dst}`);
  }
  return out;
}

function toMount(m: DockerMountConfig, task: TaskConfig, plugin: DockerPluginConfig) {
  const out: Record<string, unknown> = { Type: m.type, Target: m.target, ReadOnly: m.readonly };
  if (m.type === "bind") {
    const source = expand(task.TaskDir.Dir, m.source);
    if (!plugin.volumes.enabled && !within(task.AllocDir, source)) {
      throw new Error(`volumes are not enabled; cannot mount host path: "${source}"`);
    }
    out.Source = source;
    if (m.propagation) out.BindOptions = { Propagation: m.propagation };
  } else if (m.type === "volume") {
    if (!plugin.volumes.enabled) {
      throw new Error(`volumes are not enabled; cannot mount volume: "${m.source}"`);
    }
    out.Source = m.source;
    if (m.volume) {
      out.VolumeOptions = {
        NoCopy: m.volume.noCopy,
        Labels: m.volume.labels,
        ...(m.volume.driver
          ? { DriverConfig: { Name: m.volume.driver, Options: m.volume.options } }
          : {}),
      };
    }
  } else if (m.tmpfs) {
    out.TmpfsOptions = {
      ...(m.tmpfs.size ? { SizeBytes: m.tmpfs.size } : {}),
      ...(m.tmpfs.mode ? { Mode: m.tmpfs.mode } : {}),
    };
  }
  return out;
}

/** Published ports (`"6379/tcp": [{ HostIp, HostPort }]`), tcp and udp for each, as Nomad does. */
function publishPorts(task: TaskConfig, cfg: DockerTaskConfig, map: Record<string, number>) {
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  const add = (ip: string, port: number, to: number) => {
    const inside = to === 0 ? port : to;
    for (const proto of ["tcp", "udp"]) {
      (bindings[`${inside}/${proto}`] ??= []).push({ HostIp: ip, HostPort: String(port) });
    }
  };
  const shared = task.Resources?.Ports;
  const networks = task.Resources?.NomadResources?.Networks ?? [];
  if (shared && cfg.ports.length > 0) {
    if (cfg.network_mode.startsWith("container:")) return bindings;
    for (const label of cfg.ports) {
      const m = shared.find((p) => p.Label === label);
      if (!m) throw new Error(`Port "${label}" not found, check network block`);
      add(m.HostIP, m.Value, m.To);
    }
  } else if (networks.length > 0) {
    const net = networks[0]!;
    for (const p of [...(net.ReservedPorts ?? []), ...(net.DynamicPorts ?? [])]) {
      add(net.IP, p.Value, map[p.Label] ?? p.Value);
    }
  } else if (Object.keys(map).length > 0) {
    throw new Error(
      shared
        ? "'port_map' cannot map group network ports, use 'ports' instead"
        : "Trying to map ports but no network interface is available",
    );
  }
  return bindings;
}

/** What {@linkcode buildContainer} needs besides the task. */
export interface BuildOptions {
  /** The decoded task config. */
  cfg: DockerTaskConfig;
  /** The plugin config. */
  plugin: DockerPluginConfig;
  /** The image's ID or reference. */
  image: string;
  /** MHz of one core, for `cpu_hard_limit` (0 when unknown). */
  mhzPerCore: number;
}

/**
 * Builds the create body for a task.
 *
 * @throws {ConfigError} For a task config that cannot run here (privileged, capabilities, ...).
 * @throws {Error} For ports or volumes the node does not allow.
 */
export function buildContainer(task: TaskConfig, opts: BuildOptions): ContainerSpec {
  const { cfg, plugin } = opts;
  const problems: string[] = [];
  const map = portMap(cfg, problems);
  const mounts = [...decodeMounts(cfg.mount, problems), ...decodeMounts(cfg.mounts, problems)];
  if (cfg.privileged && !plugin.allow_privileged) {
    problems.push("Docker privileged mode is disabled on this Nomad agent");
  }
  if (cfg.runtime !== "" && !plugin.allow_runtimes.includes(cfg.runtime)) {
    problems.push(`requested runtime "${cfg.runtime}" is not allowed`);
  }
  if (cfg.isolation !== "") {
    problems.push(`cannot use isolation mode "${cfg.isolation}" on linux`);
  }
  if (plugin.pids_limit > 0 && cfg.pids_limit > plugin.pids_limit) {
    problems.push(
      `pids_limit cannot be greater than nomad plugin config pids_limit: ${plugin.pids_limit}`,
    );
  }
  const res = task.Resources?.NomadResources;
  const mem = memoryLimits(
    cfg.memory_hard_limit,
    res?.Memory.MemoryMB ?? 0,
    res?.Memory.MemoryMaxMB ?? 0,
  );
  if (mem.memory > 0 && mem.reservation > mem.memory) {
    problems.push(
      `task memory requirements exceed driver hard limit of ${cfg.memory_hard_limit} MB`,
    );
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid docker task config for task "${task.Name}"`, problems);
  }
  const caps = capabilityDelta(plugin.allow_caps, cfg.cap_add, cfg.cap_drop);
  const shares = Math.max(2, res?.Cpu.CpuShares ?? 0);
  const env = { ...task.Env };
  for (const [label, port] of Object.entries(map)) env[`NOMAD_PORT_${label}`] = String(port);
  const ports = publishPorts(task, cfg, map);
  const labels: Record<string, string> = {
    ...mergeMaps(cfg.labels),
    [LABEL_ALLOC_ID]: task.AllocID,
  };
  for (const pattern of plugin.extra_labels) {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
    for (const [key, value] of Object.entries(EXTRA_LABELS)) {
      if (re.test(key)) labels[`com.hashicorp.nomad.${key}`] = value(task);
    }
  }
  const logType = cfg.logging?.type || cfg.logging?.driver || "";
  const logConfig = cfg.logging ? mergeMaps(cfg.logging.config) : {};
  const hostConfig: Record<string, unknown> = {
    Binds: binds(task, cfg, plugin),
    Memory: mem.memory,
    MemoryReservation: mem.reservation,
    MemorySwap: mem.memory,
    CpuShares: shares,
    PidsLimit: cfg.pids_limit > 0 ? cfg.pids_limit : plugin.pids_limit > 0 ? plugin.pids_limit : -1,
    OomScoreAdj: cfg.oom_score_adj,
    LogConfig: logType === "" && Object.keys(logConfig).length === 0
      ? { Type: plugin.logging.type, Config: plugin.logging.config }
      : { Type: logType, Config: logConfig },
    Privileged: cfg.privileged,
    CapAdd: caps.add,
    CapDrop: caps.drop,
    NetworkMode: cfg.network_mode || "default",
    PortBindings: ports,
    Mounts: mounts.map((m) => toMount(m, task, plugin)),
    ExtraHosts: cfg.extra_hosts,
    Dns: cfg.dns_servers,
    DnsSearch: cfg.dns_search_domains,
    DnsOptions: cfg.dns_options,
    SecurityOpt: cfg.security_opt,
    Sysctls: mergeMaps(cfg.sysctl),
    ReadonlyRootfs: cfg.readonly_rootfs,
    IpcMode: cfg.ipc_mode,
    PidMode: cfg.pid_mode,
    UTSMode: cfg.uts_mode,
    UsernsMode: cfg.userns_mode,
    GroupAdd: cfg.group_add,
    Ulimits: Object.entries(mergeMaps(cfg.ulimit)).map(([Name, v]) => {
      const [soft, hard] = v.split(":");
      return { Name, Soft: Number(soft), Hard: Number(hard ?? soft) };
    }),
  };
  if (cfg.init) hostConfig.Init = true;
  if (cfg.shm_size > 0) hostConfig.ShmSize = cfg.shm_size;
  if (cfg.runtime) hostConfig.Runtime = cfg.runtime;
  if (cfg.volume_driver) hostConfig.VolumeDriver = cfg.volume_driver;
  if (cfg.storage_opt) hostConfig.StorageOpt = cfg.storage_opt;
  if (cfg.cgroupns) hostConfig.CgroupnsMode = cfg.cgroupns;
  if (cfg.cpu_hard_limit && opts.mhzPerCore > 0) {
    hostConfig.CpuPeriod = cfg.cpu_cfs_period;
    hostConfig.CpuQuota = Math.floor(shares / opts.mhzPerCore * cfg.cpu_cfs_period);
  }
  const exposed: Record<string, Record<string, never>> = {};
  for (const port of Object.keys(ports)) exposed[port] = {};
  const body: Record<string, unknown> = {
    Image: opts.image,
    Hostname: cfg.hostname,
    User: task.User,
    Tty: cfg.tty,
    OpenStdin: cfg.interactive,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: labels,
    ExposedPorts: exposed,
    HostConfig: hostConfig,
  };
  if (cfg.entrypoint) body.Entrypoint = cfg.entrypoint;
  if (cfg.work_dir) body.WorkingDir = cfg.work_dir;
  if (cfg.command !== "") body.Cmd = [cfg.command, ...cfg.args];
  else if (cfg.args.length > 0) body.Cmd = cfg.args;
  if (cfg.mac_address) body.MacAddress = cfg.mac_address;
  if (cfg.healthchecks?.disable) body.Healthcheck = { Test: ["NONE"] };
  if (cfg.network_aliases.length > 0 || cfg.ipv4_address || cfg.ipv6_address) {
    const ipam: Record<string, string> = {};
    if (cfg.ipv4_address) ipam.IPv4Address = cfg.ipv4_address;
    if (cfg.ipv6_address) ipam.IPv6Address = cfg.ipv6_address;
    body.NetworkingConfig = {
      EndpointsConfig: {
        [cfg.network_mode || "default"]: { Aliases: cfg.network_aliases, IPAMConfig: ipam },
      },
    };
  }
  return { name: containerName(task), body, portMap: map };
}

/** The network Nomad reports for a started container (its IP; advertised on user networks). */
export function driverNetwork(
  inspect: {
    NetworkSettings?: { IPAddress?: string; Networks?: Record<string, { IPAddress?: string }> };
  },
  cfg: DockerTaskConfig,
  map: Record<string, number>,
): DriverNetwork {
  const settings = inspect.NetworkSettings ?? {};
  let ip = settings.IPAddress ?? "";
  if (ip === "") {
    ip = Object.values(settings.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress ?? "";
  }
  const mode = cfg.network_mode;
  const auto = mode !== "" && !["default", "bridge", "host", "none"].includes(mode) &&
    !mode.startsWith("container:");
  return { PortMap: map, IP: ip, AutoAdvertise: auto };
}
