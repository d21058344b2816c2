/**
 * The running server: the state store wired to the eval broker, the scheduler workers, the plan
 * applier, blocked evaluations, heartbeats, the drainer and the garbage collector, behind the
 * {@link ServerApi} the HTTP API calls.
 *
 * @module
 */
import type { AllocClientUpdate, StateStore } from "../state/mod.ts";
import type { DrainStrategy, Job, JobDiff, Node, SchedulerConfiguration } from "../structs/mod.ts";
import { MetricsRegistry } from "../structs/metrics.ts";
import type {
  DeploymentUpdateResponse,
  EvalResponse,
  JobPlanResponse,
  JobRegisterRequest,
  JobRegisterResponse,
  JobSubmission,
  JobValidateResponse,
  NodeUpdateResponse,
  OperatorHealthReply,
  RaftConfiguration,
  RequestContext,
  ServerApi,
  ServerMember,
} from "./api.ts";
import { Peers, serverMember, splitHostPort } from "./_peers.ts";
import type {
  JobDispatchRequest,
  JobDispatchResponse,
  JobScaleRequest,
  PeriodicForceResponse,
} from "./api.ts";
import { systemClock } from "./timers.ts";
import { ServerCore, SILENT_LOGGER } from "./_core.ts";
import { AllocEndpoint } from "./_alloc_endpoint.ts";
import { DeploymentEndpoint } from "./_deployment_endpoint.ts";
import { DispatchEndpoint } from "./_dispatch_endpoint.ts";
import { collectGarbage, FORCE_GC, type GcResult } from "./_gc.ts";
import { type DeregisterOptions, JobEndpoint } from "./_job_endpoint.ts";
import { Leader } from "./_leader.ts";
import { HaLoop } from "./_ha.ts";
import { NodeEndpoint, type NodeEvalResponse } from "./_node_endpoint.ts";
import { planJob } from "./_plan_endpoint.ts";
import { scaleJob } from "./_scale_endpoint.ts";
import { defaultSchedulers, type ServerOptions } from "./_options.ts";

export type { ServerOptions };

/**
 * A server: alone, always the leader of its region; with `ha` (a log shared through etcd),
 * the leader while it holds the election and a follower of the leader's log otherwise.
 *
 * @example
 * ```ts
 * const state = await StateStore.open({ backend: await KvLogBackend.open(path) });
 * const server = Server.start({ state, region: "global", datacenter: "dc1" });
 * const { EvalID } = await server.registerJob({ Job: job }, ctx);
 * await server.stop();
 * await state.close();
 * ```
 */
export class Server implements ServerApi {
  readonly region: string;
  readonly datacenter: string;
  readonly name: string;
  readonly id: string;
  readonly rpcAddr: string;
  readonly serfAddr: string;
  readonly bootstrapExpect: number;
  readonly #core: ServerCore;
  readonly #leader: Leader;
  readonly #jobs: JobEndpoint;
  readonly #nodes: NodeEndpoint;
  readonly #allocs: AllocEndpoint;
  readonly #dispatch: DispatchEndpoint;
  readonly #deployments: DeploymentEndpoint;
  readonly #ha: HaLoop | null;
  readonly #peers: Peers;
  #running = true;
  #stopping: Promise<void> | null = null;

