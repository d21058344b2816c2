/**
 * A server whose state lives in etcd (`server { etcd { ... } }`): the log backend under the
 * configured prefix (`/nomad-ts/<region>` by default), and the right to write it. A server
 * campaigns in etcd's election `<prefix>/leader` with a lease it keeps alive, and writes only
 * with the fence of the key it won: a server that loses its lease (or a second server started
 * on the same prefix) cannot commit anything. A second server waits in the campaign and takes
 * over, from the state in etcd, when the first one's lease expires.
 *
 * This is the first part of issue 8: one writing server at a time. Followers that serve reads
 * and forward writes come with the leadership loop of its second part.
 *
 * @module
 */
import {
  Election,
  EtcdLogBackend,
  fenceOf,
  keepAlive,
  type LeaderKey,
  type Lease,
} from "../state/etcd/mod.ts";
import type { Config } from "./config.ts";
import type { Logger } from "./log.ts";

/** The lease's time to live: how long a dead server's leadership outlives it. */
export const LEADER_LEASE_SECONDS = 10;

/** An etcd-backed log this server may write, and how to let it go. */
export interface EtcdServerState {
  readonly backend: EtcdLogBackend;
  readonly leader: LeaderKey;
  /**
   * Stops keeping the lease and resigns, so another server takes over at once. Call it before
   * closing the state store, which closes the backend.
   */
  release(): Promise<void>;
}

/** The key prefix of a server's state in etcd. */
export function etcdPrefix(config: Config): string {
  return (config.Server.Etcd.Prefix || `/nomad-ts/${config.Region}`).replace(/\/+$/, "");
}

/**
 * Opens the etcd log and waits to win the election (as long as another server holds it).
 *
 * @param onLost Called when the lease could not be kept: this server's writes are fenced off
 *   from then on.
 * @throws {Error} naming the endpoints when etcd cannot be reached.
 */
export async function openEtcdServer(
  config: Config,
  name: string,
  log: Logger,
  onLost: (err: unknown) => void,
): Promise<EtcdServerState> {
  const e = config.Server.Etcd;
  const prefix = etcdPrefix(config);
  const backend = await EtcdLogBackend.open({
    endpoints: e.Endpoints ?? [],
    prefix,
    ...(e.CAFile ? { caFile: e.CAFile } : {}),
    ...(e.CertFile ? { certFile: e.CertFile } : {}),
    ...(e.KeyFile ? { keyFile: e.KeyFile } : {}),
  });
  const stop = new AbortController();
  let lease: Lease | undefined;
  try {
    lease = await backend.client.leaseGrant(LEADER_LEASE_SECONDS);
    const alive = lease;
    const keeping = keepAlive(backend.client, alive, { signal: stop.signal }).catch((err) => {
      if (!stop.signal.aborted) onLost(err);
    });
    const election = new Election(backend.client, `${prefix}/leader`);
    log.info("waiting for leadership in etcd", {
      prefix,
      endpoints: (e.Endpoints ?? []).join(","),
    });
    const leader = await election.campaign(name, { lease: alive.id, signal: stop.signal });
    backend.setFence(fenceOf(leader));
    log.info("won leadership in etcd", { prefix, key: leader.key });
    return {
      backend,
      leader,
      release: async () => {
        stop.abort();
        await keeping;
        await election.resign(leader).catch(() => {});
        await backend.client.leaseRevoke(alive.id).catch(() => {});
      },
    };
  } catch (err) {
    stop.abort();
    if (lease) await backend.client.leaseRevoke(lease.id).catch(() => {});
    await backend.close();
    throw err;
  }
}
