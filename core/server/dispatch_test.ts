import { assert, assertEquals, assertMatch, assertRejects } from "../../tests/assert.ts";
import { DEFAULT_SCHEDULER_CONFIG, StateStore } from "../state/mod.ts";
import type { Job, ParameterizedJobConfig } from "../structs/mod.ts";
import { FakeClock } from "./clock_testing.ts";
import { snappyDecode, snappyEncode } from "./_snappy.ts";
import { dispatchedId } from "./_dispatch_endpoint.ts";
import { CTX, simJob, testServer } from "./server_testing.ts";

const T0 = Date.UTC(2024, 0, 1);
const bytes = (text: string) => new TextEncoder().encode(text);

function template(id: string, p: Partial<ParameterizedJobConfig>, job: Partial<Job> = {}): Job {
  return simJob(id, 1, {
    job: {
      Type: "batch",
      Meta: { owner: "ops" },
      ParameterizedJob: { Payload: "optional", MetaRequired: null, MetaOptional: null, ...p },
      ...job,
    },
  });
}

async function pausedServer() {
  const state = await StateStore.open();
  await state.apply({
    type: "SchedulerConfig",
    config: { ...DEFAULT_SCHEDULER_CONFIG, PauseEvalBroker: true },
  });
  return await testServer({ state, clock: new FakeClock(T0) });
}

Deno.test("snappyEncode() writes literals any Snappy decoder reads; snappyDecode() reads copies", () => {
  assertEquals([...snappyEncode(bytes("hello"))], [5, 0x10, ...bytes("hello")]);
  assertEquals([...snappyEncode(new Uint8Array())], [0]);
  const big = new Uint8Array(70_000).map((_, i) => i % 251);
  assertEquals(snappyDecode(snappyEncode(big)), big);
  // "abcabcabcabc": a literal "abc" and a 1-byte-offset copy of 9 bytes at offset 3.
  const copy = new Uint8Array([12, 2 << 2, 97, 98, 99, 1 | ((9 - 4) << 2), 3]);
  assertEquals(new TextDecoder().decode(snappyDecode(copy)), "abcabcabcabc");
});

Deno.test("dispatchedId() is <job>/dispatch-[<template>-]<unix>-<8 hex>", () => {
  const uuid = "3f2a9c1e-0000-4000-8000-00000000abcd";
  assertEquals(dispatchedId("job", "", T0 + 999, uuid), "job/dispatch-1704067200-0000abcd");
  assertEquals(
    dispatchedId("job", "nightly", T0, uuid),
    "job/dispatch-nightly-1704067200-0000abcd",
  );
});

Deno.test("dispatchJob() registers a child with payload, meta and an evaluation", async () => {
  const { server, state } = await pausedServer();
  try {
    await server.registerJob({
      Job: template("proc", { MetaRequired: ["input"], MetaOptional: ["mode"] }),
    }, CTX);
    const out = await server.dispatchJob("proc", {
      Payload: bytes("data"),
      Meta: { input: "s3://x", mode: "fast" },
      Priority: 70,
    }, CTX);
    assertMatch(out.DispatchedJobID, /^proc\/dispatch-1704067200-[0-9a-f]{8}$/);
    assertEquals([out.JobCreateIndex, out.EvalCreateIndex], [out.Index, out.Index]);
    const child = state.snapshot().job("default", out.DispatchedJobID);
    assert(child);
    assertEquals(
      [child.ParentID, child.Dispatched, child.Priority, child.Name],
      ["proc", true, 70, out.DispatchedJobID],
    );
    assertEquals(child.Meta, { owner: "ops", input: "s3://x", mode: "fast" });
    const payload = Uint8Array.from(atob(child.Payload ?? ""), (c) => c.charCodeAt(0));
    assertEquals(new TextDecoder().decode(snappyDecode(payload)), "data");
    const e = state.snapshot().eval(out.EvalID);
    assertEquals([e?.JobID, e?.TriggeredBy, e?.Priority], [
      out.DispatchedJobID,
      "job-register",
      70,
    ]);
    assertEquals(state.snapshot().jobSummary("default", "proc")?.Children?.Pending, 1);

    const prefixed = await server.dispatchJob("proc", {
      Meta: { input: "y" },
      IdPrefixTemplate: "tmpl",
    }, CTX);
    assertMatch(prefixed.DispatchedJobID, /^proc\/dispatch-tmpl-1704067200-[0-9a-f]{8}$/);
    assertEquals(state.snapshot().job("default", prefixed.DispatchedJobID)?.Priority, 50);
  } finally {
    await server.stop();
  }
});

