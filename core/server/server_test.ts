import { NetworkResourceSpec, PortSpec, ServiceSpec, zero } from "../structs/mod.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../tests/assert.ts";
import {
  CTX,
  liveAllocs,
  simJob,
  simNode,
  testServer,
  waitFor,
  waitForEval,
} from "./server_testing.ts";

Deno.test("registerJob() places a job: the evaluation completes and the allocations are stored", async () => {
  const { server, state } = await testServer();
  try {
    for (let i = 0; i < 3; i++) await server.registerNode(simNode(i), CTX);
    const reply = await server.registerJob({ Job: simJob("web", 3) }, CTX);
    assert(reply.EvalID !== "");
    assertEquals(reply.EvalCreateIndex, reply.JobModifyIndex);
    const evaluation = await waitForEval(state, reply.EvalID);
    assertEquals(evaluation.QueuedAllocations, { web: 0 });
    const snap = state.snapshot();
    const allocs = liveAllocs(snap, "web");
    assertEquals(allocs.length, 3);
    assertEquals(
      allocs.every((a) => a.EvalID === reply.EvalID && a.ClientStatus === "pending"),
      true,
    );
    assertEquals(allocs.map((a) => a.Name).sort(), ["web.web[0]", "web.web[1]", "web.web[2]"]);
    assertEquals(snap.jobSummary("default", "web")?.Summary?.["web"]?.Starting, 3);
    const job = snap.job("default", "web")!;
    assertEquals(job.Datacenters, ["dc1"]);
    assertEquals(job.NodePool, "default");
    assert((job.SubmitTime ?? 0) > 0);
  } finally {
    await server.stop();
  }
});

Deno.test("registerJob() applies Nomad's server-side defaults", async () => {
  const { server, state } = await testServer();
  try {
    const job = simJob("sd", 1, { job: { Datacenters: null, NodePool: "" } });
    const group = job.TaskGroups![0]!;
    group.Services = [{ ...structuredClone(SERVICE), Provider: "nomad" }];
    group.Networks = [{ ...structuredClone(NETWORK) }];
    await server.registerJob({ Job: job }, CTX);
    const stored = state.snapshot().job("default", "sd")!;
    assertEquals(stored.Datacenters, ["*"]);
    assertEquals(stored.NodePool, "default");
    assertEquals(stored.Region, "global");
    const tg = stored.TaskGroups![0]!;
    assertEquals(tg.Constraints, [{
      LTarget: "${attr.nomad.service_discovery}",
      RTarget: "true",
      Operand: "=",
    }]);
    assertEquals(tg.Networks![0]!.DynamicPorts![0]!.HostNetwork, "default");
  } finally {
    await server.stop();
  }
});

Deno.test("registerJob() registers Consul services in Nomad's catalog, with a warning, so they place", async () => {
  const { server, state } = await testServer();
  try {
    for (let i = 0; i < 2; i++) {
      const node = simNode(i);
      node.Attributes = { ...node.Attributes, "nomad.service_discovery": "true" };
      await server.registerNode(node, CTX);
    }
    const job = simJob("legacy", 2);
    const task = job.TaskGroups![0]!.Tasks![0]!;
    task.Services = [{ ...structuredClone(SERVICE), Name: "redis-cache", Provider: "" }];
    job.TaskGroups![0]!.Networks = [{ ...structuredClone(NETWORK) }];
    const reply = await server.registerJob({ Job: job }, CTX);
    assertStringIncludes(reply.Warnings, 'Service "redis-cache" uses the Consul provider');
    await waitForEval(state, reply.EvalID);
    const stored = state.snapshot().job("default", "legacy")!.TaskGroups![0]!;
    assertEquals(stored.Tasks![0]!.Services![0]!.Provider, "nomad");
    assert(!(stored.Tasks![0]!.Constraints ?? []).some((c) => c.LTarget.includes("consul")));
    assertEquals(liveAllocs(state.snapshot(), "legacy").length, 2);
  } finally {
    await server.stop();
  }
});

Deno.test("registerJob() scales a job from 1 to 3 and keeps the running allocation", async () => {
  const { server, state } = await testServer();
  try {
    for (let i = 0; i < 2; i++) await server.registerNode(simNode(i), CTX);
    const first = await server.registerJob({ Job: simJob("web", 1) }, CTX);
    await waitForEval(state, first.EvalID);
    const before = liveAllocs(state.snapshot(), "web").map((a) => a.ID);
    assertEquals(before.length, 1);
    const second = await server.registerJob({ Job: simJob("web", 3) }, CTX);
    assert(second.JobModifyIndex > first.JobModifyIndex);
    await waitForEval(state, second.EvalID);
    const after = liveAllocs(state.snapshot(), "web");
    assertEquals(after.length, 3);
    assert(after.some((a) => a.ID === before[0]), "the first allocation keeps running");
    assertEquals(state.snapshot().job("default", "web")?.Version, 1);
  } finally {
    await server.stop();
  }
});

