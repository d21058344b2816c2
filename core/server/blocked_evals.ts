/**
 * The blocked-evaluations tracker: evaluations that could not place everything for lack of
 * capacity wait here until capacity that could help them appears, then go back to the broker.
 *
 * @module
 */
import { EvalTrigger, type Evaluation } from "../structs/mod.ts";
import { jobKey, latestIndex } from "./_eval_order.ts";
import { type Clock, systemClock, type TimerHandle } from "./timers.ts";

/** An unblocked evaluation with the token it was re-blocked under (`""` when none). */
export type UnblockedEval = readonly [Evaluation, string];

/** How a {@link BlockedEvals} is set up. */
export interface BlockedEvalsOptions {
  /** Receives unblocked evaluations; wire it to `EvalBroker.enqueueAll`. */
  readonly enqueue: (evals: UnblockedEval[]) => void;
  /** Timers and now; the real clock by default. */
  readonly clock?: Clock;
  /** How often old unblock records are pruned (5 minutes). */
  readonly pruneIntervalMs?: number;
  /** How old an unblock record must be to be pruned (15 minutes). */
  readonly pruneThresholdMs?: number;
}

/** The tracker's counters (`nomad.blocked_evals.*` metrics). */
export interface BlockedStats {
  /** Blocked evaluations, escaped ones included. */
  TotalBlocked: number;
  /** Blocked evaluations whose constraints escaped computed node classes. */
  TotalEscaped: number;
  /** Blocked evaluations waiting on a quota. */
  TotalQuotaLimit: number;
}

interface Tracked {
  readonly eval: Evaluation;
  readonly token: string;
}

/** The status description Nomad gives a blocked evaluation canceled as a duplicate. */
export function duplicateBlockedDescription(jobId: string): string {
  return `existing blocked evaluation exists for job ${JSON.stringify(jobId)}`;
}

/**
 * Tracks blocked evaluations as Nomad's leader does, keeping at most one per job:
 *
 * - A "captured" evaluation records, in `ClassEligibility`, which computed node classes it saw
 *   as eligible or not; a capacity change on class C unblocks it unless it marked C ineligible
 *   (a class it never saw unblocks it too, for correctness).
 * - An "escaped" evaluation (`EscapedComputedClass`: its constraints look at node attributes
 *   classes do not capture) is unblocked by a capacity change on any class.
 * - A system evaluation with a `NodeID` is also unblocked by a change on that node.
 * - Blocking an evaluation that missed an unblock while it was in the scheduler (its
 *   `SnapshotIndex` is older than an unblock it would have matched) enqueues it at once.
 *
 * Methods are synchronous; unblocked evaluations go to `options.enqueue` before they return.
 * Disabled (the initial state, and on followers) every call is a no-op, and disabling forgets
 * everything.
 */
export class BlockedEvals {
  readonly #enqueue: (evals: UnblockedEval[]) => void;
  readonly #clock: Clock;
  readonly #pruneIntervalMs: number;
  readonly #pruneThresholdMs: number;
  #enabled = false;
  #pruneTimer: TimerHandle | undefined;
  readonly #captured = new Map<string, Tracked>();
  readonly #escaped = new Map<string, Tracked>();
  /** Job key -> its blocked evaluation's ID. */
  readonly #jobs = new Map<string, string>();
  /** Node ID -> IDs of the system evaluations blocked on it. */
  readonly #byNode = new Map<string, Set<string>>();
  /** Class, quota or resource -> the last index (and time, ms) it was unblocked at. */
  readonly #unblocks = new Map<string, { index: number; at: number }>();
  #quotaLimited = 0;

  constructor(options: BlockedEvalsOptions) {
    this.#enqueue = options.enqueue;
    this.#clock = options.clock ?? systemClock;
    this.#pruneIntervalMs = options.pruneIntervalMs ?? 5 * 60_000;
    this.#pruneThresholdMs = options.pruneThresholdMs ?? 15 * 60_000;
  }

