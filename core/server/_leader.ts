/**
 * Leadership (Nomad's `establishLeadership` / `revokeLeadership`): a single server is always
 * the leader, so this runs once at start and once at stop; servers sharing a log (`_ha.ts`)
 * start and stop it at each term they win and lose. It enables the plan queue, the eval
 * broker (unless the operator paused it) and the blocked-evals tracker, restores the state's
 * pending and blocked evaluations into them, gives every live node the failover heartbeat TTL,
 * and runs the loops: the plan applier, the scheduler workers, the reaper of evaluations that
 * reached the delivery limit, the drainer, the deployments watcher, the periodic job
 * dispatcher and the periodic garbage collection.
 *
 * @module
 */
import { FAILED_QUEUE } from "./eval_broker_types.ts";
import { failedEvalUpdates } from "./eval_broker_failed.ts";
import type { TimerHandle } from "./timers.ts";
import type { ServerCore } from "./_core.ts";
import { Drainer } from "./_drainer.ts";
import { DeploymentsWatcher } from "./_deployments_watcher.ts";
import { PeriodicDispatcher } from "./_periodic.ts";
import { collectGarbage, GC_INTERVAL_MS, GC_THRESHOLDS } from "./_gc.ts";
import { PlanApplier } from "./_plan_apply.ts";
import { Worker } from "./_worker.ts";

/** Options of {@link Leader}. */
export interface LeaderOptions {
  readonly numSchedulers: number;
  /** Run the periodic GC (default true). */
  readonly periodicGc?: boolean;
}

/** The leader's loops and their lifecycle. */
export class Leader {
  readonly #core: ServerCore;
  readonly #opts: LeaderOptions;
  readonly applier: PlanApplier;
  readonly workers: Worker[];
  readonly drainer: Drainer;
  readonly deployments: DeploymentsWatcher;
  readonly periodic: PeriodicDispatcher;
  #abort = new AbortController();
  #loops: Promise<void>[] = [];
  #gcTimer: TimerHandle | undefined;
  #statsTimer: TimerHandle | undefined;

  constructor(core: ServerCore, opts: LeaderOptions) {
    this.#core = core;
    this.#opts = opts;
    this.applier = new PlanApplier(core);
    this.workers = Array.from({ length: opts.numSchedulers }, (_, i) => new Worker(core, `w${i}`));
    this.drainer = new Drainer(core);
    this.deployments = new DeploymentsWatcher(core);
    this.periodic = new PeriodicDispatcher(core);
  }

  /** Establishes leadership: enables, restores and starts everything. */
  start(): void {
    const core = this.#core;
    const signal = this.#abort.signal;
    core.planQueue.setEnabled(true);
    const snap = core.store.snapshot();
    core.setBrokersEnabled(!snap.schedulerConfig().PauseEvalBroker);
    core.heartbeats.initialize(
      snap.nodes().filter((n) => n.Status !== "down").map((n) => n.ID),
    );
    const loop = (name: string, p: Promise<void>) =>
      p.catch((err) => core.logger.error(`${name} loop failed`, { error: String(err) }));
    this.#loops = [
      loop("plan applier", this.applier.run(signal)),
      ...this.workers.map((w) => loop(`worker ${w.id}`, w.run(signal))),
      loop("failed eval reaper", this.#reapFailed(signal)),
    ];
    this.drainer.start();
    this.deployments.start();
    this.periodic.start();
    if (this.#opts.periodicGc ?? true) this.#scheduleGc();
    this.#scheduleStats();
  }

  /** Revokes leadership: stops the loops and resolves once they and their writes are done. */
  async stop(): Promise<void> {
    const core = this.#core;
    this.#abort.abort(new Error("the server is stopping"));
    core.planQueue.setEnabled(false);
    for (const t of [this.#gcTimer, this.#statsTimer]) {
      if (t !== undefined) core.clock.clearTimer(t);
    }
    this.#gcTimer = undefined;
    this.#statsTimer = undefined;
    this.drainer.stop();
    await this.deployments.stop();
    this.periodic.stop();
    await Promise.all(this.#loops);
    core.setBrokersEnabled(false);
    core.heartbeats.clearAll();
    await core.settle();
    this.#abort = new AbortController();
  }

  /** Marks evaluations that reached the delivery limit failed, with a delayed follow-up. */
  async #reapFailed(signal: AbortSignal): Promise<void> {
    const core = this.#core;
    while (!signal.aborted) {
      await core.whenBrokerEnabled(signal);
      if (signal.aborted) break;
      let delivery;
      try {
        delivery = await core.broker.dequeue([FAILED_QUEUE], signal);
      } catch {
        continue;
      }
      const e = delivery.eval;
      const jobExists = core.store.snapshot().job(e.Namespace, e.JobID) !== undefined;
      const updates = failedEvalUpdates(e, {
        nowMs: core.clock.now(),
        newId: core.newId,
        random: core.random,
        jobExists,
      });
      try {
        if (updates !== null) {
          const evals = updates.followUp ? [updates.failed, updates.followUp] : [updates.failed];
          await core.commit({ type: "EvalUpsert", evals });
        }
        core.broker.ack(e.ID, delivery.token);
      } catch (err) {
        core.logger.error("failed to reap a failed evaluation", {
          eval_id: e.ID,
          error: String(err),
        });
      }
    }
  }

  /** Nomad's leader gauges, every second: broker, blocked evaluations, plan queue, heartbeats. */
  #scheduleStats(): void {
    const core = this.#core;
    this.#statsTimer = core.clock.setTimer(1_000, () => {
      const m = core.metrics;
      const b = core.broker.stats();
      m.setGauge(["nomad", "broker", "total_ready"], b.TotalReady);
      m.setGauge(["nomad", "broker", "total_unacked"], b.TotalUnacked);
      m.setGauge(["nomad", "broker", "total_pending"], b.TotalPending);
      m.setGauge(["nomad", "broker", "total_waiting"], b.TotalWaiting);
      const blocked = core.blocked.stats();
      m.setGauge(["nomad", "blocked_evals", "total_blocked"], blocked.TotalBlocked);
      m.setGauge(["nomad", "blocked_evals", "total_escaped"], blocked.TotalEscaped);
      m.setGauge(["nomad", "plan", "queue_depth"], core.planQueue.stats().Depth);
      m.setGauge(["nomad", "heartbeat", "active"], core.heartbeats.size);
      this.#scheduleStats();
    });
  }

  #scheduleGc(): void {
    const core = this.#core;
    this.#gcTimer = core.clock.setTimer(GC_INTERVAL_MS, () => {
      core.background(collectGarbage(core, GC_THRESHOLDS));
      this.#scheduleGc();
    });
  }
}
