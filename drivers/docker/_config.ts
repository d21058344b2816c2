/**
 * The docker driver's plugin config (`plugin "docker" { config { ... } }`) and task config
 * (`task "x" { config { ... } }`), with Nomad's names and defaults (drivers/docker/config.go),
 * the legacy client options (`docker.endpoint`, `docker.volumes.enabled`, ...) and the checks
 * Nomad makes before creating a container.
 *
 * @module
 */
import {
  attr,
  block,
  ConfigError,
  type ConfigSchema,
  decodeConfig,
  type Decoded,
  type DriverConfig,
  MINUTE,
  parseGoBool,
  type TaskConfig,
} from "../../plugins/sdk.ts";
import { DOCKER_NAME } from "./manifest.ts";

export { DOCKER_NAME } from "./manifest.ts";
/** The socket the driver talks to unless the plugin config says otherwise. */
export const DEFAULT_ENDPOINT = "unix:///var/run/docker.sock";
/** Docker's default capabilities, the basis Nomad's `allow_caps` is applied to. */
export const DOCKER_DEFAULT_CAPS: readonly string[] = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "NET_RAW",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
];
/** Nomad's default `allow_caps`: Docker's default capabilities minus NET_RAW. */
export const DEFAULT_ALLOW_CAPS: string[] = DOCKER_DEFAULT_CAPS.filter((c) => c !== "NET_RAW");

const DANGLING_SCHEMA = {
  enabled: attr("bool", { default: true }),
  period: attr("duration", { default: 5 * MINUTE }),
  creation_grace: attr("duration", { default: 5 * MINUTE }),
  dry_run: attr("bool", { default: false }),
} satisfies ConfigSchema;

const GC_SCHEMA = {
  image: attr("bool", { default: true, description: "remove images no task uses" }),
  image_delay: attr("duration", { default: 3 * MINUTE, description: "after this long unused" }),
  container: attr("bool", { default: true, description: "remove containers of destroyed tasks" }),
  dangling_containers: block(DANGLING_SCHEMA),
} satisfies ConfigSchema;

const VOLUMES_SCHEMA = {
  enabled: attr("bool", { default: false, description: "allow host paths and named volumes" }),
  selinuxlabel: attr("string", { default: "" }),
} satisfies ConfigSchema;

const LOGGING_SCHEMA = {
  type: attr("string", { default: "" }),
  driver: attr("string", { default: "" }),
  config: attr("list(map(string))", { default: [] }),
} satisfies ConfigSchema;

/** `plugin "docker" { config { ... } }`. */
export const CONFIG_SCHEMA = {
  endpoint: attr("string", { default: DEFAULT_ENDPOINT, description: "the Docker socket" }),
  auth: block({ config: attr("string"), helper: attr("string") }),
  tls: block({ cert: attr("string"), key: attr("string"), ca: attr("string") }),
  extra_labels: attr("list(string)", { default: [] }),
  logging: block({ type: attr("string", { default: "json-file" }), config: attr("any") }),
  gc: block(GC_SCHEMA),
  volumes: block(VOLUMES_SCHEMA),
  allow_privileged: attr("bool", { default: false }),
  allow_caps: attr("list(string)", { default: DEFAULT_ALLOW_CAPS }),
  nvidia_runtime: attr("string", { default: "nvidia" }),
  allow_runtimes: attr("list(string)", { default: ["runc", "nvidia"] }),
  infra_image: attr("string", { default: "registry.k8s.io/pause-amd64:3.3" }),
  infra_image_pull_timeout: attr("duration", { default: 5 * MINUTE }),
  image_pull_timeout: attr("duration", { default: 5 * MINUTE }),
  container_exists_attempts: attr("number", { default: 5 }),
  oom_score_adj: attr("number", { default: 0 }),
  pull_activity_timeout: attr("duration", { default: 2 * MINUTE }),
  pids_limit: attr("number", { default: 0 }),
  disable_log_collection: attr("bool", { default: false }),
  windows_allow_insecure_container_admin: attr("bool", { default: false }),
  allowed_modes: attr("any"),
} satisfies ConfigSchema;

