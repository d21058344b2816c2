/**
 * The evaluation, node and deployment endpoints of the API client, with Nomad's paths and
 * result order (lists newest first, as the Go client sorts them). Allocations have their own
 * file (`allocations.ts`).
 *
 * @module
 */
import type { Allocation, Deployment, Node } from "../../structs/mod.ts";
import type { ApiClient, QueryOptions, WriteOptions } from "./client.ts";
import type {
  AllocationListStub,
  ApiEvaluation,
  DeploymentUpdateResponse,
  DrainOptions,
  HostStats,
  NodeListStub,
  NodeUpdateResponse,
} from "./types.ts";

const byCreateIndexDesc = <T extends { CreateIndex: number }>(a: T, b: T) =>
  b.CreateIndex - a.CreateIndex;

const esc = encodeURIComponent;

/** The evaluation endpoints (`client.evaluations`). */
export class Evaluations {
  readonly #c: ApiClient;

  constructor(client: ApiClient) {
    this.#c = client;
  }

  /** `GET /v1/evaluations`, newest first. */
  async list(q?: QueryOptions): Promise<ApiEvaluation[]> {
    const res = await this.#c.query<ApiEvaluation[] | null>("/v1/evaluations", q);
    return (res ?? []).sort(byCreateIndexDesc);
  }

  /** The evaluations whose ID starts with `prefix`. */
  prefixList(prefix: string, q: QueryOptions = {}): Promise<ApiEvaluation[]> {
    return this.list({ ...q, prefix });
  }

  /** `GET /v1/evaluation/:id?related=true`: the evaluation with its related evaluations. */
  info(evalID: string, q?: QueryOptions): Promise<ApiEvaluation> {
    return this.#c.query<ApiEvaluation>(`/v1/evaluation/${esc(evalID)}?related=true`, q);
  }

  /** `GET /v1/evaluation/:id/allocations`: what the evaluation placed, newest first. */
  async allocations(evalID: string, q?: QueryOptions): Promise<AllocationListStub[]> {
    const res = await this.#c.query<AllocationListStub[] | null>(
      `/v1/evaluation/${esc(evalID)}/allocations`,
      q,
    );
    return (res ?? []).sort(byCreateIndexDesc);
  }
}

/** The node endpoints (`client.nodes`). */
export class Nodes {
  readonly #c: ApiClient;

  constructor(client: ApiClient) {
    this.#c = client;
  }

  /** `GET /v1/nodes`, newest first. */
  async list(q?: QueryOptions): Promise<NodeListStub[]> {
    const res = await this.#c.query<NodeListStub[] | null>("/v1/nodes", q);
    return (res ?? []).sort(byCreateIndexDesc);
  }

  /** The nodes whose ID starts with `prefix`. */
  prefixList(prefix: string, q: QueryOptions = {}): Promise<NodeListStub[]> {
    return this.list({ ...q, prefix });
  }

  /** `GET /v1/node/:id`. */
  info(nodeID: string, q?: QueryOptions): Promise<Node> {
    return this.#c.query<Node>(`/v1/node/${esc(nodeID)}`, q);
  }

  /** `GET /v1/node/:id/allocations`: the node's allocations, newest first. */
  async allocations(nodeID: string, q?: QueryOptions): Promise<Allocation[]> {
    const res = await this.#c.query<Allocation[] | null>(
      `/v1/node/${esc(nodeID)}/allocations`,
      q,
    );
    return (res ?? []).sort(byCreateIndexDesc);
  }

  /** `PUT /v1/node/:id/eligibility`: marks the node eligible or ineligible for placements. */
  toggleEligibility(
    nodeID: string,
    eligible: boolean,
    w?: WriteOptions,
  ): Promise<NodeUpdateResponse> {
    return this.#c.put<NodeUpdateResponse>(`/v1/node/${esc(nodeID)}/eligibility`, {
      NodeID: nodeID,
      Eligibility: eligible ? "eligible" : "ineligible",
    }, w);
  }

  /** `PUT /v1/node/:id/drain`: starts, changes or (with a `null` spec) cancels a drain. */
  updateDrain(nodeID: string, opts: DrainOptions, w?: WriteOptions): Promise<NodeUpdateResponse> {
    return this.#c.put<NodeUpdateResponse>(`/v1/node/${esc(nodeID)}/drain`, {
      NodeID: nodeID,
      ...opts,
    }, w);
  }

  /** `PUT /v1/node/:id/purge`: removes the node from the servers' state. */
  purge(nodeID: string, w?: WriteOptions): Promise<NodeUpdateResponse> {
    return this.#c.put<NodeUpdateResponse>(`/v1/node/${esc(nodeID)}/purge`, undefined, w);
  }

  /** `GET /v1/client/stats?node_id=`: the host's usage, answered by the node's client. */
  stats(nodeID: string, q?: QueryOptions): Promise<HostStats> {
    return this.#c.query<HostStats>(`/v1/client/stats?node_id=${esc(nodeID)}`, q);
  }
}

