import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { DEFAULT_SCHEDULER_CONFIG, StateStore } from "../state/mod.ts";
import {
  ConflictError,
  NotFoundError,
  ScalingPolicySpec,
  ValidationError,
  zero,
} from "../structs/mod.ts";
import type { JobScaleRequest } from "./api.ts";
import { FakeClock } from "./clock_testing.ts";
import { CTX, simJob, testServer } from "./server_testing.ts";

const T0 = Date.UTC(2024, 0, 1);

async function pausedServer() {
  const state = await StateStore.open();
  await state.apply({
    type: "SchedulerConfig",
    config: { ...DEFAULT_SCHEDULER_CONFIG, PauseEvalBroker: true },
  });
  return await testServer({ state, clock: new FakeClock(T0) });
}

const scale = (count: number | null, edit: Partial<JobScaleRequest> = {}): JobScaleRequest => ({
  Count: count,
  Target: { Group: "web" },
  Message: "by hand",
  ...edit,
});

Deno.test("scaleJob() sets the count with a job-scaling evaluation and records an event", async () => {
  const { server, state } = await pausedServer();
  try {
    await server.registerJob({ Job: simJob("web", 2) }, CTX);
    const out = await server.scaleJob("web", scale(5, { Meta: { reason: "load" } }), CTX);
    const snap = state.snapshot();
    const job = snap.job("default", "web");
    assertEquals([job?.TaskGroups?.[0]?.Count, job?.Version], [5, 1]);
    assertEquals(out.JobModifyIndex, job?.JobModifyIndex);
    const e = snap.eval(out.EvalID);
    assertEquals(
      [e?.TriggeredBy, e?.JobModifyIndex, out.EvalCreateIndex],
      ["job-scaling", out.JobModifyIndex, e?.CreateIndex],
    );
    const events = snap.scalingEvents("default", "web")?.ScalingEvents.web;
    assertEquals(events, [{
      Time: T0 * 1e6,
      Count: 5,
      PreviousCount: 2,
      Message: "by hand",
      Error: false,
      Meta: { reason: "load" },
      EvalID: out.EvalID,
      CreateIndex: out.Index,
    }]);
    assert(out.Index > out.EvalCreateIndex, "the event is written last");
  } finally {
    await server.stop();
  }
});

Deno.test("scaleJob() without a count records only an event", async () => {
  const { server, state } = await pausedServer();
  try {
    const reg = await server.registerJob({ Job: simJob("web", 2) }, CTX);
    const out = await server.scaleJob(
      "web",
      scale(null, { Error: true, Message: "autoscaler failed" }),
      CTX,
    );
    assertEquals([out.EvalID, out.EvalCreateIndex, out.JobModifyIndex], ["", 0, reg.Index]);
    const snap = state.snapshot();
    assertEquals(snap.job("default", "web")?.Version, 0);
    const [event] = snap.scalingEvents("default", "web")?.ScalingEvents.web ?? [];
    assertEquals([event?.Count, event?.PreviousCount, event?.Error], [null, 2, true]);
  } finally {
    await server.stop();
  }
});

Deno.test("scaleJob() of a periodic job changes its count without an evaluation", async () => {
  const { server, state } = await pausedServer();
  try {
    const periodic = {
      Enabled: true,
      Spec: "@daily",
      Specs: [],
      SpecType: "cron",
      ProhibitOverlap: false,
      TimeZone: "UTC",
    };
    await server.registerJob({
      Job: simJob("cron", 1, { job: { Type: "batch", Periodic: periodic } }),
    }, CTX);
    const out = await server.scaleJob("cron", scale(3), CTX);
    assertEquals(out.EvalID, "");
    assertEquals(state.snapshot().job("default", "cron")?.TaskGroups?.[0]?.Count, 3);
    assertEquals(state.snapshot().evalsByJob("default", "cron").length, 0);
  } finally {
    await server.stop();
  }
});

Deno.test("scaleJob() checks the request, the group, its policy and the modify index", async () => {
  const { server } = await pausedServer();
  try {
    const policy = { ...zero(ScalingPolicySpec), Min: 1, Max: 4, Enabled: true };
    await server.registerJob({ Job: simJob("web", 2, { group: { Scaling: policy } }) }, CTX);
    const cases: [JobScaleRequest, typeof ValidationError | typeof ConflictError, string][] = [
      [scale(1, { Target: {} }), ValidationError, "missing task group name for scaling action"],
      [scale(-1), ValidationError, "scaling action count can't be negative"],
      [
        scale(2, { Error: true }),
        ValidationError,
        "scaling action should not contain count if error is true",
      ],
      [
        scale(1, { Target: { Group: "web", Namespace: "other" } }),
        ValidationError,
        "namespace in payload did not match header",
      ],
      [
        scale(1, { Target: { Group: "db" } }),
        ValidationError,
        'task group "db" specified for scaling does not exist in job',
      ],
      [scale(0), ValidationError, "group count was less than scaling policy minimum: 0 < 1"],
      [scale(9), ValidationError, "group count was greater than scaling policy maximum: 9 > 4"],
      [
        scale(3, { JobModifyIndex: 1 }),
        ConflictError,
        "Enforcing job modify index 1: job exists with conflicting job modify index: ",
      ],
    ];
    for (const [req, type, message] of cases) {
      await assertRejects(() => server.scaleJob("web", req, CTX), type, message);
    }
    await assertRejects(
      () => server.scaleJob("nope", scale(1), CTX),
      NotFoundError,
      'job "nope" not found',
    );
  } finally {
    await server.stop();
  }
});