/** A task's `config { ... }` (Nomad's names). */
export const TASK_SCHEMA = {
  image: attr("string", { required: true, description: "the image to run" }),
  advertise_ipv6_address: attr("bool", { default: false }),
  args: attr("list(string)", { default: [] }),
  auth: block({
    username: attr("string", { default: "" }),
    password: attr("string", { default: "" }),
    email: attr("string", { default: "" }),
    server_address: attr("string", { default: "" }),
  }),
  auth_soft_fail: attr("bool", { default: false }),
  cap_add: attr("list(string)", { default: [] }),
  cap_drop: attr("list(string)", { default: [] }),
  cgroupns: attr("string", { default: "" }),
  command: attr("string", { default: "" }),
  cpuset_cpus: attr("string", { default: "" }),
  cpu_hard_limit: attr("bool", { default: false }),
  cpu_cfs_period: attr("number", { default: 100_000 }),
  container_exists_attempts: attr("number"),
  devices: attr("any"),
  dns_search_domains: attr("list(string)", { default: [] }),
  dns_options: attr("list(string)", { default: [] }),
  dns_servers: attr("list(string)", { default: [] }),
  entrypoint: attr("list(string)"),
  extra_hosts: attr("list(string)", { default: [] }),
  force_pull: attr("bool", { default: false }),
  group_add: attr("list(string)", { default: [] }),
  healthchecks: block({ disable: attr("bool", { default: false }) }),
  hostname: attr("string", { default: "" }),
  init: attr("bool", { default: false }),
  interactive: attr("bool", { default: false }),
  ipc_mode: attr("string", { default: "" }),
  ipv4_address: attr("string", { default: "" }),
  ipv6_address: attr("string", { default: "" }),
  isolation: attr("string", { default: "" }),
  labels: attr("list(map(string))", { default: [] }),
  load: attr("string", { default: "" }),
  logging: block(LOGGING_SCHEMA),
  mac_address: attr("string", { default: "" }),
  memory_hard_limit: attr("number", { default: 0 }),
  mount: attr("any"),
  mounts: attr("any"),
  network_aliases: attr("list(string)", { default: [] }),
  network_mode: attr("string", { default: "" }),
  oom_score_adj: attr("number", { default: 0 }),
  runtime: attr("string", { default: "" }),
  pids_limit: attr("number", { default: 0 }),
  pid_mode: attr("string", { default: "" }),
  ports: attr("list(string)", { default: [] }),
  port_map: attr("list(map(string))", { default: [] }),
  privileged: attr("bool", { default: false }),
  image_pull_timeout: attr("duration"),
  readonly_rootfs: attr("bool", { default: false }),
  security_opt: attr("list(string)", { default: [] }),
  shm_size: attr("number", { default: 0 }),
  storage_opt: attr("map(string)"),
  sysctl: attr("list(map(string))", { default: [] }),
  tty: attr("bool", { default: false }),
  ulimit: attr("list(map(string))", { default: [] }),
  uts_mode: attr("string", { default: "" }),
  userns_mode: attr("string", { default: "" }),
  volumes: attr("list(string)", { default: [] }),
  volume_driver: attr("string", { default: "" }),
  work_dir: attr("string", { default: "" }),
} satisfies ConfigSchema;

/** The decoded plugin config, its optional blocks filled in with their defaults. */
export interface DockerPluginConfig
  extends Omit<Decoded<typeof CONFIG_SCHEMA>, "gc" | "volumes" | "logging"> {
  /** `gc { ... }`. */
  gc: Decoded<typeof GC_SCHEMA>;
  /** `volumes { ... }`. */
  volumes: Decoded<typeof VOLUMES_SCHEMA>;
  /** `logging { ... }`: the containers' log driver unless a task sets its own. */
  logging: { type: string; config: Record<string, string> };
  /** The Docker socket's path (from `endpoint`). */
  socketPath: string;
}

