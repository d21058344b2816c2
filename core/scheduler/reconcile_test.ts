import { assert, assertEquals } from "../../tests/assert.ts";
import type { Allocation, Deployment, Job, TaskGroup } from "../structs/mod.ts";
import { mockAlloc, mockJob, NOW } from "./_testing.ts";
import { newDeployment, newDeploymentState } from "./reconcile_deployment.ts";
import { type AllocUpdateFn, reconcile, type ReconcileInput } from "./reconcile.ts";

const ignoreAll: AllocUpdateFn = () => ({ ignore: true, destructive: false, updated: null });
const destroyAll: AllocUpdateFn = () => ({ ignore: false, destructive: true, updated: null });
const inPlaceAll: AllocUpdateFn = (a) => ({
  ignore: false,
  destructive: false,
  updated: { ...a, EvalID: "eval-1" },
});

/** A service job at a version, with an update strategy unless `update: null`. */
function job(
  count: number,
  opts: { version?: number; group?: Partial<TaskGroup>; patch?: Partial<Job> } = {},
): Job {
  const j = mockJob(
    { Update: { ...mockJob().Update!, MaxParallel: 2 }, ...opts.patch },
    { Count: count, ...opts.group },
  );
  const v = opts.version ?? 1;
  return { ...j, Version: v, JobModifyIndex: 100 + v, ModifyIndex: 100 + v, CreateIndex: 10 };
}

function running(j: Job, n: number, patch: Partial<Allocation> = {}): Allocation[] {
  return Array.from({ length: n }, (_, i) => mockAlloc(j, i, `node-${i % 4}`, patch));
}

