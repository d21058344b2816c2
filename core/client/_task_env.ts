/**
 * What a task runner is given by its alloc runner and the client.
 *
 * @module
 */
import type { Node } from "../structs/node.ts";
import type { ClientLogger, Clock } from "./_common.ts";
import type { DriverManager } from "./_driver_manager.ts";
import type { ClientStateDb } from "./_state_db.ts";
import type { AllocDir } from "./allocdir.ts";

/** A task runner's surroundings. */
export interface TaskRunnerEnv {
  /** The client's state database. */
  readonly db: ClientStateDb;
  /** The loaded drivers. */
  readonly drivers: DriverManager;
  readonly logger: ClientLogger;
  readonly clock: Clock;
  /** The node as last fingerprinted (for `${attr.*}`, `${node.*}`, `NOMAD_DC`, ...). */
  node(): Node;
  /** The client's region. */
  readonly region: string;
  /** The client's `max_kill_timeout`, in nanoseconds. */
  readonly maxKillTimeout: number;
  /** The agent's environment, inherited by tasks of drivers without an image. */
  readonly hostEnv: Readonly<Record<string, string>>;
  /** The allocation's directory. */
  readonly allocDir: AllocDir;
  /** Resolves when the task may start (its lifecycle gate), or when `signal` aborts. */
  waitToStart(task: string, signal: AbortSignal): Promise<void>;
  /** Called after every change of the task's state. */
  onStateChange(task: string): void;
}
