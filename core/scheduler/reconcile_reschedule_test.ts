import { assert, assertEquals } from "../../tests/assert.ts";
import { type Allocation, type Job, type Node, SECOND, type TaskGroup } from "../structs/mod.ts";
import { mockAlloc, mockJob, mockNode, NOW } from "./_testing.ts";
import { newDeployment, newDeploymentState } from "./reconcile_deployment.ts";
import { type AllocUpdateFn, reconcile, type ReconcileInput } from "./reconcile.ts";
import { nsToTime } from "./util.ts";

const ignoreAll: AllocUpdateFn = () => ({ ignore: true, destructive: false, updated: null });

function job(type: "service" | "batch", count: number, group: Partial<TaskGroup> = {}): Job {
  const j = mockJob({ Type: type }, { Count: count, ...group });
  return { ...j, Version: 1, JobModifyIndex: 101, ModifyIndex: 101, CreateIndex: 10 };
}

function input(j: Job, allocs: Allocation[], patch: Partial<ReconcileInput> = {}): ReconcileInput {
  let n = 0;
  return {
    job: j,
    jobId: j.ID ?? "",
    isBatch: j.Type === "batch",
    deployment: null,
    existingAllocs: allocs,
    taintedNodes: new Map(),
    evalId: "eval-1",
    evalPriority: 50,
    now: NOW,
    newId: () => `id-${++n}`,
    allocUpdateFn: ignoreAll,
    ...patch,
  };
}

/** An allocation that failed `ago` nanoseconds before now. */
function failed(j: Job, index: number, ago: number, patch: Partial<Allocation> = {}): Allocation {
  return mockAlloc(j, index, "node-1", { ClientStatus: "failed", ModifyTime: NOW - ago, ...patch });
}

const dead = (ok: boolean) => ({
  web: {
    State: "dead",
    Failed: !ok,
    Restarts: 0,
    LastRestart: "0001-01-01T00:00:00Z",
    StartedAt: "0001-01-01T00:00:00Z",
    FinishedAt: nsToTime(NOW - 60 * SECOND),
    Events: null,
    Paused: "",
  },
});

Deno.test("reconcile() reschedules a failed allocation whose delay has passed", () => {
  const j = job("service", 2);
  const bad = failed(j, 1, 60 * SECOND);
  const r = reconcile(input(j, [mockAlloc(j, 0, "node-0"), bad]));
  assertEquals(r.place.length, 1);
  const p = r.place[0]!;
  assertEquals([p.name, p.reschedule, p.previousAlloc?.ID], ["web.web[1]", true, bad.ID]);
  assertEquals(r.stop.map((s) => [s.alloc.ID, s.statusDescription]), [
    [bad.ID, "alloc was rescheduled because it failed"],
  ]);
});

Deno.test("reconcile() reschedules later, through one follow-up evaluation per 5 s batch", async (t) => {
  const j = job("service", 3, {
    ReschedulePolicy: {
      Attempts: 0,
      Interval: 0,
      Delay: 30 * SECOND,
      DelayFunction: "constant",
      MaxDelay: 0,
      Unlimited: true,
    },
  });
  const a = failed(j, 0, 10 * SECOND);
  const b = failed(j, 1, 7 * SECOND);
  const c = failed(j, 2, 1 * SECOND);
  const r = reconcile(input(j, [a, b, c]));
  await t.step("nothing is placed now: the failed allocations still count", () => {
    assertEquals(r.place, []);
    assertEquals(r.stop, []);
    assertEquals(r.desiredTGUpdates["web"]?.RescheduleLater, 3);
  });
  const evals = r.desiredFollowupEvals["web"] ?? [];
  await t.step("two evaluations, at the first time of each batch", () => {
    assertEquals(evals.map((e) => e.WaitUntil), [
      nsToTime(NOW + 20 * SECOND),
      nsToTime(NOW + 29 * SECOND),
    ]);
    assert(evals.every((e) => e.TriggeredBy === "alloc-reschedule" && e.Status === "pending"));
    assertEquals(evals[0]!.StatusDescription, "created for delayed rescheduling");
  });
  await t.step("each allocation records its evaluation", () => {
    const byAlloc = new Map(r.attributeUpdates.map((u) => [u.ID, u.FollowupEvalID]));
    assertEquals(byAlloc.get(a.ID), evals[0]!.ID);
    assertEquals(byAlloc.get(b.ID), evals[0]!.ID);
    assertEquals(byAlloc.get(c.ID), evals[1]!.ID);
  });
});

Deno.test("reconcile() reschedules now when run by the allocation's follow-up evaluation", () => {
  const j = job("service", 1);
  const bad = failed(j, 0, 1 * SECOND, { FollowupEvalID: "eval-later" });
  const r = reconcile(input(j, [bad], { evalId: "eval-later" }));
  assertEquals(r.place.map((p) => p.reschedule), [true]);
  assertEquals(r.desiredFollowupEvals["web"] ?? [], []);
});

Deno.test("reconcile() stops rescheduling a batch allocation out of attempts", async (t) => {
  const j = job("batch", 1);
  const tracker = {
    Events: [{
      RescheduleTime: NOW - 3600 * SECOND,
      PrevAllocID: "a0",
      PrevNodeID: "node-0",
      Delay: 5 * SECOND,
    }],
    LastReschedule: "ok",
  };
  const bad = failed(j, 0, 60 * SECOND, { RescheduleTracker: tracker });
  await t.step("one attempt per 24 h is used up: no replacement", () => {
    const r = reconcile(input(j, [bad]));
    assertEquals(r.place, []);
    assertEquals(r.stop, []);
  });
  await t.step("force reschedule overrides the policy", () => {
    const forced = {
      ...bad,
      DesiredTransition: { ...bad.DesiredTransition, ForceReschedule: true },
    };
    const r = reconcile(input(j, [forced]));
    assertEquals(r.place.map((p) => [p.name, p.reschedule]), [["web.web[0]", true]]);
  });
});

