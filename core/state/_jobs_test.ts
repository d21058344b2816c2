import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { ConflictError, NotFoundError } from "../structs/mod.ts";
import { memoryStore, mockAlloc, mockEval, mockJob, planEntry, storeWithJob } from "./_testing.ts";
import { jobSpecChanged } from "./_jobs.ts";

Deno.test("apply(JobRegister) stores a new job at version 0 with its indexes, summary and eval", async () => {
  const store = await memoryStore();
  const job = mockJob("web");
  const { index } = await store.apply({ type: "JobRegister", job, eval: mockEval("e1", job) });
  const snap = store.snapshot();
  const stored = snap.job("default", "web");
  assert(stored);
  assertEquals(
    [stored.Version, stored.CreateIndex, stored.ModifyIndex, stored.JobModifyIndex],
    [0, index, index, index],
  );
  assertEquals(stored.Status, "pending");
  assertEquals(stored.NodePool, "default");
  assertEquals(snap.jobVersion("default", "web", 0), stored);
  assertEquals(snap.jobSummary("default", "web")?.Summary, {
    web: { Queued: 0, Complete: 0, Failed: 0, Running: 0, Starting: 0, Lost: 0, Unknown: 0 },
  });
  assertEquals(snap.eval("e1")?.JobModifyIndex, index);
  assertEquals(snap.eval("e1")?.CreateIndex, index);
  for (const t of ["jobs", "job_version", "job_summary", "evals"] as const) {
    assertEquals(snap.tableIndex(t), index, t);
  }
  assertEquals(snap.tableIndex("allocs"), 0);
});

Deno.test("apply(JobRegister) bumps the version only when the spec changed", async () => {
  const store = await storeWithJob();
  const first = store.snapshot().job("default", "web");
  const same = await store.apply({
    type: "JobRegister",
    job: mockJob("web"),
    eval: mockEval("e2", mockJob("web")),
  });
  assertEquals(same.updated, false);
  const snap = store.snapshot();
  assertEquals(snap.job("default", "web"), first, "an unchanged spec keeps the stored job");
  assert(snap.eval("e2"), "the evaluation is stored anyway");
  const changed = await store.apply({ type: "JobRegister", job: mockJob("web", {}, 5) });
  const v1 = store.snapshot().job("default", "web");
  assertEquals([v1?.Version, v1?.JobModifyIndex, v1?.CreateIndex], [
    1,
    changed.index,
    first?.CreateIndex,
  ]);
  assertEquals(store.snapshot().jobVersions("default", "web").map((j) => j.Version), [1, 0]);
});

Deno.test("jobSpecChanged() ignores status, stability, versions, indexes and submit time", () => {
  const a = mockJob("web");
  assertEquals(
    jobSpecChanged(a, {
      ...a,
      Status: "running",
      Stable: true,
      Version: 4,
      ModifyIndex: 9,
      SubmitTime: 5,
    }),
    false,
  );
  assertEquals(jobSpecChanged(a, { ...a, Priority: 70 }), true);
  assertEquals(jobSpecChanged(undefined, a), true);
});

Deno.test("apply(JobRegister) enforces the job modify index", async () => {
  const store = await storeWithJob();
  const jmi = store.snapshot().job("default", "web")?.JobModifyIndex ?? -1;
  await assertRejects(
    () => store.apply({ type: "JobRegister", job: mockJob("web", {}, 4), enforceIndex: 0 }),
    ConflictError,
    "Enforcing job modify index 0: job already exists",
  );
  await assertRejects(
    () => store.apply({ type: "JobRegister", job: mockJob("web", {}, 4), enforceIndex: jmi + 7 }),
    ConflictError,
    `job exists with conflicting job modify index: ${jmi}`,
  );
  const ok = await store.apply({
    type: "JobRegister",
    job: mockJob("web", {}, 4),
    enforceIndex: jmi,
  });
  assertEquals(store.snapshot().job("default", "web")?.JobModifyIndex, ok.index);
});

Deno.test("apply(JobRegister) keeps 6 versions and never drops the newest stable one", async () => {
  const store = await memoryStore();
  await store.apply({ type: "JobRegister", job: mockJob("web", {}, 1) });
  await store.apply({
    type: "JobStability",
    namespace: "default",
    jobId: "web",
    version: 0,
    stable: true,
  });
  for (let count = 2; count <= 9; count++) {
    await store.apply({ type: "JobRegister", job: mockJob("web", {}, count) });
  }
  const versions = store.snapshot().jobVersions("default", "web").map((j) => j.Version);
  assertEquals(versions, [8, 7, 6, 5, 4, 0]);
  assertEquals(store.snapshot().jobVersion("default", "web", 0)?.Stable, true);
});