Deno.test("registerJob() of an unchanged job stores only a new evaluation", async () => {
  const { server, state } = await testServer();
  try {
    await server.registerNode(simNode(0), CTX);
    const first = await server.registerJob({ Job: simJob("web", 1) }, CTX);
    await waitForEval(state, first.EvalID);
    const again = await server.registerJob({ Job: simJob("web", 1) }, CTX);
    assert(again.EvalID !== first.EvalID);
    assertEquals(state.snapshot().job("default", "web")?.Version, 0);
    await waitForEval(state, again.EvalID);
    assertEquals(liveAllocs(state.snapshot(), "web").length, 1);
  } finally {
    await server.stop();
  }
});

Deno.test("registerJob() with EnforceIndex refuses a stale job modify index as Nomad does", async () => {
  const { server } = await testServer();
  try {
    const first = await server.registerJob({ Job: simJob("web", 1) }, CTX);
    const stale = first.JobModifyIndex + 7;
    await assertRejects(
      () =>
        server.registerJob(
          { Job: simJob("web", 2), EnforceIndex: true, JobModifyIndex: stale },
          CTX,
        ),
      Error,
      `Enforcing job modify index ${stale}: job exists with conflicting job modify index: ${first.JobModifyIndex}`,
    );
    await assertRejects(
      () =>
        server.registerJob({ Job: simJob("new", 1), EnforceIndex: true, JobModifyIndex: 5 }, CTX),
      Error,
      "Enforcing job modify index 5: job does not exist",
    );
    const ok = await server.registerJob({
      Job: simJob("web", 2),
      EnforceIndex: true,
      JobModifyIndex: first.JobModifyIndex,
    }, CTX);
    assert(ok.JobModifyIndex > first.JobModifyIndex);
  } finally {
    await server.stop();
  }
});

Deno.test("registerJob() rejects an invalid job with every problem and a type change", async () => {
  const { server } = await testServer();
  try {
    const bad = simJob("bad", 1);
    bad.TaskGroups![0]!.Tasks![0]!.Driver = "";
    bad.Priority = 500;
    const err = await assertRejects(() => server.registerJob({ Job: bad }, CTX));
    assertStringIncludes((err as Error).message, "Missing task driver");
    assertStringIncludes((err as Error).message, "job priority must be between [1, 100]");
    await server.registerJob({ Job: simJob("web", 1) }, CTX);
    await assertRejects(
      () => server.registerJob({ Job: simJob("web", 1, { job: { Type: "batch" } }) }, CTX),
      Error,
      `cannot update job from type "service" to "batch"`,
    );
  } finally {
    await server.stop();
  }
});

Deno.test("deregisterJob() stops the allocations, and purge removes the job", async (t) => {
  const { server, state } = await testServer();
  try {
    await server.registerNode(simNode(0), CTX);
    const reg = await server.registerJob({ Job: simJob("web", 2) }, CTX);
    await waitForEval(state, reg.EvalID);
    await t.step("stop", async () => {
      const stop = await server.deregisterJob("web", OPTS, CTX);
      await waitForEval(state, stop.EvalID);
      const snap = state.snapshot();
      assertEquals(snap.job("default", "web")?.Stop, true);
      assertEquals(liveAllocs(snap, "web").length, 0);
      assertEquals(
        snap.allocsByJob("default", "web").every((a) => a.DesiredStatus === "stop"),
        true,
      );
    });
    await t.step("purge", async () => {
      const purge = await server.deregisterJob("web", { ...OPTS, purge: true }, CTX);
      assert(purge.Index > 0);
      assertEquals(state.snapshot().job("default", "web"), undefined);
      assertEquals((await server.deregisterJob("web", OPTS, CTX)).EvalID, "");
    });
  } finally {
    await server.stop();
  }
});