  private constructor(o: ServerOptions) {
    this.region = o.region ?? "global";
    this.datacenter = o.datacenter ?? "dc1";
    this.name = `${o.name ?? "nomad"}.${this.region}`;
    this.id = o.id ?? crypto.randomUUID();
    this.rpcAddr = o.rpcAddr ?? "127.0.0.1:4647";
    this.serfAddr = o.serfAddr ?? `${splitHostPort(this.rpcAddr)[0]}:4648`;
    this.bootstrapExpect = o.bootstrapExpect ?? 1;
    const numSchedulers = o.numSchedulers ?? defaultSchedulers();
    if (!Number.isInteger(numSchedulers) || numSchedulers < 1) {
      throw new RangeError(
        `Cannot start the server as 'numSchedulers' must be a positive integer: current value is ${numSchedulers}`,
      );
    }
    this.#core = new ServerCore({
      store: o.state,
      region: this.region,
      datacenter: this.datacenter,
      name: this.name,
      rpcAddr: this.rpcAddr,
      clock: o.clock ?? systemClock,
      random: o.random ?? Math.random,
      newId: o.newId ?? (() => crypto.randomUUID()),
      logger: o.logger ?? SILENT_LOGGER,
      metrics: o.metrics ?? new MetricsRegistry({ prefix: "nomad" }),
      ...(o.nackTimeoutMs === undefined ? {} : { nackTimeoutMs: o.nackTimeoutMs }),
      ...(o.minHeartbeatTtlMs === undefined ? {} : { minHeartbeatTtlMs: o.minHeartbeatTtlMs }),
      ...(o.heartbeatGraceMs === undefined ? {} : { heartbeatGraceMs: o.heartbeatGraceMs }),
      ...(o.failoverHeartbeatTtlMs === undefined
        ? {}
        : { failoverHeartbeatTtlMs: o.failoverHeartbeatTtlMs }),
      ...(o.optimistic === undefined ? {} : { optimistic: o.optimistic }),
    });
    this.#jobs = new JobEndpoint(this.#core);
    this.#nodes = new NodeEndpoint(this.#core);
    this.#allocs = new AllocEndpoint(this.#core);
    this.#leader = new Leader(this.#core, {
      numSchedulers,
      ...(o.periodicGc === undefined ? {} : { periodicGc: o.periodicGc }),
    });
    this.#dispatch = new DispatchEndpoint(this.#core, this.#leader.periodic);
    this.#deployments = new DeploymentEndpoint(this.#leader.deployments);
    this.#ha = o.ha
      ? new HaLoop({
        store: o.state,
        log: o.ha.log,
        election: o.ha.election,
        members: o.ha.members,
        bootstrapExpect: this.bootstrapExpect,
        leader: this.#leader,
        rpcAddr: this.rpcAddr,
        logger: this.#core.logger,
        ...(o.ha.retryMs === undefined ? {} : { retryMs: o.ha.retryMs }),
        ...(o.ha.onLeader === undefined ? {} : { onLeader: o.ha.onLeader }),
        member: { id: this.name, value: JSON.stringify(serverMember(this)) },
      })
      : null;
    this.#peers = new Peers(
      this,
      this.#ha && o.ha ? { records: this.#ha, members: o.ha.members } : null,
    );
  }

  /**
   * Starts a server on an open state store: restores its evaluations and runs the loops. With
   * `ha`, it follows the shared log and campaigns in the background, and runs the loops only
   * while it leads.
   */
  static start(options: ServerOptions): Server {
    const server = new Server(options);
    if (server.#ha) server.#ha.start();
    else server.#leader.start();
    return server;
  }

  /** Whether this server leads its region (always, without `ha`). */
  isLeader(): boolean {
    return this.#ha?.isLeader() ?? true;
  }

  /** Milliseconds since this server last heard from the leader (0 on the leader). */
  lastContactMs(): number {
    return this.#ha?.lastContactMs() ?? 0;
  }

  /** How many terms this server led (1 without `ha`), for tests. */
  get leaderTerms(): number {
    return this.#ha?.terms ?? 1;
  }

  /** The state store the server writes to. */
  get state(): StateStore {
    return this.#core.store;
  }

  /** The metrics the server records. */
  get metrics(): MetricsRegistry {
    return this.#core.metrics;
  }

  /** Counters of the loops, for tests and benchmarks. */
  stats(): {
    processedEvals: number;
    plansApplied: number;
    broker: ReturnType<ServerCore["broker"]["stats"]>;
    blocked: ReturnType<ServerCore["blocked"]["stats"]>;
  } {
    const core = this.#core;
    return {
      processedEvals: this.#leader.workers.reduce((n, w) => n + w.processed, 0),
      plansApplied: this.#leader.applier.applied,
      broker: core.broker.stats(),
      blocked: core.blocked.stats(),
    };
  }

  /** Stops the loops; resolves when they are idle and their writes are done. Idempotent. */
  stop(): Promise<void> {
    this.#running = false;
    this.#stopping ??= this.#ha ? this.#ha.stop() : this.#leader.stop();
    return this.#stopping;
  }

  #live(): void {
    if (!this.#running) throw new Error("Cannot serve the request: the server is stopped");
  }

  registerJob(req: JobRegisterRequest, ctx: RequestContext): Promise<JobRegisterResponse> {
    this.#live();
    return this.#jobs.register(req, ctx);
  }

  deregisterJob(
    jobId: string,
    opts: DeregisterOptions,
    ctx: RequestContext,
  ): Promise<EvalResponse> {
    this.#live();
    return this.#jobs.deregister(jobId, opts, ctx);
  }

  evaluateJob(
    jobId: string,
    opts: { forceReschedule: boolean },
    ctx: RequestContext,
  ): Promise<EvalResponse> {
    this.#live();
    return this.#jobs.evaluate(jobId, opts, ctx);
  }

  planJob(
    job: Job,
    opts: { diff: boolean; policyOverride: boolean },
    ctx: RequestContext,
  ): Promise<JobPlanResponse> {
    return Promise.resolve().then(() => planJob(this.#core, job, opts, ctx));
  }

  validateJob(job: Job, ctx: RequestContext): JobValidateResponse {
    return this.#jobs.validate(job, ctx);
  }

  revertJob(
    jobId: string,
    version: number,
    enforcePriorVersion: number | null,
    ctx: RequestContext,
  ): Promise<JobRegisterResponse> {
    this.#live();
    return this.#jobs.revert(jobId, version, enforcePriorVersion, ctx);
  }

  setJobStability(
    jobId: string,
    version: number,
    stable: boolean,
    ctx: RequestContext,
  ): Promise<{ JobModifyIndex: number; Index: number }> {
    this.#live();
    return this.#jobs.setStability(jobId, version, stable, ctx);
  }

  jobVersionDiffs(jobId: string, ctx: RequestContext): JobDiff[] {
    return this.#jobs.versionDiffs(jobId, ctx);
  }

  jobSubmission(jobId: string, version: number, ctx: RequestContext): JobSubmission | null {
    return this.#jobs.submission(jobId, version, ctx);
  }

  forcePeriodic(jobId: string, ctx: RequestContext): Promise<PeriodicForceResponse> {
    this.#live();
    return this.#dispatch.force(jobId, ctx);
  }

  dispatchJob(
    jobId: string,
    req: JobDispatchRequest,
    ctx: RequestContext,
  ): Promise<JobDispatchResponse> {
    this.#live();
    return this.#dispatch.dispatch(jobId, req, ctx);
  }

  scaleJob(jobId: string, req: JobScaleRequest, ctx: RequestContext): Promise<JobRegisterResponse> {
    this.#live();
    return scaleJob(this.#core, jobId, req, ctx);
  }

  /** The next launch of a tracked periodic job (Unix milliseconds), for tests. */
  nextPeriodicLaunch(namespace: string, jobId: string): number | undefined {
    return this.#leader.periodic.nextLaunch(namespace, jobId);
  }

  stopAlloc(
    allocId: string,
    opts: { noShutdownDelay: boolean },
    ctx: RequestContext,
  ): Promise<{ EvalID: string; Index: number }> {
    this.#live();
    return this.#allocs.stop(allocId, opts, ctx);
  }

  updateAllocsFromClient(
    updates: AllocClientUpdate[],
    ctx: RequestContext,
  ): Promise<{ Index: number }> {
    this.#live();
    return this.#allocs.updateFromClient(updates, ctx);
  }

  registerNode(node: Node, ctx: RequestContext): Promise<NodeUpdateResponse> {
    this.#live();
    return this.#nodes.register(node, ctx);
  }

  updateNodeStatus(
    nodeId: string,
    status: string,
    ctx: RequestContext,
  ): Promise<NodeUpdateResponse> {
    this.#live();
    return this.#nodes.updateStatus(nodeId, status, ctx);
  }

  updateNodeEligibility(
    nodeId: string,
    eligibility: string,
    ctx: RequestContext,
  ): Promise<NodeEvalResponse> {
    this.#live();
    return this.#nodes.updateEligibility(nodeId, eligibility, ctx);
  }

  updateNodeDrain(
    nodeId: string,
    drain: DrainStrategy | null,
    markEligible: boolean,
    ctx: RequestContext,
  ): Promise<NodeEvalResponse> {
    this.#live();
    return this.#leader.drainer.updateDrain(nodeId, drain, markEligible, ctx);
  }

  evaluateNode(nodeId: string, ctx: RequestContext): Promise<NodeEvalResponse> {
    this.#live();
    return this.#nodes.evaluate(nodeId, ctx);
  }

  purgeNode(nodeId: string, ctx: RequestContext): Promise<NodeEvalResponse> {
    this.#live();
    return this.#nodes.purge(nodeId, ctx);
  }

  failDeployment(deploymentId: string, ctx: RequestContext): Promise<DeploymentUpdateResponse> {
    this.#live();
    return this.#deployments.fail(deploymentId, ctx);
  }

  pauseDeployment(
    deploymentId: string,
    pause: boolean,
    ctx: RequestContext,
  ): Promise<DeploymentUpdateResponse> {
    this.#live();
    return this.#deployments.pause(deploymentId, pause, ctx);
  }

  promoteDeployment(
    deploymentId: string,
    opts: { all: boolean; groups: string[] },
    ctx: RequestContext,
  ): Promise<DeploymentUpdateResponse> {
    this.#live();
    return this.#deployments.promote(deploymentId, opts, ctx);
  }

  setDeploymentAllocHealth(
    deploymentId: string,
    opts: { healthy: string[]; unhealthy: string[] },
    ctx: RequestContext,
  ): Promise<DeploymentUpdateResponse> {
    this.#live();
    return this.#deployments.setAllocHealth(deploymentId, opts, ctx);
  }

  unblockDeployment(deploymentId: string, ctx: RequestContext): Promise<DeploymentUpdateResponse> {
    this.#live();
    return this.#deployments.unblock(deploymentId, ctx);
  }

  deleteEvals(evalIds: string[], ctx: RequestContext): Promise<{ Index: number }> {
    this.#live();
    return this.#allocs.deleteEvals(evalIds, ctx);
  }

  getSchedulerConfig(): { SchedulerConfig: SchedulerConfiguration; Index: number } {
    return this.#allocs.schedulerConfig();
  }

  setSchedulerConfig(
    config: SchedulerConfiguration,
    cas: number | null,
  ): Promise<{ Updated: boolean; Index: number }> {
    this.#live();
    return this.#allocs.setSchedulerConfig(config, cas);
  }

  async garbageCollect(): Promise<void> {
    this.#live();
    await this.collectGarbage();
  }

  /** Collects with every threshold at zero and says what was removed. */
  collectGarbage(): Promise<GcResult> {
    return collectGarbage(this.#core, FORCE_GC);
  }

  async reconcileSummaries(): Promise<void> {
    this.#live();
    await this.#core.commit({ type: "JobSummaryReconcile" });
  }

  members(): ServerMember[] {
    return this.#peers.members();
  }

  leader(): string {
    return this.#ha ? this.#ha.leaderAddr() : this.rpcAddr;
  }

  peers(): string[] {
    return this.raftConfiguration().Servers.map((s) => s.Address).sort();
  }

  raftConfiguration(): RaftConfiguration {
    return this.#peers.configuration(this.leader(), this.#core.store.index);
  }

  async removeRaftPeer(id: string): Promise<void> {
    this.#live();
    await this.#peers.removePeer(id);
  }

  autopilotHealth(): Promise<OperatorHealthReply> {
    return this.#peers.health({
      leader: this.leader(),
      index: this.#core.store.index,
      lastContactMs: this.lastContactMs(),
      term: this.#ha?.term() ?? 0,
    });
  }

  async forceLeave(node: string, prune: boolean): Promise<void> {
    this.#live();
    await this.#peers.forceLeave(node, prune);
  }
}
