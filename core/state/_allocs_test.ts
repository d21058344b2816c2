import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { type Deployment, DeploymentSpec, type Job, NotFoundError, zero } from "../structs/mod.ts";
import type { AllocClientUpdate } from "./entries.ts";
import { mockAlloc, mockEval, planEntry, storeWithJob } from "./_testing.ts";
import type { StateStore } from "./state_store.ts";

function jobOf(store: StateStore): Job {
  const job = store.snapshot().job("default", "web");
  assert(job, "job web is registered");
  return job;
}

function update(
  id: string,
  status: string,
  edit: Partial<AllocClientUpdate> = {},
): AllocClientUpdate {
  return {
    ID: id,
    ClientStatus: status,
    ClientDescription: "",
    TaskStates: null,
    DeploymentStatus: null,
    NetworkStatus: null,
    ...edit,
  };
}

Deno.test("apply(PlanApply) stores placements with indexes, by node, job and eval", async () => {
  const store = await storeWithJob();
  const job = jobOf(store);
  const { index } = await store.apply(
    planEntry(job, "e1", [
      mockAlloc("a1", job, "n1"),
      mockAlloc("a2", job, "n1", { Name: "web.web[1]" }),
      mockAlloc("a3", job, "n2", { Name: "web.web[2]" }),
    ]),
  );
  const snap = store.snapshot();
  const a1 = snap.alloc("a1");
  assert(a1);
  assertEquals([a1.CreateIndex, a1.ModifyIndex, a1.AllocModifyIndex], [index, index, index]);
  assertEquals(a1.CreateTime, 1_700_000_000_000_000_000);
  assertEquals(snap.allocsByNode("n1").map((a) => a.ID), ["a1", "a2"]);
  assertEquals(snap.allocsByNode("n2").map((a) => a.ID), ["a3"]);
  assertEquals(snap.allocsByJob("default", "web").length, 3);
  assertEquals(snap.allocsByEval("e1").length, 3);
  assert(a1.Job === job, "allocations share the plan's job object (no copy per alloc)");
  assert(snap.alloc("a3")?.Job === a1.Job);
  assertEquals(snap.eval("e1")?.ModifyIndex, index, "the plan's eval is touched");
  assertEquals(snap.job("default", "web")?.Status, "running");
  assertEquals(snap.jobSummary("default", "web")?.Summary?.web?.Starting, 3);
  assertEquals(snap.tableIndex("allocs"), index);
});

Deno.test("apply(PlanApply) takes Queued from the eval and lowers it per placement", async () => {
  const store = await storeWithJob();
  const job = jobOf(store);
  await store.apply({
    type: "EvalUpsert",
    evals: [{ ...mockEval("e1", job), QueuedAllocations: { web: 3 } }],
  });
  assertEquals(store.snapshot().jobSummary("default", "web")?.Summary?.web?.Queued, 3);
  await store.apply(planEntry(job, "e1", [mockAlloc("a1", job, "n1")]));
  const web = store.snapshot().jobSummary("default", "web")?.Summary?.web;
  assertEquals([web?.Queued, web?.Starting], [2, 1]);
});

Deno.test("apply(PlanApply) stops and preempts existing allocations from their diffs", async () => {
  const store = await storeWithJob();
  const job = jobOf(store);
  await store.apply(planEntry(job, "e1", [mockAlloc("a1", job, "n1"), mockAlloc("a2", job, "n2")]));
  const { index } = await store.apply(
    planEntry(job, "e1", [], {
      NodeUpdate: {
        n1: [{
          ...mockAlloc("a1", job, "n1"),
          DesiredDescription: "alloc not needed",
          ClientStatus: "",
        }],
      },
      NodePreemptions: { n2: [{ ...mockAlloc("a2", job, "n2"), PreemptedByAllocation: "x9" }] },
    }, 7),
  );
  const snap = store.snapshot();
  const a1 = snap.alloc("a1");
  assertEquals([a1?.DesiredStatus, a1?.DesiredDescription, a1?.ClientStatus], [
    "stop",
    "alloc not needed",
    "pending",
  ]);
  assertEquals([a1?.ModifyTime, a1?.AllocModifyIndex], [7, index]);
  const a2 = snap.alloc("a2");
  assertEquals([a2?.DesiredStatus, a2?.DesiredDescription], ["evict", "Preempted by alloc ID x9"]);
  assert(a1?.Job === job, "a stopped alloc keeps its job");
});

Deno.test("apply(PlanApply) fails without change when the eval or a stopped alloc is missing", async () => {
  const store = await storeWithJob();
  const job = jobOf(store);
  await assertRejects(
    () => store.apply(planEntry(job, "nope", [mockAlloc("a1", job, "n1")])),
    NotFoundError,
    `unable to find eval id "nope"`,
  );
  await assertRejects(
    () =>
      store.apply(planEntry(job, "e1", [], { NodeUpdate: { n1: [mockAlloc("zz", job, "n1")] } })),
    NotFoundError,
    "alloc zz doesn't exist",
  );
  assertEquals(store.snapshot().allocs(), []);
  assertEquals(store.snapshot().eval("e1")?.ModifyIndex, store.snapshot().eval("e1")?.CreateIndex);
});

Deno.test("apply(PlanApply) does not place for a job stopped since the scheduler ran", async () => {
  const store = await storeWithJob();
  const job = jobOf(store);
  await store.apply({ type: "JobDeregister", namespace: "default", jobId: "web", purge: false });
  await store.apply(planEntry(job, "e1", [mockAlloc("a1", job, "n1")]));
  assertEquals(store.snapshot().alloc("a1"), undefined);
});