Deno.test("reconcile() keeps rescheduling under an unlimited policy", () => {
  const j = job("service", 1);
  const events = Array.from({ length: 8 }, (_, i) => ({
    RescheduleTime: NOW - (10 - i) * 3600 * SECOND,
    PrevAllocID: `a${i}`,
    PrevNodeID: "node-0",
    Delay: 3600 * SECOND,
  }));
  const bad = failed(j, 0, 2 * 3600 * SECOND, {
    RescheduleTracker: { Events: events, LastReschedule: "ok" },
  });
  assertEquals(reconcile(input(j, [bad])).place.length, 1);
});

Deno.test("reconcile() does not run a batch allocation that completed again", async (t) => {
  const j = job("batch", 2);
  const done = mockAlloc(j, 0, "node-0", { ClientStatus: "complete", TaskStates: dead(true) });
  await t.step("its index stays taken; only the missing one is placed", () => {
    const r = reconcile(input(j, [done]));
    assertEquals(r.place.map((p) => p.name), ["web.web[1]"]);
    assertEquals(r.desiredTGUpdates["web"]?.Ignore, 1);
  });
  await t.step("a drained one keeps its slot too", () => {
    const drained = {
      ...done,
      DesiredStatus: "stop",
      DesiredTransition: { ...done.DesiredTransition, MigrateDisablePlacement: true },
    };
    const r = reconcile(input(j, [drained, mockAlloc(j, 1, "node-1")]));
    assertEquals(r.place, []);
  });
});

Deno.test("reconcile() replaces a complete service allocation", () => {
  const j = job("service", 1);
  const done = mockAlloc(j, 0, "node-0", { ClientStatus: "complete" });
  const r = reconcile(input(j, [done]));
  assertEquals(r.place.map((p) => [p.name, p.reschedule]), [["web.web[0]", false]]);
});

Deno.test("reconcile() does not count a failed allocation that was already replaced", () => {
  const j = job("service", 1);
  const replaced = failed(j, 0, 60 * SECOND, {
    NextAllocation: "alloc-next",
    DesiredStatus: "stop",
  });
  const next = mockAlloc(j, 0, "node-2");
  const r = reconcile(input(j, [replaced, next]));
  assertEquals(r.place, []);
  assertEquals(r.stop, []);
});

Deno.test("reconcile() leaves failed allocations of an active deployment to the watcher", () => {
  const j = job("service", 1);
  const d = newDeployment(j, 50, NOW, "dep-1");
  d.TaskGroups = { web: newDeploymentState(j.TaskGroups![0]!) };
  const bad = failed(j, 0, 60 * SECOND, { DeploymentID: "dep-1" });
  assertEquals(reconcile(input(j, [bad], { deployment: d })).place, []);
  const marked = { ...bad, DesiredTransition: { ...bad.DesiredTransition, Reschedule: true } };
  assertEquals(reconcile(input(j, [marked], { deployment: d })).place.length, 1);
});

Deno.test("reconcile() replaces allocations of a down or deleted node under the same name", () => {
  const j = job("service", 3);
  const down: Node = mockNode(1, { Status: "down" });
  const allocs = [mockAlloc(j, 0, "node-00000"), mockAlloc(j, 1, down.ID), mockAlloc(j, 2, "gone")];
  const tainted = new Map<string, Node | null>([[down.ID, down], ["gone", null]]);
  const r = reconcile(input(j, allocs, { taintedNodes: tainted }));
  assertEquals(r.place.map((p) => [p.name, p.lost]).sort(), [["web.web[1]", true], [
    "web.web[2]",
    true,
  ]]);
  assertEquals(
    r.stop.map((s) => [s.alloc.Name, s.clientStatus, s.statusDescription]).sort(),
    [
      ["web.web[1]", "lost", "alloc is lost since its node is down"],
      ["web.web[2]", "lost", "alloc is lost since its node is down"],
    ],
  );
  assertEquals(r.desiredTGUpdates["web"]?.Stop, 2);
});

Deno.test("reconcile() migrates allocations the drainer marked", () => {
  const j = job("service", 2);
  const draining = mockNode(1, {
    DrainStrategy: {
      Deadline: 0,
      IgnoreSystemJobs: false,
      ForceDeadline: "0001-01-01T00:00:00Z",
      StartedAt: "0001-01-01T00:00:00Z",
    },
  });
  const moving = mockAlloc(j, 1, draining.ID, {
    DesiredTransition: {
      Migrate: true,
      Reschedule: null,
      ForceReschedule: null,
      NoShutdownDelay: null,
      MigrateDisablePlacement: null,
    },
  });
  const staying = mockAlloc(j, 0, draining.ID);
  const r = reconcile(
    input(j, [staying, moving], { taintedNodes: new Map([[draining.ID, draining]]) }),
  );
  assertEquals(r.stop.map((s) => [s.alloc.ID, s.statusDescription]), [[
    moving.ID,
    "alloc is being migrated",
  ]]);
  assertEquals(r.place.map((p) => [p.name, p.previousAlloc?.ID]), [["web.web[1]", moving.ID]]);
  assertEquals(r.desiredTGUpdates["web"]?.Migrate, 1);
});
