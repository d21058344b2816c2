/**
 * The options of `Server.start`: the state store, the server's identity and addresses, its
 * tuning, and the shared log and election when several servers share their state (etcd).
 *
 * @module
 */
import type { StateStore } from "../state/mod.ts";
import type { MetricsRegistry } from "../structs/metrics.ts";
import type { ServerLogger } from "./_core.ts";
import type { HaElection, HaLog } from "./_ha.ts";
import type { HaMembers } from "./_ha_members.ts";
import type { Clock } from "./timers.ts";

/** What {@link Server.start} needs; everything but `state` has a default. */
export interface ServerOptions {
  /** The state store (opened by the caller, who also closes it after `stop()`). */
  readonly state: StateStore;
  /** Default `global`. */
  readonly region?: string;
  /** Default `dc1`. */
  readonly datacenter?: string;
  /** The server's name, without the region. Default `nomad`. */
  readonly name?: string;
  /** The server's ID (its Raft server ID, the `id` tag of its member). Default a new UUID. */
  readonly id?: string;
  /** The RPC address clients and `status/leader` see. Default `127.0.0.1:4647`. */
  readonly rpcAddr?: string;
  /** The gossip (Serf) address `server members` shows. Default the RPC host, port 4648. */
  readonly serfAddr?: string;
  /** `bootstrap_expect`, shown in the member's tags. Default 1. */
  readonly bootstrapExpect?: number;
  /** Scheduler workers (async loops on the main thread). Default: the number of CPU cores. */
  readonly numSchedulers?: number;
  /** Timers and now. Default: the real clock. */
  readonly clock?: Clock;
  /** A random source in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
  /** Makes IDs (evaluations, allocations, tokens). Default `crypto.randomUUID`. */
  readonly newId?: () => string;
  readonly logger?: ServerLogger;
  readonly metrics?: MetricsRegistry;
  /** Run the garbage collector every 5 minutes. Default true. */
  readonly periodicGc?: boolean;
  /** The eval broker's nack timeout (60 s). */
  readonly nackTimeoutMs?: number;
  /** Heartbeat tuning: the least TTL (10 s) and the grace after it (10 s). */
  readonly minHeartbeatTtlMs?: number;
  readonly heartbeatGraceMs?: number;
  /**
   * The TTL a new leader gives every node before it has heard from it (`failover_heartbeat_ttl`,
   * 5 min), so that clients have time to find it before they are marked down.
   */
  readonly failoverHeartbeatTtlMs?: number;
  /**
   * Let workers schedule on the snapshot plus the placements of plans still in flight, so that
   * concurrent workers rarely conflict (default true). Off, workers see only committed state,
   * as Nomad's do, and the plan applier sorts out their conflicts.
   */
  readonly optimistic?: boolean;
  /**
   * A state log shared with other servers and their election (etcd): the server follows the
   * log and leads only while it holds the election. Without it the server always leads.
   */
  readonly ha?: {
    readonly log: HaLog;
    readonly election: HaElection;
    /** The servers' member records (often the election's object too). */
    readonly members: HaMembers;
    readonly retryMs?: number;
    /** Called each time this server has established leadership. */
    readonly onLeader?: () => void;
  };
}

/** The default number of scheduler workers: one per CPU core. */
export function defaultSchedulers(): number {
  return Math.max(1, navigator.hardwareConcurrency || 1);
}
