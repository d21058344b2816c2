/**
 * Leader election with etcd's election service (`/v3/election/*` on the 3.4 gateway), and
 * keeping a lease alive.
 *
 * A campaign puts a key `<name>/<lease in hex>` attached to the caller's lease and returns
 * once every older candidate's key is gone: the caller leads while that key exists. Its
 * creation revision identifies this term of leadership: {@link fenceOf} turns it into a fence
 * that `EtcdLogBackend` adds to every write, so that a leader that lost its key (its lease
 * expired, it resigned) cannot write anything, whatever it believes. A lease alone is no such
 * proof: a process may still think its lease is alive after it expired.
 *
 * @example
 * ```ts
 * const lease = await etcd.leaseGrant(10);
 * const alive = keepAlive(etcd, lease, { signal });
 * const leader = await new Election(etcd, "/nomad-ts/global/leader").campaign("server-1", { lease: lease.id, signal });
 * backend.setFence(fenceOf(leader));
 * ```
 *
 * @module
 */
import type { EtcdClient, KeyValue, Lease } from "./client.ts";
import { EtcdError } from "./errors.ts";
import { b64, type Bytes, int, keyText, keyValue, type RawKeyValue } from "./_wire.ts";
import { sleep } from "../../structs/sleep.ts";

/** A won campaign: the leader's key and its creation revision. */
export interface LeaderKey {
  /** The election's name. */
  readonly name: string;
  /** The key that holds the leadership (`<name>/<lease hex>`). */
  readonly key: string;
  /** The key's creation revision: this term of leadership. */
  readonly rev: number;
  /** The lease the key is attached to. */
  readonly lease: string;
}

/** A fence for `EtcdLogBackend` writes: they apply only while this key has this revision. */
export interface LogFence {
  readonly key: string;
  readonly createRevision: number;
}

/** The fence of a won campaign. */
export function fenceOf(leader: LeaderKey): LogFence {
  return { key: leader.key, createRevision: leader.rev };
}

interface RawLeaderKey {
  name?: string;
  key?: string;
  rev?: string;
  lease?: string;
}

function rawLeader(l: LeaderKey): RawLeaderKey {
  return { name: b64(l.name), key: b64(l.key), rev: String(l.rev), lease: l.lease };
}

/** One election, by name. */
export class Election {
  readonly #client: EtcdClient;
  /** The election's name (a key prefix). */
  readonly name: string;

  constructor(client: EtcdClient, name: string) {
    this.#client = client;
    this.name = name;
  }

  /**
   * Campaigns with `value` under `lease`; resolves when elected (which may take forever),
   * rejects with the signal's reason when `signal` aborts (etcd then withdraws the candidacy).
   */
  async campaign(value: Bytes, opts: { lease: string; signal?: AbortSignal }): Promise<LeaderKey> {
    const r = await this.#client.call<{ leader?: RawLeaderKey }>("/v3/election/campaign", {
      name: b64(this.name),
      lease: opts.lease,
      value: b64(value),
    }, { idempotent: false, signal: opts.signal, timeoutMs: Infinity });
    const l = r.leader;
    if (!l?.key) {
      throw new EtcdError(`Cannot campaign for ${this.name}: etcd returned no leader key`, {
        endpoint: "",
      });
    }
    return { name: this.name, key: keyText(l.key), rev: int(l.rev), lease: l.lease ?? opts.lease };
  }

  /** Changes the leader's value (fails unless `leader` still holds the key). */
  async proclaim(leader: LeaderKey, value: Bytes): Promise<void> {
    await this.#client.call("/v3/election/proclaim", {
      leader: rawLeader(leader),
      value: b64(value),
    }, {
      idempotent: true,
    });
  }

  /** The current leader's key and value; undefined when there is none. */
  async leader(): Promise<KeyValue | undefined> {
    try {
      const r = await this.#client.call<{ kv?: RawKeyValue }>("/v3/election/leader", {
        name: b64(this.name),
      }, { idempotent: true });
      return r.kv ? keyValue(r.kv) : undefined;
    } catch (err) {
      if (err instanceof EtcdError && /election: no leader/.test(err.message)) return undefined;
      throw err;
    }
  }

  /**
   * The leader's key and value, then each change of leader or value, until `signal` aborts.
   * Ends (returns) when the stream drops; observe again to continue.
   */
  async *observe(signal: AbortSignal): AsyncGenerator<KeyValue> {
    const stream = await this.#client.stream(
      "/v3/election/observe",
      { name: b64(this.name) },
      signal,
    );
    try {
      for await (const m of stream.messages) {
        const kv = (m as { kv?: RawKeyValue }).kv;
        if (kv) yield keyValue(kv);
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  /** Gives up the leadership (deletes the key; the next candidate is elected). */
  async resign(leader: LeaderKey): Promise<void> {
    await this.#client.call("/v3/election/resign", { leader: rawLeader(leader) }, {
      idempotent: true,
    });
  }
}

/** A lease expired (or was revoked) while it was kept alive. */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
}

/**
 * Renews `lease` every third of its TTL until `signal` aborts (then resolves). Rejects with
 * {@link LeaseLostError} when etcd says the lease expired, or when no renewal succeeded for
 * as long as the TTL (the lease may have expired: treat it as lost).
 */
export async function keepAlive(
  client: EtcdClient,
  lease: Lease,
  opts: { signal: AbortSignal; onError?: (err: unknown) => void },
): Promise<void> {
  const { signal } = opts;
  let lastOk = Date.now();
  const period = Math.max(200, (lease.ttl * 1000) / 3);
  while (!signal.aborted) {
    if (!await sleep(period, signal)) return;
    try {
      const ttl = await client.leaseKeepAlive(lease.id, { signal });
      if (ttl <= 0) throw new LeaseLostError(`etcd lease ${lease.id} expired`);
      lastOk = Date.now();
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof LeaseLostError) throw err;
      opts.onError?.(err);
      if (Date.now() - lastOk >= lease.ttl * 1000) {
        throw new LeaseLostError(
          `etcd lease ${lease.id} was not renewed for ${lease.ttl} s (${
            (err as Error).message
          }); it may have expired`,
          { cause: err },
        );
      }
    }
  }
}
