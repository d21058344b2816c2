/**
 * {@link HaElection} on etcd: each campaign takes a fresh lease, keeps it alive, and campaigns
 * in etcd's election `<prefix>/leader` with the server's RPC address as the value. The term
 * ends when the lease cannot be kept (expired, revoked, etcd unreachable for a TTL).
 *
 * @module
 */
import {
  Election,
  type EtcdClient,
  fenceOf,
  keepAlive,
  type KeyValue,
  LeaseLostError,
  prefixEnd,
} from "../state/etcd/mod.ts";
import type { HaElection, HaLeaderInfo, HaTerm } from "./_ha.ts";

/** Options of {@link EtcdHaElection}. */
export interface EtcdHaElectionOptions {
  readonly client: EtcdClient;
  /** The state's key prefix; the election is `<prefix>/leader`. */
  readonly prefix: string;
  /** The lease's time to live in seconds: how long a dead leader's term outlives it. */
  readonly ttlSeconds: number;
}

/** The servers' election in etcd. */
export class EtcdHaElection implements HaElection {
  readonly #client: EtcdClient;
  readonly #ttl: number;
  readonly #members: string;
  /** The underlying election. */
  readonly election: Election;

  constructor(o: EtcdHaElectionOptions) {
    this.#client = o.client;
    this.#ttl = o.ttlSeconds;
    const prefix = o.prefix.replace(/\/+$/, "");
    this.election = new Election(o.client, `${prefix}/leader`);
    this.#members = `${prefix}/members/`;
  }

  /**
   * Keeps `<prefix>/members/<id>` = `value` under a lease of its own until `signal` aborts
   * (then deletes it); rejects when the lease is lost (the caller joins again).
   */
  async join(id: string, value: string, signal: AbortSignal): Promise<void> {
    const client = this.#client;
    const lease = await client.leaseGrant(this.#ttl);
    try {
      await client.put(`${this.#members}${id}`, value, { lease: lease.id });
      await keepAlive(client, lease, { signal });
      if (!signal.aborted) throw new LeaseLostError(`etcd lease ${lease.id} is no longer kept`);
    } finally {
      await client.leaseRevoke(lease.id).catch(() => {});
    }
  }

  /** The values of every member's key. */
  async members(): Promise<string[]> {
    const key = new TextEncoder().encode(this.#members);
    const r = await this.#client.range(key, { end: prefixEnd(key) });
    return r.kvs.map((kv) => decoder.decode(kv.value));
  }

  async campaign(value: string, signal: AbortSignal): Promise<HaTerm> {
    const client = this.#client;
    const lease = await client.leaseGrant(this.#ttl);
    const lost = new AbortController();
    const keeping = keepAlive(client, lease, { signal: lost.signal }).catch((err) => {
      lost.abort(err);
    }).finally(() => {
      if (!lost.signal.aborted) lost.abort(new Error("the lease is no longer kept"));
    });
    const stop = () => lost.abort(signal.reason);
    signal.addEventListener("abort", stop, { once: true });
    try {
      const leader = await this.election.campaign(value, {
        lease: lease.id,
        signal: AbortSignal.any([signal, lost.signal]),
      });
      return {
        fence: fenceOf(leader),
        lost: lost.signal,
        resign: async () => {
          signal.removeEventListener("abort", stop);
          lost.abort(new Error("resigned"));
          await keeping;
          await this.election.resign(leader).catch(() => {});
          await client.leaseRevoke(lease.id).catch(() => {});
        },
      };
    } catch (err) {
      signal.removeEventListener("abort", stop);
      lost.abort(err);
      await keeping;
      await client.leaseRevoke(lease.id).catch(() => {});
      throw err;
    }
  }

  async observe(signal: AbortSignal, onLeader: (leader: HaLeaderInfo) => void): Promise<void> {
    const current = await this.election.leader();
    onLeader(current ? info(current) : { addr: "" });
    for await (const kv of this.election.observe(signal)) onLeader(info(kv));
  }
}

const decoder = new TextDecoder();

function info(kv: KeyValue): HaLeaderInfo {
  return { addr: decoder.decode(kv.value), rev: kv.createRevision };
}
