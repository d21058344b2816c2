/**
 * Nomad's allocation directory layout, built under the client's alloc dir:
 *
 * ```text
 * <alloc dir>/<alloc id>/            0755
 *   alloc/                           0755  shared by the group's tasks (NOMAD_ALLOC_DIR)
 *     data/  logs/  tmp/             0777  (logs holds every task's <task>.stdout.N files)
 *   <task>/                          0777  the task's working directory
 *     local/                         0777  NOMAD_TASK_DIR
 *     secrets/                       0700  NOMAD_SECRETS_DIR (never readable through alloc fs)
 *     private/                       0700  client-only (never readable through alloc fs)
 *     tmp/                           1777
 * ```
 *
 * Building is idempotent (the client rebuilds after a restart). Nomad mounts a tmpfs on
 * `secrets/` when it runs as root; nomad-ts makes a plain directory, readable by its owner
 * only, and gives it to the task's user when told to (`owner`).
 *
 * @module
 */
import { join } from "node:path";
import type { TaskDirPaths } from "../../plugins/sdk.ts";
import { AllocFS } from "./alloc_fs.ts";

/** The shared directory's name inside an allocation. */
export const SHARED_ALLOC_NAME = "alloc";
/** The logs directory inside the shared directory. */
export const LOG_DIR_NAME = "logs";
/** The data directory inside the shared directory (kept by sticky ephemeral disks). */
export const SHARED_DATA_DIR = "data";
/** The temporary directories' name. */
export const TMP_DIR_NAME = "tmp";
/** A task's local directory. */
export const TASK_LOCAL = "local";
/** A task's secrets directory. */
export const TASK_SECRETS = "secrets";
/** A task's private directory (for the client's own use). */
export const TASK_PRIVATE = "private";

/** Every directory of one task. */
export interface TaskDir extends TaskDirPaths {
  /** The allocation directory. */
  AllocDir: string;
  /** `<task dir>/private`. */
  PrivateDir: string;
}

/** Options of {@linkcode AllocDir.buildTask}. */
export interface BuildTaskOptions {
  /** Gives `secrets/` and `private/` to this user (when the agent may chown). */
  owner?: { uid: number; gid: number };
}

function checkName(kind: string, name: string): void {
  if (name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\0")) {
    throw new TypeError(
      `Cannot use ${kind} ${JSON.stringify(name)} as a directory name: ` +
        "it must be non-empty and contain no '/'",
    );
  }
}

async function mkdirMode(path: string, mode: number): Promise<void> {
  await Deno.mkdir(path, { recursive: true });
  await Deno.chmod(path, mode);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** One allocation's directory. */
export class AllocDir {
  /** The allocation's ID. */
  readonly allocId: string;
  /** `<alloc dir>/<alloc id>`. */
  readonly path: string;
  /** `<alloc>/alloc`: shared by the group's tasks. */
  readonly sharedDir: string;
  /** `<alloc>/alloc/logs`. */
  readonly logDir: string;
  /** `<alloc>/alloc/data`. */
  readonly dataDir: string;
  /** `<alloc>/alloc/tmp`. */
  readonly tmpDir: string;
  /** The file system API over this directory. */
  readonly fs: AllocFS;

  /**
   * @param clientAllocDir The client's alloc dir (`<data_dir>/alloc`).
   * @param allocId The allocation's ID.
   */
  constructor(clientAllocDir: string, allocId: string) {
    checkName("allocation ID", allocId);
    this.allocId = allocId;
    this.path = join(clientAllocDir, allocId);
    this.sharedDir = join(this.path, SHARED_ALLOC_NAME);
    this.logDir = join(this.sharedDir, LOG_DIR_NAME);
    this.dataDir = join(this.sharedDir, SHARED_DATA_DIR);
    this.tmpDir = join(this.sharedDir, TMP_DIR_NAME);
    this.fs = new AllocFS(this.path);
  }

  /** The paths of a task's directories (nothing is created). */
  taskDir(task: string): TaskDir {
    checkName("task name", task);
    const dir = join(this.path, task);
    return {
      AllocDir: this.path,
      Dir: dir,
      LocalDir: join(dir, TASK_LOCAL),
      SecretsDir: join(dir, TASK_SECRETS),
      PrivateDir: join(dir, TASK_PRIVATE),
      TmpDir: join(dir, TMP_DIR_NAME),
      SharedAllocDir: this.sharedDir,
      LogDir: this.logDir,
    };
  }

  /** Whether the allocation directory exists. */
  exists(): Promise<boolean> {
    return exists(this.path);
  }

  /** Creates the allocation directory and its shared `alloc/{data,logs,tmp}`. */
  async build(): Promise<void> {
    await mkdirMode(this.path, 0o755);
    await mkdirMode(this.sharedDir, 0o755);
    for (const dir of [this.logDir, this.tmpDir, this.dataDir]) await mkdirMode(dir, 0o777);
  }

  /** Creates a task's directories (building the allocation directory first if needed). */
  async buildTask(task: string, opts: BuildTaskOptions = {}): Promise<TaskDir> {
    const td = this.taskDir(task);
    if (!(await exists(this.sharedDir))) await this.build();
    await mkdirMode(td.Dir, 0o777);
    await mkdirMode(td.LocalDir, 0o777);
    await mkdirMode(td.TmpDir, 0o1777);
    for (const dir of [td.SecretsDir, td.PrivateDir]) {
      await mkdirMode(dir, 0o700);
      if (opts.owner) await Deno.chown(dir, opts.owner.uid, opts.owner.gid);
    }
    return td;
  }

  /**
   * Takes over the data of a previous allocation (a sticky or migrated ephemeral disk): moves
   * its `alloc/data` and each task's `local/` here, replacing the empty ones. This directory
   * must be built.
   */
  async move(previous: AllocDir, tasks: readonly string[]): Promise<void> {
    if (!(await exists(this.sharedDir))) {
      throw new Error(
        `Cannot move allocation ${previous.allocId} into ${this.path}: build it first`,
      );
    }
    if (await exists(previous.dataDir)) {
      await Deno.remove(this.dataDir).catch(() => {});
      await Deno.rename(previous.dataDir, this.dataDir);
    }
    for (const task of tasks) {
      const from = previous.taskDir(task).LocalDir;
      if (!(await exists(from))) continue;
      const to = this.taskDir(task);
      await mkdirMode(to.Dir, 0o777);
      await Deno.remove(to.LocalDir).catch(() => {});
      await Deno.rename(from, to.LocalDir);
    }
  }

  /** Removes the allocation directory and everything in it. */
  async destroy(): Promise<void> {
    try {
      await Deno.remove(this.path, { recursive: true });
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) {
        throw new Error(`Failed to remove alloc dir ${this.path}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
  }
}