/** A task's decoded `config`. */
export type DockerTaskConfig = Decoded<typeof TASK_SCHEMA>;

/** One `mount { ... }` block. */
export interface DockerMountConfig {
  /** `bind`, `volume` or `tmpfs`. */
  type: string;
  /** Where it appears in the container. */
  target: string;
  /** Host path (bind, relative to the task dir) or volume name. */
  source: string;
  /** Read-only. */
  readonly: boolean;
  /** `bind_options { propagation }`. */
  propagation: string;
  /** `volume_options { no_copy, labels, driver_config { name, options } }`. */
  volume: {
    noCopy: boolean;
    labels: Record<string, string>;
    driver: string;
    options: Record<string, string>;
  } | null;
  /** `tmpfs_options { size, mode }`. */
  tmpfs: { size: number; mode: number } | null;
}

/** Nomad's legacy client options, used when there is no `plugin "docker"` block. */
function legacyOptions(options: Record<string, string>): Record<string, unknown> {
  const conf: Record<string, unknown> = {};
  const gc: Record<string, unknown> = {};
  const volumes: Record<string, unknown> = {};
  if (options["docker.endpoint"]) conf.endpoint = options["docker.endpoint"];
  const image = parseGoBool(options["docker.cleanup.image"]);
  if (image !== undefined) gc.image = image;
  if (options["docker.cleanup.image.delay"]) gc.image_delay = options["docker.cleanup.image.delay"];
  const container = parseGoBool(options["docker.cleanup.container"]);
  if (container !== undefined) gc.container = container;
  const vol = parseGoBool(options["docker.volumes.enabled"]);
  if (vol !== undefined) volumes.enabled = vol;
  const priv = parseGoBool(options["docker.privileged.enabled"]);
  if (priv !== undefined) conf.allow_privileged = priv;
  const caps = options["docker.caps.allowlist"] ?? options["docker.caps.whitelist"];
  if (caps) conf.allow_caps = caps.split(",");
  if (Object.keys(gc).length > 0) conf.gc = gc;
  if (Object.keys(volumes).length > 0) conf.volumes = volumes;
  return conf;
}

/** A `map(string)` given as HCL-to-JSON's list of objects, merged into one map. */
export function mergeMaps(list: readonly Record<string, string>[]): Record<string, string> {
  return Object.assign({}, ...list);
}

/**
 * Decodes the plugin config (or, when it is empty, the legacy client options).
 *
 * @throws {ConfigError} When the plugin config does not match its schema.
 */
export function decodePluginConfig(config: DriverConfig): DockerPluginConfig {
  const raw = Object.keys(config.plugin).length > 0 ? config.plugin : legacyOptions(config.options);
  const what = `${DOCKER_NAME} plugin config`;
  const cfg = decodeConfig(CONFIG_SCHEMA, raw, what);
  const gc = cfg.gc ?? decodeConfig(GC_SCHEMA, {}, what);
  const volumes = cfg.volumes ?? decodeConfig(VOLUMES_SCHEMA, {}, what);
  const logCfg = cfg.logging?.config;
  const logConfig = logCfg === undefined
    ? { "max-file": "2", "max-size": "2m" }
    : mergeMaps((Array.isArray(logCfg) ? logCfg : [logCfg]) as Record<string, string>[]);
  let socketPath = "";
  const problems: string[] = [];
  if (cfg.endpoint.startsWith("unix://")) socketPath = cfg.endpoint.slice("unix://".length);
  else {problems.push(
      `"endpoint" must be a unix socket ("${DEFAULT_ENDPOINT}"), got "${cfg.endpoint}"`,
    );}
  if (problems.length > 0) throw new ConfigError(`Invalid ${what}`, problems);
  return {
    ...cfg,
    gc,
    volumes,
    logging: { type: cfg.logging?.type ?? "json-file", config: logConfig },
    socketPath,
  };
}

