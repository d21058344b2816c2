/**
 * The client↔server contract: what a client asks of the servers (Nomad's `Node.Register`,
 * `Node.UpdateStatus`, `Node.GetClientAllocs`, `Alloc.GetAllocs` and `Node.UpdateAlloc`), as
 * one interface with two implementations — over HTTP against a server's `/v1/internal/*`
 * endpoints (`HttpServerRpc`), and in the same process over a server object
 * (`InProcessServerRpc`, for the dev agent and tests).
 *
 * Errors are the domain errors of core/structs/errors.ts when the server answered (a
 * `NotFoundError` for an unknown node or allocation, `ValidationError`, `PermissionDeniedError`
 * for a wrong node secret), and {@linkcode RpcError} when no server could answer.
 *
 * @module
 */
import type { Allocation, Node, TaskState } from "../structs/mod.ts";

/** A server as a registration or heartbeat lists it. */
export interface RpcServerInfo {
  /** Its RPC address, `ip:port`. */
  RPCAdvertiseAddr: string;
  /** The RPC protocol's major version. */
  RPCMajorVersion: number;
  /** The RPC protocol's minor version. */
  RPCMinorVersion: number;
  /** The server's datacenter. */
  Datacenter: string;
}

/** What a registration or a heartbeat answers (Nomad's `NodeUpdateResponse`). */
export interface NodeUpdateResult {
  /** How long the server waits for the next heartbeat, in nanoseconds (0: none expected). */
  HeartbeatTTL: number;
  /** Evaluations the update created. */
  EvalIDs: string[] | null;
  /** The index those evaluations were created at. */
  EvalCreateIndex: number;
  /** The index of the node's write (0 when nothing changed). */
  NodeModifyIndex: number;
  /** The leader's RPC address. */
  LeaderRPCAddr: string;
  /** How many nodes the cluster has. */
  NumNodes: number;
  /** The servers of the region. */
  Servers: RpcServerInfo[] | null;
  /** The index of the answer. */
  Index: number;
}

/** The allocations a node should know about: ID → `AllocModifyIndex`. */
export interface ClientAllocsResult {
  /** Every allocation placed on the node (terminal ones too, until collected). */
  allocs: Record<string, number>;
  /** The index to ask with next. */
  index: number;
}

/** Allocations pulled by ID. */
export interface AllocsResult {
  /** The allocations, with their jobs. */
  allocs: Allocation[];
  /** The index of the read. */
  index: number;
}

/** A client's report on one allocation (the fields of `Node.UpdateAlloc` the server reads). */
export interface AllocUpdate {
  /** The allocation. */
  ID: string;
  /** The reporting node. */
  NodeID: string;
  /** `pending`, `running`, `complete`, `failed`. */
  ClientStatus: string;
  /** `Tasks are running`, `All tasks have completed`, `Failed tasks`, ... */
  ClientDescription: string;
  /** Every task's state. */
  TaskStates: Record<string, TaskState> | null;
  /** The allocation's health for its deployment. */
  DeploymentStatus: Allocation["DeploymentStatus"];
  /** The allocation's network (bridge/CNI); `null` on host networking. */
  NetworkStatus: Allocation["NetworkStatus"];
  /** When the client made the report, in Unix nanoseconds. */
  ModifyTime: number;
}

/** Options of every call. */
export interface RpcCallOptions {
  /** The node's `SecretID` (or an ACL token). */
  token?: string;
  /** Abandons the call. */
  signal?: AbortSignal;
}

/** Options of a blocking call. */
export interface BlockingCallOptions extends RpcCallOptions {
  /** The longest the server holds the call, in milliseconds; default 5 minutes. */
  waitMs?: number;
}

/** Options of {@linkcode ServerRpc.getAllocs}. */
export interface GetAllocsOptions extends RpcCallOptions {
  /** Answer only with data at least this new. */
  minIndex?: number;
}

/** What a client asks of the servers. */
export interface ServerRpc {
  /** `Node.Register`: registers the node, or updates its registration. */
  registerNode(node: Node, opts?: RpcCallOptions): Promise<NodeUpdateResult>;
  /** `Node.UpdateStatus`: a heartbeat (`ready`), or a status change. */
  updateStatus(nodeId: string, status: string, opts?: RpcCallOptions): Promise<NodeUpdateResult>;
  /**
   * `Node.GetClientAllocs`: the node's allocations once their index passes `minIndex`, or
   * when the wait runs out (then `index` may be `minIndex` again). Rejects with the signal's
   * reason when `opts.signal` aborts.
   */
  getClientAllocs(
    nodeId: string,
    minIndex: number,
    opts?: BlockingCallOptions,
  ): Promise<ClientAllocsResult>;
  /** `Alloc.GetAllocs`: the allocations with these IDs; `NotFoundError` when one is unknown. */
  getAllocs(ids: readonly string[], opts?: GetAllocsOptions): Promise<AllocsResult>;
  /** `Node.UpdateAlloc`: a batch of allocation reports. */
  updateAllocs(updates: readonly AllocUpdate[], opts?: RpcCallOptions): Promise<{ index: number }>;
  /** The servers this client talks to (`ip:port`). */
  servers(): string[];
  /** Replaces the servers this client talks to. */
  setServers(addresses: readonly string[]): void;
  /** Frees connections. */
  close(): void;
}

/** No server answered a call (every address failed), or one answered with a server error. */
export class RpcError extends Error {
  override readonly name = "RpcError";
  /** The HTTP status of the last answer, or 0 when no server could be reached. */
  readonly status: number;
  /** The call (`Node.Register`, ...). */
  readonly method: string;
  constructor(method: string, status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.method = method;
    this.status = status;
  }
}
