/**
 * The leader's in-memory queues against their floors, measured in the same run:
 *
 * - 100,000 evaluations through the eval broker (enqueue, dequeue, ack; nack timers on the real
 *   clock), synchronously and through the promise-based `dequeue`, against a plain array queue.
 * - One second's worth of heartbeats at 5,000 resets/s against a cluster of 5,000 nodes, on the
 *   single-timer `Heartbeats` and on one `setTimeout` per node (what it replaces).
 * - 100,000 plans through the plan queue, against a plain array queue.
 *
 * Run: `deno task bench bench/server_queues_bench.ts`.
 */
import type { Plan, PlanResult } from "../core/scheduler/types.ts";
import { EvalBroker } from "../core/server/eval_broker.ts";
import { mockEval } from "../core/server/eval_testing.ts";
import { Heartbeats } from "../core/server/heartbeat.ts";
import { PlanQueue } from "../core/server/plan_queue.ts";

const EVALS = 100_000;
const NODES = 5_000;
const TYPES = ["service", "batch", "system", "sysbatch"];
const evals = Array.from({ length: EVALS }, (_, i) =>
  mockEval({
    Type: TYPES[i % 4] as string,
    Priority: 10 + (i % 90),
    CreateIndex: i + 1,
    ModifyIndex: i + 1,
  }));
const nodeIds = Array.from({ length: NODES }, (_, i) => `node-${i}`);

let tokens = 0;
function newBroker(): EvalBroker {
  const broker = new EvalBroker({ newToken: () => `t${tokens++}` });
  broker.setEnabled(true);
  return broker;
}

/** The floor: a FIFO array read by a moving head (`shift()` is O(n) on arrays this long). */
function arrayQueue<T>(items: readonly T[]): number {
  const queue: T[] = [];
  for (const item of items) queue.push(item);
  let head = 0;
  while (head < queue.length) queue[head++] = undefined as T;
  return head;
}

Deno.bench("plain array queue: 100,000 push + take", { group: "evals", baseline: true }, () => {
  arrayQueue(evals);
});

Deno.bench("EvalBroker: 100,000 enqueue + tryDequeue + ack", { group: "evals" }, () => {
  const broker = newBroker();
  broker.enqueue(evals);
  for (let d = broker.tryDequeue(TYPES); d !== undefined; d = broker.tryDequeue(TYPES)) {
    broker.ack(d.eval.ID, d.token);
  }
  broker.setEnabled(false);
});

Deno.bench("EvalBroker: 100,000 in batches of 100 (steady state)", { group: "evals" }, () => {
  const broker = newBroker();
  for (let i = 0; i < EVALS; i += 100) {
    broker.enqueue(evals.slice(i, i + 100));
    for (let d = broker.tryDequeue(TYPES); d !== undefined; d = broker.tryDequeue(TYPES)) {
      broker.ack(d.eval.ID, d.token);
    }
  }
  broker.setEnabled(false);
});

Deno.bench("EvalBroker: 100,000 enqueue + await dequeue + ack", { group: "evals" }, async () => {
  const broker = newBroker();
  broker.enqueue(evals);
  for (let i = 0; i < EVALS; i++) {
    const d = await broker.dequeue(TYPES);
    broker.ack(d.eval.ID, d.token);
  }
  broker.setEnabled(false);
});

Deno.bench(
  "setTimeout per node: 5,000 resets among 5,000 nodes",
  { group: "heartbeats", baseline: true },
  (b) => {
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    for (const id of nodeIds) timers.set(id, setTimeout(() => {}, 300_000));
    b.start();
    for (const id of nodeIds) {
      clearTimeout(timers.get(id));
      timers.set(id, setTimeout(() => {}, 20_000 + Math.floor(Math.random() * 10_000)));
    }
    b.end();
    for (const t of timers.values()) clearTimeout(t);
  },
);

Deno.bench("Heartbeats: 5,000 resets among 5,000 nodes", { group: "heartbeats" }, (b) => {
  const heartbeats = new Heartbeats({ onExpire: () => {} });
  heartbeats.initialize(nodeIds);
  b.start();
  for (const id of nodeIds) heartbeats.resetHeartbeat(id);
  b.end();
  heartbeats.clearAll();
});

const result: PlanResult = {
  NodeUpdate: {},
  NodeAllocation: {},
  NodePreemptions: {},
  Deployment: null,
  DeploymentUpdates: [],
  RejectedNodes: [],
  IneligibleNodes: [],
  RefreshIndex: 0,
  AllocIndex: 1,
};
const plans: Plan[] = evals.map((e) => ({
  EvalID: e.ID,
  Priority: e.Priority,
  AllAtOnce: false,
  Job: null,
  NodeUpdate: {},
  NodeAllocation: {},
  NodePreemptions: {},
  Annotations: null,
  Deployment: null,
  DeploymentUpdates: [],
  SnapshotIndex: 1,
}));

Deno.bench("plain array queue: 100,000 plans", { group: "plans", baseline: true }, () => {
  arrayQueue(plans);
});

// Respond, not fail: 100,000 promises rejected before anyone awaits them make Deno's
// unhandled-rejection bookkeeping quadratic (tens of seconds), which a real worker (awaiting
// its own plan at once) never sees.
Deno.bench("PlanQueue: 100,000 enqueue + tryDequeue + respond", { group: "plans" }, async () => {
  const queue = new PlanQueue();
  queue.setEnabled(true);
  const results = plans.map((p) => queue.enqueue(p));
  for (let p = queue.tryDequeue(); p !== undefined; p = queue.tryDequeue()) p.respond(result);
  await Promise.all(results);
});
