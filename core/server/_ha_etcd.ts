/**
 * {@link HaElection} on etcd: each campaign takes a fresh lease, keeps it alive, and campaigns
 * in etcd's election `<prefix>/leader` with the server's RPC address as the value. The term
 * ends when the lease cannot be kept (expired, revoked, etcd unreachable for a TTL).
 *
 * {@link HaMembers} on etcd: a server's record is `<prefix>/members/<name>` (kept after the
 * server is gone, so that it shows as failed), its liveness mark `<prefix>/alive/<name>`
 * (under a lease of its own), and `<prefix>/bootstrapped` says the region has had a leader.
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
  type TxnOp,
} from "../state/etcd/mod.ts";
import type { HaElection, HaLeaderInfo, HaTerm } from "./_ha.ts";
import {
  type BackendHealth,
  type BackendMemberHealth,
  type HaMemberRecord,
  type HaMembers,
} from "./_ha_members.ts";
import { sleep } from "../structs/sleep.ts";

/** How often a server renews its health report in its liveness mark. */
const BEAT_EVERY_MS = 1_000;

/** Options of {@link EtcdHaElection}. */
export interface EtcdHaElectionOptions {
  readonly client: EtcdClient;
  /** The state's key prefix; the election is `<prefix>/leader`. */
  readonly prefix: string;
  /** The lease's time to live in seconds: how long a dead leader's term outlives it. */
  readonly ttlSeconds: number;
}

/** The servers' election and member records in etcd. */
export class EtcdHaElection implements HaElection, HaMembers {
  readonly #client: EtcdClient;
  readonly #ttl: number;
  readonly #members: string;
  readonly #alive: string;
  readonly #bootstrapped: string;
  /** The underlying election. */
  readonly election: Election;

  constructor(o: EtcdHaElectionOptions) {
    this.#client = o.client;
    this.#ttl = o.ttlSeconds;
    const prefix = o.prefix.replace(/\/+$/, "");
    this.election = new Election(o.client, `${prefix}/leader`);
    this.#members = `${prefix}/members/`;
    this.#alive = `${prefix}/alive/`;
    this.#bootstrapped = `${prefix}/bootstrapped`;
  }

  /**
   * Writes `<prefix>/members/<id>` = `value` and keeps `<prefix>/alive/<id>` under a lease of
   * its own until `signal` aborts (then revokes it); rejects when the lease is lost (the
   * caller joins again).
   */
  async join(
    id: string,
    value: string,
    signal: AbortSignal,
    beat: () => string,
  ): Promise<void> {
    const client = this.#client;
    const lease = await client.leaseGrant(this.#ttl);
    const alive = this.#alive + id;
    try {
      await client.txn({
        success: [
          { put: { key: this.#members + id, value } },
          { put: { key: alive, value: beat(), lease: lease.id } },
        ],
      });
      const ending = new AbortController();
      const beating = (async () => {
        while (!ending.signal.aborted) {
          await sleep(BEAT_EVERY_MS, ending.signal);
          if (ending.signal.aborted) break;
          // A lost beat is no loss of membership: the lease decides that.
          await client.put(alive, beat(), { lease: lease.id }).catch(() => {});
        }
      })();
      try {
        await keepAlive(client, lease, { signal });
      } finally {
        ending.abort();
        await beating;
      }
      if (!signal.aborted) throw new LeaseLostError(`etcd lease ${lease.id} is no longer kept`);
    } finally {
      await client.leaseRevoke(lease.id).catch(() => {});
    }
  }

  /** Records and marks, read at one revision (a linearizable read). */
  async members(): Promise<HaMemberRecord[]> {
    const r = await this.#client.txn({
      success: [this.#rangeOp(this.#members), this.#rangeOp(this.#alive)],
    });
    const [records, alive] = [0, 1].map((i) =>
      (r.responses[i]?.range?.kvs ?? []).map((kv) => ({
        id: kv.key.slice(i === 0 ? this.#members.length : this.#alive.length),
        value: decoder.decode(kv.value),
      }))
    );
    const beats = new Map(alive!.map((a) => [a.id, a.value]));
    return records!.map(({ id, value }) => {
      const beat = beats.get(id);
      return beat === undefined ? { id, value, alive: false } : { id, value, alive: true, beat };
    });
  }

  async setMember(id: string, value: string): Promise<void> {
    await this.#client.put(this.#members + id, value);
  }

  async removeMember(id: string): Promise<boolean> {
    const r = await this.#client.txn({
      compare: [{ key: this.#alive + id, target: "CREATE", result: "EQUAL", value: 0 }],
      success: [{ deleteRange: { key: this.#members + id } }],
    });
    return r.succeeded;
  }

  async bootstrapped(): Promise<boolean> {
    return (await this.#client.get(this.#bootstrapped)) !== undefined;
  }

  async markBootstrapped(): Promise<void> {
    await this.#client.put(this.#bootstrapped, "1");
  }

  /**
   * Every configured endpoint's status: healthy when it answers and knows a leader. The
   * tolerance counts against the cluster's size (its member list, when a member answers).
   */
  async backendHealth(): Promise<BackendHealth> {
    const client = this.#client;
    const [statuses, list] = await Promise.all([
      client.status({ timeoutMs: 2_000 }),
      client.memberList().catch(() => null),
    ]);
    const members = statuses.map((r, i): BackendMemberHealth => {
      const endpoint = client.endpoints[i] ?? "";
      if (r.status === "rejected") {
        const error = r.reason instanceof Error ? r.reason.message : String(r.reason);
        return { endpoint, healthy: false, leader: false, version: "", error };
      }
      const st = r.value;
      const error = st.errors.join("; ") || (st.leader === "0" ? "no leader" : "");
      return {
        endpoint,
        healthy: error === "",
        leader: st.leader !== "0" && st.leader === st.header.memberId,
        version: st.version,
        error,
      };
    });
    const size = list?.length ?? members.length;
    const healthy = members.filter((m) => m.healthy).length;
    return { kind: "etcd", members, failureTolerance: healthy - (Math.floor(size / 2) + 1) };
  }

  #rangeOp(prefix: string): TxnOp {
    const key = new TextEncoder().encode(prefix);
    return { range: { key, end: prefixEnd(key) } };
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
          // Revoking the lease removes the key too; a failure is the caller's to retry.
          await client.leaseRevoke(lease.id);
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
