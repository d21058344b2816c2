/**
 * The server: the state store wired to the eval broker, the scheduler workers, the plan
 * applier, blocked evaluations, heartbeats, node drains and garbage collection, behind the
 * {@link ServerApi} that the HTTP API (and later the RPC layer) calls.
 *
 * @example
 * ```ts
 * const state = await StateStore.open({ backend: await KvLogBackend.open(path) });
 * const server = Server.start({ state, region: "global", datacenter: "dc1" });
 * await server.registerNode(node, ctx);
 * const { EvalID } = await server.registerJob({ Job: job }, ctx);
 * await server.stop();
 * await state.close();
 * ```
 *
 * @module
 */
export * from "./api.ts";
export { Server, type ServerOptions } from "./server.ts";
export { type ServerLogger, SILENT_LOGGER } from "./_core.ts";
export {
  FORCE_GC,
  GC_INTERVAL_MS,
  GC_THRESHOLDS,
  type GcResult,
  type GcThresholds,
} from "./_gc.ts";
export { evaluateNodePlan, evaluatePlan, type NodeFit } from "./_plan_check.ts";
export * from "./eval_broker.ts";
export * from "./eval_broker_types.ts";
export * from "./eval_broker_failed.ts";
export * from "./blocked_evals.ts";
export * from "./heartbeat.ts";
export * from "./plan_queue.ts";
export * from "./timers.ts";
export { EtcdHaElection, type EtcdHaElectionOptions } from "./_ha_etcd.ts";
