/**
 * The cluster-wide endpoints of the API client: the agent (`/v1/agent/self`, `members`, `join`,
 * `force-leave`, `monitor`), the leader and peers (`/v1/status/...`), the scheduler
 * configuration (`/v1/operator/scheduler/configuration`), the Raft peers
 * (`/v1/operator/raft/...`), garbage collection (`/v1/system/gc`) and prefix search
 * (`/v1/search`).
 *
 * @module
 */
import type { SchedulerConfiguration } from "../../structs/mod.ts";
import type { ApiClient, QueryOptions, WriteOptions } from "./client.ts";
import { decodeFrames } from "./_frames.ts";
import { UnexpectedResponseError } from "./errors.ts";
import type {
  AgentSelf,
  JoinResponse,
  OperatorHealthReply,
  RaftConfiguration,
  SchedulerConfigurationResponse,
  SchedulerSetConfigurationResponse,
  SearchContext,
  SearchResponse,
  ServerMembers,
  StreamFrame,
} from "./types.ts";

/** What `nomad-ts monitor` asks `GET /v1/agent/monitor` for. */
export interface AgentMonitorOptions {
  /** `TRACE` ... `ERROR` (any case); `""` lets the agent pick (INFO). */
  readonly logLevel?: string;
  /** Stream this node's agent instead. */
  readonly nodeID?: string;
  /** Stream this server's log (`leader` or a server name). */
  readonly serverID?: string;
  /** One JSON object per line. */
  readonly json?: boolean;
  /** Ask for file and line information (nomad-ts accepts it but has none). */
  readonly includeLocation?: boolean;
  /** Aborting it ends the stream quietly. */
  readonly signal?: AbortSignal;
}

/** The agent endpoints (`client.agent`). */
export class Agent {
  readonly #c: ApiClient;

  constructor(client: ApiClient) {
    this.#c = client;
  }

  /** `GET /v1/agent/self`: the agent's configuration, membership and stats. */
  self(q?: QueryOptions): Promise<AgentSelf> {
    return this.#c.query<AgentSelf>("/v1/agent/self", q);
  }

  /**
   * The ID of the node this agent runs as a client: `stats.client.node_id` of
   * `/v1/agent/self`, where Nomad's `node status -self` looks.
   *
   * @throws {Error} `Error querying agent info: ...` when the agent cannot be asked,
   * `Nomad not running in client mode` for a server-only agent, `Failed to determine node ID`
   * when the client has no ID yet.
   */
  async localNodeID(q?: QueryOptions): Promise<string> {
    let self: AgentSelf;
    try {
      self = await this.self(q);
    } catch (err) {
      throw new Error(`Error querying agent info: ${(err as Error).message}`, { cause: err });
    }
    const stats = self?.stats?.client;
    if (!stats) throw new Error("Nomad not running in client mode");
    const id = stats.node_id;
    if (!id) throw new Error("Failed to determine node ID");
    return id;
  }

  /** `GET /v1/agent/members`: the servers of the gossip pool; `null` when the agent knows none. */
  members(q?: QueryOptions): Promise<ServerMembers | null> {
    return this.#c.query<ServerMembers | null>("/v1/agent/members", q);
  }

  /**
   * `PUT /v1/agent/join?address=...`: joins this server to the servers at `addresses`, as Go's
   * `Agent.Join`. Resolves with how many were joined and the agent's warning, if any.
   *
   * @throws {Error} `failed joining: <reason>` when the request or the join fails.
   */
  async join(
    addresses: readonly string[],
    w?: WriteOptions,
  ): Promise<{ joined: number; warning: string }> {
    const query = new URLSearchParams(addresses.map((a) => ["address", a]));
    let res: JoinResponse | null;
    try {
      res = await this.#c.put<JoinResponse | null>(`/v1/agent/join?${query}`, undefined, w);
    } catch (err) {
      throw new Error(`failed joining: ${(err as Error).message}`, { cause: err });
    }
    if (res?.error) throw new Error(`failed joining: ${res.error}`);
    return { joined: res?.num_joined ?? 0, warning: res?.warning ?? "" };
  }

  /** `PUT /v1/agent/force-leave?node=`: forces server `node` into the `left` state. */
  async forceLeave(node: string, opts: { prune?: boolean } = {}, w?: WriteOptions): Promise<void> {
    const query = new URLSearchParams({ node });
    if (opts.prune) query.set("prune", "1");
    await this.#c.put<unknown>(`/v1/agent/force-leave?${query}`, undefined, w);
  }

  /**
   * `GET /v1/agent/monitor`: the agent's log as frames whose `Data` holds log lines, until the
   * agent ends the stream or `opts.signal` aborts. Errors opening the stream are thrown here.
   *
   * @throws {UnexpectedResponseError} For a bad level or node (Nomad's text in the message).
   */
  async monitor(opts: AgentMonitorOptions = {}): Promise<AsyncIterable<StreamFrame>> {
    const params: Record<string, string> = {
      log_level: opts.logLevel ?? "",
      node_id: opts.nodeID ?? "",
      server_id: opts.serverID ?? "",
      log_json: String(opts.json ?? false),
      log_include_location: String(opts.includeLocation ?? false),
    };
    const signal = opts.signal;
    const body = await this.#c.rawQuery("/v1/agent/monitor", {
      params,
      ...(signal ? { signal } : {}),
    });
    return decodeFrames(body, signal);
  }
}

