import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { type NodeEvent, NotFoundError } from "../structs/mod.ts";
import { memoryStore, mockNode } from "./_testing.ts";

function event(message: string): NodeEvent {
  return {
    Message: message,
    Subsystem: "Cluster",
    Details: null,
    Timestamp: "2024-01-01T00:00:00Z",
    CreateIndex: 0,
  };
}

Deno.test("apply(NodeRegister) stores a node with a registration event", async () => {
  const store = await memoryStore();
  const { index } = await store.apply({ type: "NodeRegister", node: mockNode("n1") });
  const n = store.snapshot().node("n1");
  assertEquals([n?.CreateIndex, n?.ModifyIndex], [index, index]);
  assertEquals(n?.Events?.map((e) => [e.Message, e.Subsystem, e.Timestamp]), [
    ["Node registered", "Cluster", "2023-11-14T22:13:20Z"],
  ]);
  assertEquals(store.snapshot().tableIndex("nodes"), index);
});

Deno.test("apply(NodeRegister) of a known node keeps eligibility, drain and events", async () => {
  const store = await memoryStore();
  const first = await store.apply({ type: "NodeRegister", node: mockNode("n1") });
  await store.apply({
    type: "NodeEligibility",
    nodeId: "n1",
    eligibility: "ineligible",
    updatedAt: 5,
  });
  await store.apply({ type: "NodeStatus", nodeId: "n1", status: "down", updatedAt: 6 });
  const { index } = await store.apply({
    type: "NodeRegister",
    node: mockNode("n1", { SchedulingEligibility: "eligible", Name: "renamed" }),
  });
  const n = store.snapshot().node("n1");
  assertEquals(n?.Name, "renamed");
  assertEquals(n?.SchedulingEligibility, "ineligible");
  assertEquals([n?.CreateIndex, n?.ModifyIndex], [first.index, index]);
  assertEquals(n?.Events?.map((e) => e.Message), ["Node registered", "Node re-registered"]);
});

Deno.test("apply(NodeStatus) records missed heartbeats and resets them when ready", async () => {
  const store = await memoryStore();
  await store.apply({ type: "NodeRegister", node: mockNode("n1") });
  const down = await store.apply({
    type: "NodeStatus",
    nodeId: "n1",
    status: "down",
    updatedAt: 10,
    event: event("Node heartbeat missed"),
  });
  let n = store.snapshot().node("n1");
  assertEquals([n?.Status, n?.LastMissedHeartbeatIndex, n?.StatusUpdatedAt], [
    "down",
    down.index,
    10,
  ]);
  assertEquals(n?.Events?.at(-1)?.CreateIndex, down.index);
  await store.apply({ type: "NodeStatus", nodeId: "n1", status: "ready", updatedAt: 11 });
  n = store.snapshot().node("n1");
  assertEquals([n?.Status, n?.LastMissedHeartbeatIndex], ["ready", 0]);
  await assertRejects(
    () => store.apply({ type: "NodeStatus", nodeId: "nx", status: "ready", updatedAt: 1 }),
    NotFoundError,
    "node not found: nx",
  );
});

Deno.test("apply(NodeEvents) keeps the 10 newest events", async () => {
  const store = await memoryStore();
  await store.apply({ type: "NodeRegister", node: mockNode("n1") });
  const events = Array.from({ length: 12 }, (_, i) => event(`e${i}`));
  await store.apply({ type: "NodeEvents", events: { n1: events } });
  const msgs = store.snapshot().node("n1")?.Events?.map((e) => e.Message);
  assertEquals(msgs, ["e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9", "e10", "e11"]);
});

Deno.test("apply(NodeDrain) makes a node ineligible and records LastDrain", async () => {
  const store = await memoryStore();
  await store.apply({ type: "NodeRegister", node: mockNode("n1") });
  const drain = {
    Deadline: 60e9,
    IgnoreSystemJobs: false,
    ForceDeadline: "0001-01-01T00:00:00Z",
    StartedAt: "2024-01-01T00:00:00Z",
  };
  await store.apply({
    type: "NodeDrain",
    nodeId: "n1",
    drain,
    markEligible: false,
    updatedAt: 100,
    meta: { reason: "upgrade" },
    accessorId: "tok",
  });
  let n = store.snapshot().node("n1");
  assertEquals(n?.SchedulingEligibility, "ineligible");
  assertEquals(n?.LastDrain, {
    StartedAt: "1970-01-01T00:01:40Z",
    UpdatedAt: "1970-01-01T00:01:40Z",
    Meta: { reason: "upgrade" },
    AccessorID: "tok",
    Status: "draining",
  });
  await assertRejects(
    () =>
      store.apply({ type: "NodeEligibility", nodeId: "n1", eligibility: "eligible", updatedAt: 1 }),
    Error,
    "can not set node's scheduling eligibility to eligible while it is draining",
  );
  await store.apply({
    type: "NodeDrain",
    nodeId: "n1",
    drain: null,
    markEligible: true,
    updatedAt: 200,
    drainComplete: true,
  });
  n = store.snapshot().node("n1");
  assertEquals([n?.DrainStrategy, n?.SchedulingEligibility], [null, "eligible"]);
  assertEquals(n?.LastDrain?.Status, "complete");
  assertEquals(n?.LastDrain?.UpdatedAt, "1970-01-01T00:03:20Z");
});

Deno.test("apply(NodeDeregister) removes nodes and fails on an unknown one", async () => {
  const store = await memoryStore();
  await store.apply({ type: "NodeRegister", node: mockNode("n1") });
  await store.apply({ type: "NodeRegister", node: mockNode("n2") });
  await assertRejects(
    () => store.apply({ type: "NodeDeregister", nodeIds: ["n1", "nx"] }),
    NotFoundError,
    "node not found: nx",
  );
  assert(store.snapshot().node("n1"), "a failed entry changes nothing");
  const { index } = await store.apply({ type: "NodeDeregister", nodeIds: ["n1"] });
  assertEquals(store.snapshot().nodes().map((n) => n.ID), ["n2"]);
  assertEquals(store.snapshot().tableIndex("nodes"), index);
});

Deno.test("snapshot().nodes() lists nodes by ID; nodesByPrefix() filters", async () => {
  const store = await memoryStore();
  for (const id of ["c3", "a1", "b2", "a9"]) {
    await store.apply({ type: "NodeRegister", node: mockNode(id) });
  }
  assertEquals(store.snapshot().nodes().map((n) => n.ID), ["a1", "a9", "b2", "c3"]);
  assertEquals(store.snapshot().nodesByPrefix("a").map((n) => n.ID), ["a1", "a9"]);
});
