import { assert, assertEquals } from "../../tests/assert.ts";
import { type Allocation, type Evaluation, type Job, SECOND } from "../structs/mod.ts";
import { MemState, mockEval, mockJob, mockNode, NOW, testContext } from "./_testing.ts";
import { schedule } from "./schedule.ts";
import type { ScheduleOutcome } from "./types.ts";
import { isClientTerminal, nsToTime } from "./util.ts";

function cluster(n: number): MemState {
  const s = new MemState();
  for (let i = 0; i < n; i++) s.upsertNode(mockNode(i));
  return s;
}

let seed = 100;

/** Schedules an evaluation of the job and applies the plan. */
function run(
  s: MemState,
  job: Job,
  patch: Partial<Evaluation> = {},
  now = NOW,
): ScheduleOutcome {
  const out = schedule(mockEval(job, patch), s, testContext(++seed, now));
  if (out.plan) s.applyPlan(out.plan);
  return out;
}

const live = (s: MemState, id = "web") =>
  s.allocsByJob("default", id).filter((a) => a.DesiredStatus === "run" && !isClientTerminal(a));
const names = (allocs: readonly Allocation[]) => allocs.map((a) => a.Name).sort();
const placed = (out: ScheduleOutcome) => Object.values(out.plan?.NodeAllocation ?? {}).flat();
const stops = (out: ScheduleOutcome) => Object.values(out.plan?.NodeUpdate ?? {}).flat();

/** Marks allocations running and healthy, as clients and the deployment watcher would. */
function markHealthy(s: MemState, allocs: readonly Allocation[]): void {
  for (const a of allocs) {
    s.updateAlloc(a.ID, {
      ClientStatus: "running",
      DeploymentStatus: {
        ...(a.DeploymentStatus ?? { Canary: false, ModifyIndex: 0 }),
        Healthy: true,
        Timestamp: nsToTime(NOW),
      },
    });
    const d = s.deployment(a.DeploymentID);
    const g = d?.TaskGroups?.[a.TaskGroup];
    if (d && g) {
      s.upsertDeployment({
        ...d,
        TaskGroups: {
          ...d.TaskGroups,
          [a.TaskGroup]: { ...g, HealthyAllocs: g.HealthyAllocs + 1 },
        },
      });
    }
  }
}

function updateStrategy(patch: Partial<NonNullable<Job["Update"]>>): Job["Update"] {
  return { ...mockJob().Update!, ...patch };
}

Deno.test("schedule() scales a service job from 1 to 3", () => {
  const s = cluster(5);
  const v0 = s.upsertJob(mockJob({}, { Count: 1 }));
  const first = run(s, v0);
  assertEquals(first.evaluation.Status, "complete");
  assertEquals(names(live(s)), ["web.web[0]"]);
  const v1 = s.upsertJob(mockJob({}, { Count: 3 }));
  const out = run(s, v1);
  assertEquals(names(live(s)), ["web.web[0]", "web.web[1]", "web.web[2]"]);
  const du = out.evaluation.PlanAnnotations?.DesiredTGUpdates?.["web"];
  assertEquals([du?.Place, du?.InPlaceUpdate], [2, 1]);
  assertEquals(out.evaluation.QueuedAllocations, { web: 0 });
  assertEquals(new Set(live(s).map((a) => a.NodeID)).size, 3, "spread over nodes by anti-affinity");
});

Deno.test("schedule() stops every allocation of a stopped job and cancels its deployment", () => {
  const s = cluster(3);
  const job = s.upsertJob(mockJob());
  run(s, job);
  const dep = s.latestDeployment("default", "web")!;
  const stopped = s.upsertJob({ ...job, Stop: true });
  const out = run(s, stopped, { TriggeredBy: "job-deregister" });
  assertEquals(stops(out).length, 3);
  assert(stops(out).every((a) => a.DesiredDescription === "alloc not needed due to job update"));
  assertEquals(out.plan?.DeploymentUpdates, [{
    DeploymentID: dep.ID,
    Status: "cancelled",
    StatusDescription: "Cancelled because job is stopped",
  }]);
  assertEquals(live(s), []);
  assertEquals(out.evaluation.Status, "complete");
});

