/**
 * An allocation's health for its deployment (or migration), by Nomad's `task_states` rule:
 * healthy once every task has been running (poststop tasks and finished poststart tasks
 * aside) for `min_healthy_time`; unhealthy as soon as a task fails or finishes (prestart tasks
 * may finish), when the allocation fails, or when `healthy_deadline` passes first. The verdict
 * is final.
 *
 * Only service and system jobs are watched. An allocation of a deployment whose group has no
 * update strategy, or whose `health_check` is `manual`, is not watched (operators set its
 * health). `health_check = "checks"` is treated as `task_states`: nomad-ts runs no service
 * checks yet.
 *
 * @module
 */
import type { Allocation, TaskState } from "../structs/alloc.ts";
import { MINUTE, SECOND } from "../structs/duration.ts";
import { ZERO_TIME } from "../structs/schema.ts";
import { taskKind } from "./_lifecycle.ts";
import { lookupTaskGroup } from "./taskenv.ts";

const DEFAULT_MIN_HEALTHY = 10 * SECOND;
const DEFAULT_HEALTHY_DEADLINE = 5 * MINUTE;

/** When to call an allocation healthy, from its group's update or migrate strategy. */
export interface HealthParams {
  /** Nanoseconds every task must have run. */
  minHealthyTime: number;
  /** Nanoseconds after which a not-yet-healthy allocation is unhealthy. */
  healthyDeadline: number;
}

/** The health parameters of an allocation, or `null` when its health is not watched. */
export function healthParams(alloc: Allocation): HealthParams | null {
  const job = alloc.Job;
  if (job === null || (job.Type !== "service" && job.Type !== "system")) return null;
  const group = lookupTaskGroup(job, alloc.TaskGroup);
  if (group === undefined) return null;
  if (alloc.DeploymentID !== "") {
    const u = group.Update;
    if (u === null || (u.MaxParallel ?? 0) === 0 || u.HealthCheck === "manual") return null;
    return {
      minHealthyTime: u.MinHealthyTime ?? DEFAULT_MIN_HEALTHY,
      healthyDeadline: u.HealthyDeadline ?? DEFAULT_HEALTHY_DEADLINE,
    };
  }
  const m = group.Migrate;
  if (m?.HealthCheck === "manual") return null;
  return {
    minHealthyTime: m?.MinHealthyTime ?? DEFAULT_MIN_HEALTHY,
    healthyDeadline: m?.HealthyDeadline ?? DEFAULT_HEALTHY_DEADLINE,
  };
}

/** Watches one allocation's task states and calls `onHealth` once with the verdict. */
export class AllocHealthWatcher {
  readonly #params: HealthParams;
  readonly #onHealth: (healthy: boolean) => void;
  readonly #kinds: Map<string, string>;
  #decided = false;
  #allStarted = 0;
  #minTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #deadline: ReturnType<typeof setTimeout>;

  constructor(alloc: Allocation, params: HealthParams, onHealth: (healthy: boolean) => void) {
    this.#params = params;
    this.#onHealth = onHealth;
    const group = lookupTaskGroup(alloc.Job, alloc.TaskGroup);
    this.#kinds = new Map((group?.Tasks ?? []).map((t) => [t.Name, taskKind(t)]));
    this.#deadline = setTimeout(() => this.#decide(false), params.healthyDeadline / 1_000_000);
  }

  /** Whether the verdict is in. */
  get decided(): boolean {
    return this.#decided;
  }

  /** Re-evaluates with the tasks' current states and the allocation's client status. */
  observe(states: ReadonlyMap<string, TaskState>, clientStatus: string): void {
    if (this.#decided) return;
    let latest = 0;
    let pending = false;
    for (const [name, s] of states) {
      const kind = this.#kinds.get(name) ?? "main";
      if (kind === "poststop") continue;
      const finished = s.FinishedAt !== ZERO_TIME && s.FinishedAt !== "";
      if (kind === "poststart" && s.State === "dead" && !s.Failed) continue;
      if (s.Failed || (finished && kind !== "prestart")) return this.#decide(false);
      if (s.State === "pending") {
        pending = true;
        break;
      }
      const started = Date.parse(s.StartedAt);
      if (started > latest) latest = started;
    }
    if (clientStatus === "failed") return this.#decide(false);
    if (pending) latest = 0;
    if (latest === this.#allStarted) return;
    clearTimeout(this.#minTimer);
    this.#minTimer = undefined;
    this.#allStarted = latest;
    if (latest > 0) {
      this.#minTimer = setTimeout(
        () => this.#decide(true),
        this.#params.minHealthyTime / 1_000_000,
      );
    }
  }

  #decide(healthy: boolean): void {
    if (this.#decided) return;
    this.stop();
    this.#decided = true;
    this.#onHealth(healthy);
  }

  /** Stops watching (no verdict). */
  stop(): void {
    clearTimeout(this.#minTimer);
    clearTimeout(this.#deadline);
  }
}
