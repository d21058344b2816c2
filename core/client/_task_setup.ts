/**
 * What a task runner does before it asks the driver to start a task (Nomad's prestart hooks,
 * in Nomad's order): validate the task, build its directory, start its log pump, build its
 * environment and interpolate its driver config, then describe the start to the driver as a
 * `TaskConfig`.
 *
 * @module
 */
import type { Allocation } from "../structs/alloc.ts";
import { SECOND } from "../structs/duration.ts";
import type { Node } from "../structs/node.ts";
import type { Task } from "../structs/task.ts";
import type { Capabilities, TaskConfig, TaskDirPaths } from "../../plugins/sdk.ts";
import type { AllocDir } from "./allocdir.ts";
import { interpolateConfig } from "./interpolate.ts";
import { TaskLogPump } from "./logpump.ts";
import { buildTaskEnv } from "./taskenv.ts";

/** A task that cannot run as written (Nomad's `Failed Validation`). */
export class TaskValidationError extends Error {
  override readonly name = "TaskValidationError";
}

/** Nomad's defaults for `logs { }`. */
export const DEFAULT_LOG_MAX_FILES = 10;
/** Megabytes. */
export const DEFAULT_LOG_MAX_FILE_SIZE_MB = 10;
/** A task's `kill_timeout` when it sets none. */
export const DEFAULT_KILL_TIMEOUT = 5 * SECOND;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Checks what Nomad's validate hook checks: a driver, and env variable names. */
export function validateTask(task: Task): void {
  const problems: string[] = [];
  if (!task.Driver) problems.push(`task "${task.Name}" must set a driver`);
  for (const key of Object.keys(task.Env ?? {})) {
    if (!ENV_NAME.test(key)) {
      problems.push(`invalid environment variable name ${JSON.stringify(key)}`);
    }
  }
  if (problems.length > 0) throw new TaskValidationError(problems.join("; "));
}

/** The directories a driver gets (without the client's private ones). */
export function driverTaskDir(dir: TaskDirPaths): TaskDirPaths {
  return {
    Dir: dir.Dir,
    LocalDir: dir.LocalDir,
    SecretsDir: dir.SecretsDir,
    TmpDir: dir.TmpDir,
    SharedAllocDir: dir.SharedAllocDir,
    LogDir: dir.LogDir,
  };
}

/** Starts (or resumes) a task's log pump as its `logs { }` block says. */
export function startLogPump(
  allocDir: AllocDir,
  task: Task,
  onError: (err: Error) => void,
): Promise<TaskLogPump> {
  const lc = task.LogConfig;
  return TaskLogPump.start({
    logDir: allocDir.logDir,
    task: task.Name,
    maxFiles: Math.max(1, lc?.MaxFiles ?? DEFAULT_LOG_MAX_FILES),
    maxFileSizeMB: Math.max(1, lc?.MaxFileSizeMB ?? DEFAULT_LOG_MAX_FILE_SIZE_MB),
    onError,
  });
}

/** What {@linkcode buildTaskConfig} needs. */
export interface TaskConfigInput {
  alloc: Allocation;
  task: Task;
  node: Node;
  region: string;
  allocDir: AllocDir;
  taskDir: TaskDirPaths;
  capabilities: Capabilities;
  hostEnv: Readonly<Record<string, string>>;
  stdoutPath: string;
  stderrPath: string;
}

/**
 * The driver's view of one start of a task: a fresh task ID (`<alloc>/<task>/<8 hex>`), the
 * task's environment, and its `config` with every `${...}` the environment and the node know
 * replaced.
 */
export function buildTaskConfig(input: TaskConfigInput): TaskConfig {
  const { alloc, task } = input;
  const env = buildTaskEnv({
    alloc,
    task,
    node: input.node,
    region: input.region,
    taskDir: input.taskDir,
    fsIsolation: input.capabilities.FSIsolation,
    hostEnv: input.hostEnv,
  });
  const job = alloc.Job;
  return {
    ID: `${alloc.ID}/${task.Name}/${crypto.randomUUID().slice(0, 8)}`,
    JobName: job?.Name ?? alloc.JobID,
    JobID: alloc.JobID,
    TaskGroupName: alloc.TaskGroup,
    Name: task.Name,
    Namespace: alloc.Namespace,
    NodeID: input.node.ID,
    Env: env.env,
    Resources: {
      NomadResources: alloc.AllocatedResources?.Tasks?.[task.Name] ?? null,
      Ports: alloc.AllocatedResources?.Shared.Ports ?? null,
    },
    Mounts: [],
    User: task.User,
    AllocDir: input.allocDir.path,
    TaskDir: driverTaskDir(input.taskDir),
    StdoutPath: input.stdoutPath,
    StderrPath: input.stderrPath,
    AllocID: alloc.ID,
    rawConfig: interpolateConfig(task.Config ?? {}, env),
  };
}
