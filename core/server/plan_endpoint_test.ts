import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { CTX, liveAllocs, simJob, simNode, testServer, waitForEval } from "./server_testing.ts";

const PLAN = { diff: true, policyOverride: false };

Deno.test("planJob() of a new job returns the diff and the placements, and applies nothing", async () => {
  const { server, state } = await testServer();
  try {
    for (let i = 0; i < 2; i++) await server.registerNode(simNode(i), CTX);
    const before = state.index;
    const plan = await server.planJob(simJob("web", 3), PLAN, CTX);
    assertEquals(plan.JobModifyIndex, 0);
    assertEquals(plan.Diff?.Type, "Added");
    assertEquals(plan.Annotations?.DesiredTGUpdates?.["web"]?.Place, 3);
    assertEquals(plan.Diff?.TaskGroups?.[0]?.Updates, { create: 3 });
    assertEquals(plan.FailedTGAllocs, null);
    assertEquals(plan.CreatedEvals, null);
    assertEquals(plan.NextPeriodicLaunch, "0001-01-01T00:00:00Z");
    assertEquals(state.index, before, "nothing was written");
    assertEquals(state.snapshot().jobs().length, 0);
  } finally {
    await server.stop();
  }
});

Deno.test("planJob() of a count change annotates the diff and gives the index for -check-index", async () => {
  const { server, state } = await testServer();
  try {
    for (let i = 0; i < 2; i++) await server.registerNode(simNode(i), CTX);
    const reg = await server.registerJob({ Job: simJob("web", 3) }, CTX);
    await waitForEval(state, reg.EvalID);
    const plan = await server.planJob(simJob("web", 5), PLAN, CTX);
    assertEquals(plan.JobModifyIndex, reg.JobModifyIndex);
    assertEquals(plan.Diff?.Type, "Edited");
    const tg = plan.Diff?.TaskGroups?.[0];
    assertEquals(tg?.Fields?.find((f) => f.Name === "Count"), {
      Type: "Edited",
      Name: "Count",
      Old: "3",
      New: "5",
      Annotations: ["forces create"],
    });
    assertEquals(tg?.Updates, { create: 2, "in-place update": 3 });
    const updates = plan.Annotations?.DesiredTGUpdates?.["web"];
    assertEquals([updates?.Place, updates?.InPlaceUpdate], [2, 3]);
    assertEquals(liveAllocs(state.snapshot(), "web").length, 3, "the plan placed nothing");

    // `job run -check-index` with the plan's index succeeds once, then the index is stale.
    const run = await server.registerJob({
      Job: simJob("web", 5),
      EnforceIndex: true,
      JobModifyIndex: plan.JobModifyIndex,
    }, CTX);
    await waitForEval(state, run.EvalID);
    assertEquals(liveAllocs(state.snapshot(), "web").length, 5);
    await assertRejects(
      () =>
        server.registerJob({
          Job: simJob("web", 6),
          EnforceIndex: true,
          JobModifyIndex: plan.JobModifyIndex,
        }, CTX),
      Error,
      `Enforcing job modify index ${plan.JobModifyIndex}: job exists with conflicting job modify index: ${run.JobModifyIndex}`,
    );
  } finally {
    await server.stop();
  }
});

Deno.test("planJob() of an unchanged job plans no update and keeps the job's index", async () => {
  const { server, state } = await testServer();
  try {
    await server.registerNode(simNode(0), CTX);
    const reg = await server.registerJob({ Job: simJob("web", 2) }, CTX);
    await waitForEval(state, reg.EvalID);
    const plan = await server.planJob(simJob("web", 2), PLAN, CTX);
    assertEquals(plan.Diff?.Type, "None");
    assertEquals(plan.Annotations?.DesiredTGUpdates?.["web"]?.Ignore, 2);
    assertEquals(plan.JobModifyIndex, reg.JobModifyIndex);
  } finally {
    await server.stop();
  }
});

Deno.test("planJob() reports the placements that would fail and the blocked evaluation", async () => {
  const { server, state } = await testServer();
  try {
    await server.registerNode(simNode(0), CTX);
    const plan = await server.planJob(simJob("big", 10, { cpu: 1000 }), PLAN, CTX);
    const failed = plan.FailedTGAllocs?.["web"];
    assert(failed !== undefined, "the group has failed placements");
    assertEquals(failed.CoalescedFailures, 5);
    assertEquals(plan.CreatedEvals?.length, 1);
    assertEquals(plan.CreatedEvals?.[0]?.Status, "blocked");
    assertEquals(state.snapshot().evals().length, 0);
  } finally {
    await server.stop();
  }
});

Deno.test("planJob() without diff answers no diff", async () => {
  const { server } = await testServer();
  try {
    const plan = await server.planJob(
      simJob("web", 1),
      { diff: false, policyOverride: false },
      CTX,
    );
    assertEquals(plan.Diff, null);
    assert(plan.Annotations !== null);
  } finally {
    await server.stop();
  }
});
