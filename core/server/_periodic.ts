/**
 * The periodic dispatcher (Nomad's `PeriodicDispatch`): the leader tracks every active
 * periodic job, keeps its next launch on one {@link DeadlineQueue} of the injected clock, and
 * at that time registers a child job `<id>/periodic-<unix seconds>` with a `periodic-job`
 * evaluation. A job that prohibits overlap skips a launch while a child still has a
 * non-terminal evaluation or allocation.
 *
 * The state records each parent's last launch (the child's registration does), so a leader
 * that starts on an existing state launches once, at once, a job whose next launch after the
 * recorded one has passed, and otherwise waits for the next one: no launch twice, none missed
 * (catching up means one launch, not one per missed time, as in Nomad).
 *
 * @module
 */
import { isPeriodicActive, PERIODIC_LAUNCH_SUFFIX, type StateSnapshot } from "../state/mod.ts";
import {
  type CronSchedule,
  type Evaluation,
  type Job,
  nextAfter,
  parseCron,
  type PeriodicConfig,
} from "../structs/mod.ts";
import { DeadlineQueue } from "./timers.ts";
import type { ServerCore } from "./_core.ts";
import { newEval } from "./_evals.ts";

/** What a launch wrote: the child's evaluation and the index of the write. */
export interface Launched {
  readonly eval: Evaluation;
  readonly index: number;
}

/**
 * The cron schedules of a periodic block (`cron` or every `crons`).
 *
 * @throws {Error} the parse error of a spec (the job was validated, so only for stored jobs
 * older than a parser change).
 */
export function periodicSchedules(p: PeriodicConfig): CronSchedule[] {
  if ((p.SpecType ?? "cron") !== "cron") return [];
  return (p.Spec ? [p.Spec] : (p.Specs ?? [])).map(parseCron);
}

/**
 * The first launch strictly after `afterMs` (Unix milliseconds) of any of the schedules, on
 * the wall clock of the block's time zone (Nomad's `PeriodicConfig.Next`), or null when there
 * is none.
 */
export function nextPeriodicLaunch(
  p: PeriodicConfig,
  afterMs: number,
  schedules: readonly CronSchedule[] = periodicSchedules(p),
): number | null {
  const zone = p.TimeZone || "UTC";
  let best: number | null = null;
  for (const s of schedules) {
    const next = nextAfter(s, new Date(afterMs), zone)?.getTime() ?? null;
    if (next !== null && (best === null || next < best)) best = next;
  }
  return best;
}

/**
 * Whether a periodic job has a child still running: one with a non-terminal evaluation, or
 * with a non-terminal allocation of one of its evaluations (Nomad's `RunningChildren`).
 */
export function hasRunningChildren(snap: StateSnapshot, job: Job): boolean {
  const ns = job.Namespace ?? "default";
  const prefix = `${job.ID}${PERIODIC_LAUNCH_SUFFIX}`;
  for (const child of snap.jobs({ namespace: ns, prefix })) {
    if (child.ParentID !== job.ID) continue;
    for (const e of snap.evalsByJob(ns, child.ID ?? "")) {
      if (e.Status !== "complete" && e.Status !== "failed" && e.Status !== "canceled") return true;
      for (const a of snap.allocsByEval(e.ID)) {
        const terminal = a.DesiredStatus === "stop" || a.DesiredStatus === "evict" ||
          a.ClientStatus === "complete" || a.ClientStatus === "failed" ||
          a.ClientStatus === "lost";
        if (!terminal) return true;
      }
    }
  }
  return false;
}

/** The child of a periodic job launched at `launchMs` (Nomad's `deriveJob`). */
export function periodicChild(job: Job, launchMs: number, submitTime: number): Job {
  const id = `${job.ID}${PERIODIC_LAUNCH_SUFFIX}${Math.floor(launchMs / 1000)}`;
  return {
    ...job,
    ID: id,
    Name: id,
    ParentID: job.ID,
    Periodic: null,
    Status: "",
    StatusDescription: "",
    SubmitTime: submitTime,
  };
}

interface Tracked {
  job: Job;
  schedules: CronSchedule[];
  /** The next launch, Unix milliseconds, or null when the schedule has none left. */
  next: number | null;
}

const key = (namespace: string, id: string) => `${namespace}\u0000${id}`;

/** Tracks the active periodic jobs and launches them on time while the server leads. */
export class PeriodicDispatcher {
  readonly #core: ServerCore;
  readonly #tracked = new Map<string, Tracked>();
  readonly #queue: DeadlineQueue<string>;
  #enabled = false;

  constructor(core: ServerCore) {
    this.#core = core;
    this.#queue = new DeadlineQueue(core.clock, (k) => this.#due(k));
    core.onJobChanged = (ns, id) => this.jobChanged(ns, id);
  }