Deno.test("apply(PlanApply) upserts the deployment and counts its placements", async () => {
  const store = await storeWithJob();
  const job = jobOf(store);
  const deployment: Deployment = {
    ...zero(DeploymentSpec),
    ID: "d1",
    Namespace: "default",
    JobID: "web",
    Status: "running",
    TaskGroups: {
      web: {
        AutoRevert: false,
        AutoPromote: false,
        ProgressDeadline: 600e9,
        RequireProgressBy: "0001-01-01T00:00:00Z",
        Promoted: false,
        PlacedCanaries: null,
        DesiredCanaries: 0,
        DesiredTotal: 3,
        PlacedAllocs: 0,
        HealthyAllocs: 0,
        UnhealthyAllocs: 0,
      },
    },
  };
  const { index } = await store.apply(
    planEntry(job, "e1", [mockAlloc("a1", job, "n1", { DeploymentID: "d1" })], {
      Deployment: deployment,
    }, 1_000_000_000),
  );
  const d = store.snapshot().deployment("d1");
  assertEquals([d?.CreateIndex, d?.ModifyIndex], [index, index]);
  assertEquals(d?.TaskGroups?.web?.PlacedAllocs, 1);
  assertEquals(d?.TaskGroups?.web?.RequireProgressBy, "1970-01-01T00:10:01Z");
  assertEquals(store.snapshot().latestDeployment("default", "web")?.ID, "d1");
  assertEquals(store.snapshot().allocsByDeployment("d1").map((a) => a.ID), ["a1"]);
  await store.apply({
    type: "AllocClientUpdate",
    allocs: [update("a1", "running", {
      DeploymentStatus: {
        Healthy: true,
        Timestamp: "1970-01-01T00:00:02Z",
        Canary: false,
        ModifyIndex: 0,
      },
    })],
  });
  assertEquals(store.snapshot().deployment("d1")?.TaskGroups?.web?.HealthyAllocs, 1);
});

Deno.test("apply(PlanApply) marks rejected nodes ineligible with Nomad's event", async () => {
  const store = await storeWithJob();
  await store.apply(planEntry(jobOf(store), "e1", [], { IneligibleNodes: ["n3"] }));
  const n3 = store.snapshot().node("n3");
  assertEquals(n3?.SchedulingEligibility, "ineligible");
  assertEquals(n3?.Events?.at(-1)?.Subsystem, "Scheduler");
});

Deno.test("apply(AllocClientUpdate) moves summary counts and stamps the node", async () => {
  const store = await storeWithJob();
  const job = jobOf(store);
  await store.apply(planEntry(job, "e1", [mockAlloc("a1", job, "n1"), mockAlloc("a2", job, "n1")]));
  const { index } = await store.apply({
    type: "AllocClientUpdate",
    allocs: [update("a1", "running"), update("a2", "failed", { ClientDescription: "boom" })],
  });
  const snap = store.snapshot();
  const web = snap.jobSummary("default", "web")?.Summary?.web;
  assertEquals([web?.Starting, web?.Running, web?.Failed], [0, 1, 1]);
  assertEquals(snap.alloc("a2")?.ClientDescription, "boom");
  assertEquals(snap.alloc("a1")?.ModifyIndex, index);
  assertEquals(
    snap.alloc("a1")?.AllocModifyIndex !== index,
    true,
    "client updates keep AllocModifyIndex",
  );
  assertEquals(snap.node("n1")?.LastAllocUpdateIndex, index);
  assertEquals(snap.tableIndex("nodes"), index);
});

Deno.test("apply(AllocClientUpdate) keeps client state when the scheduler updates an alloc", async () => {
  const store = await storeWithJob();
  const job = jobOf(store);
  await store.apply(planEntry(job, "e1", [mockAlloc("a1", job, "n1")]));
  await store.apply({ type: "AllocClientUpdate", allocs: [update("a1", "running")] });
  await store.apply(
    planEntry(job, "e1", [mockAlloc("a1", job, "n1", { ClientStatus: "pending" })]),
  );
  assertEquals(store.snapshot().alloc("a1")?.ClientStatus, "running");
});

Deno.test("apply(AllocDesiredTransition) and AllocStop merge transitions and store the eval", async () => {
  const store = await storeWithJob();
  const job = jobOf(store);
  await store.apply(planEntry(job, "e1", [mockAlloc("a1", job, "n1")]));
  const { index } = await store.apply({
    type: "AllocStop",
    allocId: "a1",
    eval: mockEval("e2", job, { TriggeredBy: "alloc-stop" }),
  });
  const a1 = store.snapshot().alloc("a1");
  assertEquals(a1?.DesiredTransition, {
    Migrate: true,
    Reschedule: false,
    ForceReschedule: null,
    NoShutdownDelay: false,
    MigrateDisablePlacement: null,
  });
  assertEquals(a1?.AllocModifyIndex, index);
  assertEquals(store.snapshot().eval("e2")?.CreateIndex, index);
  await store.apply({
    type: "AllocDesiredTransition",
    transitions: { a1: { ForceReschedule: true } },
    evals: [],
  });
  assertEquals(store.snapshot().alloc("a1")?.DesiredTransition.Migrate, true);
  assertEquals(store.snapshot().alloc("a1")?.DesiredTransition.ForceReschedule, true);
});
