/**
 * The restart tracker: decides, each time a task exits or fails to start, whether the client
 * restarts it in place and after how long, following the task's `restart` policy as Nomad's
 * client does — `attempts` within `interval`, `delay` plus up to 25% jitter, and `mode`
 * `"fail"` (give up) or `"delay"` (wait for the interval to end, then try again).
 *
 * The tracker is synchronous and owns no timers: the clock and the random source are passed
 * in, so tests drive it deterministically.
 *
 * @example
 * ```ts
 * const tracker = new RestartTracker(task.RestartPolicy, "service", task.Lifecycle);
 * const decision = tracker.setExitResult({ ExitCode: 1, Signal: 0, OOMKilled: false, Err: null })
 *   .decide();
 * if (decision.state === "Restarting") setTimeout(restart, decision.delay / 1e6);
 * ```
 *
 * @module
 */
import type { TaskEvent } from "../structs/alloc.ts";
import { formatDuration, HOUR, MINUTE, SECOND } from "../structs/duration.ts";
import type { RestartPolicy } from "../structs/policies.ts";
import { newTaskEvent, nowNanos, REASON_WITHIN_POLICY, TaskEventType } from "./events.ts";

/** The share of `delay` added at most as jitter (Nomad's 25%). */
export const RESTART_JITTER = 0.25;

/** Why a task with `attempts = 0` is not restarted. */
export const REASON_NO_RESTARTS_ALLOWED = "Policy allows no restarts";
/** Why a task whose start failed for good is not restarted. */
export const REASON_UNRECOVERABLE_ERROR = "Error was unrecoverable";
/** Why a restart waits for the end of the interval (`mode = "delay"`). */
export const REASON_DELAY = "Exceeded allowed attempts, applying a delay";
/** Why a task that must not restart on success is left dead. */
export const REASON_SUCCESSFUL = "Restart unnecessary as task terminated successfully";

/** A clock in Unix milliseconds. */
export interface Clock {
  /** The current time in Unix milliseconds. */
  now(): number;
}

/** How a task ended, as a driver reports it (the fields the tracker reads of `ExitResult`). */
export interface TaskExit {
  /** The exit code. */
  ExitCode: number;
  /** The signal that ended it, or 0. */
  Signal: number;
  /** Whether the OOM killer ended it. */
  OOMKilled: boolean;
  /** The driver's error, or `null`. */
  Err: string | null;
}

/** A task's lifecycle hook, when it has one. */
export interface LifecycleHook {
  /** `prestart`, `poststart` or `poststop`. */
  Hook: string;
  /** Whether it runs for the whole life of the allocation. */
  Sidecar: boolean;
}

/** What the tracker decided: `""` means the task has not failed and nothing is to be done. */
export type RestartState =
  | typeof TaskEventType.Restarting
  | typeof TaskEventType.NotRestarting
  | typeof TaskEventType.Terminated
  | typeof TaskEventType.Killed
  | "";

/** A decision of the tracker. */
export interface RestartDecision {
  /** What to do. */
  state: RestartState;
  /** Nanoseconds to wait before restarting (only for `Restarting`). */
  delay: number;
  /** Why, in Nomad's words (empty for kills and triggered restarts). */
  reason: string;
}

/** The restart policy with every field set. */
export interface EffectiveRestartPolicy {
  /** Restarts allowed within `interval`. */
  Attempts: number;
  /** Nanoseconds. */
  Interval: number;
  /** Nanoseconds. */
  Delay: number;
  /** `fail` or `delay`. */
  Mode: string;
}

/** What a tracker keeps across an agent restart (see {@linkcode RestartTracker.snapshot}). */
export interface RestartTrackerState {
  /** Restart attempts counted in the current interval. */
  count: number;
  /** When the current interval started, in Unix milliseconds. */
  startTime: number;
}

/** Options of {@linkcode RestartTracker}. */
export interface RestartTrackerOptions {
  /** Default: `Date.now`. */
  clock?: Clock;
  /** A source of numbers in [0, 1); default `Math.random`. */
  random?: () => number;
}

