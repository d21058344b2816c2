/**
 * Nomad's command tree as nomad-ts knows it: every command name with its synopsis, the
 * top-level aliases, and where the body of each built command lives. Bodies load lazily
 * (dynamic `import` of a literal path, so `deno compile` still embeds them); commands that are
 * not built yet get a stand-in that says so.
 *
 * @module
 */
import type { Command, CommandModule } from "./command.ts";
import { groupCommand, notBuiltCommand } from "./commands/_not_built.ts";
import { SYNOPSES } from "./_synopses.ts";

/** Top-level names that run a nested command, as in Nomad (`nomad-ts run` is `job run`). */
export const ALIASES: Readonly<Record<string, string>> = {
  exec: "alloc exec",
  fs: "alloc fs",
  init: "job init",
  inspect: "job inspect",
  logs: "alloc logs",
  plan: "job plan",
  run: "job run",
  start: "job start",
  stop: "job stop",
  validate: "job validate",
};

/** Aliases left out of the top-level help list (Nomad lists `run`, `stop`, ... but not these). */
export const UNLISTED_ALIASES: readonly string[] = [
  "fs",
  "init",
  "inspect",
  "logs",
  "plan",
  "validate",
];

/** The commands the top-level help lists first, in this order. */
export const COMMON_COMMANDS: readonly string[] = [
  "run",
  "stop",
  "status",
  "alloc",
  "job",
  "node",
  "agent",
];

/** Commands that have subcommands but do something themselves when run. */
const RUNNABLE_PARENTS = new Set(["monitor"]);

const BUILT: Readonly<Record<string, () => Promise<CommandModule>>> = {
  agent: () => import("./commands/agent.ts"),
  "agent-info": () => import("./commands/agent_info.ts"),
  "alloc fs": () => import("./commands/alloc_fs.ts"),
  "alloc logs": () => import("./commands/alloc_logs.ts"),
  "alloc restart": () => import("./commands/alloc_restart.ts"),
  "alloc signal": () => import("./commands/alloc_signal.ts"),
  "alloc status": () => import("./commands/alloc_status.ts"),
  "alloc stop": () => import("./commands/alloc_stop.ts"),
  "deployment fail": () => import("./commands/deployment_fail.ts"),
  "deployment list": () => import("./commands/deployment_list.ts"),
  "deployment pause": () => import("./commands/deployment_pause.ts"),
  "deployment promote": () => import("./commands/deployment_promote.ts"),
  "deployment resume": () => import("./commands/deployment_resume.ts"),
  "deployment status": () => import("./commands/deployment_status.ts"),
  "deployment unblock": () => import("./commands/deployment_unblock.ts"),
  "eval list": () => import("./commands/eval_list.ts"),
  "eval status": () => import("./commands/eval_status.ts"),
  job: () => import("./commands/job.ts"),
  "job dispatch": () => import("./commands/job_dispatch.ts"),
  "job history": () => import("./commands/job_history.ts"),
  "job init": () => import("./commands/job_init.ts"),
  "job inspect": () => import("./commands/job_inspect.ts"),
  "job plan": () => import("./commands/job_plan.ts"),
  "job periodic force": () => import("./commands/job_periodic_force.ts"),
  "job revert": () => import("./commands/job_revert.ts"),
  "job run": () => import("./commands/job_run.ts"),
  "job scale": () => import("./commands/job_scale.ts"),
  "job status": () => import("./commands/job_status.ts"),
  "job stop": () => import("./commands/job_stop.ts"),
  "job validate": () => import("./commands/job_validate.ts"),
  monitor: () => import("./commands/monitor.ts"),
  node: () => import("./commands/node.ts"),
  "node drain": () => import("./commands/node_drain.ts"),
  "node eligibility": () => import("./commands/node_eligibility.ts"),
  "node purge": () => import("./commands/node_purge.ts"),
  "node status": () => import("./commands/node_status.ts"),
  "operator autopilot health": () => import("./commands/operator_autopilot_health.ts"),
  "operator raft list-peers": () => import("./commands/operator_raft_list_peers.ts"),
  "operator raft remove-peer": () => import("./commands/operator_raft_remove_peer.ts"),
  "operator scheduler get-config": () => import("./commands/operator_scheduler_get_config.ts"),
  "operator scheduler set-config": () => import("./commands/operator_scheduler_set_config.ts"),
  server: () => import("./commands/server.ts"),
  "server force-leave": () => import("./commands/server_force_leave.ts"),
  "server join": () => import("./commands/server_join.ts"),
  "server members": () => import("./commands/server_members.ts"),
  status: () => import("./commands/status.ts"),
  "system gc": () => import("./commands/system_gc.ts"),
  version: () => import("./commands/version.ts"),
};

/** The command an alias runs, or `name` itself when it is not an alias. */
export function aliasTarget(name: string): string {
  return Object.hasOwn(ALIASES, name) ? ALIASES[name]! : name;
}

/** Every command name, including aliases (`"job init"`, `"init"`, ...). */
export function commandNames(): string[] {
  return Object.keys(SYNOPSES);
}

/** Whether `name` is a command (`"job init"`) or alias (`"init"`). */
export function hasCommand(name: string): boolean {
  return Object.hasOwn(SYNOPSES, name);
}

/** The one-line synopsis of a command, as help lists print it. */
export function synopsisOf(name: string): string {
  return Object.hasOwn(SYNOPSES, name) ? SYNOPSES[name]! : "";
}

/** The direct subcommands of `parent` (full names, sorted); top-level commands for `""`. */
export function childrenOf(parent: string): string[] {
  const prefix = parent === "" ? "" : `${parent} `;
  return commandNames()
    .filter((n) => n.startsWith(prefix) && !n.slice(prefix.length).includes(" "))
    .sort();
}

/** Whether a command only groups subcommands (running it prints its help). */
export function isGroup(name: string): boolean {
  return !RUNNABLE_PARENTS.has(name) && childrenOf(name).length > 0;
}

/**
 * The longest command name that `words` start with, matching whole words only, as
 * mitchellh/cli picks the subcommand: `["job", "init", "x.hcl"]` gives `"job init"`.
 */
export function longestCommand(words: readonly string[]): string | undefined {
  for (let n = words.length; n > 0; n--) {
    const name = words.slice(0, n).join(" ");
    if (hasCommand(name)) return name;
  }
  return undefined;
}

/**
 * Loads a command: the built body of the command (or of the command an alias runs), or a
 * stand-in for a group or a command not built yet.
 *
 * @throws {RangeError} When `name` is not a command.
 */
export async function loadCommand(name: string): Promise<Command> {
  if (!hasCommand(name)) {
    throw new RangeError(`Cannot load command "${name}": no such command`);
  }
  const target = aliasTarget(name);
  if (Object.hasOwn(BUILT, target)) return (await BUILT[target]!()).default;
  if (isGroup(target)) return groupCommand(target, synopsisOf(target));
  return notBuiltCommand(target, synopsisOf(target));
}
