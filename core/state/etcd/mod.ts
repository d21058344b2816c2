/**
 * etcd for the state: a small v3 client over etcd's JSON gateway (`fetch` only), watches,
 * elections and leases, and {@link EtcdLogBackend}, the state log that several servers share.
 *
 * @example
 * ```ts
 * const backend = new EtcdLogBackend({ endpoints: ["http://127.0.0.1:2379"], prefix: "/nomad-ts/global" });
 * const store = await StateStore.open({ backend });
 * ```
 *
 * @module
 */
export {
  type Bytes,
  type CallOptions,
  type Compare,
  type CompareResult,
  EtcdClient,
  type EtcdClientOptions,
  type EtcdTls,
  type KeyRange,
  type KeyValue,
  type Lease,
  type Member,
  type MemberStatus,
  prefixEnd,
  type RangeOptions,
  type RangeResult,
  type ResponseHeader,
  type TxnOp,
  type TxnOpResult,
  type TxnRequest,
  type TxnResult,
} from "./client.ts";
export {
  EtcdCompactedError,
  EtcdError,
  type EtcdErrorOptions,
  EtcdUnavailableError,
  GrpcCode,
} from "./errors.ts";
export { watch, type WatchBatch, type WatchEvent, type WatchOptions } from "./watch.ts";
export {
  Election,
  fenceOf,
  keepAlive,
  type LeaderKey,
  LeaseLostError,
  type LogFence,
} from "./election.ts";
export { EtcdLogBackend, type EtcdLogBackendOptions } from "./log_backend.ts";