  /**
   * Enables the dispatcher (leadership) and restores it from the state: tracks every active
   * periodic job and launches at once those whose launch was missed while no leader ran
   * (unless they prohibit overlap and a child still runs).
   */
  start(): void {
    if (this.#enabled) return;
    this.#enabled = true;
    const core = this.#core;
    const snap = core.store.snapshot();
    const now = core.clock.now();
    const missed: Job[] = [];
    for (const job of snap.jobs()) {
      if (!isPeriodicActive(job)) continue;
      this.jobChanged(job.Namespace ?? "default", job.ID ?? "");
      const t = this.#tracked.get(key(job.Namespace ?? "default", job.ID ?? ""));
      const launch = snap.periodicLaunch(job.Namespace ?? "default", job.ID ?? "");
      if (t === undefined || launch === undefined) continue;
      const next = nextPeriodicLaunch(job.Periodic!, Math.floor(launch.Launch / 1e6), t.schedules);
      if (next === null || next >= now) continue;
      if (job.Periodic?.ProhibitOverlap && hasRunningChildren(snap, job)) continue;
      missed.push(job);
    }
    for (const job of missed) {
      core.logger.debug("periodic job force run during leadership establishment", {
        job: job.ID,
        namespace: job.Namespace,
      });
      core.background(this.#launch(job, now));
    }
  }

  /** Disables the dispatcher and forgets every tracked job. */
  stop(): void {
    this.#enabled = false;
    this.#queue.clear();
    this.#tracked.clear();
  }

  /** The jobs tracked, in no particular order. */
  tracked(): Job[] {
    return [...this.#tracked.values()].map((t) => t.job);
  }

  /** The next launch of a tracked job (Unix milliseconds), or undefined. */
  nextLaunch(namespace: string, jobId: string): number | undefined {
    return this.#tracked.get(key(namespace, jobId))?.next ?? undefined;
  }

  /**
   * Follows a job after a write (Nomad's `Add`/`Remove` from the FSM): an active periodic job
   * is tracked with its next launch from now, anything else is untracked.
   */
  jobChanged(namespace: string, jobId: string): void {
    if (!this.#enabled) return;
    const k = key(namespace, jobId);
    const job = this.#core.store.snapshot().job(namespace, jobId);
    if (job === undefined || !isPeriodicActive(job)) {
      if (this.#tracked.delete(k)) this.#queue.delete(k);
      return;
    }
    if (this.#tracked.get(k)?.job === job) return;
    let schedules: CronSchedule[];
    try {
      schedules = periodicSchedules(job.Periodic!);
    } catch (err) {
      this.#core.logger.error("failed adding periodic job", { job: jobId, error: String(err) });
      if (this.#tracked.delete(k)) this.#queue.delete(k);
      return;
    }
    const next = nextPeriodicLaunch(job.Periodic!, this.#core.clock.now(), schedules);
    this.#tracked.set(k, { job, schedules, next });
    if (next === null) this.#queue.delete(k);
    else this.#queue.set(k, next);
  }

  /**
   * Launches a tracked job now, whatever its overlap setting (Nomad's `ForceEval`).
   *
   * @throws {Error} when the dispatcher is disabled or the job is not tracked.
   */
  force(namespace: string, jobId: string): Promise<Launched> {
    if (!this.#enabled) return Promise.reject(new Error("periodic dispatch disabled"));
    const t = this.#tracked.get(key(namespace, jobId));
    if (t === undefined) {
      return Promise.reject(
        new Error(`can't force run non-tracked job "${jobId}" (${namespace})`),
      );
    }
    return this.#launch(t.job, this.#core.clock.now());
  }

  #due(k: string): void {
    const t = this.#tracked.get(k);
    if (t === undefined || t.next === null) return;
    const launch = t.next;
    t.next = nextPeriodicLaunch(t.job.Periodic!, launch, t.schedules);
    if (t.next !== null) this.#queue.set(k, t.next);
    const core = this.#core;
    if (t.job.Periodic?.ProhibitOverlap && hasRunningChildren(core.store.snapshot(), t.job)) {
      core.logger.debug("skipping launch of periodic job because job prohibits overlap", {
        job: t.job.ID,
        namespace: t.job.Namespace,
      });
      return;
    }
    core.background(this.#launch(t.job, launch));
  }

  async #launch(job: Job, launchMs: number): Promise<Launched> {
    const core = this.#core;
    const now = core.nowNs();
    const child = periodicChild(job, launchMs, now);
    const evaluation = newEval(core.newId(), child, "periodic-job", now);
    const applied = await core.commit({ type: "JobRegister", job: child, eval: evaluation });
    return { eval: evaluation, index: applied.index };
  }
}