Deno.test("schedule() rolls a destructive update out one allocation at a time with max_parallel 1", () => {
  const s = cluster(4);
  const v0 = s.upsertJob(mockJob({ Update: updateStrategy({ MaxParallel: 1 }) }));
  run(s, v0);
  markHealthy(s, live(s));
  const task = v0.TaskGroups![0]!.Tasks![0]!;
  const v1 = s.upsertJob({
    ...v0,
    TaskGroups: [{ ...v0.TaskGroups![0]!, Tasks: [{ ...task, Config: { command: "/bin/v2" } }] }],
  });
  const out = run(s, v1);
  const du = out.evaluation.PlanAnnotations?.DesiredTGUpdates?.["web"];
  assertEquals([du?.DestructiveUpdate, du?.Ignore], [1, 2]);
  assertEquals(out.plan?.DeploymentUpdates.map((u) => [u.Status, u.StatusDescription]), [
    ["cancelled", "Cancelled due to newer version of job"],
  ]);
  assertEquals(out.plan?.Deployment?.JobVersion, 1);
  assertEquals(stops(out).map((a) => a.DesiredDescription), [
    "alloc is being updated due to job update",
  ]);
  const fresh = placed(out);
  assertEquals(fresh.length, 1);
  assertEquals(fresh[0]!.PreviousAllocation, stops(out)[0]!.ID);
  assertEquals(fresh[0]!.DeploymentID, out.plan?.Deployment?.ID);
  assertEquals(run(s, v1).plan, null, "nothing more until the new allocation is healthy");
  markHealthy(s, fresh.map((a) => s.alloc(a.ID)!));
  const next = run(s, v1);
  assertEquals(placed(next).length, 1);
  assertEquals(stops(next).length, 1);
});

Deno.test("schedule() places a canary and holds the update until it is promoted", () => {
  const s = cluster(4);
  const update = updateStrategy({ MaxParallel: 1, Canary: 1 });
  const v0 = s.upsertJob(mockJob({ Update: update }, { Count: 2 }));
  run(s, v0);
  markHealthy(s, live(s));
  const v1 = s.upsertJob({ ...v0, Meta: { release: "2" } });
  const out = run(s, v1);
  const canaries = placed(out);
  assertEquals(canaries.length, 1);
  assertEquals(canaries[0]!.DeploymentStatus?.Canary, true);
  assertEquals(stops(out), [], "the old allocations keep running");
  const d = out.plan?.Deployment;
  assertEquals(d?.TaskGroups?.["web"]?.DesiredCanaries, 1);
  assertEquals(d?.StatusDescription, "Deployment is running but requires manual promotion");
  assertEquals(run(s, v1).plan, null, "held until promotion");

  markHealthy(s, canaries.map((a) => s.alloc(a.ID)!));
  const dep = s.latestDeployment("default", "web")!;
  s.upsertDeployment({
    ...dep,
    TaskGroups: { web: { ...dep.TaskGroups!["web"]!, Promoted: true } },
  });
  const promoted = run(s, v1);
  const stoppedNames = names(stops(promoted));
  assert(
    stoppedNames.includes(canaries[0]!.Name),
    "the old allocation the canary stands for stops",
  );
  assertEquals(placed(promoted).length, 1, "and the rest is updated destructively");
});