/** The status endpoints (`client.status`). */
export class Status {
  readonly #c: ApiClient;

  constructor(client: ApiClient) {
    this.#c = client;
  }

  /** `GET /v1/status/leader`: the leader's RPC address (`10.0.0.1:4647`), `""` when none. */
  async leader(q?: QueryOptions): Promise<string> {
    return (await this.#c.query<string | null>("/v1/status/leader", q)) ?? "";
  }

  /** The leader of `region`. */
  regionLeader(region: string): Promise<string> {
    return this.leader({ region });
  }

  /** `GET /v1/status/peers`: the RPC addresses of the Raft peers. */
  async peers(q?: QueryOptions): Promise<string[]> {
    return (await this.#c.query<string[] | null>("/v1/status/peers", q)) ?? [];
  }
}

/** The operator endpoints (`client.operator`). */
export class Operator {
  readonly #c: ApiClient;

  constructor(client: ApiClient) {
    this.#c = client;
  }

  /** `GET /v1/operator/scheduler/configuration`. */
  schedulerGetConfiguration(q?: QueryOptions): Promise<SchedulerConfigurationResponse> {
    return this.#c.query<SchedulerConfigurationResponse>("/v1/operator/scheduler/configuration", q);
  }

  /** `PUT /v1/operator/scheduler/configuration`: replaces the configuration. */
  schedulerSetConfiguration(
    config: SchedulerConfiguration,
    w?: WriteOptions,
  ): Promise<SchedulerSetConfigurationResponse> {
    return this.#c.put("/v1/operator/scheduler/configuration", config, w);
  }

  /**
   * `PUT /v1/operator/scheduler/configuration?cas=<ModifyIndex>`: replaces the configuration
   * only if it is still at `config.ModifyIndex`; `Updated` says whether it was.
   */
  schedulerCASConfiguration(
    config: SchedulerConfiguration,
    w?: WriteOptions,
  ): Promise<SchedulerSetConfigurationResponse> {
    return this.#c.put(`/v1/operator/scheduler/configuration?cas=${config.ModifyIndex}`, config, w);
  }

  /**
   * `GET /v1/operator/raft/configuration`: the servers of the Raft configuration; with
   * `q.stale` any server answers, for when the region has no leader.
   */
  raftGetConfiguration(q?: QueryOptions): Promise<RaftConfiguration> {
    return this.#c.query<RaftConfiguration>("/v1/operator/raft/configuration", q);
  }

  /**
   * `GET /v1/operator/autopilot/health`: each server's health and the backend's. An unhealthy
   * region answers 429 with the same body, which is an answer here, not an error.
   */
  async autopilotServerHealth(q?: QueryOptions): Promise<OperatorHealthReply> {
    try {
      return await this.#c.query<OperatorHealthReply>("/v1/operator/autopilot/health", q);
    } catch (err) {
      if (!(err instanceof UnexpectedResponseError) || err.statusCode !== 429) throw err;
      return JSON.parse(err.body) as OperatorHealthReply;
    }
  }

  /**
   * `DELETE /v1/operator/raft/peer?id=`: removes the failed server whose Raft ID is `id`.
   *
   * @throws {UnexpectedResponseError} 404 when no server has that ID, 409 when it is alive.
   */
  async raftRemovePeerByID(id: string, w?: WriteOptions): Promise<void> {
    await this.#c.delete<unknown>(`/v1/operator/raft/peer?${new URLSearchParams({ id })}`, w);
  }
}

/** The system endpoints (`client.system`). */
export class System {
  readonly #c: ApiClient;

  constructor(client: ApiClient) {
    this.#c = client;
  }

  /** `PUT /v1/system/gc`: starts a garbage collection of jobs, evals, allocs and nodes. */
  async garbageCollect(w?: WriteOptions): Promise<void> {
    await this.#c.put<unknown>("/v1/system/gc", {}, w);
  }

  /** `PUT /v1/system/reconcile/summaries`: recomputes every job summary. */
  async reconcileSummaries(w?: WriteOptions): Promise<void> {
    await this.#c.put<unknown>("/v1/system/reconcile/summaries", {}, w);
  }
}

/** The search endpoint (`client.search`). */
export class Search {
  readonly #c: ApiClient;

  constructor(client: ApiClient) {
    this.#c = client;
  }

  /** `PUT /v1/search`: the IDs starting with `prefix`, by context. */
  prefixSearch(prefix: string, context: SearchContext, q?: QueryOptions): Promise<SearchResponse> {
    return this.#c.putQuery<SearchResponse>("/v1/search", { Prefix: prefix, Context: context }, q);
  }
}
