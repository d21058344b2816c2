import { assert, assertEquals } from "../../tests/assert.ts";
import type { Job, PeriodicConfig } from "../structs/mod.ts";
import { MemoryLogBackend } from "./log_backend.ts";
import type { ScalingEvent } from "./records.ts";
import { StateStore } from "./state_store.ts";
import { memoryStore, mockEval, mockJob } from "./_testing.ts";
import { launchTimeOf } from "./_launches.ts";

const CRON: PeriodicConfig = {
  Enabled: true,
  Spec: "*/5 * * * *",
  Specs: [],
  SpecType: "cron",
  ProhibitOverlap: false,
  TimeZone: "UTC",
};
const T0 = 1_700_000_000 * 1e9;

function periodicJob(id: string, edit: Partial<Job> = {}): Job {
  return mockJob(id, { Type: "batch", Periodic: CRON, SubmitTime: T0, ...edit });
}

function child(parent: Job, id: string, edit: Partial<Job> = {}): Job {
  return { ...parent, ID: id, Name: id, ParentID: parent.ID, Periodic: null, ...edit };
}

function event(edit: Partial<ScalingEvent> = {}): ScalingEvent {
  return {
    Time: T0,
    Count: 2,
    PreviousCount: 1,
    Message: "",
    Error: false,
    Meta: null,
    EvalID: null,
    CreateIndex: 0,
    ...edit,
  };
}

Deno.test("launchTimeOf() reads the Unix seconds of a periodic child's ID", () => {
  assertEquals(launchTimeOf("batch/periodic-1700000000"), T0);
  assertEquals(launchTimeOf("a/periodic-b/periodic-12"), 12e9);
  assertEquals(launchTimeOf("batch/dispatch-1700000000-abcd1234"), undefined);
  assertEquals(launchTimeOf("batch/periodic-x"), undefined);
});

Deno.test("apply(JobRegister) records periodic launches as Nomad's FSM does", async (t) => {
  const store = await memoryStore();
  const parent = periodicJob("batch");

  await t.step("a new active periodic job gets its registration time", async () => {
    const { index } = await store.apply({ type: "JobRegister", job: parent });
    assertEquals(store.snapshot().periodicLaunch("default", "batch"), {
      ID: "batch",
      Namespace: "default",
      Launch: T0,
      CreateIndex: index,
      ModifyIndex: index,
    });
    assertEquals(store.snapshot().tableIndex("periodic_launch"), index);
  });

  await t.step("registering it again keeps the recorded launch", async () => {
    await store.apply({ type: "JobRegister", job: { ...parent, Priority: 70, SubmitTime: 5 } });
    assertEquals(store.snapshot().periodicLaunch("default", "batch")?.Launch, T0);
  });

  await t.step("a periodic child sets its parent's launch to the time in its ID", async () => {
    const kid = child(parent, "batch/periodic-1700000300");
    const { index } = await store.apply({
      type: "JobRegister",
      job: kid,
      eval: mockEval("e1", kid),
    });
    const launch = store.snapshot().periodicLaunch("default", "batch");
    assertEquals([launch?.Launch, launch?.ModifyIndex], [1_700_000_300e9, index]);
    assertEquals(
      store.snapshot().periodicLaunch("default", "batch/periodic-1700000300"),
      undefined,
    );
    assertEquals(store.snapshot().jobSummary("default", "batch")?.Children, {
      Pending: 1,
      Running: 0,
      Dead: 0,
    });
  });

  await t.step("disabled, stopped and parameterized periodic jobs record nothing", async () => {
    await store.apply({
      type: "JobRegister",
      job: periodicJob("off", { Periodic: { ...CRON, Enabled: false } }),
    });
    await store.apply({ type: "JobRegister", job: periodicJob("stopped", { Stop: true }) });
    const template = periodicJob("tmpl", {
      ParameterizedJob: { Payload: "optional", MetaRequired: null, MetaOptional: null },
    });
    await store.apply({ type: "JobRegister", job: template });
    await store.apply({ type: "JobRegister", job: child(template, "tmpl/periodic-1700000300") });
    for (const id of ["off", "stopped", "tmpl"]) {
      assertEquals(store.snapshot().periodicLaunch("default", id), undefined, id);
    }
  });

  await t.step("purging the job deletes its launch; stopping it keeps it", async () => {
    await store.apply({
      type: "JobDeregister",
      namespace: "default",
      jobId: "batch",
      purge: false,
    });
    assert(store.snapshot().periodicLaunch("default", "batch"));
    await store.apply({ type: "JobDeregister", namespace: "default", jobId: "batch", purge: true });
    assertEquals(store.snapshot().periodicLaunch("default", "batch"), undefined);
  });
  await store.close();
});