Deno.test("schedule() reschedules a failed allocation after its delay through a follow-up eval", () => {
  const s = cluster(3);
  const job = s.upsertJob(mockJob({}, { Count: 1 }));
  run(s, job);
  const [alloc] = live(s);
  const dep = s.latestDeployment("default", "web")!;
  s.upsertDeployment({ ...dep, Status: "successful" });
  const failedAt = NOW + 5 * SECOND;
  s.updateAlloc(alloc!.ID, { ClientStatus: "failed", ModifyTime: failedAt });
  const now = failedAt + SECOND;
  const out = run(s, job, { TriggeredBy: "alloc-failure" }, now);
  assertEquals(placed(out).map((a) => a.FollowupEvalID !== "" ? "noted" : "new"), ["noted"]);
  const follow = out.newEvals.find((e) => e.TriggeredBy === "alloc-reschedule")!;
  assertEquals(follow.WaitUntil, nsToTime(failedAt + 30 * SECOND), "service default: 30 s");
  assertEquals(follow.PreviousEval, out.evaluation.ID);
  assertEquals(out.evaluation.NextEval, follow.ID);
  assertEquals(s.alloc(alloc!.ID)!.FollowupEvalID, follow.ID);

  const later = schedule(
    { ...follow, Status: "pending" },
    s,
    testContext(8, failedAt + 31 * SECOND),
  );
  const replacement = placed(later).find((a) => a.PreviousAllocation === alloc!.ID)!;
  assert(replacement !== undefined, "the follow-up places a replacement");
  assertEquals(replacement.Name, alloc!.Name);
  assert(replacement.NodeID !== alloc!.NodeID, "away from the node it failed on");
  assertEquals(replacement.RescheduleTracker?.Events?.map((e) => [e.PrevAllocID, e.Delay]), [[
    alloc!.ID,
    30 * SECOND,
  ]]);
  assertEquals(stops(later).map((a) => a.DesiredDescription), [
    "alloc was rescheduled because it failed",
  ]);
});

Deno.test("schedule() replaces an allocation lost with its node on another node", () => {
  const s = cluster(3);
  const job = s.upsertJob(mockJob({}, { Count: 2 }));
  run(s, job);
  const [victim] = live(s);
  const node = s.node(victim!.NodeID)!;
  s.upsertNode({ ...node, Status: "down" });
  const out = run(s, job, { TriggeredBy: "node-update", NodeID: node.ID });
  const lost = stops(out).find((a) => a.ID === victim!.ID)!;
  assertEquals([lost.ClientStatus, lost.DesiredDescription], [
    "lost",
    "alloc is lost since its node is down",
  ]);
  const replacement = placed(out)[0]!;
  assertEquals(replacement.Name, victim!.Name);
  assert(replacement.NodeID !== node.ID);
  assertEquals(live(s).length, 2);
});

Deno.test("schedule() blocks an evaluation whose placements find no capacity", async (t) => {
  const s = cluster(1);
  const job = s.upsertJob(mockJob({}, { Count: 10 }));
  const out = run(s, job);
  await t.step("what fits is placed, the rest is reported", () => {
    assertEquals(live(s).length, 8, "4000 MHz / 500 MHz");
    const failed = out.evaluation.FailedTGAllocs?.["web"];
    assertEquals(failed?.CoalescedFailures, 1);
    assert((failed?.DimensionExhausted?.["cpu"] ?? 0) > 0, "exhausted on cpu");
    assertEquals(failed?.ResourcesExhausted?.["web"]?.CPU, 1000);
    assertEquals(out.evaluation.QueuedAllocations, { web: 2 });
  });
  const blocked = out.newEvals.find((e) => e.Status === "blocked")!;
  await t.step("a blocked evaluation follows", () => {
    assertEquals(blocked.TriggeredBy, "queued-allocs");
    assertEquals(blocked.PreviousEval, out.evaluation.ID);
    assertEquals(out.evaluation.BlockedEval, blocked.ID);
    assertEquals(blocked.StatusDescription, "created to place remaining allocations");
    assertEquals(out.evaluation.Status, "complete");
    assertEquals(blocked.EscapedComputedClass, false);
    const classes = Object.values(blocked.ClassEligibility ?? {});
    assertEquals(classes, [true], "the one class fits the job; it only lacks capacity");
  });
  await t.step("still short, the blocked evaluation stays blocked", () => {
    const again = schedule(blocked, s, testContext(9));
    assertEquals(again.evaluation.Status, "blocked");
    assertEquals(again.newEvals, []);
  });
  await t.step("with a new node it completes", () => {
    s.upsertNode(mockNode(1));
    const done = schedule(blocked, s, testContext(9));
    assertEquals(placed(done).length, 2);
    assertEquals(done.evaluation.Status, "complete");
    assertEquals(done.evaluation.FailedTGAllocs, null);
  });
});

