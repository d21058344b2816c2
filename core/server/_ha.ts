/**
 * The leadership loop of a server that shares its state log with other servers (issue 8): it
 * follows the log while another server leads, campaigns meanwhile, and when elected stops
 * following, fences its writes with its term, catches up to the head of the log and
 * establishes leadership ({@link HaLeader.start}); when the term ends (its lease was lost, a
 * later term appeared, or a write of the log failed) it revokes leadership, drops the fence,
 * gives up the term's lease (retrying while etcd does not answer) and follows again. Only the
 * leader runs the loops. Before the region's first election it waits for `bootstrap_expect`
 * live servers; meanwhile and always, it keeps its member record (`_ha_members.ts`), whose
 * reads also tell how long ago it last reached a majority of the backend.
 *
 * The election, the member records and the log are interfaces ({@link HaElection},
 * `HaMembers`, {@link HaLog}), so that the loop runs against etcd (`core/server/_ha_etcd.ts`)
 * as well as against fakes in tests.
 *
 * @module
 */
import type { FollowItem, StateStore } from "../state/mod.ts";
import type { LogFence } from "../state/etcd/mod.ts";
import type { ServerLogger } from "./_core.ts";
import {
  type BackendHealth,
  type HaMemberRecord,
  type HaMembers,
  HaMembership,
  STALE_AFTER_MS,
} from "./_ha_members.ts";
import { sleep } from "../structs/sleep.ts";

/** A won election: the fence of the term, and a signal that aborts when the term ends. */
export interface HaTerm {
  /** The fence every write of this term carries. */
  readonly fence: LogFence;
  /** Aborts when leadership is lost (the lease expired or was revoked). */
  readonly lost: AbortSignal;
  /** Gives up leadership (the next candidate is elected at once). */
  resign(): Promise<void>;
}

/** Who leads, as the election says. */
export interface HaLeaderInfo {
  /** The leader's RPC address (its election value); empty when there is no leader. */
  readonly addr: string;
  /**
   * The revision that started the leader's term (`LogFence.createRevision`), when known: a
   * leader that sees a later term steps down at once, without waiting for its lease.
   */
  readonly rev?: number;
}

/** An election the servers of a region take part in. */
export interface HaElection {
  /**
   * Campaigns with this server's RPC address as the value; resolves when elected, rejects
   * when `signal` aborts (or the campaign fails: the loop retries after a pause).
   */
  campaign(value: string, signal: AbortSignal): Promise<HaTerm>;
  /** Calls `onLeader` with the current leader, then at each change, until `signal` aborts. */
  observe(signal: AbortSignal, onLeader: (leader: HaLeaderInfo) => void): Promise<void>;
}

/** The shared state log: followed by everyone, written by the fenced leader. */
export interface HaLog {
  follow(
    fromIndex: number,
    opts: { signal?: AbortSignal; stopAtHead?: boolean },
  ): AsyncIterable<FollowItem>;
  setFence(fence: LogFence | null): void;
}

/** The leader's loops (`Leader` in `_leader.ts`). */
export interface HaLeader {
  start(): void;
  stop(): Promise<void>;
}

/** What {@link HaLoop} drives. */
export interface HaLoopOptions {
  readonly store: Pick<StateStore, "index" | "follow" | "writeFailed">;
  readonly log: HaLog;
  readonly election: HaElection;
  /** The servers' member records (`_ha_members.ts`). */
  readonly members: HaMembers;
  readonly leader: HaLeader;
  /** This server's RPC address: the value it campaigns with. */
  readonly rpcAddr: string;
  readonly logger: ServerLogger;
  /** The pause before campaigning again after a failed campaign (default 1 s). */
  readonly retryMs?: number;
  /** Called each time this server has established leadership (its loops run). */
  readonly onLeader?: () => void;
  /** This server's member record (`HaMembers.join`): its name and value. */
  readonly member: { readonly id: string; readonly value: string };
  /** How often the member records are read again (default 1 s). */
  readonly membersEveryMs?: number;
  /** `bootstrap_expect`: the live servers to wait for before the region's first election. */
  readonly bootstrapExpect?: number;
  /** The current time, for `lastContactMs()` (default `Date.now`). */
  readonly now?: () => number;
}

