import { assertEquals, assertRejects, assertThrows } from "../../tests/assert.ts";
import type { Plan, PlanResult } from "../scheduler/types.ts";
import { FakeClock } from "./clock_testing.ts";
import { PlanQueue, PlanQueueError } from "./plan_queue.ts";

function plan(evalId: string, priority = 50): Plan {
  return {
    EvalID: evalId,
    Priority: priority,
    AllAtOnce: false,
    Job: null,
    NodeUpdate: {},
    NodeAllocation: {},
    NodePreemptions: {},
    Annotations: null,
    Deployment: null,
    DeploymentUpdates: [],
    SnapshotIndex: 1,
  };
}

function result(allocIndex: number): PlanResult {
  return {
    NodeUpdate: {},
    NodeAllocation: {},
    NodePreemptions: {},
    Deployment: null,
    DeploymentUpdates: [],
    RejectedNodes: [],
    IneligibleNodes: [],
    RefreshIndex: 0,
    AllocIndex: allocIndex,
  };
}

function setup() {
  const clock = new FakeClock(1_000);
  const queue = new PlanQueue({ clock });
  queue.setEnabled(true);
  return { clock, queue };
}

Deno.test("PlanQueue.dequeue() gives the highest priority first, first come first served", () => {
  const { queue } = setup();
  for (const [id, p] of [["a", 50], ["b", 90], ["c", 50], ["d", 10], ["e", 90]] as const) {
    queue.enqueue(plan(id, p));
  }
  assertEquals(queue.stats().Depth, 5);
  const order = [1, 2, 3, 4, 5].map(() => queue.tryDequeue()?.plan.EvalID);
  assertEquals(order, ["b", "e", "a", "c", "d"]);
  assertEquals(queue.stats().Depth, 0);
});

Deno.test("PlanQueue.enqueue() settles when the applier responds", async () => {
  const { queue, clock } = setup();
  const submitted = queue.enqueue(plan("a"));
  const pending = await queue.dequeue();
  assertEquals([pending.plan.EvalID, pending.enqueuedAt], ["a", clock.now()]);
  pending.respond(result(42));
  pending.fail(new Error("ignored: a plan settles once"));
  assertEquals((await submitted).AllocIndex, 42);

  const failing = queue.enqueue(plan("b"));
  queue.tryDequeue()?.fail(new Error("plan for node n1 no longer fits"));
  await assertRejects(() => failing, Error, "no longer fits");
});

Deno.test("PlanQueue.dequeue() waits for a plan, and a signal abandons the wait", async () => {
  const { queue } = setup();
  const controller = new AbortController();
  const abandoned = queue.dequeue(controller.signal);
  const waiting = queue.dequeue();
  controller.abort(new Error("applier stopping"));
  await assertRejects(() => abandoned, Error, "applier stopping");
  queue.enqueue(plan("a"));
  assertEquals((await waiting).plan.EvalID, "a");
});

Deno.test("PlanQueue.setEnabled(false) rejects queued plans and waiting appliers", async () => {
  const { queue } = setup();
  const queued = queue.enqueue(plan("a"));
  queue.setEnabled(false);
  const err = await assertRejects(() => queued, PlanQueueError, "plan queue flushed");
  assertEquals((err as PlanQueueError).code, "flushed");
  await assertRejects(() => queue.enqueue(plan("b")), PlanQueueError, "plan queue is disabled");
  await assertRejects(() => queue.dequeue(), PlanQueueError, "disabled");
  assertThrows(() => queue.tryDequeue(), PlanQueueError);

  queue.setEnabled(true);
  const waiter = queue.dequeue();
  queue.setEnabled(false);
  await assertRejects(() => waiter, PlanQueueError, "disabled");
  assertEquals(queue.stats().Depth, 0);
});