Deno.test("schedule() does not run a batch job's completed allocations again", () => {
  const s = cluster(2);
  const job = s.upsertJob(mockJob({ Type: "batch", Update: null }, { Count: 2 }));
  run(s, job);
  for (const a of live(s)) {
    s.updateAlloc(a.ID, {
      ClientStatus: "complete",
      TaskStates: {
        web: {
          State: "dead",
          Failed: false,
          Restarts: 0,
          LastRestart: "0001-01-01T00:00:00Z",
          StartedAt: nsToTime(NOW),
          FinishedAt: nsToTime(NOW + SECOND),
          Events: null,
          Paused: "",
        },
      },
    });
  }
  const out = run(s, job, { TriggeredBy: "node-update" });
  assertEquals(out.plan, null);
  assertEquals(out.evaluation.PlanAnnotations?.DesiredTGUpdates?.["web"]?.Ignore, 2);
  assertEquals(out.newEvals, []);
});

Deno.test("schedule() fails an evaluation it cannot handle and annotates plans on request", () => {
  const s = cluster(2);
  const job = s.upsertJob(mockJob({}, { Count: 1 }));
  const bad = schedule(mockEval(job, { TriggeredBy: "nonsense" }), s, testContext());
  assertEquals(bad.evaluation.Status, "failed");
  assertEquals(
    bad.evaluation.StatusDescription,
    "scheduler cannot handle 'nonsense' evaluation reason",
  );
  run(s, job);
  const dry = schedule(mockEval(job, { AnnotatePlan: true }), s, testContext());
  assert(dry.plan !== null, "a no-op plan is returned for its annotations");
  assertEquals(dry.plan.Annotations?.DesiredTGUpdates?.["web"]?.Ignore, 1);
});

Deno.test("schedule() blocks on any node when a constraint escapes computed classes", () => {
  const s = cluster(1);
  const job = s.upsertJob(mockJob({
    Constraints: [{ LTarget: "${node.unique.name}", RTarget: "node-9", Operand: "=" }],
  }, { Count: 1 }));
  const out = run(s, job);
  const blocked = out.newEvals.find((e) => e.Status === "blocked")!;
  assertEquals(blocked.EscapedComputedClass, true);
  assertEquals(blocked.ClassEligibility, null);
  assertEquals(out.evaluation.FailedTGAllocs?.["web"]?.NodesFiltered, 1);
});

Deno.test("schedule() replaces a lost old allocation with the old version while canaries wait", () => {
  const s = cluster(4);
  const update = updateStrategy({ MaxParallel: 1, Canary: 1 });
  const v0 = s.upsertJob(mockJob({ Update: update }, { Count: 2 }));
  run(s, v0);
  markHealthy(s, live(s));
  const v1 = s.upsertJob({ ...v0, Meta: { release: "2" } });
  const canary = placed(run(s, v1))[0]!;
  const old = live(s).find((a) => a.ID !== canary.ID && a.NodeID !== canary.NodeID)!;
  s.upsertNode({ ...s.node(old.NodeID)!, Status: "down" });
  const out = run(s, v1, { TriggeredBy: "node-update" });
  const replacement = placed(out).find((a) => a.PreviousAllocation === old.ID)!;
  assertEquals(replacement.Name, old.Name);
  assertEquals(replacement.Job?.Version, v0.Version, "the stable version, not the canary's");
  assertEquals(replacement.DeploymentStatus?.Canary ?? false, false);
});
