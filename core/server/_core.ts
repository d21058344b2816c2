/**
 * What every part of the running server shares: the state store, the leader's queues and
 * trackers, the injected clock, random source and IDs, and `commit`, the one path by which the
 * server writes to the state (the entry is applied, then the leader reacts to it as Nomad's FSM
 * does: new evaluations go to the broker or the blocked tracker, capacity changes unblock).
 *
 * @module
 */
import type { Applied, Entry, StateStore } from "../state/mod.ts";
import type { Evaluation } from "../structs/mod.ts";
import type { MetricsRegistry } from "../structs/metrics.ts";
import { BlockedEvals } from "./blocked_evals.ts";
import { EvalBroker } from "./eval_broker.ts";
import { Heartbeats } from "./heartbeat.ts";
import { PlanQueue } from "./plan_queue.ts";
import type { Clock } from "./timers.ts";
import { afterApply, beforeApply } from "./_fsm.ts";
import { InflightPlans } from "./_optimistic.ts";

/** Where the server writes what it logs (Nomad's `nomad` logger). */
export interface ServerLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything. */
export const SILENT_LOGGER: ServerLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** The scheduler types the workers take from the broker. */
export const SCHEDULER_TYPES: readonly string[] = ["service", "batch", "system", "sysbatch"];

/** What the core is built from (the server's start options, resolved). */
export interface CoreOptions {
  readonly store: StateStore;
  readonly region: string;
  readonly datacenter: string;
  readonly name: string;
  readonly rpcAddr: string;
  readonly clock: Clock;
  readonly random: () => number;
  readonly newId: () => string;
  readonly logger: ServerLogger;
  readonly metrics: MetricsRegistry;
  /** Broker, blocked-evals and heartbeat tuning (tests shorten the timeouts). */
  readonly nackTimeoutMs?: number;
  readonly heartbeatGraceMs?: number;
  readonly minHeartbeatTtlMs?: number;
  readonly failoverHeartbeatTtlMs?: number;
  /** Lay in-flight plans over the snapshots workers schedule on (default true). */
  readonly optimistic?: boolean;
}

/** A blocked evaluation re-blocked by the worker that holds it, with its delivery token. */
export interface Reblock {
  readonly evalId: string;
  readonly token: string;
}

/** The shared parts of a running server. */
export class ServerCore {
  readonly store: StateStore;
  readonly region: string;
  readonly datacenter: string;
  readonly name: string;
  readonly rpcAddr: string;
  readonly clock: Clock;
  readonly random: () => number;
  readonly newId: () => string;
  readonly logger: ServerLogger;
  readonly metrics: MetricsRegistry;
  readonly broker: EvalBroker;
  readonly blocked: BlockedEvals;
  readonly heartbeats: Heartbeats;
  readonly planQueue: PlanQueue;
  /** Plans submitted by workers and not yet answered, laid over the snapshots they schedule on. */
  readonly inflight: InflightPlans;
  /** Called when a node misses its heartbeat; the node endpoint marks it down. */
  onHeartbeatExpired: (nodeId: string) => void = () => {};
  /** Called after a commit that may end a drain (allocations stopped, clients reported). */
  onAllocsChanged: () => void = () => {};
  /** Called after a commit that registered, stopped or purged a job (the periodic dispatcher). */
  onJobChanged: (namespace: string, jobId: string) => void = () => {};
  readonly #background = new Set<Promise<unknown>>();
  #brokerWaiters: (() => void)[] = [];

  constructor(o: CoreOptions) {
    this.store = o.store;
    this.region = o.region;
    this.datacenter = o.datacenter;
    this.name = o.name;
    this.rpcAddr = o.rpcAddr;
    this.clock = o.clock;
    this.random = o.random;
    this.newId = o.newId;
    this.logger = o.logger;
    this.metrics = o.metrics;
    this.broker = new EvalBroker({
      clock: o.clock,
      random: o.random,
      newToken: o.newId,
      ...(o.nackTimeoutMs === undefined ? {} : { nackTimeoutMs: o.nackTimeoutMs }),
    });
    this.blocked = new BlockedEvals({
      clock: o.clock,
      enqueue: (evals) => this.broker.enqueueAll(evals),
    });
    this.heartbeats = new Heartbeats({
      clock: o.clock,
      random: o.random,
      onExpire: (id) => this.onHeartbeatExpired(id),
      ...(o.heartbeatGraceMs === undefined ? {} : { graceMs: o.heartbeatGraceMs }),
      ...(o.minHeartbeatTtlMs === undefined ? {} : { minTtlMs: o.minHeartbeatTtlMs }),
      ...(o.failoverHeartbeatTtlMs === undefined
        ? {}
        : { failoverTtlMs: o.failoverHeartbeatTtlMs }),
    });
    this.planQueue = new PlanQueue({ clock: o.clock });
    this.inflight = new InflightPlans(o.optimistic ?? true);
  }

