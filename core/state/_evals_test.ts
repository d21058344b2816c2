import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { memoryStore, mockAlloc, mockEval, mockJob, planEntry, storeWithJob } from "./_testing.ts";
import { DEFAULT_SCHEDULER_CONFIG } from "./_deployments.ts";

Deno.test("apply(EvalUpsert) keeps CreateIndex and bumps ModifyIndex", async () => {
  const store = await storeWithJob();
  const created = store.snapshot().eval("e1")?.CreateIndex;
  const { index } = await store.apply({
    type: "EvalUpsert",
    evals: [{ ...mockEval("e1", mockJob("web")), Status: "complete" }],
  });
  const e = store.snapshot().eval("e1");
  assertEquals([e?.CreateIndex, e?.ModifyIndex, e?.Status], [created, index, "complete"]);
  assertEquals(store.snapshot().evalsByJob("default", "web").map((x) => x.ID), ["e1"]);
});

Deno.test("apply(EvalUpsert) of a successful eval cancels the job's blocked evals", async () => {
  const store = await storeWithJob();
  const job = mockJob("web");
  await store.apply({ type: "EvalUpsert", evals: [mockEval("b1", job, { Status: "blocked" })] });
  await store.apply({
    type: "EvalUpsert",
    evals: [mockEval("e1", job, { Status: "complete", ModifyTime: 99 })],
  });
  const b1 = store.snapshot().eval("b1");
  assertEquals([b1?.Status, b1?.StatusDescription, b1?.ModifyTime], [
    "canceled",
    `evaluation "e1" successful`,
    99,
  ]);
});

Deno.test("apply(EvalDelete) removes evals and allocs; the job turns dead", async () => {
  const store = await storeWithJob();
  const job = store.snapshot().job("default", "web") ?? mockJob("web");
  await store.apply(planEntry(job, "e1", [mockAlloc("a1", job, "n1")]));
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
  const { index } = await store.apply({ type: "EvalDelete", evalIds: ["e1"], allocIds: ["a1"] });
  const snap = store.snapshot();
  assertEquals([snap.eval("e1"), snap.alloc("a1")], [undefined, undefined]);
  assertEquals(snap.job("default", "web")?.Status, "dead");
  assertEquals([snap.tableIndex("evals"), snap.tableIndex("allocs")], [index, index]);
});

Deno.test("apply(EvalDelete) by an operator needs the eval broker paused", async () => {
  const store = await storeWithJob();
  await assertRejects(
    () => store.apply({ type: "EvalDelete", evalIds: ["e1"], allocIds: [], userInitiated: true }),
    Error,
    "eval broker is enabled; eval broker must be paused to delete evals",
  );
  await store.apply({
    type: "SchedulerConfig",
    config: { ...DEFAULT_SCHEDULER_CONFIG, PauseEvalBroker: true },
  });
  await store.apply({ type: "EvalDelete", evalIds: ["e1"], allocIds: [], userInitiated: true });
  assertEquals(store.snapshot().eval("e1"), undefined);
});

Deno.test("apply(SchedulerConfig) sets the config; a stale cas changes nothing", async () => {
  const store = await memoryStore();
  assertEquals(store.snapshot().schedulerConfig().SchedulerAlgorithm, "binpack");
  assertEquals(store.snapshot().schedulerConfig().PreemptionConfig.SystemSchedulerEnabled, true);
  assertEquals(store.snapshot().schedulerConfig().PreemptionConfig.SysBatchSchedulerEnabled, true);
  const set = await store.apply({
    type: "SchedulerConfig",
    config: { ...DEFAULT_SCHEDULER_CONFIG, SchedulerAlgorithm: "spread" },
    cas: 0,
  });
  assertEquals(set.updated, true);
  const cfg = store.snapshot().schedulerConfig();
  assertEquals([cfg.SchedulerAlgorithm, cfg.CreateIndex, cfg.ModifyIndex], [
    "spread",
    set.index,
    set.index,
  ]);
  const stale = await store.apply({
    type: "SchedulerConfig",
    config: { ...DEFAULT_SCHEDULER_CONFIG, SchedulerAlgorithm: "binpack" },
    cas: set.index - 1,
  });
  assertEquals(stale.updated, false);
  assertEquals(store.snapshot().schedulerConfig().SchedulerAlgorithm, "spread");
  assertEquals(store.snapshot().tableIndex("scheduler_config"), set.index);
});

Deno.test("apply(JobSummaryReconcile) recounts summaries from allocations", async () => {
  const store = await storeWithJob();
  const job = store.snapshot().job("default", "web") ?? mockJob("web");
  await store.apply({
    type: "EvalUpsert",
    evals: [{ ...mockEval("e1", job), QueuedAllocations: { web: 1 } }],
  });
  await store.apply(planEntry(job, "e1", [mockAlloc("a1", job, "n1"), mockAlloc("a2", job, "n2")]));
  await store.apply({
    type: "AllocClientUpdate",
    allocs: [{
      ID: "a2",
      ClientStatus: "running",
      ClientDescription: "",
      TaskStates: null,
      DeploymentStatus: null,
      NetworkStatus: null,
    }],
  });
  const before = store.snapshot().jobSummary("default", "web")?.Summary;
  const { index } = await store.apply({ type: "JobSummaryReconcile" });
  const after = store.snapshot().jobSummary("default", "web");
  assertEquals(after?.Summary, before, "incremental counts match a recount");
  assertEquals(after?.Summary?.web, {
    Queued: 0,
    Complete: 0,
    Failed: 0,
    Running: 1,
    Starting: 1,
    Lost: 0,
    Unknown: 0,
  });
  assertEquals(after?.ModifyIndex, index);
  assert(after?.CreateIndex === job.CreateIndex);
});
