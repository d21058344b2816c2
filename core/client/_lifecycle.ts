/**
 * When each task of an allocation may start, by its `lifecycle` (Nomad's task coordinator):
 *
 * - prestart tasks (sidecar or not) start at once;
 * - main tasks start once every non-sidecar prestart task has completed successfully and every
 *   prestart sidecar is running;
 * - poststart tasks start once every main task has started;
 * - poststop tasks start once every other task is dead.
 *
 * A gate, once open, stays open (a restarted task does not wait again).
 *
 * @module
 */
import type { TaskState } from "../structs/alloc.ts";
import type { Task } from "../structs/task.ts";
import { ZERO_TIME } from "../structs/schema.ts";

/** A task's place in its allocation's lifecycle. */
export type TaskKind = "prestart" | "prestart-sidecar" | "main" | "poststart" | "poststop";

/** The lifecycle kind of a task. */
export function taskKind(task: Pick<Task, "Lifecycle">): TaskKind {
  const hook = task.Lifecycle?.Hook ?? "";
  if (hook === "prestart") return task.Lifecycle?.Sidecar ? "prestart-sidecar" : "prestart";
  if (hook === "poststart") return "poststart";
  if (hook === "poststop") return "poststop";
  return "main";
}

/** Whether a task is a sidecar (runs for the whole life of the allocation). */
export function isSidecar(task: Pick<Task, "Lifecycle">): boolean {
  return task.Lifecycle?.Sidecar === true && task.Lifecycle.Hook !== "poststop";
}

interface Gate {
  open: boolean;
  waiters: (() => void)[];
}

/** Opens each task's start gate as the allocation's task states allow. */
export class TaskCoordinator {
  readonly #kinds = new Map<string, TaskKind>();
  readonly #gates = new Map<string, Gate>();

  constructor(tasks: readonly Pick<Task, "Name" | "Lifecycle">[]) {
    for (const t of tasks) {
      this.#kinds.set(t.Name, taskKind(t));
      this.#gates.set(t.Name, { open: false, waiters: [] });
    }
  }

  /** Resolves when `task` may start, or when `signal` aborts (check it after). */
  waitToStart(task: string, signal: AbortSignal): Promise<void> {
    const gate = this.#gates.get(task);
    if (gate === undefined || gate.open || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      gate.waiters.push(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /** Re-evaluates every gate against the tasks' current states. */
  update(states: ReadonlyMap<string, TaskState>): void {
    const of = (kind: TaskKind) => [...this.#kinds].filter(([, k]) => k === kind).map(([n]) => n);
    const state = (name: string) => states.get(name);
    const prestartDone = of("prestart").every((n) => {
      const s = state(n);
      return s?.State === "dead" && !s.Failed;
    }) && of("prestart-sidecar").every((n) => state(n)?.State === "running");
    const mains = of("main");
    const mainsStarted = mains.every((n) => {
      const s = state(n);
      return s !== undefined && s.StartedAt !== ZERO_TIME && s.StartedAt !== "";
    });
    const othersDead = [...this.#kinds].every(([n, k]) =>
      k === "poststop" || state(n)?.State === "dead"
    );
    for (const [name, kind] of this.#kinds) {
      let allowed = false;
      if (kind === "prestart" || kind === "prestart-sidecar") allowed = true;
      else if (kind === "main") allowed = prestartDone;
      else if (kind === "poststart") allowed = prestartDone && mainsStarted;
      else allowed = othersDead;
      if (allowed) this.#open(name);
    }
  }

  #open(name: string): void {
    const gate = this.#gates.get(name);
    if (gate === undefined || gate.open) return;
    gate.open = true;
    for (const w of gate.waiters.splice(0)) w();
  }
}
