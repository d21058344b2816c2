import { assert, assertEquals, assertRejects, assertThrows } from "../../tests/assert.ts";
import { FakeClock } from "./clock_testing.ts";
import { EvalBroker } from "./eval_broker.ts";
import { EvalBrokerError, type EvalBrokerOptions, FAILED_QUEUE } from "./eval_broker_types.ts";
import { mockEval } from "./eval_testing.ts";

function setup(options: EvalBrokerOptions = {}) {
  const clock = new FakeClock();
  let n = 0;
  const broker = new EvalBroker({ clock, newToken: () => `token-${++n}`, ...options });
  broker.setEnabled(true);
  return { clock, broker };
}

const ALL = ["service", "batch", "system", "sysbatch"];

Deno.test("EvalBroker.dequeue() gives the highest priority first, oldest first within one", () => {
  const { broker } = setup();
  const low = mockEval({ Priority: 10, CreateIndex: 1 });
  const highNew = mockEval({ Priority: 90, CreateIndex: 5 });
  const highOld = mockEval({ Priority: 90, CreateIndex: 3 });
  const mid = mockEval({ Priority: 50, CreateIndex: 2 });
  broker.enqueue([low, highNew, highOld, mid]);
  const order = [1, 2, 3, 4].map(() => broker.tryDequeue(ALL)?.eval.ID);
  assertEquals(order, [highOld.ID, highNew.ID, mid.ID, low.ID]);
  assertEquals(broker.tryDequeue(ALL), undefined);
});

Deno.test("EvalBroker.dequeue() keeps arrival order for equal priority and index", () => {
  const { broker } = setup();
  const evals = [1, 2, 3, 4, 5].map(() => mockEval());
  broker.enqueue(evals);
  const order = evals.map(() => broker.tryDequeue(ALL)?.eval.ID);
  assertEquals(order, evals.map((e) => e.ID));
});

Deno.test("EvalBroker.dequeue() serves only the scheduler types asked for", () => {
  const { broker } = setup();
  const service = mockEval({ Type: "service", Priority: 90 });
  const batch = mockEval({ Type: "batch", Priority: 20 });
  broker.enqueue([service, batch]);
  assertEquals(broker.tryDequeue(["batch"])?.eval.ID, batch.ID);
  assertEquals(broker.tryDequeue(["batch"]), undefined);
  assertEquals(broker.tryDequeue(["system", "service"])?.eval.ID, service.ID);
  const stats = broker.stats();
  assertEquals(stats.ByScheduler, {
    service: { Ready: 0, Unacked: 1 },
    batch: { Ready: 0, Unacked: 1 },
  });
});

Deno.test("EvalBroker.dequeue() picks among tied scheduler types with the random source", () => {
  const picks: string[] = [];
  for (const r of [0, 0.99]) {
    const { broker } = setup({ random: () => r });
    broker.enqueue([mockEval({ Type: "service" }), mockEval({ Type: "batch" })]);
    picks.push(broker.tryDequeue(["service", "batch"])?.eval.Type ?? "none");
  }
  assertEquals(picks, ["batch", "service"]);
});

Deno.test("EvalBroker.dequeue() waits for work, and a signal abandons the wait", async () => {
  const { broker } = setup();
  const waiting = broker.dequeue(["batch"]);
  broker.enqueue([mockEval({ Type: "service" })]);
  const batch = mockEval({ Type: "batch" });
  broker.enqueue([batch]);
  assertEquals((await waiting).eval.ID, batch.ID);

  const controller = new AbortController();
  const aborted = broker.dequeue(["batch"], controller.signal);
  controller.abort(new Error("worker stopping"));
  await assertRejects(() => aborted, Error, "worker stopping");
  const later = mockEval({ Type: "batch" });
  broker.enqueue([later]);
  assertEquals(broker.stats().TotalReady, 2, "the aborted waiter must not take the evaluation");
});

Deno.test("EvalBroker.enqueue() ignores an evaluation it already holds", () => {
  const { broker } = setup();
  const e = mockEval();
  broker.enqueue([e, e]);
  const d = broker.tryDequeue(ALL);
  broker.enqueue([e]);
  assertEquals(broker.stats().TotalReady, 0);
  assert(d !== undefined);
  broker.ack(e.ID, d.token);
  broker.enqueue([e]);
  assertEquals(broker.stats().TotalReady, 1, "an acked evaluation may be enqueued again");
});