/** The deployment endpoints (`client.deployments`). */
export class Deployments {
  readonly #c: ApiClient;

  constructor(client: ApiClient) {
    this.#c = client;
  }

  /** `GET /v1/deployments`, newest first. */
  async list(q?: QueryOptions): Promise<Deployment[]> {
    const res = await this.#c.query<Deployment[] | null>("/v1/deployments", q);
    return (res ?? []).sort(byCreateIndexDesc);
  }

  /** The deployments whose ID starts with `prefix`. */
  prefixList(prefix: string, q: QueryOptions = {}): Promise<Deployment[]> {
    return this.list({ ...q, prefix });
  }

  /** `GET /v1/deployment/:id`. */
  info(deploymentID: string, q?: QueryOptions): Promise<Deployment> {
    return this.#c.query<Deployment>(`/v1/deployment/${esc(deploymentID)}`, q);
  }

  /** `GET /v1/deployment/allocations/:id`: the deployment's allocations, newest first. */
  async allocations(deploymentID: string, q?: QueryOptions): Promise<AllocationListStub[]> {
    const res = await this.#c.query<AllocationListStub[] | null>(
      `/v1/deployment/allocations/${esc(deploymentID)}`,
      q,
    );
    return (res ?? []).sort(byCreateIndexDesc);
  }

  #write(verb: string, id: string, body: object, w?: WriteOptions) {
    return this.#c.put<DeploymentUpdateResponse>(
      `/v1/deployment/${verb}/${esc(id)}`,
      { DeploymentID: id, ...body },
      w,
    );
  }

  /** `PUT /v1/deployment/fail/:id`: marks the deployment failed (auto-reverting if set). */
  fail(deploymentID: string, w?: WriteOptions): Promise<DeploymentUpdateResponse> {
    return this.#write("fail", deploymentID, {}, w);
  }

  /** `PUT /v1/deployment/pause/:id`: pauses (`pause`) or resumes the deployment. */
  pause(deploymentID: string, pause: boolean, w?: WriteOptions): Promise<DeploymentUpdateResponse> {
    return this.#write("pause", deploymentID, { Pause: pause }, w);
  }

  /** `PUT /v1/deployment/promote/:id` for every group. */
  promoteAll(deploymentID: string, w?: WriteOptions): Promise<DeploymentUpdateResponse> {
    return this.#write("promote", deploymentID, { All: true }, w);
  }

  /** `PUT /v1/deployment/promote/:id` for some groups. */
  promoteGroups(
    deploymentID: string,
    groups: readonly string[],
    w?: WriteOptions,
  ): Promise<DeploymentUpdateResponse> {
    return this.#write("promote", deploymentID, { Groups: groups }, w);
  }

  /** `PUT /v1/deployment/unblock/:id` (multiregion deployments). */
  unblock(deploymentID: string, w?: WriteOptions): Promise<DeploymentUpdateResponse> {
    return this.#write("unblock", deploymentID, {}, w);
  }

  /** `PUT /v1/deployment/allocation-health/:id`: sets allocations' health by hand. */
  setAllocHealth(
    deploymentID: string,
    healthy: readonly string[],
    unhealthy: readonly string[],
    w?: WriteOptions,
  ): Promise<DeploymentUpdateResponse> {
    return this.#write("allocation-health", deploymentID, {
      HealthyAllocationIDs: healthy,
      UnhealthyAllocationIDs: unhealthy,
    }, w);
  }
}