function num(v: unknown): number {
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? n : NaN;
}

function obj(v: unknown): Record<string, unknown> {
  const one = Array.isArray(v) && v.length === 1 ? v[0] : v;
  return typeof one === "object" && one !== null && !Array.isArray(one)
    ? one as Record<string, unknown>
    : {};
}

function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(v))) out[k] = String(x);
  return out;
}

/** Decodes `mount`/`mounts` blocks, collecting problems. */
export function decodeMounts(raw: unknown, problems: string[]): DockerMountConfig[] {
  if (raw === undefined || raw === null) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((m, i) => {
    const o = obj(m);
    const type = String(o.type ?? "volume");
    const target = String(o.target ?? "");
    if (!["bind", "volume", "tmpfs"].includes(type)) {
      problems.push(`mount ${i}: "type" must be bind, volume or tmpfs, got "${type}"`);
    }
    if (target === "") problems.push(`mount ${i}: "target" is required`);
    const vo = o.volume_options === undefined ? null : obj(o.volume_options);
    const dc = vo ? obj(vo.driver_config) : {};
    const to = o.tmpfs_options === undefined ? null : obj(o.tmpfs_options);
    return {
      type,
      target,
      source: String(o.source ?? ""),
      readonly: o.readonly === true || o.readonly === "true",
      propagation: String(obj(o.bind_options).propagation ?? ""),
      volume: vo && {
        noCopy: vo.no_copy === true || vo.no_copy === "true",
        labels: strMap(vo.labels),
        driver: String(dc.name ?? ""),
        options: strMap(dc.options),
      },
      tmpfs: to && { size: num(to.size ?? 0), mode: num(to.mode ?? 0) },
    };
  });
}

/** `port_map { db = 6379 }` as label to container port. */
export function portMap(cfg: DockerTaskConfig, problems: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [label, v] of Object.entries(mergeMaps(cfg.port_map))) {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0 || n > 65535) {
      problems.push(`port_map "${label}" must be a port number, got "${v}"`);
    } else out[label] = n;
  }
  return out;
}

/**
 * Decodes a task's config and applies Nomad's checks that need no daemon.
 *
 * @throws {ConfigError} Listing every problem.
 */
export function decodeTaskConfig(task: TaskConfig): DockerTaskConfig {
  const what = `${DOCKER_NAME} task config for task "${task.Name}"`;
  const cfg = decodeConfig(TASK_SCHEMA, task.rawConfig, what);
  const problems: string[] = [];
  cfg.image = cfg.image.replace(/^https:\/\//, "");
  if (cfg.image.trim() === "") problems.push("image name required for docker driver");
  if (cfg.command !== "" && cfg.command.trim() !== cfg.command) {
    problems.push(`command contains extra white space: ${JSON.stringify(cfg.command)}`);
  }
  if (cfg.work_dir !== "" && !cfg.work_dir.startsWith("/")) {
    problems.push(`"work_dir" must be an absolute path, got "${cfg.work_dir}"`);
  }
  if (cfg.shm_size < 0) problems.push(`"shm_size" must not be negative`);
  if (cfg.memory_hard_limit < 0) problems.push(`"memory_hard_limit" must not be negative`);
  if (cfg.cpu_cfs_period < 0 || cfg.cpu_cfs_period > 1_000_000) {
    problems.push("invalid value for cpu_cfs_period");
  }
  if (cfg.image_pull_timeout !== undefined && cfg.image_pull_timeout <= 0) {
    problems.push(`"image_pull_timeout" must be positive`);
  }
  portMap(cfg, problems);
  decodeMounts(cfg.mount, problems);
  decodeMounts(cfg.mounts, problems);
  for (const [name, value] of Object.entries(mergeMaps(cfg.ulimit))) {
    if (!/^\d+(:\d+)?$/.test(value)) {
      problems.push(`ulimit "${name}" must be "soft" or "soft:hard" numbers, got "${value}"`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`Invalid ${what}`, problems);
  return cfg;
}
