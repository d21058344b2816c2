import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import type { Job } from "../structs/mod.ts";
import { type EventBatch, type EventsRequest, EventStreamDroppedError } from "./events.ts";
import type { StateStore } from "./state_store.ts";
import {
  memoryStore,
  mockAlloc,
  mockEval,
  mockJob,
  mockNode,
  planEntry,
  storeWithJob,
} from "./_testing.ts";

/** Reads `n` batches from a subscription, then stops it. */
async function take(store: StateStore, req: EventsRequest, n: number): Promise<EventBatch[]> {
  const ctl = new AbortController();
  const out: EventBatch[] = [];
  for await (const batch of store.events(req, ctl.signal)) {
    out.push(batch);
    if (out.length === n) ctl.abort();
  }
  return out;
}

function summary(batches: readonly EventBatch[]): string[] {
  return batches.flatMap((b) => b.Events.map((e) => `${b.Index} ${e.Topic} ${e.Type} ${e.Key}`));
}

Deno.test("events() publishes each entry's changes with Nomad's topics and types", async () => {
  const store = await storeWithJob();
  const job = store.snapshot().job("default", "web") as Job;
  await store.apply(planEntry(job, "e1", [mockAlloc("a1", job, "n1")]));
  const batches = await take(store, { namespace: "*" }, 5);
  assertEquals(summary(batches), [
    "1 Node NodeRegistration n1",
    "2 Node NodeRegistration n2",
    "3 Node NodeRegistration n3",
    "4 Job JobRegistered web",
    "4 Evaluation JobRegistered e1",
    "5 Evaluation PlanResult e1",
    "5 Allocation PlanResult a1",
    "5 Job PlanResult web",
  ]);
  const node = batches[0]?.Events[0]?.Payload.Node as { SecretID: string };
  assertEquals(node.SecretID, "", "node payloads hide the secret");
  const alloc = batches[4]?.Events.find((e) => e.Topic === "Allocation");
  assertEquals(alloc?.FilterKeys, ["web", ""]);
  assertEquals(
    (alloc?.Payload.Allocation as { Job: unknown }).Job,
    null,
    "alloc payloads drop the job",
  );
});

Deno.test("events() filters by topic keys, filter keys and namespace", async () => {
  const store = await storeWithJob();
  const other = mockJob("api", { Namespace: "prod" });
  await store.apply({ type: "JobRegister", job: other, eval: mockEval("e2", other) });
  await store.apply({ type: "NodeRegister", node: mockNode("n4") });
  const byKey = await take(store, { topics: { Node: ["n2"], Evaluation: ["web"] } }, 2);
  assertEquals(summary(byKey), ["2 Node NodeRegistration n2", "4 Evaluation JobRegistered e1"]);
  const prod = await take(store, { namespace: "prod", topics: { Job: ["*"], Node: ["n4"] } }, 2);
  assertEquals(summary(prod), ["5 Job JobRegistered api", "6 Node NodeRegistration n4"]);
  const all = await take(store, { topics: { "*": ["*"] }, namespace: "*" }, 6);
  assertEquals(all.at(-1)?.Index, 6);
});

Deno.test("events() starts at fromIndex and then follows new entries", async () => {
  const store = await memoryStore();
  for (const id of ["n1", "n2", "n3"]) {
    await store.apply({ type: "NodeRegister", node: mockNode(id) });
  }
  const reading = take(store, { fromIndex: 3 }, 2);
  await store.apply({ type: "NodeStatus", nodeId: "n1", status: "down", updatedAt: 1 });
  assertEquals(summary(await reading), ["3 Node NodeRegistration n3", "4 Node NodeStreamEvent n1"]);
});

Deno.test("events() drops a subscriber that falls further behind than the buffer", async () => {
  const store = await memoryStore({ eventBufferSize: 3 });
  await store.apply({ type: "NodeRegister", node: mockNode("n0") });
  const ctl = new AbortController();
  const it = store.events({}, ctl.signal)[Symbol.asyncIterator]();
  const first = await it.next();
  assertEquals(first.value?.Index, 1);
  for (let i = 1; i <= 5; i++) await store.apply({ type: "NodeRegister", node: mockNode(`n${i}`) });
  await assertRejects(() => it.next(), EventStreamDroppedError, "event dropped from buffer");
  ctl.abort();
});

Deno.test("events() ends when the signal aborts while waiting", async () => {
  const store = await memoryStore();
  const ctl = new AbortController();
  const got: EventBatch[] = [];
  const reading = (async () => {
    for await (const b of store.events({}, ctl.signal)) got.push(b);
  })();
  setTimeout(() => ctl.abort(), 5);
  await reading;
  assertEquals(got, []);
  assert(ctl.signal.aborted);
});

Deno.test("events() of a deregistration carry the deleted job", async () => {
  const store = await storeWithJob();
  await store.apply({ type: "JobDeregister", namespace: "default", jobId: "web", purge: true });
  const [batch] = await take(store, { fromIndex: 5, topics: { Job: ["web"] } }, 1);
  assertEquals(batch?.Events[0]?.Type, "JobDeregistered");
  assertEquals(batch?.Events[0]?.Payload.Deleted, true);
});