/**
 * Fills what a (possibly partial) restart policy leaves out with Nomad's defaults for the job
 * type: service and system jobs 2 attempts in 30m, batch jobs 3 in 24h; delay 15s; mode fail.
 */
export function effectiveRestartPolicy(
  policy: RestartPolicy | EffectiveRestartPolicy | null | undefined,
  jobType: string,
): EffectiveRestartPolicy {
  const service = jobType === "service" || jobType === "system";
  return {
    Attempts: policy?.Attempts ?? (service ? 2 : 3),
    Interval: policy?.Interval ?? (service ? 30 * MINUTE : 24 * HOUR),
    Delay: policy?.Delay ?? 15 * SECOND,
    Mode: policy?.Mode || "fail",
  };
}

function isRecoverable(err: unknown): boolean {
  return typeof err === "object" && err !== null &&
    (err as { recoverable?: unknown }).recoverable === true;
}

function exitSuccessful(e: TaskExit): boolean {
  return e.ExitCode === 0 && e.Signal === 0 && e.Err === null;
}

/**
 * Tracks one task's restarts. Record what happened (`setExitResult`, `setStartError`,
 * `setRestartTriggered`, `setKilled`), then call {@linkcode RestartTracker.decide}, which
 * consumes what was recorded.
 */
export class RestartTracker {
  #policy: EffectiveRestartPolicy;
  readonly #onSuccess: boolean;
  readonly #clock: Clock;
  readonly #random: () => number;
  #startTime: number;
  #count = 0;
  #reason = "";
  #exit: TaskExit | null = null;
  #startErr: unknown = null;
  #hasStartErr = false;
  #killed = false;
  #restartTriggered = false;
  #failure = false;

  /**
   * @param policy The task's restart policy (missing fields take the job type's defaults).
   * @param jobType `service`, `batch`, `system` or `sysbatch`: batch jobs do not restart a task
   *   that exited successfully, nor do prestart/poststart tasks that are not sidecars, nor
   *   poststop tasks.
   * @param lifecycle The task's lifecycle hook, if any.
   */
  constructor(
    policy: RestartPolicy | EffectiveRestartPolicy | null | undefined,
    jobType: string,
    lifecycle: LifecycleHook | null = null,
    opts: RestartTrackerOptions = {},
  ) {
    this.#policy = effectiveRestartPolicy(policy, jobType);
    let onSuccess = jobType !== "batch" && jobType !== "sysbatch";
    if (lifecycle?.Hook === "prestart" || lifecycle?.Hook === "poststart") {
      onSuccess = lifecycle.Sidecar;
    }
    if (lifecycle?.Hook === "poststop") onSuccess = false;
    this.#onSuccess = onSuccess;
    this.#clock = opts.clock ?? { now: Date.now };
    this.#random = opts.random ?? Math.random;
    this.#startTime = this.#clock.now();
  }

