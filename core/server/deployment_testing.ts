/**
 * Fixtures for the deployment watcher's tests: a server on a fake clock with simulated nodes
 * that never miss a heartbeat, jobs with an update block, a stand-in for the clients that
 * report allocation health, and a driver that moves the fake clock until the state shows
 * what a test waits for.
 *
 * @module
 */
import type { AllocClientUpdate, StateSnapshot, StateStore } from "../state/mod.ts";
import type { Allocation, Deployment, Job, UpdateStrategy } from "../structs/mod.ts";
import { MINUTE, SECOND } from "../structs/mod.ts";
import { FakeClock } from "./clock_testing.ts";
import type { Server } from "./server.ts";
import { CTX, simJob, simNode, testServer } from "./server_testing.ts";

/** A server on a {@link FakeClock} with `nodes` ready nodes; dispose it with `await using`. */
export async function deploymentServer(nodes = 3): Promise<
  { server: Server; state: StateStore; clock: FakeClock } & AsyncDisposable
> {
  const clock = new FakeClock();
  const { server, state } = await testServer({
    clock,
    minHeartbeatTtlMs: 365 * 24 * 3600_000,
    heartbeatGraceMs: 365 * 24 * 3600_000,
  });
  for (let i = 0; i < nodes; i++) await server.registerNode(simNode(i), CTX);
  return {
    server,
    state,
    clock,
    [Symbol.asyncDispose]: async () => {
      await server.stop();
      await state.close();
    },
  };
}

/**
 * A service job `id` of `count` allocations whose group has an update block (one at a time,
 * 10 s min healthy time, 1 min healthy deadline, 5 min progress deadline unless `update` says
 * otherwise); `version` goes into the task's environment, so each value is a destructive
 * update.
 */
export function updateJob(
  id: string,
  count: number,
  version: string,
  update: Partial<UpdateStrategy> = {},
  group: Record<string, unknown> = {},
): Job {
  const job = simJob(id, count, {
    cpu: 100,
    group: {
      Update: {
        Stagger: 30 * SECOND,
        MaxParallel: 1,
        HealthCheck: "task_states",
        MinHealthyTime: 10 * SECOND,
        HealthyDeadline: MINUTE,
        ProgressDeadline: 5 * MINUTE,
        Canary: 0,
        AutoRevert: false,
        AutoPromote: false,
        ...update,
      },
      ...group,
    },
  });
  job.TaskGroups![0]!.Tasks![0]!.Env = { VERSION: version };
  return job;
}

/** Go's RFC 3339 text of a time in epoch milliseconds. */
export function goTime(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/** Reports allocations running and healthy (or unhealthy), as their clients would. */
export async function reportHealth(
  server: Server,
  clock: FakeClock,
  allocs: readonly Allocation[],
  healthy = true,
): Promise<void> {
  const byNode = new Map<string, AllocClientUpdate[]>();
  for (const a of allocs) {
    const list = byNode.get(a.NodeID) ?? [];
    list.push({
      ID: a.ID,
      NodeID: a.NodeID,
      ClientStatus: healthy ? "running" : "failed",
      ClientDescription: "",
      TaskStates: null,
      DeploymentStatus: {
        Healthy: healthy,
        Timestamp: goTime(clock.now()),
        Canary: a.DeploymentStatus?.Canary ?? false,
        ModifyIndex: 0,
      },
      NetworkStatus: null,
    });
    byNode.set(a.NodeID, list);
  }
  for (const updates of byNode.values()) await server.updateAllocsFromClient(updates, CTX);
}

/**
 * Moves the fake clock `stepMs` at a time, letting the server's loops run in between, until
 * `probe` finds what it looks for; gives up after `maxMs` of fake time.
 *
 * @throws {Error} naming `what` when it does not happen.
 */
export async function driveUntil<T>(
  state: StateStore,
  clock: FakeClock,
  what: string,
  probe: (snap: StateSnapshot) => T | undefined | false,
  opts: { stepMs?: number; maxMs?: number } = {},
): Promise<T> {
  const step = opts.stepMs ?? 250;
  const max = opts.maxMs ?? 60_000;
  for (let spent = 0;; spent += step) {
    for (let i = 0; i < 5; i++) {
      const found = probe(state.snapshot());
      if (found !== undefined && found !== false) return found;
      await new Promise((r) => setTimeout(r, 1));
    }
    if (spent >= max) throw new Error(`Gave up after ${max} ms of fake time waiting for ${what}`);
    clock.advance(step);
  }
}

/** The live (desired run, not terminal) allocations of a job, by job version. */
export function liveByVersion(snap: StateSnapshot, jobId: string): Map<number, Allocation[]> {
  const out = new Map<number, Allocation[]>();
  for (const a of snap.allocsByJob("default", jobId)) {
    if (a.DesiredStatus !== "run" || ["complete", "failed", "lost"].includes(a.ClientStatus)) {
      continue;
    }
    const v = a.Job?.Version ?? 0;
    out.set(v, [...(out.get(v) ?? []), a]);
  }
  return out;
}

/** The job's latest deployment. */
export function latest(snap: StateSnapshot, jobId: string): Deployment | undefined {
  return snap.latestDeployment("default", jobId);
}

/** Allocations of a deployment that have no health yet. */
export function unreported(snap: StateSnapshot, d: Deployment): Allocation[] {
  return snap.allocsByDeployment(d.ID).filter((a) =>
    a.DesiredStatus === "run" && (a.DeploymentStatus?.Healthy ?? null) === null
  );
}

/**
 * Registers `job`, waits for its deployment, then reports every allocation of it healthy until
 * the deployment succeeds; returns the successful deployment.
 */
export async function deploy(
  env: { server: Server; state: StateStore; clock: FakeClock },
  job: Job,
): Promise<Deployment> {
  const { server, state, clock } = env;
  await server.registerJob({ Job: job }, CTX);
  const version = state.snapshot().job("default", job.ID!)!.Version;
  for (;;) {
    const d = await driveUntil(state, clock, `a deployment of version ${version}`, (s) => {
      const d = latest(s, job.ID!);
      if (d?.JobVersion !== version) return undefined;
      return d.Status === "successful" || unreported(s, d).length > 0 ? d : undefined;
    });
    if (d.Status === "successful") return d;
    await reportHealth(server, clock, unreported(state.snapshot(), d));
  }
}
