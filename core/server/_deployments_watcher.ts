/**
 * The leader's deployments watcher (Nomad's `deploymentwatcher.Watcher`): one loop that wakes
 * whenever the deployments or allocations change, keeps a {@link DeploymentWatcher} for every
 * active deployment (dropping those that ended or were deleted), and shows each the new
 * snapshot. Noticing that a deployment's allocations changed costs one comparison: the state's
 * per-deployment allocation list is replaced exactly when one of them changes.
 *
 * The evaluations and `Reschedule` transitions the watchers ask for are committed together,
 * every 250 ms at most (Nomad's cross-deployment batch). Operator requests (fail, pause,
 * promote, allocation health) go to the deployment's watcher, created on demand.
 *
 * @module
 */
import type { DesiredTransitionInput, StateSnapshot } from "../state/mod.ts";
import { deploymentActive } from "../scheduler/mod.ts";
import type { Deployment, Evaluation } from "../structs/mod.ts";
import type { TimerHandle } from "./timers.ts";
import type { ServerCore } from "./_core.ts";
import { DeploymentWatcher, type WatcherHost } from "./_deployment_watcher.ts";

/** How long the evaluations of all watchers are gathered before one commit (250 ms). */
export const UPDATE_BATCH_MS = 250;

/** Every active deployment's watcher, run while the server leads. */
export class DeploymentsWatcher implements WatcherHost {
  readonly core: ServerCore;
  readonly #watchers = new Map<string, DeploymentWatcher>();
  #enabled = false;
  #abort = new AbortController();
  #loop: Promise<void> = Promise.resolve();
  #deploymentIndex = -1;
  #transitions: Record<string, DesiredTransitionInput> = {};
  #evals = new Map<string, Evaluation>();
  #batchTimer: TimerHandle | undefined;

  constructor(core: ServerCore) {
    this.core = core;
  }

  /** How many deployments are watched. */
  get size(): number {
    return this.#watchers.size;
  }

  /** Starts watching (leadership established). */
  start(): void {
    if (this.#enabled) return;
    this.#enabled = true;
    this.#abort = new AbortController();
    this.#deploymentIndex = -1;
    this.#loop = this.#run(this.#abort.signal).catch((err) => {
      this.core.logger.error("deployments watcher failed", { error: String(err) });
    });
  }

  /** Stops watching (leadership revoked): drops every watcher, timer and pending batch. */
  async stop(): Promise<void> {
    this.#enabled = false;
    this.#abort.abort(new Error("the deployments watcher is stopping"));
    for (const w of this.#watchers.values()) w.stop();
    this.#watchers.clear();
    if (this.#batchTimer !== undefined) this.core.clock.clearTimer(this.#batchTimer);
    this.#batchTimer = undefined;
    this.#transitions = {};
    this.#evals.clear();
    await this.#loop;
  }

  async #run(signal: AbortSignal): Promise<void> {
    const store = this.core.store;
    while (!signal.aborted) {
      const snap = store.snapshot();
      this.#sync(snap);
      const seen = Math.max(snap.tableIndex("deployment"), snap.tableIndex("allocs"));
      try {
        await store.waitForIndex(["deployment", "allocs"], seen, signal);
      } catch {
        return;
      }
    }
  }

  /** Tracks the active deployments and shows every watcher the snapshot. */
  #sync(snap: StateSnapshot): void {
    const index = snap.tableIndex("deployment");
    if (index !== this.#deploymentIndex) {
      this.#deploymentIndex = index;
      const seen = new Set<string>();
      for (const d of snap.deployments()) {
        seen.add(d.ID);
        if (!deploymentActive(d)) {
          this.#remove(d.ID);
          continue;
        }
        try {
          this.#add(snap, d);
        } catch (err) {
          this.core.logger.error("failed to track deployment", {
            deployment_id: d.ID,
            error: String(err),
          });
        }
      }
      for (const id of [...this.#watchers.keys()]) if (!seen.has(id)) this.#remove(id);
    }
    for (const w of this.#watchers.values()) w.observe(snap);
  }

  #add(snap: StateSnapshot, d: Deployment): DeploymentWatcher {
    const existing = this.#watchers.get(d.ID);
    if (existing !== undefined) return existing;
    const job = snap.job(d.Namespace, d.JobID);
    if (job === undefined) {
      throw new Error(`deployment "${d.ID}" references unknown job "${d.JobID}"`);
    }
    const w = new DeploymentWatcher(this, d, job);
    this.#watchers.set(d.ID, w);
    w.observe(snap);
    return w;
  }

  #remove(id: string): void {
    const w = this.#watchers.get(id);
    if (w === undefined) return;
    w.stop();
    this.#watchers.delete(id);
  }

  /**
   * The watcher of a deployment, created when it is not watched yet.
   *
   * @throws {Error} When the watcher is not running, or the deployment is unknown, terminal or
   * of an unknown job.
   */
  watcher(deploymentId: string): DeploymentWatcher {
    if (!this.#enabled) throw new Error("deployment watcher not enabled");
    const existing = this.#watchers.get(deploymentId);
    if (existing !== undefined) return existing;
    const snap = this.core.store.snapshot();
    const d = snap.deployment(deploymentId);
    if (d === undefined) throw new Error(`unknown deployment "${deploymentId}"`);
    if (!deploymentActive(d)) throw new Error(`deployment "${deploymentId}" is terminal`);
    return this.#add(snap, d);
  }

  /** Gathers transitions and evaluations for {@link UPDATE_BATCH_MS}, then commits them. */
  createUpdate(transitions: Record<string, DesiredTransitionInput>, evaluation: Evaluation): void {
    if (!this.#enabled) return;
    Object.assign(this.#transitions, transitions);
    this.#evals.set(evaluation.DeploymentID, evaluation);
    if (this.#batchTimer !== undefined) return;
    this.#batchTimer = this.core.clock.setTimer(UPDATE_BATCH_MS, () => {
      this.#batchTimer = undefined;
      const entry = {
        type: "AllocDesiredTransition" as const,
        transitions: this.#transitions,
        evals: [...this.#evals.values()],
      };
      this.#transitions = {};
      this.#evals = new Map();
      this.core.background(
        this.core.commit(entry).catch((err) => {
          this.core.logger.error("failed to create evaluation for deployment", {
            error: String(err),
          });
        }),
      );
    });
  }
}
