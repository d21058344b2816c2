/**
 * The client↔server contract ({@linkcode ServerRpc}): registration, heartbeats, the node's
 * allocations (a blocking query, then a pull of what changed) and batched allocation status
 * updates, in Nomad's RPC shapes. Two implementations: {@linkcode HttpServerRpc} over the
 * servers' `/v1/internal/*` HTTP endpoints (failover across addresses, retries with backoff,
 * TLS), and {@linkcode InProcessServerRpc} over a server in the same process (dev agent).
 *
 * This folder imports only `core/structs`.
 *
 * @module
 */
export * from "./server_rpc.ts";
export { type HttpRpcOptions, type HttpRpcTls, HttpServerRpc } from "./http.ts";
export {
  type InProcessContext,
  type InProcessRpcOptions,
  type InProcessServer,
  InProcessServerRpc,
  type InProcessSnapshot,
  type InProcessState,
} from "./in_process.ts";