Deno.test("apply(JobRegister) with preserveCounts keeps the current group counts", async () => {
  const store = await storeWithJob();
  await store.apply({
    type: "JobRegister",
    job: mockJob("web", { Priority: 60 }, 9),
    preserveCounts: true,
  });
  const job = store.snapshot().job("default", "web");
  assertEquals([job?.Priority, job?.TaskGroups?.[0]?.Count], [60, 3]);
});

Deno.test("apply(JobDeregister) stops the job as a new version and stores the eval", async () => {
  const store = await storeWithJob();
  const job = store.snapshot().job("default", "web");
  const { index } = await store.apply({
    type: "JobDeregister",
    namespace: "default",
    jobId: "web",
    purge: false,
    eval: mockEval("e2", mockJob("web"), { TriggeredBy: "job-deregister" }),
    submitTime: 42,
  });
  const stopped = store.snapshot().job("default", "web");
  assertEquals([stopped?.Stop, stopped?.Version, stopped?.SubmitTime], [true, 1, 42]);
  assertEquals(stopped?.CreateIndex, job?.CreateIndex);
  assertEquals(store.snapshot().eval("e2")?.JobModifyIndex, index);
  assertEquals(stopped?.Status, "pending", "two pending evals keep it pending");
});

Deno.test("apply(JobDeregister) of a missing job fails but still stores the eval", async () => {
  const store = await memoryStore();
  await assertRejects(
    () =>
      store.apply({
        type: "JobDeregister",
        namespace: "default",
        jobId: "ghost",
        purge: false,
        eval: mockEval("e9", mockJob("ghost")),
      }),
    NotFoundError,
    `job "ghost" in namespace "default" doesn't exist to be deregistered`,
  );
  assert(store.snapshot().eval("e9"));
});

Deno.test("apply(JobDeregister) with purge deletes the job, versions, allocs and summary", async () => {
  const store = await storeWithJob();
  const job = store.snapshot().job("default", "web") ?? mockJob("web");
  await store.apply(planEntry(job, "e1", [mockAlloc("a1", job, "n1")]));
  const { index } = await store.apply({
    type: "JobDeregister",
    namespace: "default",
    jobId: "web",
    purge: true,
  });
  const snap = store.snapshot();
  assertEquals(snap.job("default", "web"), undefined);
  assertEquals(snap.jobVersions("default", "web"), []);
  assertEquals(snap.allocsByJob("default", "web"), []);
  assertEquals(snap.allocsByNode("n1"), []);
  assertEquals(snap.jobSummary("default", "web"), undefined);
  assertEquals(snap.eval("e1")?.Status, "complete");
  assertEquals(snap.eval("e1")?.StatusDescription, "job web deleted");
  for (const t of ["jobs", "job_version", "allocs", "job_summary"] as const) {
    assertEquals(snap.tableIndex(t), index, t);
  }
});

Deno.test("apply(JobStability) marks a version stable in the job and its version row", async () => {
  const store = await storeWithJob();
  const { index } = await store.apply({
    type: "JobStability",
    namespace: "default",
    jobId: "web",
    version: 0,
    stable: true,
  });
  const snap = store.snapshot();
  assertEquals(snap.job("default", "web")?.Stable, true);
  assertEquals(snap.job("default", "web")?.Version, 0, "stability keeps the version");
  assertEquals(snap.job("default", "web")?.ModifyIndex, index);
  assertEquals(snap.jobVersion("default", "web", 0), snap.job("default", "web"));
});

Deno.test("apply(JobBatchDeregister) purges several jobs in one entry", async () => {
  const store = await memoryStore();
  for (const id of ["a", "b"]) await store.apply({ type: "JobRegister", job: mockJob(id) });
  await store.apply({
    type: "JobBatchDeregister",
    jobs: [{ namespace: "default", jobId: "a", purge: true }, {
      namespace: "default",
      jobId: "b",
      purge: false,
    }],
  });
  const snap = store.snapshot();
  assertEquals(snap.job("default", "a"), undefined);
  assertEquals(snap.job("default", "b")?.Stop, true);
  assertEquals(snap.jobs({ namespace: "default" }).map((j) => j.ID), ["b"]);
});

Deno.test("job status follows evals and allocs: pending, running, dead", async () => {
  const store = await storeWithJob();
  const status = () => store.snapshot().job("default", "web")?.Status;
  assertEquals(status(), "pending");
  const job = store.snapshot().job("default", "web") ?? mockJob("web");
  await store.apply(planEntry(job, "e1", [mockAlloc("a1", job, "n1")], {}, 5));
  assertEquals(status(), "running");
  await store.apply({
    type: "EvalUpsert",
    evals: [{ ...mockEval("e1", job), Status: "complete" }],
  });
  await store.apply({
    type: "AllocClientUpdate",
    allocs: [{
      ID: "a1",
      ClientStatus: "complete",
      ClientDescription: "",
      TaskStates: null,
      DeploymentStatus: null,
      NetworkStatus: null,
    }],
  });
  assertEquals(status(), "dead");
});
