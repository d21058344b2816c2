/**
 * A server whose state lives in etcd (`server { etcd { ... } }`): the log backend under the
 * configured prefix (`/nomad-ts/<region>` by default) and the servers' election
 * `<prefix>/leader`. Several servers share the prefix (etcd is their meeting point): each
 * follows the log, campaigns in the background with its RPC address, and only the one elected
 * runs the leader's loops and writes, with the fence of the key it won (see
 * `core/server/_ha.ts`). A leader that loses its lease steps down and follows again; another
 * server takes over from the state in etcd.
 *
 * @module
 */
import { EtcdLogBackend } from "../state/etcd/mod.ts";
import { EtcdHaElection, type ServerOptions } from "../server/mod.ts";
import type { Config } from "./config.ts";

/** The lease's time to live: how long a dead server's leadership outlives it. */
export const LEADER_LEASE_SECONDS = 10;

/** An etcd-backed log and the election of the servers sharing it. */
export interface EtcdServerState {
  readonly backend: EtcdLogBackend;
  /** `ServerOptions.ha` for the server on this log. */
  readonly ha: NonNullable<ServerOptions["ha"]>;
}

/** The key prefix of a server's state in etcd. */
export function etcdPrefix(config: Config): string {
  return (config.Server.Etcd.Prefix || `/nomad-ts/${config.Region}`).replace(/\/+$/, "");
}

/**
 * Opens the etcd log and prepares the election; campaigning is the server's (in the
 * background, once started).
 *
 * @throws {Error} naming the endpoints when etcd cannot be reached.
 */
export async function openEtcdServer(config: Config): Promise<EtcdServerState> {
  const e = config.Server.Etcd;
  const prefix = etcdPrefix(config);
  const backend = await EtcdLogBackend.open({
    endpoints: e.Endpoints ?? [],
    prefix,
    ...(e.CAFile ? { caFile: e.CAFile } : {}),
    ...(e.CertFile ? { certFile: e.CertFile } : {}),
    ...(e.KeyFile ? { keyFile: e.KeyFile } : {}),
  });
  const election = new EtcdHaElection({
    client: backend.client,
    prefix,
    ttlSeconds: LEADER_LEASE_SECONDS,
  });
  return { backend, ha: { log: backend, election, members: election } };
}
