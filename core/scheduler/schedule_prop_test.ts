/**
 * Property tests: random histories of a service job (scaling, failures, nodes going down and
 * coming back, destructive and in-place updates) driven through `schedule()` until the cluster
 * converges, with the clients and the deployment watcher simulated.
 */
import { assert, assertEquals } from "../../tests/assert.ts";
import type { Allocation, Job, Node } from "../structs/mod.ts";
import {
  MemState,
  mockEval,
  mockJob,
  mockNode,
  NOW,
  seededRandom,
  testContext,
} from "./_testing.ts";
import { schedule } from "./schedule.ts";
import type { Plan } from "./types.ts";
import { isClientTerminal, nsToTime } from "./util.ts";

const MINUTE = 60_000_000_000;

/**
 * Plays the clients and the deployment watcher: stopped allocations finish, placed or updated
 * ones run and are healthy.
 */
function simulateClients(s: MemState, plan: Plan): void {
  for (const a of Object.values(plan.NodeUpdate).flat()) {
    const cur = s.alloc(a.ID);
    if (cur && !isClientTerminal(cur)) s.updateAlloc(a.ID, { ClientStatus: "complete" });
  }
  for (const a of Object.values(plan.NodeAllocation).flat()) {
    const cur = s.alloc(a.ID);
    if (!cur || cur.DesiredStatus !== "run" || cur.DeploymentStatus?.Healthy === true) continue;
    s.updateAlloc(a.ID, {
      ClientStatus: "running",
      DeploymentStatus: {
        Healthy: true,
        Timestamp: nsToTime(NOW),
        Canary: cur.DeploymentStatus?.Canary ?? false,
        ModifyIndex: 0,
      },
    });
    const d = s.deployment(cur.DeploymentID);
    const g = d?.TaskGroups?.[cur.TaskGroup];
    if (d && g) {
      s.upsertDeployment({
        ...d,
        TaskGroups: {
          ...d.TaskGroups,
          [cur.TaskGroup]: { ...g, HealthyAllocs: g.HealthyAllocs + 1 },
        },
      });
    }
  }
}

interface Sim {
  state: MemState;
  job: Job;
  trace: string[];
}

function wanted(s: MemState, job: Job): Allocation[] {
  return s.allocsByJob("default", job.ID ?? "").filter((a) =>
    a.DesiredStatus === "run" && !isClientTerminal(a)
  );
}

/** Schedules until nothing changes; returns how many plans it took. */
function converge(sim: Sim, step: number, now: number): number {
  for (let round = 0; round < 40; round++) {
    const evaluation = mockEval(sim.job, { ID: `eval-${step}-${round}` });
    const out = schedule(evaluation, sim.state, testContext(step * 100 + round, now));
    if (out.plan === null) return round;
    sim.trace.push(
      JSON.stringify([
        Object.values(out.plan.NodeAllocation).flat().map((a) => [a.Name, a.NodeID]),
        Object.values(out.plan.NodeUpdate).flat().map((a) => [a.Name, a.DesiredDescription]),
      ]),
    );
    sim.state.applyPlan(out.plan);
    simulateClients(sim.state, out.plan);
  }
  throw new Error(
    `Cannot converge job "${sim.job.ID}" at step ${step}: still planning after 40 rounds`,
  );
}

function readyNodes(s: MemState): Node[] {
  return s.nodes().filter((n) => n.Status === "ready");
}

/** One random history; checks the invariants after every step and returns the trace. */
function simulate(seed: number, steps: number): string[] {
  const rnd = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const state = new MemState();
  const nodeCount = 6 + Math.floor(rnd() * 10);
  for (let i = 0; i < nodeCount; i++) {
    state.upsertNode(mockNode(i, { Datacenter: i % 2 === 0 ? "dc1" : "dc2" }));
  }
  const template = mockJob(
    { Datacenters: ["dc1", "dc2"], Update: { ...mockJob().Update!, MaxParallel: 2 } },
    {
      Count: 1 + Math.floor(rnd() * 10),
      ReschedulePolicy: {
        Attempts: 0,
        Interval: 0,
        Delay: 0,
        DelayFunction: "constant",
        MaxDelay: 0,
        Unlimited: true,
      },
    },
  );
  const sim: Sim = { state, job: state.upsertJob(template), trace: [] };
  let now = NOW;
  converge(sim, 0, now);
  for (let step = 1; step <= steps; step++) {
    now += MINUTE;
    const tg = sim.job.TaskGroups![0]!;
    const op = pick(["scale", "fail", "down", "up", "destructive", "inplace"] as const);
    sim.trace.push(`step ${step}: ${op}`);
    const live = wanted(state, sim.job);
    if (op === "scale") {
      const count = Math.floor(rnd() * 16);
      sim.job = state.upsertJob({ ...sim.job, TaskGroups: [{ ...tg, Count: count }] });
    } else if (op === "fail" && live.length > 0) {
      state.updateAlloc(pick(live).ID, { ClientStatus: "failed", ModifyTime: now });
    } else if (op === "down" && readyNodes(state).length > 3) {
      state.upsertNode({ ...pick(readyNodes(state)), Status: "down" });
    } else if (op === "up") {
      const down = state.nodes().filter((n) => n.Status === "down");
      if (down.length > 0) state.upsertNode({ ...pick(down), Status: "ready" });
    } else if (op === "destructive") {
      const task = tg.Tasks![0]!;
      sim.job = state.upsertJob({
        ...sim.job,
        TaskGroups: [{ ...tg, Tasks: [{ ...task, Config: { command: `/bin/v${step}` } }] }],
      });
    } else if (op === "inplace") {
      sim.job = state.upsertJob({ ...sim.job, Priority: 40 + step });
    }
    converge(sim, step, now);
    checkInvariants(state, sim.job, step);
  }
  return sim.trace;
}

function checkInvariants(s: MemState, job: Job, step: number): void {
  const tg = job.TaskGroups![0]!;
  const running = wanted(s, job);
  const names = running.map((a) => a.Name);
  assertEquals(running.length, tg.Count, `step ${step}: the count is respected`);
  assertEquals(new Set(names).size, names.length, `step ${step}: no duplicate names (${names})`);
  for (const n of names) {
    const index = Number(n.slice(n.indexOf("[") + 1, -1));
    assert(index < (tg.Count ?? 0), `step ${step}: ${n} is within the count`);
  }
  for (const a of running) {
    assertEquals(
      a.Job?.JobModifyIndex,
      job.JobModifyIndex,
      `step ${step}: ${a.Name} runs the latest job`,
    );
    assertEquals(s.node(a.NodeID)?.Status, "ready", `step ${step}: ${a.Name} is on a ready node`);
  }
}

Deno.test("schedule() keeps the count, unique names and the latest version through random histories", async (t) => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    await t.step(`seed ${seed}`, () => {
      const trace = simulate(seed, 25);
      assert(trace.length > 25, "every step was recorded");
    });
  }
});

Deno.test("schedule() is deterministic for a fixed seed", () => {
  const a = simulate(42, 15);
  const b = simulate(42, 15);
  assertEquals(a, b);
  assert(simulate(43, 15).join() !== a.join(), "another seed takes another path");
});
