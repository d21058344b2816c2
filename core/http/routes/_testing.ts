/**
 * Test fixtures of the `/v1` routes: the real server on a memory state store (its eval broker
 * paused unless asked, so tests control what is placed), an agent description, and an app
 * over them. Placements are made with the state's own fixtures (`planEntry`).
 *
 * @module
 */
import type { Hono } from "hono";
import { Server } from "../../server/mod.ts";
import { sequentialIds } from "../../server/server_testing.ts";
import { mockAlloc, mockNode, planEntry } from "../../state/_testing.ts";
import { DEFAULT_SCHEDULER_CONFIG, MemoryLogBackend, StateStore } from "../../state/mod.ts";
import { type Allocation, type Deployment, DeploymentSpec, zero } from "../../structs/mod.ts";
import { MetricsRegistry } from "../../structs/metrics.ts";
import { recordingLogger } from "../_testing.ts";
import { createApi } from "../api.ts";
import type { AgentInfo, RouteDeps } from "./deps.ts";

/** An agent description for tests: a fixed config and stats, no client. */
export function testAgent(edit: Partial<AgentInfo> = {}): AgentInfo {
  return {
    config: () => ({ Region: "global", Datacenter: "dc1", NodeName: "test" }),
    stats: () => ({ nomad: { server: "true", leader: "true" } }),
    prometheusMetrics: true,
    ...edit,
  };
}

/** What {@link testApi} builds: the app, its server and state, and how to stop them. */
export interface TestApi extends AsyncDisposable {
  readonly app: Hono;
  readonly state: StateStore;
  readonly server: Server;
  readonly deps: RouteDeps;
  /** Stops the server and closes the state store. */
  close(): Promise<void>;
}

/** Options of {@link testApi}. */
export interface TestApiOptions extends Partial<Omit<RouteDeps, "state" | "server">> {
  /**
   * Let the server schedule (default false: the eval broker is paused, so evaluations stay
   * pending and allocations placed by {@link place} stay as they are).
   */
  readonly scheduling?: boolean;
}

/**
 * An app over the real server on a fresh memory state store, with sequential IDs and no
 * periodic garbage collection. Use with `await using`, or call `close()`.
 */
export async function testApi(opts: TestApiOptions = {}): Promise<TestApi> {
  const { scheduling = false, ...edit } = opts;
  const state = await StateStore.open({ backend: new MemoryLogBackend(), freeze: true });
  if (!scheduling) {
    await state.apply({
      type: "SchedulerConfig",
      config: { ...DEFAULT_SCHEDULER_CONFIG, PauseEvalBroker: true },
    });
  }
  const server = Server.start({
    state,
    name: "test",
    numSchedulers: 1,
    newId: sequentialIds(),
    periodicGc: false,
  });
  const deps: RouteDeps = {
    server,
    state,
    metrics: new MetricsRegistry(),
    agent: testAgent(),
    logger: recordingLogger(),
    ...edit,
  };
  const close = async () => {
    await server.stop();
    await state.close();
  };
  return { app: createApi(deps), state, server, deps, close, [Symbol.asyncDispose]: close };
}

/** What {@link place} puts on a node. */
export interface Placement {
  readonly node: string;
  readonly ids: readonly string[];
  readonly alloc?: Partial<Allocation>;
  readonly deployment?: Partial<Deployment>;
}

/**
 * Commits a plan for a stored job placing allocations `ids` on `node` (registered first when
 * unknown), optionally with a deployment; resolves with the log index.
 */
export async function place(
  state: StateStore,
  namespace: string,
  jobId: string,
  p: Placement,
): Promise<number> {
  const snap = state.snapshot();
  const job = snap.job(namespace, jobId);
  if (job === undefined) throw new Error(`place(): job ${namespace}/${jobId} is not stored`);
  if (snap.node(p.node) === undefined) {
    await state.apply({ type: "NodeRegister", node: mockNode(p.node) });
  }
  const evalId = state.snapshot().evalsByJob(namespace, jobId)[0]?.ID ?? "e1";
  const allocs = p.ids.map((id, i) =>
    mockAlloc(id, job, p.node, {
      EvalID: evalId,
      Name: `${jobId}.web[${i}]`,
      NodeName: `node-${p.node}`,
      ...p.alloc,
    })
  );
  const deployment: Deployment | null = p.deployment === undefined ? null : {
    ...zero(DeploymentSpec),
    Namespace: namespace,
    JobID: jobId,
    JobVersion: job.Version ?? 0,
    JobCreateIndex: job.CreateIndex ?? 0,
    JobModifyIndex: job.JobModifyIndex ?? 0,
    Status: "running",
    ...p.deployment,
  };
  const applied = await state.apply(
    planEntry(job, evalId, allocs, deployment === null ? {} : { Deployment: deployment }),
  );
  return applied.index;
}

/** A job as an API client sends it: valid once canonicalized. */
export function apiJob(id: string, edit: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ID: id,
    Name: id,
    Type: "service",
    Datacenters: ["dc1"],
    TaskGroups: [{
      Name: "web",
      Count: 1,
      Tasks: [{ Name: "app", Driver: "raw_exec", Config: { command: "/bin/sleep" } }],
    }],
    ...edit,
  };
}

/** A JSON request of `method` with `body`. */
export function send(method: string, body?: unknown): RequestInit {
  return body === undefined ? { method } : { method, body: JSON.stringify(body) };
}