Deno.test("dispatchJob() with a used idempotency token answers the first child", async () => {
  const { server, state } = await pausedServer();
  try {
    await server.registerJob({ Job: template("proc", {}) }, CTX);
    const first = await server.dispatchJob("proc", { IdempotencyToken: "once" }, CTX);
    const [again, racing] = await Promise.all([
      server.dispatchJob("proc", { IdempotencyToken: "once" }, CTX),
      server.dispatchJob("proc", { IdempotencyToken: "twice" }, CTX),
    ]);
    assertEquals(again.DispatchedJobID, first.DispatchedJobID);
    assertEquals([again.EvalID, again.JobCreateIndex], ["", first.JobCreateIndex]);
    assert(racing.DispatchedJobID !== first.DispatchedJobID);
    // Two dispatches with one token at once: the state lets only the first one in.
    const [a, b] = await Promise.all([
      server.dispatchJob("proc", { IdempotencyToken: "race" }, CTX),
      server.dispatchJob("proc", { IdempotencyToken: "race" }, CTX),
    ]);
    assertEquals(a.DispatchedJobID, b.DispatchedJobID);
    const kids = state.snapshot().jobs({ namespace: "default", prefix: "proc/" });
    assertEquals(kids.length, 3);
  } finally {
    await server.stop();
  }
});

Deno.test("dispatchJob() answers Nomad's errors", async () => {
  const { server } = await pausedServer();
  try {
    await server.registerJob({ Job: template("req", { Payload: "required" }) }, CTX);
    await server.registerJob({
      Job: template("none", { Payload: "forbidden", MetaRequired: ["a", "b"] }),
    }, CTX);
    await server.registerJob({ Job: simJob("web", 1) }, CTX);
    const cases: [string, Parameters<typeof server.dispatchJob>[1], string][] = [
      ["nope", {}, "parameterized job not found"],
      ["web", {}, `Specified job "web" is not a parameterized job`],
      ["req", {}, "Payload is not provided but required by parameterized job"],
      ["none", { Payload: bytes("x") }, "Payload provided but forbidden by parameterized job"],
      [
        "req",
        { Payload: new Uint8Array(16 * 1024 + 1) },
        "Payload exceeds maximum size; 16385 > 16384",
      ],
      [
        "none",
        { Meta: { a: "1", b: "2", z: "3", y: "4" } },
        "Dispatch request included unpermitted metadata keys: [y z]",
      ],
      ["none", { Meta: { b: "2" } }, "Dispatch did not provide required meta keys: [a]"],
      [
        "req",
        { Payload: bytes("x"), Priority: 101 },
        "dispatch job priority must be between [1, 100]",
      ],
    ];
    for (const [id, req, message] of cases) {
      const err = await assertRejects(() => server.dispatchJob(id, req, CTX), Error);
      assertEquals((err as Error).message, message);
      assertEquals((err as Error).constructor, Error, "a plain error: Nomad answers 500");
    }
    await server.deregisterJob("req", {
      purge: false,
      global: false,
      evalPriority: 0,
      noShutdownDelay: false,
    }, CTX);
    await assertRejects(
      () => server.dispatchJob("req", { Payload: bytes("x") }, CTX),
      Error,
      `Specified job "req" is stopped`,
    );
  } finally {
    await server.stop();
  }
});

Deno.test("a dispatched child of a periodic template gets no evaluation: it is launched on time", async () => {
  const { server, state } = await pausedServer();
  try {
    const periodic = {
      Enabled: true,
      Spec: "@hourly",
      Specs: [],
      SpecType: "cron",
      ProhibitOverlap: false,
      TimeZone: "UTC",
    };
    await server.registerJob({ Job: template("cron", {}, { Periodic: periodic }) }, CTX);
    const out = await server.dispatchJob("cron", {}, CTX);
    assertEquals([out.EvalID, out.EvalCreateIndex], ["", 0]);
    assertEquals(state.snapshot().evalsByJob("default", out.DispatchedJobID).length, 0);
    assertEquals(server.nextPeriodicLaunch("default", out.DispatchedJobID), T0 + 3_600_000);
    assertEquals(
      server.nextPeriodicLaunch("default", "cron"),
      undefined,
      "templates do not launch",
    );
  } finally {
    await server.stop();
  }
});
