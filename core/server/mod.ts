/**
 * The server loops: eval broker, scheduler workers, plan applier, heartbeats, deployments, periodic dispatch, GC.
 *
 * Not built yet: issue #3.
 *
 * @module
 */
export {};
