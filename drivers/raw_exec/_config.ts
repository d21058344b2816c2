/**
 * raw_exec's plugin config and task config: schemas, Nomad's checks, the legacy client option
 * `driver.raw_exec.enable`, and `denied_envvars`.
 *
 * @module
 */
import {
  attr,
  ConfigError,
  type ConfigSchema,
  decodeConfig,
  type Decoded,
  type DriverConfig,
  parseGoBool,
  type TaskConfig,
} from "../../plugins/sdk.ts";

/** The driver's name. */
export const RAW_EXEC_NAME = "raw_exec";

/** `plugin "raw_exec" { config { ... } }`. */
export const CONFIG_SCHEMA = {
  enabled: attr("bool", {
    default: false,
    description: "run tasks at all (off by default, as in Nomad)",
  }),
  no_cgroups: attr("bool", {
    default: false,
    description: "accepted for compatibility; no cgroups are used",
  }),
  denied_envvars: attr("list(string)", {
    default: [],
    description: "globs of env vars not passed to tasks",
  }),
  denied_host_uids: attr("string", { description: "accepted for compatibility; not enforced" }),
  denied_host_gids: attr("string", { description: "accepted for compatibility; not enforced" }),
} satisfies ConfigSchema;

/** A task's `config { ... }`. */
export const TASK_SCHEMA = {
  command: attr("string", { required: true, description: "the program to run" }),
  args: attr("list(string)", { default: [], description: "its arguments" }),
  work_dir: attr("string", {
    default: "",
    description: "absolute working directory (default: the task dir)",
  }),
  denied_envvars: attr("list(string)", {
    default: [],
    description: "globs of env vars not passed to the task",
  }),
  oom_score_adj: attr("number", { default: 0 }),
  cgroup_v2_override: attr("string"),
  cgroup_v1_override: attr("list(map(string))"),
} satisfies ConfigSchema;

/** The decoded plugin config, with `enabled` folded in from the client options. */
export type RawExecConfig = Decoded<typeof CONFIG_SCHEMA>;
/** The decoded task config. */
export type RawExecTaskConfig = Decoded<typeof TASK_SCHEMA>;

/**
 * Decodes the plugin config; `enabled` is also true when the client option
 * `driver.raw_exec.enable` is (Nomad's legacy option).
 *
 * @throws {ConfigError} When the plugin config does not match its schema.
 */
export function decodePluginConfig(config: DriverConfig): RawExecConfig {
  const cfg = decodeConfig(CONFIG_SCHEMA, config.plugin, `${RAW_EXEC_NAME} plugin config`);
  if (parseGoBool(config.options[`driver.${RAW_EXEC_NAME}.enable`]) === true) cfg.enabled = true;
  return cfg;
}

/**
 * Decodes a task's config and applies Nomad's checks.
 *
 * @throws {ConfigError} Listing every problem.
 */
export function decodeTaskConfig(task: TaskConfig): RawExecTaskConfig {
  const what = `${RAW_EXEC_NAME} task config for task "${task.Name}"`;
  const cfg = decodeConfig(TASK_SCHEMA, task.rawConfig, what);
  const problems: string[] = [];
  if (cfg.command.trim() === "") problems.push(`"command" must not be empty`);
  if (cfg.oom_score_adj < 0) problems.push(`"oom_score_adj" must not be negative`);
  if (cfg.work_dir !== "" && !cfg.work_dir.startsWith("/")) {
    problems.push(`"work_dir" must be an absolute path, got "${cfg.work_dir}"`);
  }
  if (cfg.cgroup_v2_override && cfg.cgroup_v1_override?.length) {
    problems.push(`only one of "cgroup_v1_override" and "cgroup_v2_override" may be set`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid ${what}`, problems);
  return cfg;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** The task's environment without the variables any `denied_envvars` glob matches. */
export function taskEnv(
  env: Record<string, string>,
  denied: readonly string[],
): Record<string, string> {
  const patterns = denied.map(globToRegExp);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (!patterns.some((p) => p.test(k))) out[k] = v;
  }
  return out;
}
