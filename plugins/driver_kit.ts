/**
 * Small helpers most drivers need: broadcasting task events to every `taskEvents` subscriber
 * (Nomad's `eventer`), abortable sleeps, and the task directory layout.
 *
 * @module
 */
import { join } from "node:path";
import {
  DRIVER_API_VERSION,
  type PluginInfo,
  type TaskConfig,
  type TaskDirPaths,
  type TaskEvent,
  TaskNotFoundError,
} from "./sdk.ts";

/**
 * Sends each task event to every current subscriber. A subscriber that reads slowly gets its
 * events queued (up to `limit`, after which the oldest are dropped), so one slow reader never
 * blocks the driver.
 */
export class TaskEventBroadcaster {
  #subscribers = new Set<{ queue: TaskEvent[]; wake: (() => void) | null }>();
  #limit: number;

  /** @param limit The most events queued for one subscriber. */
  constructor(limit = 256) {
    this.#limit = limit;
  }

  /** Sends an event to every subscriber. */
  emit(event: TaskEvent): void {
    for (const sub of this.#subscribers) {
      sub.queue.push(event);
      if (sub.queue.length > this.#limit) sub.queue.shift();
      sub.wake?.();
    }
  }

  /** Sends an event about task `config`, stamped now. */
  emitFor(
    config: Pick<TaskConfig, "ID" | "Name" | "AllocID">,
    message: string,
    annotations: Record<string, string> = {},
  ): void {
    this.emit({
      TaskID: config.ID,
      TaskName: config.Name,
      AllocID: config.AllocID,
      Timestamp: now(),
      Message: message,
      Annotations: annotations,
    });
  }

  /** Events emitted from now until `signal` aborts. */
  async *subscribe(signal: AbortSignal): AsyncGenerator<TaskEvent> {
    const sub = { queue: [] as TaskEvent[], wake: null as (() => void) | null };
    this.#subscribers.add(sub);
    const onAbort = () => sub.wake?.();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      while (!signal.aborted) {
        const next = sub.queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => (sub.wake = resolve));
        sub.wake = null;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.#subscribers.delete(sub);
    }
  }
}

export { sleep } from "../core/structs/sleep.ts";

/** The directories of task `name` in allocation directory `allocDir`, as Nomad lays them out. */
export function taskDirPaths(allocDir: string, name: string): TaskDirPaths {
  const dir = join(allocDir, name);
  const shared = join(allocDir, "alloc");
  return {
    Dir: dir,
    LocalDir: join(dir, "local"),
    SecretsDir: join(dir, "secrets"),
    TmpDir: join(dir, "tmp"),
    SharedAllocDir: shared,
    LogDir: join(shared, "logs"),
  };
}

/** The current time in RFC 3339 with milliseconds, as task statuses and events carry it. */
export function now(): string {
  return new Date().toISOString();
}

/** A built-in driver's plugin info: a driver plugin of this API version. */
export function driverPluginInfo(name: string, version = "0.1.0"): PluginInfo {
  return {
    Type: "driver",
    PluginApiVersions: [DRIVER_API_VERSION],
    PluginVersion: version,
    Name: name,
  };
}

/** The task `taskId` of a driver's table; throws {@link TaskNotFoundError} when it has none. */
export function lookupTask<T>(tasks: ReadonlyMap<string, T>, taskId: string): T {
  const task = tasks.get(taskId);
  if (task === undefined) throw new TaskNotFoundError(taskId);
  return task;
}
