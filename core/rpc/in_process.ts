/**
 * {@linkcode ServerRpc} in the same process as the server (the dev agent, tests): calls go
 * straight to the server's methods and its state store, with no HTTP in between. The server
 * and the store are taken structurally (this folder does not import core/server), so anything
 * shaped like them will do.
 *
 * What crosses is copied (`structuredClone`) both ways, as it would be over the network: the
 * client never holds objects of the state store, and the store never holds the client's.
 *
 * @example
 * ```ts
 * const rpc = new InProcessServerRpc({ server, state });
 * const client = await Client.start({ config, rpc, driverManifests, dataDir });
 * ```
 *
 * @module
 */
import { NotFoundError, PermissionDeniedError } from "../structs/errors.ts";
import type { Allocation, Node } from "../structs/mod.ts";
import type {
  AllocsResult,
  AllocUpdate,
  BlockingCallOptions,
  ClientAllocsResult,
  GetAllocsOptions,
  NodeUpdateResult,
  RpcCallOptions,
  ServerRpc,
} from "./server_rpc.ts";

/** Where a request comes from (the server's `RequestContext`). */
export interface InProcessContext {
  readonly namespace: string;
  readonly region: string;
  readonly token: string;
}

/** The server methods the client calls (a subset of core/server's `ServerApi`). */
export interface InProcessServer {
  readonly region: string;
  readonly rpcAddr: string;
  registerNode(node: Node, ctx: InProcessContext): Promise<NodeUpdateResult>;
  updateNodeStatus(
    nodeId: string,
    status: string,
    ctx: InProcessContext,
  ): Promise<NodeUpdateResult>;
  updateAllocsFromClient(updates: AllocUpdate[], ctx: InProcessContext): Promise<{ Index: number }>;
}

/** A read view of the state (a subset of core/state's `StateSnapshot`). */
export interface InProcessSnapshot {
  tableIndex(name: "allocs"): number;
  node(id: string): Node | undefined;
  allocsByNode(nodeId: string): readonly Allocation[];
  alloc(id: string): Allocation | undefined;
}

/** The state store (a subset of core/state's `StateStore`). */
export interface InProcessState {
  snapshot(): InProcessSnapshot;
  waitForIndex(
    tables: readonly "allocs"[],
    minIndex: number,
    signal?: AbortSignal,
  ): Promise<number>;
}

/** Options of {@linkcode InProcessServerRpc}. */
export interface InProcessRpcOptions {
  /** The server. */
  server: InProcessServer;
  /** Its state store. */
  state: InProcessState;
}

const DEFAULT_WAIT_MS = 300_000;

/** {@linkcode ServerRpc} over a server in the same process. */
export class InProcessServerRpc implements ServerRpc {
  readonly #server: InProcessServer;
  readonly #state: InProcessState;

  constructor(opts: InProcessRpcOptions) {
    this.#server = opts.server;
    this.#state = opts.state;
  }

  #ctx(token = ""): InProcessContext {
    return { namespace: "default", region: this.#server.region, token };
  }

  servers(): string[] {
    return [this.#server.rpcAddr];
  }

  setServers(_addresses: readonly string[]): void {
    // The server is in this process: there is nothing else to talk to.
  }

  close(): void {}

  async registerNode(node: Node, opts: RpcCallOptions = {}): Promise<NodeUpdateResult> {
    opts.signal?.throwIfAborted();
    const out = await this.#server.registerNode(
      structuredClone(node),
      this.#ctx(opts.token ?? node.SecretID),
    );
    return structuredClone(out);
  }

  async updateStatus(
    nodeId: string,
    status: string,
    opts: RpcCallOptions = {},
  ): Promise<NodeUpdateResult> {
    opts.signal?.throwIfAborted();
    return structuredClone(
      await this.#server.updateNodeStatus(nodeId, status, this.#ctx(opts.token)),
    );
  }

  #checkSecret(nodeId: string, token: string | undefined): void {
    const node = this.#state.snapshot().node(nodeId);
    if (node !== undefined && node.SecretID !== "" && token !== node.SecretID) {
      throw new PermissionDeniedError(
        `Permission denied: the token is not the secret ID of node ${nodeId}`,
      );
    }
  }

  async getClientAllocs(
    nodeId: string,
    minIndex: number,
    opts: BlockingCallOptions = {},
  ): Promise<ClientAllocsResult> {
    opts.signal?.throwIfAborted();
    this.#checkSecret(nodeId, opts.token);
    const deadline = AbortSignal.timeout(opts.waitMs ?? DEFAULT_WAIT_MS);
    const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
    let known = -1;
    for (;;) {
      const snap = this.#state.snapshot();
      const list = snap.node(nodeId) === undefined ? [] : snap.allocsByNode(nodeId);
      const allocs: Record<string, number> = {};
      let index = 0;
      for (const a of list) {
        allocs[a.ID] = a.AllocModifyIndex;
        index = Math.max(index, a.ModifyIndex);
      }
      // As the HTTP endpoint: no allocations, the first read, or fewer than before (some were
      // collected) report the table's index.
      if (list.length === 0 || known < 0 || list.length < known) {
        index = snap.tableIndex("allocs");
      }
      known = list.length;
      index = Math.max(index, 1);
      if (index > minIndex || signal.aborted) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        return { allocs, index };
      }
      try {
        await this.#state.waitForIndex(["allocs"], snap.tableIndex("allocs"), signal);
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        if (!deadline.aborted) throw err;
      }
    }
  }

  async getAllocs(ids: readonly string[], opts: GetAllocsOptions = {}): Promise<AllocsResult> {
    opts.signal?.throwIfAborted();
    await Promise.resolve();
    const snap = this.#state.snapshot();
    let index = 0;
    const allocs = ids.map((id) => {
      const alloc = snap.alloc(id);
      if (alloc === undefined) throw new NotFoundError(`Unknown allocation ${JSON.stringify(id)}`);
      index = Math.max(index, alloc.ModifyIndex);
      return structuredClone(alloc);
    });
    return { allocs, index: Math.max(index, snap.tableIndex("allocs")) };
  }

  async updateAllocs(
    updates: readonly AllocUpdate[],
    opts: RpcCallOptions = {},
  ): Promise<{ index: number }> {
    opts.signal?.throwIfAborted();
    const out = await this.#server.updateAllocsFromClient(
      structuredClone([...updates]),
      this.#ctx(opts.token),
    );
    return { index: out.Index };
  }
}
