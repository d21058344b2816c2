// The periodic dispatcher on a fake clock: cron launches, time zones, prohibit_overlap, force,
// and a restart that neither launches twice nor misses a launch.
import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { DEFAULT_SCHEDULER_CONFIG, MemoryLogBackend, StateStore } from "../state/mod.ts";
import type { Job, PeriodicConfig } from "../structs/mod.ts";
import { FakeClock } from "./clock_testing.ts";
import { nextPeriodicLaunch } from "./_periodic.ts";
import { CTX, simJob, testServer, waitFor } from "./server_testing.ts";

const T0 = Date.UTC(2024, 0, 1); // the fake clock's start, a Monday
const MIN_MS = 60_000;

function periodic(p: Partial<PeriodicConfig>): PeriodicConfig {
  return {
    Enabled: true,
    Spec: "",
    Specs: [],
    SpecType: "cron",
    ProhibitOverlap: false,
    TimeZone: "UTC",
    ...p,
  };
}

function periodicJob(id: string, p: Partial<PeriodicConfig>): Job {
  return simJob(id, 1, { job: { Type: "batch", Periodic: periodic(p) } });
}

/** A server on a fake clock whose eval broker is paused: evaluations stay pending. */
async function pausedServer(clock: FakeClock, state?: StateStore) {
  const store = state ?? await StateStore.open({ backend: new MemoryLogBackend() });
  if (state === undefined) {
    await store.apply({
      type: "SchedulerConfig",
      config: { ...DEFAULT_SCHEDULER_CONFIG, PauseEvalBroker: true },
    });
  }
  return await testServer({ state: store, clock });
}

const children = (state: StateStore, parent: string) =>
  state.snapshot().jobs({ namespace: "default", prefix: `${parent}/periodic-` })
    .map((j) => j.ID);

/** Resolves after a write queued behind any launch in flight, so those launches are stored. */
const flush = (server: { reconcileSummaries(): Promise<void> }) => server.reconcileSummaries();

const childId = (parent: string, ms: number) => `${parent}/periodic-${ms / 1000}`;

Deno.test("nextPeriodicLaunch() takes the earliest of several crons, in the job's time zone", () => {
  const p = periodic({ Specs: ["0 9 * * *", "30 8 * * *"], TimeZone: "America/New_York" });
  // 08:30 in New York in January is 13:30 UTC.
  assertEquals(nextPeriodicLaunch(p, T0), Date.UTC(2024, 0, 1, 13, 30));
  assertEquals(nextPeriodicLaunch(p, Date.UTC(2024, 0, 1, 13, 30)), Date.UTC(2024, 0, 1, 14));
  assertEquals(nextPeriodicLaunch(periodic({ Spec: "0 0 1 1 * 2023" }), T0), null);
});

Deno.test("the periodic dispatcher launches children at cron times with a periodic-job eval", async () => {
  const clock = new FakeClock(T0);
  const { server, state } = await pausedServer(clock);
  try {
    await server.registerJob({ Job: periodicJob("report", { Spec: "*/5 * * * *" }) }, CTX);
    assertEquals(server.nextPeriodicLaunch("default", "report"), T0 + 5 * MIN_MS);
    assertEquals(state.snapshot().evalsByJob("default", "report").length, 0);

    clock.advance(5 * MIN_MS);
    const first = childId("report", T0 + 5 * MIN_MS);
    const child = await waitFor(state, "the first child", (s) => s.job("default", first));
    assertEquals([child.ParentID, child.Periodic, child.Name], ["report", null, first]);
    const evals = state.snapshot().evalsByJob("default", first);
    assertEquals(evals.map((e) => [e.TriggeredBy, e.Type, e.Status]), [
      ["periodic-job", "batch", "pending"],
    ]);
    assertEquals(
      state.snapshot().periodicLaunch("default", "report")?.Launch,
      (T0 + 5 * MIN_MS) * 1e6,
    );

    clock.advance(10 * MIN_MS);
    await waitFor(state, "three children", (s) => s.jobs({ prefix: "report/" }).length === 3);
    assertEquals(children(state, "report"), [
      first,
      childId("report", T0 + 10 * MIN_MS),
      childId("report", T0 + 15 * MIN_MS),
    ]);
    assertEquals(state.snapshot().jobSummary("default", "report")?.Children, {
      Pending: 3,
      Running: 0,
      Dead: 0,
    });
  } finally {
    await server.stop();
  }
});

Deno.test("the periodic dispatcher reads crons on the wall clock of time_zone", async () => {
  const clock = new FakeClock(T0);
  const { server, state } = await pausedServer(clock);
  try {
    const job = periodicJob("nightly", { Spec: "0 2 * * *", TimeZone: "Europe/Paris" });
    await server.registerJob({ Job: job }, CTX);
    // 02:00 in Paris in winter is 01:00 UTC.
    assertEquals(server.nextPeriodicLaunch("default", "nightly"), Date.UTC(2024, 0, 1, 1));
    clock.advance(60 * MIN_MS);
    await waitFor(
      state,
      "the child",
      (s) => s.job("default", childId("nightly", T0 + 60 * MIN_MS)),
    );
  } finally {
    await server.stop();
  }
});

