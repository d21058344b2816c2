import { assert, assertEquals } from "../../tests/assert.ts";
import { capture, decodeEntry, encodeEntry, readSnapshot, writeSnapshot } from "./_codec.ts";
import { Db } from "./_tables.ts";
import { mockAlloc, mockJob, planEntry, storeWithJob } from "./_testing.ts";
import type { PlanApplyEntry } from "./entries.ts";

Deno.test("encodeEntry() logs a plan's allocations without copies of the plan's job", () => {
  const job = { ...mockJob("web"), Meta: { big: "x".repeat(10_000) } };
  const allocs = Array.from(
    { length: 20 },
    (_, i) => ({ ...mockAlloc(`a${i}`, job, "n1"), Job: job }),
  );
  const entry = planEntry(job, "e1", allocs, {
    NodeUpdate: { n2: [{ ...mockAlloc("old", job, "n2"), Job: job, DesiredDescription: "gone" }] },
  });
  const data = encodeEntry(entry);
  assert(data.length < 30_000, `the job is written once: ${data.length} bytes`);
  const back = decodeEntry(data) as PlanApplyEntry;
  const placed = back.result.NodeAllocation.n1 ?? [];
  assertEquals(placed.length, 20);
  assert(placed.every((a) => a.Job === back.job), "every placement points at the plan's job");
  assertEquals(back.result.NodeUpdate.n2 as unknown, [{
    ID: "old",
    DesiredDescription: "gone",
    ClientStatus: "pending",
    FollowupEvalID: "",
    AllocStates: null,
  }]);
});

Deno.test("encodeEntry() keeps an allocation's own job and a null job apart", () => {
  const job = mockJob("web");
  const older = { ...job, Version: 3 };
  const entry = planEntry(job, "e1", [
    { ...mockAlloc("a1", job, "n1"), Job: older },
    mockAlloc("a2", job, "n1"),
  ]);
  const back = decodeEntry(encodeEntry(entry)) as PlanApplyEntry;
  const [a1, a2] = back.result.NodeAllocation.n1 ?? [];
  assertEquals([a1?.Job?.Version, a2?.Job], [3, null]);
});

Deno.test("writeSnapshot() and readSnapshot() round-trip the tables", async () => {
  const store = await storeWithJob();
  const job = store.snapshot().job("default", "web") ?? mockJob("web");
  await store.apply(planEntry(job, "e1", [mockAlloc("a1", job, "n1"), mockAlloc("a2", job, "n2")]));
  const db = new Db();
  const index = await readSnapshot(writeSnapshot(captureOf(store)), db);
  assertEquals(index, store.index);
  assertEquals(db.allocs.size, 2);
  assertEquals(db.allocs.by("node", "n1").map((a) => a.ID), ["a1"]);
  assert(db.allocs.get("a1")?.Job === db.allocs.get("a2")?.Job, "a job is read once, shared");
  assertEquals(db.indexOf("allocs"), store.tableIndex("allocs"));
  assertEquals(
    JSON.stringify([...db.jobs.rows.values()]),
    JSON.stringify(store.snapshot().jobs()),
  );
});

function captureOf(store: Awaited<ReturnType<typeof storeWithJob>>) {
  // The store's tables are private; rebuild them from a snapshot of the log instead.
  const db = new Db();
  const s = store.snapshot();
  for (const j of s.jobs()) db.jobs.put(`${j.Namespace}\u0000${j.ID}`, j);
  for (const a of s.allocs()) db.allocs.put(a.ID, a);
  for (const n of s.nodes()) db.nodes.put(n.ID, n);
  for (const e of s.evals()) db.evals.put(e.ID, e);
  db.tableIndex.set("allocs", s.tableIndex("allocs"));
  db.index = s.index;
  return capture(db);
}
