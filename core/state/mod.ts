/**
 * The state machine: in-memory indexed tables changed only by `StateStore.apply(entry)` (one
 * switch over the {@link Entry} union, Nomad's FSM), read through snapshots, watched with
 * blocking queries and the event stream, and made durable by a log backend (Deno KV for one
 * server, etcd for several — see `etcd/mod.ts` — or memory for tests and `-dev`).
 *
 * @example
 * ```ts
 * const store = await StateStore.open({ backend: await KvLogBackend.open(`${dataDir}/server/state.kv`) });
 * await store.apply({ type: "NodeRegister", node });
 * const snap = store.snapshot(); // valid until the next await
 * snap.nodes();
 * const index = await store.waitForIndex(["nodes"], snap.index, AbortSignal.timeout(300_000));
 * ```
 *
 * @module
 */
export * from "./entries.ts";
export * from "./records.ts";
export { StateStore, type StateStoreOptions, type StoreStats } from "./state_store.ts";
export { type ListOptions, StateSnapshot } from "./snapshot.ts";
export {
  type EventBatch,
  type EventsRequest,
  EventStreamDroppedError,
  type StreamEvent,
  type Topic,
} from "./events.ts";
export {
  type FollowableLogBackend,
  type FollowItem,
  type FollowOptions,
  isSnapshotItem,
  type LoadedLog,
  type LogBackend,
  type LogRecord,
  MemoryLogBackend,
  type StoredSnapshot,
} from "./log_backend.ts";
export { KvLogBackend, type KvLogBackendOptions, LogFencedError } from "./kv_log_backend.ts";
export * from "./etcd/mod.ts";
export { TABLE_NAMES, type TableName } from "./_tables.ts";
export { jobSpecChanged } from "./_jobs.ts";
export { JobStatus } from "./_status.ts";
export { DEFAULT_SCHEDULER_CONFIG } from "./_deployments.ts";
export { isPeriodicActive, launchTimeOf } from "./_launches.ts";
