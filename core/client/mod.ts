/**
 * The client half of the agent: the building blocks the alloc and task runners are made of.
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