Deno.test("EvalBroker keeps one evaluation per job in flight; the newest supersedes", async (t) => {
  const { broker } = setup();
  const first = mockEval({ JobID: "web", ModifyIndex: 1 });
  const older = mockEval({ JobID: "web", ModifyIndex: 2 });
  const newest = mockEval({ JobID: "web", ModifyIndex: 3 });
  const other = mockEval({ JobID: "db" });
  broker.enqueue([first, older, newest, other]);

  await t.step("later evaluations of the job wait as pending", () => {
    assertEquals(broker.stats().TotalReady, 2);
    assertEquals(broker.stats().TotalPending, 2);
    const a = broker.tryDequeue(ALL);
    const b = broker.tryDequeue(ALL);
    assertEquals([a?.eval.ID, b?.eval.ID], [first.ID, other.ID]);
    assertEquals(broker.tryDequeue(ALL), undefined);
    assert(a !== undefined);
    broker.ack(first.ID, a.token);
  });

  await t.step("the ack readies the newest and makes the rest cancelable", () => {
    const stats = broker.stats();
    assertEquals([stats.TotalReady, stats.TotalPending, stats.TotalCancelable], [1, 0, 1]);
    assertEquals(broker.tryDequeue(ALL)?.eval.ID, newest.ID);
    assertEquals(broker.cancelable(10).map((e) => e.ID), [older.ID]);
    assertEquals(broker.stats().TotalCancelable, 0);
  });
});

Deno.test("EvalBroker prefers a higher-priority pending evaluation over a newer one", () => {
  const { broker } = setup();
  const running = mockEval({ JobID: "web" });
  const urgent = mockEval({ JobID: "web", Priority: 80, ModifyIndex: 2 });
  const newer = mockEval({ JobID: "web", Priority: 50, ModifyIndex: 9 });
  broker.enqueue([running, urgent, newer]);
  const d = broker.tryDequeue(ALL);
  assert(d !== undefined);
  broker.ack(d.eval.ID, d.token);
  assertEquals(broker.tryDequeue(ALL)?.eval.ID, urgent.ID);
  assertEquals(broker.cancelable(1).map((e) => e.ID), [newer.ID]);
});

Deno.test("EvalBroker.nack() redelivers with a new token after the nack delay", () => {
  const { broker, clock } = setup();
  const e = mockEval();
  broker.enqueue([e]);
  const first = broker.tryDequeue(ALL);
  assert(first !== undefined);
  broker.nack(e.ID, first.token);
  assertEquals(broker.stats().TotalWaiting, 1);
  clock.advance(999);
  assertEquals(broker.tryDequeue(ALL), undefined, "the first redelivery waits 1 s");
  clock.advance(1);
  const second = broker.tryDequeue(ALL);
  assert(second !== undefined && second.token !== first.token);
  const err = assertThrows(() => broker.ack(e.ID, first.token), EvalBrokerError, "token");
  assertEquals((err as EvalBrokerError).code, "token-mismatch");
  broker.nack(e.ID, second.token);
  clock.advance(19_999);
  assertEquals(broker.tryDequeue(ALL), undefined, "the second redelivery waits 20 s");
  clock.advance(1);
  assertEquals(broker.tryDequeue(ALL)?.eval.ID, e.ID);
});

Deno.test("EvalBroker moves an evaluation to the failed queue at the delivery limit", () => {
  const { broker } = setup({ initialNackDelayMs: 0, subsequentNackDelayMs: 0 });
  const e = mockEval();
  broker.enqueue([e]);
  for (let i = 0; i < 3; i++) {
    const d = broker.tryDequeue(ALL);
    assertEquals(d?.eval.ID, e.ID, `delivery ${i + 1}`);
    broker.nack(e.ID, d?.token ?? "");
  }
  assertEquals(broker.tryDequeue(ALL), undefined);
  assertEquals(broker.stats().ByScheduler[FAILED_QUEUE], { Ready: 1, Unacked: 0 });
  const failed = broker.tryDequeue([FAILED_QUEUE]);
  assertEquals(failed?.eval.ID, e.ID);
  broker.ack(e.ID, failed?.token ?? "");
  assertEquals(broker.stats().ByScheduler[FAILED_QUEUE], { Ready: 0, Unacked: 0 });
  assertEquals(broker.stats().TotalUnacked, 0);
});

Deno.test("EvalBroker nacks a delivery that is not acked within the nack timeout", () => {
  const { broker, clock } = setup({ nackTimeoutMs: 5_000, initialNackDelayMs: 0 });
  const e = mockEval();
  broker.enqueue([e]);
  const d = broker.tryDequeue(ALL);
  assert(d !== undefined);
  clock.advance(4_000);
  broker.outstandingReset(e.ID, d.token);
  clock.advance(4_000);
  assertEquals(broker.outstanding(e.ID), d.token, "the reset pushed the timeout back");
  clock.advance(1_000);
  assertEquals(broker.outstanding(e.ID), undefined);
  const err = assertThrows(() => broker.ack(e.ID, d.token), EvalBrokerError, "not outstanding");
  assertEquals((err as EvalBrokerError).code, "not-outstanding");
  const again = broker.tryDequeue(ALL);
  assertEquals(again?.eval.ID, e.ID);
  assert(again !== undefined);

  broker.pauseNackTimeout(e.ID, again.token);
  clock.advance(60_000);
  assertEquals(broker.outstanding(e.ID), again.token, "a paused timeout does not fire");
  broker.resumeNackTimeout(e.ID, again.token);
  clock.advance(5_000);
  assertEquals(broker.outstanding(e.ID), undefined);
});