  /** Now in Unix nanoseconds (Nomad's `time.Now().UnixNano()`). */
  nowNs(): number {
    return this.clock.now() * 1_000_000;
  }

  /** Now in Unix seconds. */
  nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  /**
   * Applies an entry to the state, then reacts to it as the leader's FSM does. Resolves once
   * the entry is durable and applied.
   *
   * @param reblock The evaluation a worker re-blocks under its delivery token, if any.
   */
  async commit(entry: Entry, reblock?: Reblock): Promise<Applied> {
    const before = beforeApply(this.store.snapshot(), entry);
    const applied = await this.store.apply(entry);
    afterApply(this, entry, applied.index, before, reblock);
    return applied;
  }

  /**
   * Enqueues pending evaluations, tracks blocked ones and untracks the blocked evaluation of a
   * job that was fully placed (Nomad's `handleUpsertedEval`).
   */
  handleUpsertedEvals(evals: readonly Evaluation[], reblock?: Reblock): void {
    const pending: Evaluation[] = [];
    const duplicates: Evaluation[] = [];
    for (const e of evals) {
      if (e.Status === "pending") pending.push(e);
      else if (e.Status === "blocked") {
        const dup = reblock?.evalId === e.ID
          ? this.blocked.reblock(e, reblock.token)
          : this.blocked.block(e);
        if (dup !== undefined) duplicates.push(dup);
      } else if (e.Status === "complete" && Object.keys(e.FailedTGAllocs ?? {}).length === 0) {
        this.blocked.untrack(e.Namespace, e.JobID);
      }
    }
    if (pending.length > 0) this.broker.enqueue(pending);
    if (duplicates.length > 0) {
      this.cancelEvals(
        duplicates,
        (e) => `existing blocked evaluation exists for job "${e.JobID}"`,
      );
    }
  }

  /** Marks evaluations canceled in the background (duplicates, superseded evaluations). */
  cancelEvals(evals: readonly Evaluation[], why: (e: Evaluation) => string): void {
    const now = this.nowNs();
    const canceled = evals.map((e) => ({
      ...e,
      Status: "canceled",
      StatusDescription: why(e),
      ModifyTime: now,
    }));
    this.background(this.commit({ type: "EvalUpsert", evals: canceled }));
  }

  /** Tracks a background write so that `stop()` can wait for it; failures are logged. */
  background(p: Promise<unknown>): void {
    const tracked = p.catch((err) => {
      this.logger.error("background write failed", { error: String(err) });
    }).finally(() => this.#background.delete(tracked));
    this.#background.add(tracked);
  }

  /** Resolves when every background write started so far has settled. */
  async settle(): Promise<void> {
    while (this.#background.size > 0) await Promise.all([...this.#background]);
  }

  /**
   * Turns the eval broker and the blocked-evals tracker on or off together (leadership,
   * `PauseEvalBroker`), as Nomad does. Turning them on restores the state's pending
   * evaluations into the broker and its blocked ones into the tracker, and wakes the workers
   * waiting for the broker.
   */
  setBrokersEnabled(enabled: boolean): void {
    if (enabled === this.broker.enabled && enabled === this.blocked.enabled) return;
    this.broker.setEnabled(enabled);
    this.blocked.setEnabled(enabled);
    if (!enabled) return;
    const evals = this.store.snapshot().evals();
    this.handleUpsertedEvals(evals.filter((e) => e.Status === "pending" || e.Status === "blocked"));
    const waiters = this.#brokerWaiters;
    this.#brokerWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when the broker is enabled (at once if it is) or the signal aborts. */
  whenBrokerEnabled(signal: AbortSignal): Promise<void> {
    if (this.broker.enabled || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      signal.addEventListener("abort", done, { once: true });
      this.#brokerWaiters.push(done);
    });
  }
}
