import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { type Deployment, DeploymentSpec, type Job, zero } from "../structs/mod.ts";
import { mockAlloc, mockEval, planEntry, storeWithJob } from "./_testing.ts";
import type { StateStore } from "./state_store.ts";

function deployment(job: Job, canaries: number): Deployment {
  return {
    ...zero(DeploymentSpec),
    ID: "d1",
    Namespace: "default",
    JobID: job.ID ?? "",
    JobVersion: job.Version ?? 0,
    Status: "running",
    StatusDescription: canaries > 0 ? "Deployment is running but requires manual promotion" : "",
    TaskGroups: {
      web: {
        AutoRevert: false,
        AutoPromote: false,
        ProgressDeadline: 0,
        RequireProgressBy: "0001-01-01T00:00:00Z",
        Promoted: false,
        PlacedCanaries: null,
        DesiredCanaries: canaries,
        DesiredTotal: 3,
        PlacedAllocs: 0,
        HealthyAllocs: 0,
        UnhealthyAllocs: 0,
      },
    },
  };
}

/** Job web with deployment d1 and canary allocations c1, c2 placed in it. */
async function withCanaries(): Promise<{ store: StateStore; job: Job }> {
  const store = await storeWithJob();
  const job = store.snapshot().job("default", "web") as Job;
  const canary = { Healthy: null, Timestamp: "0001-01-01T00:00:00Z", Canary: true, ModifyIndex: 0 };
  await store.apply(
    planEntry(job, "e1", [
      mockAlloc("c1", job, "n1", { DeploymentID: "d1", DeploymentStatus: canary }),
      mockAlloc("c2", job, "n2", { DeploymentID: "d1", DeploymentStatus: canary }),
    ], { Deployment: deployment(job, 2) }),
  );
  return { store, job };
}

Deno.test("placing canaries records them in the deployment", async () => {
  const { store } = await withCanaries();
  const web = store.snapshot().deployment("d1")?.TaskGroups?.web;
  assertEquals([web?.PlacedAllocs, web?.PlacedCanaries], [2, ["c1", "c2"]]);
  assertEquals(store.snapshot().job("default", "web")?.Status, "running");
});

Deno.test("apply(DeploymentAllocHealth) sets alloc health and deployment counts", async () => {
  const { store } = await withCanaries();
  const { index } = await store.apply({
    type: "DeploymentAllocHealth",
    deploymentId: "d1",
    healthy: ["c1"],
    unhealthy: ["c2"],
    timestamp: 2e9,
  });
  const snap = store.snapshot();
  assertEquals(snap.alloc("c1")?.DeploymentStatus, {
    Canary: true,
    Healthy: true,
    Timestamp: "1970-01-01T00:00:02Z",
    ModifyIndex: index,
  });
  assertEquals(snap.alloc("c2")?.DeploymentStatus?.Healthy, false);
  const web = snap.deployment("d1")?.TaskGroups?.web;
  assertEquals([web?.HealthyAllocs, web?.UnhealthyAllocs], [1, 1]);
  await assertRejects(
    () =>
      store.apply({
        type: "DeploymentAllocHealth",
        deploymentId: "d1",
        healthy: ["zz"],
        unhealthy: [],
        timestamp: 1,
      }),
    Error,
    `unknown alloc "zz"`,
  );
});

Deno.test("apply(DeploymentPromote) needs healthy canaries, then promotes them", async () => {
  const { store, job } = await withCanaries();
  const promote = {
    type: "DeploymentPromote" as const,
    deploymentId: "d1",
    all: true,
    groups: [],
    promotedAt: 5e9,
    eval: mockEval("e2", job, { TriggeredBy: "deployment-watcher" }),
  };
  await assertRejects(
    () => store.apply(promote),
    Error,
    `1 error occurred:\n\t* Task group "web" has 0/2 healthy allocations`,
  );
  assertEquals(store.snapshot().eval("e2"), undefined, "a failed promotion stores nothing");
  await store.apply({
    type: "DeploymentAllocHealth",
    deploymentId: "d1",
    healthy: ["c1", "c2"],
    unhealthy: [],
    timestamp: 2e9,
  });
  const { index } = await store.apply(promote);
  const snap = store.snapshot();
  const d = snap.deployment("d1");
  assertEquals([d?.TaskGroups?.web?.Promoted, d?.StatusDescription], [
    true,
    "Deployment is running",
  ]);
  assertEquals(snap.alloc("c1")?.DeploymentStatus?.Canary, false);
  assertEquals(snap.alloc("c1")?.AllocModifyIndex, index);
  assert(snap.eval("e2"));
});

Deno.test("apply(DeploymentStatus) to successful makes the job version stable", async () => {
  const { store } = await withCanaries();
  const { index } = await store.apply({
    type: "DeploymentStatus",
    update: {
      DeploymentID: "d1",
      Status: "successful",
      StatusDescription: "Deployment completed successfully",
    },
    updatedAt: 9e9,
  });
  const snap = store.snapshot();
  assertEquals([snap.deployment("d1")?.Status, snap.deployment("d1")?.ModifyTime], [
    "successful",
    9e9,
  ]);
  assertEquals(snap.job("default", "web")?.Stable, true);
  assertEquals(snap.jobVersion("default", "web", 0)?.Stable, true);
  assertEquals(snap.tableIndex("deployment"), index);
  await assertRejects(
    () =>
      store.apply({
        type: "DeploymentStatus",
        update: { DeploymentID: "d1", Status: "failed", StatusDescription: "" },
        updatedAt: 1,
      }),
    Error,
    `Deployment "d1" has terminal status "successful"`,
  );
});

Deno.test("apply(DeploymentDelete) removes deployments", async () => {
  const { store } = await withCanaries();
  const { index } = await store.apply({ type: "DeploymentDelete", deploymentIds: ["d1"] });
  assertEquals(store.snapshot().deployment("d1"), undefined);
  assertEquals(store.snapshot().latestDeployment("default", "web"), undefined);
  assertEquals(store.snapshot().tableIndex("deployment"), index);
});