Deno.test("EvalBroker holds an evaluation with a future WaitUntil until it is due", () => {
  const { broker, clock } = setup();
  const due = new Date(clock.now() + 30_000).toISOString();
  const delayed = mockEval({ WaitUntil: due });
  const past = mockEval({ WaitUntil: new Date(clock.now() - 1).toISOString() });
  broker.enqueue([delayed, past]);
  assertEquals(broker.tryDequeue(ALL)?.eval.ID, past.ID, "a past WaitUntil is ready at once");
  const stats = broker.stats();
  assertEquals([stats.TotalWaiting, Object.keys(stats.DelayedEvals)], [1, [delayed.ID]]);
  clock.advance(29_999);
  assertEquals(broker.tryDequeue(ALL), undefined);
  clock.advance(1);
  assertEquals(broker.tryDequeue(ALL)?.eval.ID, delayed.ID);
  assertEquals(broker.stats().TotalWaiting, 0);
});

Deno.test("EvalBroker holds an evaluation for its Wait (nanoseconds)", async () => {
  const { broker, clock } = setup();
  const e = mockEval({ Wait: 2_000_000_000 });
  const waiting = broker.dequeue(ALL);
  broker.enqueue([e]);
  clock.advance(1_999);
  assertEquals(broker.stats().TotalWaiting, 1);
  clock.advance(1);
  assertEquals((await waiting).eval.ID, e.ID);
});

Deno.test("EvalBroker.dropWaiting() forgets a delayed evaluation", () => {
  const { broker, clock } = setup();
  const e = mockEval({ WaitUntil: new Date(clock.now() + 1_000).toISOString() });
  broker.enqueue([e]);
  broker.dropWaiting(e);
  clock.advance(5_000);
  assertEquals([broker.stats().TotalWaiting, broker.stats().TotalReady], [0, 0]);
});

Deno.test("EvalBroker.dropWaiting() of a nacked evaluation frees its job for the next", () => {
  const { broker, clock } = setup();
  const first = mockEval({ JobID: "web" });
  const next = mockEval({ JobID: "web" });
  broker.enqueue([first, next]);
  const d = broker.tryDequeue(ALL);
  broker.nack(first.ID, d?.token ?? "");
  assertEquals(broker.stats().TotalWaiting, 1, "waiting out the nack delay");
  broker.dropWaiting(first);
  assertEquals(broker.tryDequeue(ALL)?.eval.ID, next.ID);
  clock.advance(10_000);
  assertEquals(broker.stats().TotalReady, 0, "the dropped evaluation never comes back");
});

Deno.test("EvalBroker.enqueueAll() requeues an in-flight evaluation only once it is acked", () => {
  const { broker } = setup({ initialNackDelayMs: 0 });
  const e = mockEval();
  broker.enqueue([e]);
  const first = broker.tryDequeue(ALL);
  assert(first !== undefined);
  broker.enqueueAll([[e, first.token]]);
  assertEquals(broker.tryDequeue(ALL), undefined);
  broker.ack(e.ID, first.token);
  const second = broker.tryDequeue(ALL);
  assertEquals(second?.eval.ID, e.ID);
  broker.enqueueAll([[e, second?.token ?? ""]]);
  broker.nack(e.ID, second?.token ?? "");
  const third = broker.tryDequeue(ALL);
  assert(third !== undefined, "the nack redelivers");
  broker.ack(e.ID, third.token);
  assertEquals(broker.stats().TotalReady + broker.stats().TotalWaiting, 0, "requeue dropped");
});

Deno.test("EvalBroker.setEnabled(false) flushes and rejects waiting workers", async () => {
  const { broker } = setup();
  broker.enqueue([mockEval(), mockEval()]);
  broker.tryDequeue(ALL);
  const waiter = broker.dequeue(["batch"]);
  broker.setEnabled(false);
  const err = await assertRejects(() => waiter, EvalBrokerError, "eval broker disabled");
  assertEquals((err as EvalBrokerError).code, "disabled");
  assertThrows(() => broker.tryDequeue(ALL), EvalBrokerError, "disabled");
  broker.enqueue([mockEval()]);
  broker.setEnabled(true);
  const stats = broker.stats();
  assertEquals([stats.TotalReady, stats.TotalUnacked, stats.ByScheduler], [0, 0, {}]);
});

Deno.test("EvalBroker rejects a non-positive nack timeout", () => {
  assertThrows(
    () => new EvalBroker({ nackTimeoutMs: 0 }),
    RangeError,
    "'nackTimeoutMs' must be > 0",
  );
});