  /** The policy in force. */
  get policy(): EffectiveRestartPolicy {
    return { ...this.#policy };
  }

  /** Replaces the policy (a job update). */
  setPolicy(policy: RestartPolicy | EffectiveRestartPolicy | null, jobType: string): void {
    this.#policy = effectiveRestartPolicy(policy, jobType);
  }

  /** Restart attempts counted in the current interval. */
  get count(): number {
    return this.#count;
  }

  /** The attempts counted and the interval's start, to persist. */
  snapshot(): RestartTrackerState {
    return { count: this.#count, startTime: this.#startTime };
  }

  /** Continues from a persisted {@linkcode RestartTrackerState} (after an agent restart). */
  restore(state: RestartTrackerState): this {
    this.#count = state.count;
    this.#startTime = state.startTime;
    return this;
  }

  /** The reason of the last decision. */
  get reason(): string {
    return this.#reason;
  }

  /** Whether a task that exits successfully is restarted. */
  get restartsOnSuccess(): boolean {
    return this.#onSuccess;
  }

  /** Records that the task failed to start; `err.recoverable === true` allows a restart. */
  setStartError(err: unknown): this {
    this.#startErr = err;
    this.#hasStartErr = true;
    this.#failure = true;
    return this;
  }

  /** Records how the task exited. */
  setExitResult(exit: TaskExit): this {
    this.#exit = exit;
    this.#failure = true;
    return this;
  }

  /**
   * Records a restart asked for by a user or a hook; with `failure` it counts against the
   * policy like a crash, otherwise it restarts at once.
   */
  setRestartTriggered(failure: boolean): this {
    if (failure) this.#failure = true;
    else this.#restartTriggered = true;
    return this;
  }

  /** Records that the task was killed: it is never restarted. */
  setKilled(): this {
    this.#killed = true;
    return this;
  }

  /** Decides what to do about what was recorded, and forgets it. */
  decide(): RestartDecision {
    try {
      return this.#decide();
    } finally {
      this.#startErr = null;
      this.#hasStartErr = false;
      this.#exit = null;
      this.#restartTriggered = false;
      this.#failure = false;
      this.#killed = false;
    }
  }

  #result(state: RestartState, delay: number, reason: string): RestartDecision {
    this.#reason = reason;
    return { state, delay, reason };
  }

  #decide(): RestartDecision {
    const T = TaskEventType;
    if (this.#killed) return this.#result(T.Killed, 0, "");
    if (this.#restartTriggered) return this.#result(T.Restarting, 0, "");
    const p = this.#policy;
    if (p.Attempts === 0) {
      if (!this.#onSuccess && this.#exit !== null && exitSuccessful(this.#exit)) {
        return this.#result(T.Terminated, 0, REASON_NO_RESTARTS_ALLOWED);
      }
      return this.#result(T.NotRestarting, 0, REASON_NO_RESTARTS_ALLOWED);
    }
    const now = this.#clock.now();
    if (now > this.#startTime + p.Interval / 1_000_000) {
      this.#count = 0;
      this.#startTime = now;
    }
    this.#count++;
    if (!this.#failure) return { state: "", delay: 0, reason: this.#reason };
    if (this.#hasStartErr) {
      if (!isRecoverable(this.#startErr)) {
        return this.#result(T.NotRestarting, 0, REASON_UNRECOVERABLE_ERROR);
      }
    } else if (this.#exit !== null && exitSuccessful(this.#exit) && !this.#onSuccess) {
      return this.#result(T.Terminated, 0, REASON_SUCCESSFUL);
    }
    if (this.#count > p.Attempts) {
      if (p.Mode === "fail") {
        const reason = `Exceeded allowed attempts ${p.Attempts} in interval ${
          formatDuration(p.Interval)
        } and mode is "fail"`;
        return this.#result(T.NotRestarting, 0, reason);
      }
      const untilEnd = (this.#startTime - now) * 1_000_000 + p.Interval;
      return this.#result(T.Restarting, untilEnd, REASON_DELAY);
    }
    return this.#result(T.Restarting, this.#jitter(), REASON_WITHIN_POLICY);
  }

  #jitter(): number {
    const d = this.#policy.Delay === 0 ? 1 : this.#policy.Delay;
    const j = Math.floor(Math.floor(this.#random() * d) * RESTART_JITTER);
    return d + j;
  }
}

/**
 * The task event that goes with a decision, as Nomad's task runner emits it: `Restarting`
 * with the delay and reason, `Not Restarting` (which fails the task) with the reason, `Killed`
 * for a kill; `null` for `Terminated` and `""`, which emit nothing.
 *
 * @param time Unix nanoseconds; default now.
 */
export function restartEvent(d: RestartDecision, time: number = nowNanos()): TaskEvent | null {
  switch (d.state) {
    case TaskEventType.Restarting:
      return newTaskEvent(
        TaskEventType.Restarting,
        { startDelay: d.delay, restartReason: d.reason },
        time,
      );
    case TaskEventType.NotRestarting:
      return newTaskEvent(
        TaskEventType.NotRestarting,
        { restartReason: d.reason, failsTask: true },
        time,
      );
    case TaskEventType.Killed:
      return newTaskEvent(TaskEventType.Killed, {}, time);
    default:
      return null;
  }
}
