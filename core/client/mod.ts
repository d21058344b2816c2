/**
 * The client: fingerprinting, node registration and heartbeats, alloc and task runners, recovery after a restart.
 *
 * Not built yet: issue #4.
 *
 * @module
 */
export {};