  /** Whether the tracker is on (only on the leader). */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Turns the tracker on when gaining leadership; turning it off forgets everything. */
  setEnabled(enabled: boolean): void {
    if (enabled === this.#enabled) return;
    this.#enabled = enabled;
    if (enabled) {
      this.#schedulePrune();
      return;
    }
    if (this.#pruneTimer !== undefined) this.#clock.clearTimer(this.#pruneTimer);
    this.#pruneTimer = undefined;
    this.#captured.clear();
    this.#escaped.clear();
    this.#jobs.clear();
    this.#byNode.clear();
    this.#unblocks.clear();
    this.#quotaLimited = 0;
  }

  /**
   * Tracks a blocked evaluation. Returns the evaluation to mark canceled when the job already
   * had one (the older of the two by `max(CreateIndex, SnapshotIndex)`, which may be the one
   * passed), or undefined.
   */
  block(evaluation: Evaluation): Evaluation | undefined {
    return this.reblock(evaluation, "");
  }

  /**
   * Like {@link BlockedEvals.block}, for an evaluation re-blocked by the worker that holds it
   * under `token`: when unblocked it goes to the broker with that token.
   */
  reblock(evaluation: Evaluation, token: string): Evaluation | undefined {
    if (!this.#enabled) return undefined;
    let duplicate: Evaluation | undefined;
    const existing = this.#trackedFor(evaluation.Namespace, evaluation.JobID);
    if (existing !== undefined && existing.eval.ID !== evaluation.ID) {
      if (latestIndex(evaluation) < latestIndex(existing.eval)) return evaluation;
      duplicate = existing.eval;
    }
    if (existing !== undefined) this.#remove(existing);
    if (this.#missedUnblock(evaluation)) {
      this.#enqueue([[evaluation, token]]);
    } else {
      this.#add({ eval: evaluation, token });
    }
    return duplicate;
  }

  /** Stops tracking the job's blocked evaluation (the job was deregistered or placed). */
  untrack(namespace: string, jobId: string): void {
    const t = this.#trackedFor(namespace, jobId);
    if (t !== undefined) this.#remove(t);
  }

  /** The job's blocked evaluation, if any. */
  blocked(namespace: string, jobId: string): Evaluation | undefined {
    return this.#trackedFor(namespace, jobId)?.eval;
  }

  /** Capacity changed at `index` on nodes of the computed class: unblock what it could help. */
  unblock(computedClass: string, index: number): void {
    this.unblockClassAndQuota(computedClass, "", index);
  }

  /** A quota's limit or usage changed at `index`. */
  unblockQuota(quota: string, index: number): void {
    if (quota === "" || !this.#enabled) return;
    this.#record(quota, index);
    this.#unblock("", quota, "", []);
  }

  /** Capacity changed at `index` on a class, within a quota (`""` for none). */
  unblockClassAndQuota(computedClass: string, quota: string, index: number): void {
    if (!this.#enabled) return;
    if (quota !== "") this.#record(quota, index);
    this.#record(computedClass, index);
    this.#unblock(computedClass, quota, "", []);
  }

  /** Capacity changed on a node: unblock the system evaluations blocked on it. */
  unblockNode(nodeId: string): void {
    if (this.#enabled) this.#unblock("", "", nodeId, []);
  }

  /** Non-node resources (CSI volumes, ...) changed at `index`. */
  unblockNonNodeResources(resources: readonly string[], index: number): void {
    if (!this.#enabled) return;
    for (const r of resources) this.#record(r, index);
    this.#unblock("", "", "", resources);
  }

  /** Unblocks evaluations blocked because the scheduler hit its plan-attempt limit. */
  unblockFailed(): void {
    if (!this.#enabled) return;
    const out: UnblockedEval[] = [];
    for (const map of [this.#captured, this.#escaped]) {
      for (const t of map.values()) {
        if (t.eval.TriggeredBy === EvalTrigger.MaxPlans) this.#take(t, out);
      }
    }
    if (out.length > 0) this.#enqueue(out);
  }

  /** A copy of the tracker's counters. */
  stats(): BlockedStats {
    return {
      TotalBlocked: this.#captured.size + this.#escaped.size,
      TotalEscaped: this.#escaped.size,
      TotalQuotaLimit: this.#quotaLimited,
    };
  }

  #trackedFor(namespace: string, jobId: string): Tracked | undefined {
    const id = this.#jobs.get(jobKey(namespace, jobId));
    return id === undefined ? undefined : this.#captured.get(id) ?? this.#escaped.get(id);
  }

  #add(t: Tracked): void {
    const e = t.eval;
    this.#jobs.set(jobKey(e.Namespace, e.JobID), e.ID);
    if (e.QuotaLimitReached !== "") this.#quotaLimited++;
    if (e.EscapedComputedClass) {
      this.#escaped.set(e.ID, t);
      return;
    }
    this.#captured.set(e.ID, t);
    if (e.Type === "system" && e.NodeID !== "") {
      let ids = this.#byNode.get(e.NodeID);
      if (ids === undefined) {
        ids = new Set();
        this.#byNode.set(e.NodeID, ids);
      }
      ids.add(e.ID);
    }
  }

  #remove(t: Tracked): void {
    const e = t.eval;
    const key = jobKey(e.Namespace, e.JobID);
    if (this.#jobs.get(key) === e.ID) this.#jobs.delete(key);
    if (!this.#captured.delete(e.ID) && !this.#escaped.delete(e.ID)) return;
    if (e.QuotaLimitReached !== "") this.#quotaLimited--;
    const ids = this.#byNode.get(e.NodeID);
    if (ids?.delete(e.ID) && ids.size === 0) this.#byNode.delete(e.NodeID);
  }

  #take(t: Tracked, out: UnblockedEval[]): void {
    this.#remove(t);
    out.push([t.eval, t.token]);
  }

  #record(key: string, index: number): void {
    this.#unblocks.set(key, { index, at: this.#clock.now() });
  }

  #unblock(cls: string, quota: string, nodeId: string, resources: readonly string[]): void {
    const out: UnblockedEval[] = [];
    if (cls !== "") { for (const t of this.#escaped.values()) this.#take(t, out); }
    if (resources.length > 0) {
      for (const t of this.#escaped.values()) {
        if (t.eval.MissingNonNodeResources?.some((r) => resources.includes(r))) {
          this.#take(t, out);
        }
      }
    }
    if (cls !== "" || quota !== "") {
      for (const t of this.#captured.values()) {
        const q = t.eval.QuotaLimitReached;
        if (quota !== "" && q !== "" && q !== quota) continue;
        if (t.eval.ClassEligibility?.[cls] === false) continue;
        this.#take(t, out);
      }
    }
    if (nodeId !== "") {
      for (const id of this.#byNode.get(nodeId) ?? []) {
        const t = this.#captured.get(id);
        if (t !== undefined) this.#take(t, out);
      }
    }
    if (out.length > 0) this.#enqueue(out);
  }

  /** Whether the evaluation ran on a snapshot older than an unblock that concerns it. */
  #missedUnblock(e: Evaluation): boolean {
    let newest = 0;
    for (const [key, u] of this.#unblocks) {
      newest = Math.max(newest, u.index);
      const missed = e.SnapshotIndex < u.index;
      if (e.QuotaLimitReached !== "") {
        if (e.QuotaLimitReached !== key) continue;
        return missed;
      }
      if (e.MissingNonNodeResources?.includes(key)) return missed;
      const eligible = e.ClassEligibility?.[key];
      // A class the scheduler never saw, or one it found eligible, changed after its snapshot.
      if (missed && eligible !== false) return true;
    }
    return e.EscapedComputedClass && e.SnapshotIndex < newest;
  }

  #schedulePrune(): void {
    this.#pruneTimer = this.#clock.setTimer(this.#pruneIntervalMs, () => {
      const cutoff = this.#clock.now() - this.#pruneThresholdMs;
      for (const [key, u] of this.#unblocks) if (u.at < cutoff) this.#unblocks.delete(key);
      this.#schedulePrune();
    });
  }
}