Deno.test("apply(JobRegister) with a used idempotency token stores neither job nor eval", async () => {
  const store = await memoryStore();
  const template = mockJob("tmpl", {
    Type: "batch",
    ParameterizedJob: { Payload: "optional", MetaRequired: null, MetaOptional: null },
  });
  await store.apply({ type: "JobRegister", job: template });
  const first = child(template, "tmpl/dispatch-1-aaaaaaaa", {
    Dispatched: true,
    DispatchIdempotencyToken: "tok",
  });
  const a = await store.apply({
    type: "JobRegister",
    job: first,
    eval: mockEval("e1", first),
    idempotencyToken: "tok",
  });
  assertEquals(a.updated, true);
  const second = { ...first, ID: "tmpl/dispatch-2-bbbbbbbb" };
  const b = await store.apply({
    type: "JobRegister",
    job: second,
    eval: mockEval("e2", second),
    idempotencyToken: "tok",
  });
  assertEquals(b.updated, false);
  const snap = store.snapshot();
  assertEquals(snap.job("default", second.ID!), undefined);
  assertEquals(snap.eval("e2"), undefined);
  assertEquals(snap.jobByIdempotencyToken("default", "tmpl", "tok")?.ID, first.ID);
  assertEquals(snap.jobByIdempotencyToken("default", "tmpl", "other"), undefined);
  await store.close();
});

Deno.test("apply(ScalingEvent) keeps the newest 20 events per group, newest first", async () => {
  const store = await memoryStore();
  const indexes: number[] = [];
  for (let i = 0; i < 22; i++) {
    const { index } = await store.apply({
      type: "ScalingEvent",
      namespace: "default",
      jobId: "web",
      group: i === 0 ? "db" : "web",
      event: event({ Count: i, Message: `event ${i}` }),
    });
    indexes.push(index);
  }
  const events = store.snapshot().scalingEvents("default", "web");
  assert(events);
  assertEquals(events.ModifyIndex, indexes.at(-1));
  assertEquals(events.ScalingEvents.db?.map((e) => e.Message), ["event 0"]);
  const web = events.ScalingEvents.web ?? [];
  assertEquals(web.length, 20);
  assertEquals([web[0]?.Message, web[0]?.CreateIndex], ["event 21", indexes[21]]);
  assertEquals(web.at(-1)?.Message, "event 2");
  await store.close();
});

Deno.test("periodic launches and scaling events survive a snapshot and a replay", async () => {
  const backend = new MemoryLogBackend();
  const store = await StateStore.open({ backend });
  await store.apply({ type: "JobRegister", job: periodicJob("batch") });
  await store.compact();
  await store.apply({
    type: "ScalingEvent",
    namespace: "default",
    jobId: "batch",
    group: "web",
    event: event(),
  });
  const again = await StateStore.open({ backend: backend.reopen() });
  const [a, b] = [store.snapshot(), again.snapshot()];
  assertEquals(b.periodicLaunch("default", "batch"), a.periodicLaunch("default", "batch"));
  assertEquals(b.scalingEvents("default", "batch"), a.scalingEvents("default", "batch"));
  assertEquals(b.tableIndex("periodic_launch"), a.tableIndex("periodic_launch"));
  assert(b.periodicLaunch("default", "batch"));
  await store.compact();
  const third = await StateStore.open({ backend: backend.reopen() });
  assertEquals(
    third.snapshot().scalingEvents("default", "batch"),
    a.scalingEvents("default", "batch"),
  );
  await Promise.all([store.close(), again.close(), third.close()]);
});