function input(
  j: Job | null,
  allocs: Allocation[],
  patch: Partial<ReconcileInput> = {},
): ReconcileInput {
  let n = 0;
  return {
    job: j,
    jobId: "web",
    isBatch: j?.Type === "batch",
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

const names = (list: { name: string }[]) => list.map((p) => p.name).sort();
const stopped = (r: ReturnType<typeof reconcile>) => r.stop.map((s) => s.alloc.Name).sort();

Deno.test("reconcile() places a new job's allocations under the lowest names and creates a deployment", () => {
  const r = reconcile(input(job(3), []));
  assertEquals(names(r.place), ["web.web[0]", "web.web[1]", "web.web[2]"]);
  assertEquals(r.desiredTGUpdates["web"]?.Place, 3);
  assert(r.deployment !== null, "a service job with an update strategy gets a deployment");
  assertEquals(r.deployment.TaskGroups?.["web"]?.DesiredTotal, 3);
  assertEquals(r.deployment.JobVersion, 1);
});

Deno.test("reconcile() creates no deployment for a job without an update strategy", () => {
  const none = { ...mockJob().Update!, MaxParallel: 0 };
  const j = job(2, { patch: { Update: none }, group: { Update: none } });
  const r = reconcile(input(j, []));
  assertEquals(r.place.length, 2);
  assertEquals(r.deployment, null);
});

Deno.test("reconcile() scales up into the free indexes and down from the highest", async (t) => {
  await t.step("count 5 -> 8 places [5], [6], [7]", () => {
    const j = job(8);
    const r = reconcile(input(j, running(j, 5)));
    assertEquals(names(r.place), ["web.web[5]", "web.web[6]", "web.web[7]"]);
    assertEquals(r.desiredTGUpdates["web"]?.Ignore, 5);
    assertEquals(r.stop, []);
  });
  await t.step("count 5 -> 2 stops [2], [3], [4]", () => {
    const j = job(2);
    const r = reconcile(input(j, running(j, 5)));
    assertEquals(stopped(r), ["web.web[2]", "web.web[3]", "web.web[4]"]);
    assert(r.stop.every((s) => s.statusDescription === "alloc not needed due to job update"));
    assertEquals(r.place, []);
    assertEquals(r.desiredTGUpdates["web"]?.Stop, 3);
  });
  await t.step("a gap in the names is filled first", () => {
    const j = job(3);
    const allocs = running(j, 3).filter((a) => a.Name !== "web.web[1]");
    const r = reconcile(input(j, allocs));
    assertEquals(names(r.place), ["web.web[1]"]);
  });
  await t.step("duplicate names are stopped when over the count", () => {
    const j = job(2);
    const allocs = [...running(j, 2), mockAlloc(j, 1, "node-9")];
    const r = reconcile(input(j, allocs));
    assertEquals(r.stop.length, 1);
    assertEquals(r.stop[0]!.alloc.Name, "web.web[1]");
  });
});

Deno.test("reconcile() stops every live allocation of a stopped or purged job", async (t) => {
  const j = job(3);
  const allocs = [...running(j, 3), mockAlloc(j, 5, "node-1", { ClientStatus: "complete" })];
  await t.step("stopped", () => {
    const d = { ...newDeployment(j, 50, NOW, "dep-1") };
    const r = reconcile(input({ ...j, Stop: true }, allocs, { deployment: d }));
    assertEquals(stopped(r), ["web.web[0]", "web.web[1]", "web.web[2]"]);
    assertEquals(r.desiredTGUpdates["web"]?.Stop, 3);
    assertEquals(r.deploymentUpdates, [{
      DeploymentID: "dep-1",
      Status: "cancelled",
      StatusDescription: "Cancelled because job is stopped",
    }]);
    assertEquals(r.place, []);
  });
  await t.step("purged", () => {
    const r = reconcile(input(null, allocs));
    assertEquals(r.stop.length, 3);
  });
});

Deno.test("reconcile() stops allocations of a group the job no longer has", () => {
  const j = job(2);
  const other = running(j, 2).map((a) => ({
    ...a,
    TaskGroup: "gone",
    Name: a.Name.replace("web[", "gone["),
  }));
  const r = reconcile(input(j, [...running(j, 2), ...other]));
  assertEquals(stopped(r), ["web.gone[0]", "web.gone[1]"]);
  assertEquals(r.desiredTGUpdates["gone"]?.Stop, 2);
});

Deno.test("reconcile() updates in place what allocUpdateFn allows", () => {
  const old = job(4, { version: 1 });
  const next = job(4, { version: 2 });
  const r = reconcile(input(next, running(old, 4), { allocUpdateFn: inPlaceAll }));
  assertEquals(r.inplaceUpdate.length, 4);
  assertEquals(r.destructiveUpdate, []);
  assertEquals(r.desiredTGUpdates["web"]?.InPlaceUpdate, 4);
  assertEquals(r.deployment?.TaskGroups?.["web"]?.DesiredTotal, 4);
});

Deno.test("reconcile() paces destructive updates by max_parallel", async (t) => {
  const old = job(5, { version: 1 });
  const next = job(5, { version: 2 });
  await t.step("without a deployment: max_parallel of them, lowest indexes first", () => {
    const r = reconcile(input(next, running(old, 5), { allocUpdateFn: destroyAll }));
    assertEquals(names(r.destructiveUpdate), ["web.web[0]", "web.web[1]"]);
    assert(
      r.destructiveUpdate.every((p) =>
        p.stopPreviousDesc === "alloc is being updated due to job update"
      ),
    );
    assertEquals(r.desiredTGUpdates["web"]?.DestructiveUpdate, 2);
    assertEquals(r.desiredTGUpdates["web"]?.Ignore, 3);
    assertEquals(r.deployment?.TaskGroups?.["web"]?.DesiredTotal, 5);
  });
  await t.step("with a deployment: the budget less its allocations not yet healthy", () => {
    const d = newDeployment(next, 50, NOW, "dep-2");
    d.TaskGroups = { web: { ...newDeploymentState(next.TaskGroups![0]!), DesiredTotal: 5 } };
    const fresh = mockAlloc(next, 0, "node-0", { DeploymentID: "dep-2" });
    const allocs = [fresh, ...running(old, 5).slice(1)];
    const r = reconcile(input(next, allocs, {
      deployment: d,
      allocUpdateFn: (a) =>
        a.DeploymentID === "dep-2"
          ? ignoreAll(a, next, next.TaskGroups![0]!)
          : destroyAll(a, next, next.TaskGroups![0]!),
    }));
    assertEquals(names(r.destructiveUpdate), ["web.web[1]"]);
    assertEquals(r.deployment, null, "the existing deployment goes on");
  });
  await t.step("an unhealthy allocation of the deployment halts the rollout", () => {
    const d = newDeployment(next, 50, NOW, "dep-3");
    d.TaskGroups = { web: newDeploymentState(next.TaskGroups![0]!) };
    const bad = mockAlloc(next, 0, "node-0", {
      DeploymentID: "dep-3",
      DeploymentStatus: {
        Healthy: false,
        Timestamp: "0001-01-01T00:00:00Z",
        Canary: false,
        ModifyIndex: 0,
      },
    });
    const r = reconcile(input(next, [bad, ...running(old, 5).slice(1)], {
      deployment: d,
      allocUpdateFn: (a, jj, tg) =>
        a.DeploymentID === "dep-3" ? ignoreAll(a, jj, tg) : destroyAll(a, jj, tg),
    }));
    assertEquals(r.destructiveUpdate, []);
    assertEquals(r.desiredTGUpdates["web"]?.Ignore, 5);
  });
  await t.step("a paused deployment makes no destructive update", () => {
    const d = { ...newDeployment(next, 50, NOW, "dep-4"), Status: "paused" };
    d.TaskGroups = { web: newDeploymentState(next.TaskGroups![0]!) };
    const r = reconcile(input(next, running(old, 5), { deployment: d, allocUpdateFn: destroyAll }));
    assertEquals(r.destructiveUpdate, []);
  });
});

function canaryJob(version: number): Job {
  return job(4, {
    version,
    group: { Update: { ...mockJob().Update!, MaxParallel: 2, Canary: 2 } },
    patch: { Update: { ...mockJob().Update!, MaxParallel: 2, Canary: 2 } },
  });
}

Deno.test("reconcile() places canaries first and holds the rollout until promotion", () => {
  const old = canaryJob(1);
  const next = canaryJob(2);
  const r = reconcile(input(next, running(old, 4), { allocUpdateFn: destroyAll }));
  assertEquals(names(r.place), ["web.web[0]", "web.web[1]"]);
  assert(r.place.every((p) => p.canary));
  assertEquals(r.destructiveUpdate, [], "no destructive update before promotion");
  assertEquals(r.desiredTGUpdates["web"]?.Canary, 2);
  assertEquals(r.desiredTGUpdates["web"]?.Ignore, 4);
  const s = r.deployment?.TaskGroups?.["web"];
  assertEquals(s?.DesiredCanaries, 2);
  assertEquals(
    r.deployment?.StatusDescription,
    "Deployment is running but requires manual promotion",
  );
});

Deno.test("reconcile() carries auto_promote and auto_revert into the deployment", () => {
  const u = {
    ...mockJob().Update!,
    MaxParallel: 1,
    Canary: 1,
    AutoPromote: true,
    AutoRevert: true,
  };
  const old = job(2, { version: 1, group: { Update: u } });
  const next = job(2, { version: 2, group: { Update: u } });
  const r = reconcile(input(next, running(old, 2), { allocUpdateFn: destroyAll }));
  const s = r.deployment?.TaskGroups?.["web"];
  assertEquals([s?.AutoPromote, s?.AutoRevert], [true, true]);
  assertEquals(
    r.deployment?.StatusDescription,
    "Deployment is running pending automatic promotion",
  );
});

Deno.test("reconcile() after promotion replaces the old allocations the canaries stand for", () => {
  const old = canaryJob(1);
  const next = canaryJob(2);
  const c0 = mockAlloc(next, 0, "node-5", { DeploymentID: "dep-c" });
  const c1 = mockAlloc(next, 1, "node-6", { DeploymentID: "dep-c" });
  const d = newDeployment(next, 50, NOW, "dep-c");
  d.TaskGroups = {
    web: {
      ...newDeploymentState(next.TaskGroups![0]!),
      DesiredCanaries: 2,
      DesiredTotal: 4,
      Promoted: true,
      PlacedCanaries: [c0.ID, c1.ID],
      HealthyAllocs: 2,
    },
  };
  const healthy = {
    Healthy: true,
    Timestamp: "0001-01-01T00:00:00Z",
    Canary: true,
    ModifyIndex: 0,
  };
  const allocs = [...running(old, 4), { ...c0, DeploymentStatus: healthy }, {
    ...c1,
    DeploymentStatus: healthy,
  }];
  const r = reconcile(input(next, allocs, {
    deployment: d,
    allocUpdateFn: (a, jj, tg) =>
      a.DeploymentID === "dep-c" ? ignoreAll(a, jj, tg) : destroyAll(a, jj, tg),
  }));
  const oldStops = r.stop.filter((s) => s.alloc.DeploymentID !== "dep-c");
  assertEquals(oldStops.map((s) => s.alloc.Name).sort(), ["web.web[0]", "web.web[1]"]);
  assertEquals(names(r.destructiveUpdate), ["web.web[2]", "web.web[3]"]);
});

Deno.test("reconcile() stops the unpromoted canaries of a failed deployment", () => {
  const next = canaryJob(2);
  const c0 = mockAlloc(next, 0, "node-5", { DeploymentID: "dep-f" });
  const d = { ...newDeployment(next, 50, NOW, "dep-f"), Status: "failed" };
  d.TaskGroups = {
    web: {
      ...newDeploymentState(next.TaskGroups![0]!),
      DesiredCanaries: 2,
      PlacedCanaries: [c0.ID],
    },
  };
  const r = reconcile(input(next, [...running(canaryJob(1), 4), c0], {
    deployment: d,
    allocUpdateFn: (a, jj, tg) => a.ID === c0.ID ? ignoreAll(a, jj, tg) : destroyAll(a, jj, tg),
  }));
  assert(r.stop.some((s) => s.alloc.ID === c0.ID), "the failed deployment's canary is stopped");
  assertEquals(r.destructiveUpdate, []);
});

Deno.test("reconcile() cancels the running deployment of an older job version", () => {
  const old = job(2, { version: 1 });
  const next = job(2, { version: 2 });
  const d = newDeployment(old, 50, NOW, "dep-old");
  const r = reconcile(input(next, running(old, 2), { deployment: d, allocUpdateFn: destroyAll }));
  assertEquals(r.deploymentUpdates[0], {
    DeploymentID: "dep-old",
    Status: "cancelled",
    StatusDescription: "Cancelled due to newer version of job",
  });
  assert(r.deployment !== null && r.deployment.ID !== "dep-old", "a new deployment replaces it");
});

Deno.test("reconcile() marks a deployment successful once everything is healthy", () => {
  const j = job(2);
  const d = newDeployment(j, 50, NOW, "dep-ok");
  d.TaskGroups = {
    web: { ...newDeploymentState(j.TaskGroups![0]!), DesiredTotal: 2, HealthyAllocs: 2 },
  };
  const r = reconcile(input(j, running(j, 2, { DeploymentID: "dep-ok" }), { deployment: d }));
  assertEquals(r.deploymentUpdates, [{
    DeploymentID: "dep-ok",
    Status: "successful",
    StatusDescription: "Deployment completed successfully",
  }]);
  const notYet: Deployment = structuredClone(d);
  notYet.TaskGroups!["web"]!.HealthyAllocs = 1;
  assertEquals(reconcile(input(j, running(j, 2), { deployment: notYet })).deploymentUpdates, []);
});
