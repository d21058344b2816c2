/**
 * Node heartbeats: the leader gives each client node a TTL and marks the node down when it
 * misses it.
 *
 * @module
 */
import { type Clock, DeadlineQueue, systemClock } from "./timers.ts";

/** Nomad's defaults (`min_heartbeat_ttl`, `max_heartbeats_per_second`, `heartbeat_grace`). */
export const HEARTBEAT_DEFAULTS = {
  minTtlMs: 10_000,
  maxHeartbeatsPerSecond: 50,
  graceMs: 10_000,
  failoverTtlMs: 300_000,
} as const;

/** How a {@link Heartbeats} is set up; every number has Nomad's default. */
export interface HeartbeatsOptions {
  /** Called once when a node misses its TTL; the server then marks the node down. */
  readonly onExpire: (nodeId: string) => void;
  /** Timers and now; the real clock by default. */
  readonly clock?: Clock;
  /** A random source in [0, 1) for the TTL's stagger; `Math.random` by default. */
  readonly random?: () => number;
  /** The shortest TTL handed to a client (10 s). */
  readonly minTtlMs?: number;
  /** The heartbeat rate the TTLs aim at across the cluster (50/s). */
  readonly maxHeartbeatsPerSecond?: number;
  /** Extra time past the TTL before a node is declared down (10 s). */
  readonly graceMs?: number;
  /** The TTL every known node gets when this server becomes leader (300 s). */
  readonly failoverTtlMs?: number;
}

/** A heartbeat reset on a server that is not (or no longer) the leader. */
export class NotLeaderError extends Error {
  override readonly name = "NotLeaderError";
  constructor(message = "failed to reset heartbeat since server is not leader") {
    super(message);
  }
}

/** Below one action a day, rate scaling is off and the minimum interval is used. */
const MIN_RATE = 1 / 86_400;

/**
 * The TTL for a cluster of `nodes` nodes, as Nomad scales it: long enough that all nodes
 * together heartbeat at most `perSecond` times a second, and never below `minMs`.
 */
export function rateScaledInterval(perSecond: number, minMs: number, nodes: number): number {
  if (perSecond <= MIN_RATE) return minMs;
  return Math.max(minMs, (1_000 * nodes) / perSecond);
}

/**
 * Per-node heartbeat timers on a single {@link DeadlineQueue}, so thousands of nodes cost one
 * timer and a reset is an O(log n) heap update.
 *
 * A reset hands the client `ttl = max(minTtl, nodes / maxHeartbeatsPerSecond)` plus a random
 * stagger in `[0, ttl)` (so heartbeats spread out), and the node expires `ttl + grace` from
 * now. On becoming leader, `initialize` gives every known node the failover TTL; on losing it,
 * `clearAll` drops every timer and later resets throw {@link NotLeaderError}.
 *
 * @example
 * ```ts
 * const heartbeats = new Heartbeats({ onExpire: (id) => markNodeDown(id) });
 * heartbeats.initialize(nodeIds);
 * const ttlMs = heartbeats.resetHeartbeat("node-1"); // returned to the client as HeartbeatTTL
 * ```
 */
export class Heartbeats {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #o: Required<Omit<HeartbeatsOptions, "clock" | "random" | "onExpire">>;
  readonly #timers: DeadlineQueue<string>;
  #leader = false;

  constructor(options: HeartbeatsOptions) {
    const { onExpire, clock = systemClock, random = Math.random, ...rest } = options;
    this.#clock = clock;
    this.#random = random;
    this.#o = { ...HEARTBEAT_DEFAULTS, ...rest };
    this.#timers = new DeadlineQueue(clock, onExpire);
  }

  /** Whether this server tracks heartbeats (it is the leader). */
  get enabled(): boolean {
    return this.#leader;
  }

  /** How many nodes have a heartbeat timer. */
  get size(): number {
    return this.#timers.size;
  }

  /**
   * Starts tracking on becoming leader: every given node (the caller passes the non-terminal
   * ones) gets the failover TTL, since none of them has heartbeated to this server yet.
   */
  initialize(nodeIds: Iterable<string>): void {
    this.#leader = true;
    const at = this.#clock.now() + this.#o.failoverTtlMs;
    for (const id of nodeIds) this.#timers.set(id, at);
  }

  /**
   * Renews a node's heartbeat (a new node's first one included) and returns the TTL, in ms, the
   * client must heartbeat within. The node expires after that TTL plus the grace period.
   *
   * @throws {NotLeaderError} when this server is not the leader.
   */
  resetHeartbeat(nodeId: string): number {
    if (!this.#leader) throw new NotLeaderError();
    const base = rateScaledInterval(
      this.#o.maxHeartbeatsPerSecond,
      this.#o.minTtlMs,
      this.#timers.size,
    );
    const ttl = base + Math.floor(this.#random() * base);
    this.#timers.set(nodeId, this.#clock.now() + ttl + this.#o.graceMs);
    return ttl;
  }

  /** When the node expires (ms since the epoch), or undefined when it has no timer. */
  expiresAt(nodeId: string): number | undefined {
    return this.#timers.deadline(nodeId);
  }

  /** Drops one node's timer (the node was deregistered or is already down). */
  clearHeartbeat(nodeId: string): boolean {
    return this.#timers.delete(nodeId);
  }

  /** Drops every timer on losing leadership. */
  clearAll(): void {
    this.#leader = false;
    this.#timers.clear();
  }
}
