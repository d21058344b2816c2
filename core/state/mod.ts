/**
 * The state machine: in-memory indexed tables changed only by apply(entry), immutable snapshots, blocking-query watches and the event stream, made durable by a log backend (Deno KV or etcd).
 *
 * Not built yet: issue #3.
 *
 * @module
 */
export {};
