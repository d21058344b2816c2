/**
 * The real server behind the real `/v1` API on a local port, for CLI tests of deployments: the
 * server runs on a fake clock that a background loop moves forward (so the deployment watcher's
 * batching and deadlines pass in milliseconds), and stand-ins for the clients report the
 * allocations of active deployments healthy, or unhealthy, or not at all.
 *
 * @module
 */
import { createApi } from "../../http/api.ts";
import { recordingLogger } from "../../http/_testing.ts";
import { testAgent } from "../../http/routes/_testing.ts";
import { FakeClock } from "../../server/clock_testing.ts";
import { goTime } from "../../server/deployment_testing.ts";
import { CTX, simNode } from "../../server/server_testing.ts";
import { Server } from "../../server/server.ts";
import type { AllocClientUpdate } from "../../state/mod.ts";
import { MemoryLogBackend, StateStore } from "../../state/mod.ts";
import { MetricsRegistry } from "../../structs/metrics.ts";
import type { Allocation, Deployment } from "../../structs/mod.ts";

/** What the simulated clients say about new allocations of active deployments. */
export type Health = "healthy" | "unhealthy" | "silent";

/** A {@link Health} for all allocations, or one chosen per allocation. */
export type HealthPolicy = Health | ((alloc: Allocation) => Health);

/** A served server whose clients report deployment health; dispose it with `await using`. */
export interface DeploymentAgent extends AsyncDisposable {
  readonly server: Server;
  readonly state: StateStore;
  readonly clock: FakeClock;
  /** The environment a CLI run needs to reach the agent. */
  readonly env: Record<string, string>;
  /** What the clients report from now on (default `healthy`). */
  health: HealthPolicy;
}

const YEAR_MS = 365 * 24 * 3600_000;

/** Serves a server with `nodes` ready nodes on 127.0.0.1 (a free port). */
export async function deploymentAgent(nodes = 2): Promise<DeploymentAgent> {
  const clock = new FakeClock(Date.now());
  const state = await StateStore.open({ backend: new MemoryLogBackend(), freeze: true });
  const server = Server.start({
    state,
    clock,
    name: "test",
    numSchedulers: 1,
    periodicGc: false,
    minHeartbeatTtlMs: YEAR_MS,
    heartbeatGraceMs: YEAR_MS,
  });
  for (let i = 0; i < nodes; i++) await server.registerNode(simNode(i), CTX);
  const app = createApi({
    server,
    state,
    metrics: new MetricsRegistry(),
    agent: testAgent({ config: () => ({ UI: { ShowCLIHints: false } }) }),
    logger: recordingLogger(),
  });
  const http = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const agent: DeploymentAgent = {
    server,
    state,
    clock,
    env: { NOMAD_ADDR: `http://127.0.0.1:${http.addr.port}`, TZ: "UTC" },
    health: "healthy",
    [Symbol.asyncDispose]: async () => {
      clearInterval(ticker);
      await busy;
      await http.shutdown();
      await server.stop();
      await state.close();
    },
  };
  let busy: Promise<void> | null = null;
  const tick = async () => {
    await report(agent);
    clock.advance(500);
  };
  const ticker = setInterval(() => {
    busy ??= tick().catch(() => {}).finally(() => busy = null);
  }, 10);
  return agent;
}

/** Reports every allocation of an active deployment that has no health yet. */
async function report(agent: DeploymentAgent): Promise<void> {
  const snap = agent.state.snapshot();
  const byNode = new Map<string, AllocClientUpdate[]>();
  for (const d of snap.deployments()) {
    if (d.Status !== "running") continue;
    for (const a of snap.allocsByDeployment(d.ID)) {
      if (a.DesiredStatus !== "run" || (a.DeploymentStatus?.Healthy ?? null) !== null) continue;
      const health = typeof agent.health === "function" ? agent.health(a) : agent.health;
      if (health === "silent") continue;
      const healthy = health === "healthy";
      const list = byNode.get(a.NodeID) ?? [];
      list.push({
        ID: a.ID,
        NodeID: a.NodeID,
        ClientStatus: healthy ? "running" : "failed",
        ClientDescription: "",
        TaskStates: null,
        DeploymentStatus: {
          Healthy: healthy,
          Timestamp: goTime(agent.clock.now()),
          Canary: a.DeploymentStatus?.Canary ?? false,
          ModifyIndex: 0,
        },
        NetworkStatus: null,
      });
      byNode.set(a.NodeID, list);
    }
  }
  for (const updates of byNode.values()) await agent.server.updateAllocsFromClient(updates, CTX);
}

/** A job file of a service job `name` with an update block; `version` changes the task. */
export function deploymentJobFile(
  name: string,
  opts: { count?: number; version?: string; update?: string; group?: string } = {},
): string {
  return `job "${name}" {
  datacenters = ["dc1"]

  group "web" {
    count = ${opts.count ?? 2}
${opts.group ?? ""}
    update {
      max_parallel      = 1
      min_healthy_time  = "1s"
      healthy_deadline  = "1m"
      progress_deadline = "2m"
${opts.update ?? ""}
    }

    task "app" {
      driver = "exec"

      config {
        command = "/bin/app"
      }

      env {
        VERSION = "${opts.version ?? "1"}"
      }

      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
`;
}

/** Replaces times (`2024-01-01T00:00:00Z`) with `<time>`. */
export function withoutTimes(text: string): string {
  return text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/g, "<time>");
}

/** Waits until the latest deployment of `job` passes `probe`. */
export async function waitForDeployment(
  agent: DeploymentAgent,
  job: string,
  probe: (d: Deployment) => boolean,
): Promise<Deployment> {
  for (let i = 0; i < 500; i++) {
    const d = agent.state.snapshot().latestDeployment("default", job);
    if (d !== undefined && probe(d)) return d;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`Timed out waiting for a deployment of ${job}`);
}