Deno.test("prohibit_overlap skips launches while a child still runs", async () => {
  const clock = new FakeClock(T0);
  const { server, state } = await pausedServer(clock);
  try {
    const job = periodicJob("sync", { Spec: "* * * * *", ProhibitOverlap: true });
    await server.registerJob({ Job: job }, CTX);
    clock.advance(MIN_MS);
    const first = childId("sync", T0 + MIN_MS);
    await waitFor(state, "the first child", (s) => s.job("default", first));

    // Its evaluation is still pending: the next two launches are skipped.
    clock.advance(2 * MIN_MS);
    await flush(server);
    assertEquals(children(state, "sync"), [first]);
    assertEquals(server.nextPeriodicLaunch("default", "sync"), T0 + 4 * MIN_MS);

    const e = state.snapshot().evalsByJob("default", first)[0]!;
    await state.apply({ type: "EvalUpsert", evals: [{ ...e, Status: "complete" }] });
    clock.advance(MIN_MS);
    const next = childId("sync", T0 + 4 * MIN_MS);
    await waitFor(state, "the launch after the child finished", (s) => s.job("default", next));
  } finally {
    await server.stop();
  }
});

Deno.test("forcePeriodic() launches now, whatever prohibit_overlap says", async (t) => {
  const clock = new FakeClock(T0 + 42_000);
  const { server, state } = await pausedServer(clock);
  try {
    const job = periodicJob("batch", { Spec: "0 0 1 * *", ProhibitOverlap: true });
    await server.registerJob({ Job: job }, CTX);

    await t.step("twice in a row, each with its own evaluation", async () => {
      const first = await server.forcePeriodic("batch", CTX);
      const id = childId("batch", T0 + 42_000);
      const e = state.snapshot().eval(first.EvalID);
      assertEquals([e?.JobID, e?.TriggeredBy, first.EvalCreateIndex], [
        id,
        "periodic-job",
        first.Index,
      ]);
      clock.advance(1_000);
      const second = await server.forcePeriodic("batch", CTX);
      assert(second.EvalID !== first.EvalID);
      assertEquals(children(state, "batch").length, 2);
    });

    await t.step("errors as Nomad's", async () => {
      await assertRejects(() => server.forcePeriodic("nope", CTX), Error, "job not found");
      await server.registerJob({ Job: simJob("web", 1) }, CTX);
      await assertRejects(
        () => server.forcePeriodic("web", CTX),
        Error,
        "can't force launch non-periodic job",
      );
      const off = simJob("off", 1, {
        job: { Type: "batch", Periodic: periodic({ Spec: "@daily", Enabled: false }) },
      });
      await server.registerJob({ Job: off }, CTX);
      await assertRejects(
        () => server.forcePeriodic("off", CTX),
        Error,
        `force launch for job "off" failed: can't force run non-tracked job "off" (default)`,
      );
    });

    await t.step("stopping the job untracks it", async () => {
      await server.deregisterJob("batch", {
        purge: false,
        global: false,
        evalPriority: 0,
        noShutdownDelay: false,
      }, CTX);
      assertEquals(server.nextPeriodicLaunch("default", "batch"), undefined);
    });
  } finally {
    await server.stop();
  }
});

Deno.test("a restarted server neither launches twice nor misses a launch", async (t) => {
  const backend = new MemoryLogBackend();
  const clock = new FakeClock(T0);
  let state = await StateStore.open({ backend });
  let { server } = await pausedServer(clock, state);
  const restart = async (at: number) => {
    await server.stop();
    await state.close();
    clock.advance(at - clock.now());
    state = await StateStore.open({ backend: backend.reopen() });
    ({ server } = await testServer({ state, clock }));
  };
  await state.apply({
    type: "SchedulerConfig",
    config: { ...DEFAULT_SCHEDULER_CONFIG, PauseEvalBroker: true },
  });
  try {
    await server.registerJob({ Job: periodicJob("report", { Spec: "*/10 * * * *" }) }, CTX);
    clock.advance(10 * MIN_MS);
    await waitFor(
      state,
      "the first child",
      (s) => s.job("default", childId("report", T0 + 10 * MIN_MS)),
    );

    await t.step("a restart before the next launch waits for it", async () => {
      await restart(T0 + 15 * MIN_MS);
      await flush(server);
      assertEquals(children(state, "report"), [childId("report", T0 + 10 * MIN_MS)]);
      assertEquals(server.nextPeriodicLaunch("default", "report"), T0 + 20 * MIN_MS);
      clock.advance(5 * MIN_MS);
      await waitFor(state, "the second child", (s) => s.jobs({ prefix: "report/" }).length === 2);
    });

    await t.step("a restart after missed launches launches once, now", async () => {
      await restart(T0 + 47 * MIN_MS);
      const now = childId("report", T0 + 47 * MIN_MS);
      await waitFor(state, "the catch-up child", (s) => s.job("default", now));
      assertEquals(children(state, "report"), [
        childId("report", T0 + 10 * MIN_MS),
        childId("report", T0 + 20 * MIN_MS),
        now,
      ]);
      assertEquals(server.nextPeriodicLaunch("default", "report"), T0 + 50 * MIN_MS);
    });
  } finally {
    await server.stop();
    await state.close();
  }
});

Deno.test("periodic children count in the parent's summary as they finish", async () => {
  const clock = new FakeClock(T0);
  const { server, state } = await pausedServer(clock);
  try {
    await server.registerJob({ Job: periodicJob("p", { Spec: "@hourly" }) }, CTX);
    clock.advance(60 * MIN_MS);
    const id = childId("p", T0 + 60 * MIN_MS);
    await waitFor(state, "the child", (s) => s.job("default", id));
    const e = state.snapshot().evalsByJob("default", id)[0]!;
    await state.apply({ type: "EvalUpsert", evals: [{ ...e, Status: "complete" }] });
    assertEquals(state.snapshot().job("default", id)?.Status, "dead");
    assertEquals(state.snapshot().jobSummary("default", "p")?.Children, {
      Pending: 0,
      Running: 0,
      Dead: 1,
    });
  } finally {
    await server.stop();
  }
});
