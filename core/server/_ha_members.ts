/**
 * The servers of a region that share a state log (issue 8) and how they know each other: each
 * server keeps a member record (what `server members` shows) and a liveness mark that lasts
 * only while the server lives ({@link HaElection.join}); every server reads the records every
 * second. A record without its mark is a server that stopped or died: `failed`, as Nomad shows
 * a server that left without `leave`, until `server force-leave` marks it `left` or
 * `operator raft remove-peer` removes it.
 *
 * Reading the records is also the server's health check of the backend: the read is
 * linearizable, so it succeeds only while a majority of etcd answers. The time of the last
 * successful read is the server's "last contact" (`X-Nomad-LastContact`), and a follower that
 * has not had one for {@link STALE_AFTER_MS} no longer claims to know a leader.
 *
 * `bootstrap_expect`: before the region's first election, a server waits until that many
 * servers are alive; the first leader marks the region bootstrapped, after which servers
 * campaign at once (as a Raft cluster, once formed, elects without waiting for all its peers).
 *
 * @module
 */
import type { ServerLogger } from "./_core.ts";
import { sleep } from "../structs/sleep.ts";

/** A follower that has not reached the backend for this long claims no leader. */
export const STALE_AFTER_MS = 5_000;

/** A server's record, and whether its liveness mark is there. */
export interface HaMemberRecord {
  /** The server's name (the record's key). */
  readonly id: string;
  /** What the server wrote (a JSON `ServerMember`). */
  readonly value: string;
  /** Whether the server is alive (its mark, kept under a lease, exists). */
  readonly alive: boolean;
  /** The last health report of a live server (its mark's value; see {@link HaBeat}). */
  readonly beat?: string;
}

/** What a live server reports of itself every second (as JSON, in its liveness mark). */
export interface HaBeat {
  /** The index of the state it has applied. */
  readonly index: number;
  /** Its `lastContactMs()`. */
  readonly lastContactMs: number;
  /** The term (election revision) of the leader it knows. */
  readonly term: number;
}

/** One member of the backend (etcd) as a health check sees it. */
export interface BackendMemberHealth {
  readonly endpoint: string;
  readonly healthy: boolean;
  /** Whether this member is the backend's leader. */
  readonly leader: boolean;
  readonly version: string;
  /** Why it is unhealthy; empty when healthy. */
  readonly error: string;
}

/** The backend's health: its members and how many it may lose. */
export interface BackendHealth {
  /** The backend's name, e.g. `etcd`. */
  readonly kind: string;
  readonly members: readonly BackendMemberHealth[];
  /** Healthy members beyond a majority (negative: no majority). */
  readonly failureTolerance: number;
}

/** The member records of the servers of a region (in etcd: `HaElection`'s other half). */
export interface HaMembers {
  /**
   * Writes this server's record `value` under `id` and keeps its liveness mark while `signal`
   * is live, with `beat()` (a JSON {@link HaBeat}) as the mark's value, renewed every second;
   * rejects when it could not (the caller joins again after a pause).
   */
  join(id: string, value: string, signal: AbortSignal, beat: () => string): Promise<void>;
  /** Every record (a linearizable read: it fails while the backend has no majority). */
  members(): Promise<HaMemberRecord[]>;
  /** Replaces a record's value (`force-leave` marks a dead server left). */
  setMember(id: string, value: string): Promise<void>;
  /** Removes a dead server's record; false when the server is alive (nothing removed). */
  removeMember(id: string): Promise<boolean>;
  /** Whether the region has had a leader (so `bootstrap_expect` no longer applies). */
  bootstrapped(): Promise<boolean>;
  /** Marks the region bootstrapped (its first leader does). */
  markBootstrapped(): Promise<void>;
  /** Asks every member of the backend how it is. */
  backendHealth(): Promise<BackendHealth>;
}

/** Options of {@link HaMembership}. */
export interface HaMembershipOptions {
  readonly members: HaMembers;
  /** This server's record: its name and value. */
  readonly self: { readonly id: string; readonly value: string };
  /** This server's health report, sent with its liveness mark. */
  readonly beat: () => HaBeat;
  readonly logger: ServerLogger;
  /** How often the records are read (default 1 s). */
  readonly everyMs?: number;
  /** The pause before joining again after a failure (default 1 s). */
  readonly retryMs?: number;
  /** The current time (default `Date.now`). */
  readonly now?: () => number;
}

/** This server's membership: its record kept, everyone's records read, the backend's health. */
export class HaMembership {
  readonly #o: HaMembershipOptions;
  readonly #now: () => number;
  #records: HaMemberRecord[] = [];
  #read = false;
  #healthyAt: number;

  constructor(o: HaMembershipOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#healthyAt = this.#now();
  }

  /** Keeps the record and reads the records until `signal` aborts; resolves then. */
  run(signal: AbortSignal): Promise<void> {
    return Promise.all([this.#join(signal), this.#poll(signal)]).then(() => {});
  }

  /** The records last read, sorted by name (this server's alone before the first read). */
  records(): HaMemberRecord[] {
    if (this.#read) return this.#records;
    return [{ id: this.#o.self.id, value: this.#o.self.value, alive: true }];
  }

  /** Milliseconds since the records were last read successfully. */
  sinceHealthyMs(): number {
    return Math.max(0, this.#now() - this.#healthyAt);
  }

  /** Reads the records now (a failed read throws and leaves the last ones in place). */
  async refresh(): Promise<HaMemberRecord[]> {
    const records = (await this.#o.members.members()).sort((a, b) => a.id < b.id ? -1 : 1);
    this.#records = records;
    this.#read = true;
    this.#healthyAt = this.#now();
    return records;
  }

  /**
   * Resolves once the region may elect: it was bootstrapped before, or `expect` servers are
   * alive. Logs how many are missing, once per change.
   */
  async awaitBootstrap(expect: number, signal: AbortSignal): Promise<void> {
    if (expect <= 1) return;
    let said = -1;
    while (!signal.aborted) {
      try {
        if (await this.#o.members.bootstrapped()) return;
        const alive = (await this.refresh()).filter((r) => r.alive).length;
        if (alive >= expect) return;
        if (alive !== said) {
          said = alive;
          this.#o.logger.info("waiting for servers before electing a leader", {
            bootstrap_expect: expect,
            alive,
          });
        }
      } catch (err) {
        this.#o.logger.warn("cannot read the servers' records; retrying", { error: String(err) });
      }
      await sleep(this.#o.everyMs ?? 1_000, signal);
    }
  }

  async #join(signal: AbortSignal): Promise<void> {
    const { members, self, logger } = this.#o;
    while (!signal.aborted) {
      try {
        await members.join(self.id, self.value, signal, () => JSON.stringify(this.#o.beat()));
      } catch (err) {
        if (signal.aborted) break;
        logger.warn("keeping the member record failed; retrying", { error: String(err) });
      }
      await sleep(this.#o.retryMs ?? 1_000, signal);
    }
  }

  async #poll(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      // A failed read keeps the last records; the backend may answer at the next one.
      await this.refresh().catch(() => {});
      await sleep(this.#o.everyMs ?? 1_000, signal);
    }
  }
}