Deno.test("revertJob() re-registers an older version and setJobStability() marks versions", async () => {
  const { server, state } = await testServer();
  try {
    await server.registerNode(simNode(0), CTX);
    await server.registerJob({ Job: simJob("web", 1) }, CTX);
    await server.registerJob({ Job: simJob("web", 2) }, CTX);
    await assertRejects(
      () => server.revertJob("web", 1, null, CTX),
      Error,
      "can't revert to current version",
    );
    await assertRejects(
      () => server.revertJob("web", 0, 7, CTX),
      Error,
      "Current job has version 1; enforcing version 7",
    );
    const reverted = await server.revertJob("web", 0, 1, CTX);
    await waitForEval(state, reverted.EvalID);
    const job = state.snapshot().job("default", "web")!;
    assertEquals(job.Version, 2);
    assertEquals(job.TaskGroups![0]!.Count, 1);
    assertEquals(liveAllocs(state.snapshot(), "web").length, 1);

    await server.setJobStability("web", 0, true, CTX);
    assertEquals(state.snapshot().jobVersion("default", "web", 0)?.Stable, true);
    await server.setJobStability("web", 2, true, CTX);
    assertEquals(state.snapshot().job("default", "web")?.Stable, true);
    await assertRejects(
      () => server.setJobStability("web", 9, true, CTX),
      Error,
      "at version 9 not found",
    );
    const diffs = server.jobVersionDiffs("web", CTX);
    assertEquals(diffs.length, 2);
    assertEquals(diffs[0]!.TaskGroups?.[0]?.Fields?.find((f) => f.Name === "Count")?.New, "1");
  } finally {
    await server.stop();
  }
});

Deno.test("validateJob() lists every problem in Nomad's words, without storing anything", async () => {
  const { server, state } = await testServer();
  try {
    const ok = server.validateJob(simJob("web", 1), CTX);
    assertEquals(ok, {
      DriverConfigValidated: true,
      ValidationErrors: null,
      Error: "",
      Warnings: "",
    });
    const bad = simJob("web", 1, { job: { Priority: 0 } });
    bad.TaskGroups![0]!.Count = -1;
    bad.TaskGroups![0]!.Tasks![0]!.Driver = "";
    const reply = server.validateJob(bad, CTX);
    assertEquals(reply.ValidationErrors?.length, 2);
    assertStringIncludes(reply.Error, "2 errors occurred:\n\t* ");
    assertStringIncludes(reply.Error, "Missing task driver");
    assertEquals(state.snapshot().jobs().length, 0);
  } finally {
    await server.stop();
  }
});

Deno.test("registerJob() of a periodic job creates no evaluation", async () => {
  const { server, state } = await testServer();
  try {
    const job = simJob("cron", 1, {
      job: {
        Type: "batch",
        Periodic: {
          Enabled: true,
          Spec: "*/5 * * * *",
          Specs: null,
          SpecType: "cron",
          ProhibitOverlap: false,
          TimeZone: "UTC",
        },
      },
    });
    const reply = await server.registerJob({ Job: job }, CTX);
    assertEquals(reply.EvalID, "");
    assertEquals(state.snapshot().evals().length, 0);
    const plan = await server.planJob(job, { diff: false, policyOverride: false }, CTX);
    assert(
      plan.NextPeriodicLaunch.endsWith(":00Z") &&
        plan.NextPeriodicLaunch !== "0001-01-01T00:00:00Z",
    );
  } finally {
    await server.stop();
  }
});

Deno.test("garbageCollect() removes stopped jobs with their evaluations and allocations", async () => {
  const { server, state } = await testServer();
  try {
    await server.registerNode(simNode(0), CTX);
    const reg = await server.registerJob({ Job: simJob("web", 2) }, CTX);
    await waitForEval(state, reg.EvalID);
    const stop = await server.deregisterJob("web", OPTS, CTX);
    await waitForEval(state, stop.EvalID);
    await waitFor(state, "the job to be dead", (s) => s.job("default", "web")?.Status === "dead");
    const removed = await server.collectGarbage();
    assertEquals(removed.jobs, 1);
    assertEquals(removed.allocs, 2);
    const snap = state.snapshot();
    assertEquals(snap.job("default", "web"), undefined);
    assertEquals(snap.evals().length, 0);
    assertEquals(snap.allocs().length, 0);
  } finally {
    await server.stop();
  }
});

const OPTS = { purge: false, global: false, evalPriority: 0, noShutdownDelay: false };

const SERVICE = { ...zero(ServiceSpec), Name: "web", PortLabel: "http", Provider: "nomad" };

const NETWORK = {
  ...zero(NetworkResourceSpec),
  Mode: "host",
  DynamicPorts: [{ ...zero(PortSpec), Label: "http" }],
};
