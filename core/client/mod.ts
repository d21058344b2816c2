/**
 * The client half of the agent: {@linkcode Client} (registration and heartbeats, the alloc
 * watcher, alloc and task runners, batched status updates, recovery after a restart, and the
 * {@linkcode ClientApi} of `/v1/client/...`), and the building blocks it is made of.
 *
 * - `client.ts`: `Client.start({ config, rpc, driverManifests, dataDir, logger, clock })`;
 *   its state lives in `<data_dir>/client` (Deno KV), its allocations in `<data_dir>/alloc`.
 * - `api.ts`: the `ClientApi` contract the agent's HTTP routes call.
 *
 * - `fingerprint.ts`: the {@linkcode Node} a client registers (attributes, resources,
 *   reservations, drivers, host volumes), read through an injectable {@linkcode HostProbe}.
 * - `allocdir.ts`, `alloc_fs.ts`: Nomad's allocation directory layout, and the file system
 *   API over it (list, stat, read, stream) that refuses paths leaving the allocation.
 * - `taskenv.ts`, `interpolate.ts`: every `NOMAD_*` variable of a task, and `${...}`
 *   interpolation of task configuration.
 * - `logrotate.ts`, `logpump.ts`, `logreader.ts`: rotated `<task>.stdout.N` log files, how a
 *   task's output gets there (staging files the driver appends to; see `logpump.ts`), and
 *   reading them for `alloc logs`.
 * - `restarts.ts`: the restart tracker (attempts, interval, delay with jitter, mode).
 * - `events.ts`: task events with Nomad's display messages, and task state transitions.
 *
 * This folder imports only `core/structs`, `core/rpc` and `plugins`.
 *
 * @module
 */
export { Client, type ClientConfig, type ClientLogger, type ClientStartOptions } from "./client.ts";
export type * from "./api.ts";
export { DriverUnavailableError } from "./_driver_manager.ts";
export * from "./events.ts";
export * from "./restarts.ts";
export * from "./interpolate.ts";
export * from "./taskenv.ts";
export * from "./allocdir.ts";
export * from "./alloc_fs.ts";
export * from "./logrotate.ts";
export * from "./logpump.ts";
export * from "./logreader.ts";
export * from "./fingerprint_probe.ts";
export * from "./fingerprint.ts";
