/**
 * The cluster-wide endpoints of the API client: the agent (`/v1/agent/self`, `members`), the
 * leader and peers (`/v1/status/...`), the scheduler configuration
 * (`/v1/operator/scheduler/configuration`), garbage collection (`/v1/system/gc`) and prefix
 * search (`/v1/search`).
 *
 * @module
 */
import type { SchedulerConfiguration } from "../../structs/mod.ts";
import type { ApiClient, QueryOptions, WriteOptions } from "./client.ts";
import type {
  AgentSelf,
  SchedulerConfigurationResponse,
  SchedulerSetConfigurationResponse,
  SearchContext,
  SearchResponse,
  ServerMembers,
} from "./types.ts";

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