/** The server's role over time: follower, candidate and leader. */
export class HaLoop {
  readonly #o: HaLoopOptions;
  readonly #stop = new AbortController();
  #running: Promise<void> | null = null;
  #observing: Promise<void> | null = null;
  #membershipRun: Promise<void> | null = null;
  readonly #releasing = new Set<Promise<void>>();
  readonly #membership: HaMembership;
  #isLeader = false;
  #leaderAddr = "";
  /** The term (election revision) of the leader last observed. */
  #leaderRev = 0;
  /** This server's current term: its fence revision and how to end it early. */
  #term: { rev: number; end: AbortController } | null = null;
  #lastContact: number;
  readonly #now: () => number;
  /** Whether the election is being observed right now (a live watch on the leader). */
  #watching = false;
  #terms = 0;

  constructor(o: HaLoopOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#lastContact = this.#now();
    this.#membership = new HaMembership({
      members: o.members,
      self: o.member,
      beat: () => ({
        index: o.store.index,
        lastContactMs: this.lastContactMs(),
        term: this.term(),
      }),
      logger: o.logger,
      ...(o.retryMs === undefined ? {} : { retryMs: o.retryMs }),
      ...(o.membersEveryMs === undefined ? {} : { everyMs: o.membersEveryMs }),
      now: this.#now,
    });
  }

  /** Starts following, campaigning and observing the leader, in the background. */
  start(): void {
    if (this.#running) return;
    const signal = this.#stop.signal;
    this.#running = this.#run(signal).catch((err) => {
      if (!signal.aborted) this.#o.logger.error("leadership loop failed", { error: String(err) });
    });
    this.#observing = this.#observe(signal);
    this.#membershipRun = this.#membership.run(signal);
  }

  /** The member records last read, sorted by name (this server's alone before the first). */
  members(): HaMemberRecord[] {
    return this.#membership.records();
  }

  /** The term (election revision) of the leader this server knows; its own while it leads. */
  term(): number {
    return this.#term?.rev ?? this.#leaderRev;
  }

  /** Asks the backend's members how they are. */
  backendHealth(): Promise<BackendHealth> {
    return this.#o.members.backendHealth();
  }

  /** Reads the member records now (linearizable: fails while the backend has no majority). */
  refreshMembers(): Promise<HaMemberRecord[]> {
    return this.#membership.refresh();
  }

  /** Whether this server leads (its loops are running). */
  isLeader(): boolean {
    return this.#isLeader;
  }

  /**
   * The leader's RPC address as last observed; empty when unknown, or when this server has
   * not reached the backend for {@link STALE_AFTER_MS} (it cannot tell who leads now).
   */
  leaderAddr(): string {
    if (this.#isLeader) return this.#o.rpcAddr;
    return this.lastContactMs() > STALE_AFTER_MS ? "" : this.#leaderAddr;
  }

  /**
   * Milliseconds since this server last knew the state of the region: 0 on the leader; on a
   * follower, the time since the backend last answered a linearizable read, or since the
   * watch on the election was lost if that is longer.
   */
  lastContactMs(): number {
    if (this.#isLeader) return 0;
    const healthy = this.#membership.sinceHealthyMs();
    return this.#watching ? healthy : Math.max(healthy, this.#now() - this.#lastContact);
  }

  /** How many terms this server has led, for tests. */
  get terms(): number {
    return this.#terms;
  }

  /** Stops everything; a leader revokes leadership and resigns. Idempotent. */
  async stop(): Promise<void> {
    this.#stop.abort(new Error("the server is stopping"));
    await this.#running;
    await this.#observing;
    await this.#membershipRun;
    await Promise.all(this.#releasing);
  }

  async #observe(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.#o.election.observe(signal, (l) => {
          this.#leaderAddr = l.addr;
          this.#leaderRev = l.rev ?? this.#leaderRev;
          const term = this.#term;
          if (term && l.rev !== undefined && l.rev > term.rev) {
            this.#o.logger.warn("another server leads a later term; stepping down", {
              leader: l.addr,
            });
            term.end.abort(new Error("another server leads a later term"));
          }
          this.#watching = l.addr !== "";
          this.#lastContact = this.#now();
        });
      } catch (err) {
        if (signal.aborted) break;
        this.#o.logger.warn("observing the leader failed; retrying", { error: String(err) });
      } finally {
        if (this.#watching) this.#lastContact = this.#now();
        this.#watching = false;
      }
      await sleep(this.#o.retryMs ?? 1_000, signal);
    }
  }

  /**
   * Follows the log in the background (again after a failure, after a pause) until the
   * returned stop function is called.
   */
  #follow(): () => Promise<void> {
    const { store, log, logger } = this.#o;
    const ac = new AbortController();
    const following = (async () => {
      while (!ac.signal.aborted) {
        try {
          await store.follow(log.follow(store.index + 1, { signal: ac.signal }));
        } catch (err) {
          if (ac.signal.aborted) break;
          logger.error("following the state log failed; retrying", { error: String(err) });
        }
        await sleep(this.#o.retryMs ?? 1_000, ac.signal);
      }
    })();
    return async () => {
      ac.abort();
      await following;
    };
  }

  /**
   * Ends a term whose lease this server could not keep: etcd may still hold the lease (it
   * extends leases when it regains a leader), and with it the election key, which would hold
   * the next election for a whole TTL. Revokes it, again every second while etcd does not
   * answer, for up to a minute.
   */
  #release(term: HaTerm): void {
    const stop = this.#stop.signal;
    const until = this.#now() + 60_000;
    const releasing = (async () => {
      while (!stop.aborted && this.#now() < until) {
        try {
          await term.resign();
          return;
        } catch {
          await sleep(this.#o.retryMs ?? 1_000, stop);
        }
      }
    })();
    this.#releasing.add(releasing);
    releasing.finally(() => this.#releasing.delete(releasing));
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { store, log, election, leader, logger } = this.#o;
    let bootstrapped = false;
    while (!signal.aborted) {
      const stopFollowing = this.#follow();
      if (!bootstrapped) {
        await this.#membership.awaitBootstrap(this.#o.bootstrapExpect ?? 1, signal);
        bootstrapped = true;
      }
      let term: HaTerm;
      try {
        term = await election.campaign(this.#o.rpcAddr, signal);
      } catch (err) {
        await stopFollowing();
        if (signal.aborted) break;
        logger.warn("campaign for leadership failed; retrying", { error: String(err) });
        await sleep(this.#o.retryMs ?? 1_000, signal);
        continue;
      }
      await stopFollowing();
      log.setFence(term.fence);
      const superseded = new AbortController();
      this.#term = { rev: term.fence.createRevision, end: superseded };
      const ends = AbortSignal.any([term.lost, signal, superseded.signal]);
      try {
        await store.follow(log.follow(store.index + 1, { stopAtHead: true, signal: ends }));
      } catch (err) {
        logger.warn("catching up with the state log failed", { error: String(err) });
      }
      let failedWrite = false;
      if (!ends.aborted) {
        this.#isLeader = true;
        this.#terms++;
        logger.info("cluster leadership acquired", { index: store.index });
        leader.start();
        this.#o.members.markBootstrapped().catch((err) =>
          logger.warn("cannot mark the region bootstrapped", { error: String(err) })
        );
        this.#o.onLeader?.();
        const failed = store.writeFailed;
        await sleep(Infinity, AbortSignal.any([ends, failed]));
        failedWrite = failed.aborted && !ends.aborted;
        if (failedWrite) {
          // Its state may lack what it could not write: it steps down and follows the log.
          logger.error("the state log failed to write; stepping down to follow it again", {
            error: String(failed.reason),
          });
        }
        this.#isLeader = false;
        this.#lastContact = this.#now();
        logger.info("cluster leadership lost", {});
        await leader.stop();
      }
      log.setFence(null);
      this.#term = null;
      if (signal.aborted || superseded.signal.aborted || failedWrite) {
        await term.resign().catch(() => {});
      } else this.#release(term);
    }
  }
}
