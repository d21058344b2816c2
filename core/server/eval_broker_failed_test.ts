import { assertEquals } from "../../tests/assert.ts";
import { failedEvalUpdates } from "./eval_broker_failed.ts";
import { mockEval } from "./eval_testing.ts";

const NOW = Date.UTC(2024, 0, 1);

Deno.test("failedEvalUpdates() fails the evaluation and creates a delayed follow-up", () => {
  const e = mockEval({ JobID: "web", Priority: 70, JobModifyIndex: 12, CreateTime: 5 });
  const updates = failedEvalUpdates(e, {
    nowMs: NOW,
    newId: () => "follow-up-1",
    random: () => 0.5,
    jobExists: true,
  });
  assertEquals(updates?.failed.Status, "failed");
  assertEquals(updates?.failed.StatusDescription, "evaluation reached delivery limit (3)");
  assertEquals(updates?.failed.NextEval, "follow-up-1");
  assertEquals(e.Status, "pending", "the dequeued evaluation is not mutated");
  const f = updates?.followUp;
  assertEquals(
    [f?.ID, f?.TriggeredBy, f?.Status, f?.PreviousEval, f?.JobID, f?.Priority, f?.JobModifyIndex],
    ["follow-up-1", "failed-follow-up", "pending", e.ID, "web", 70, 12],
  );
  // 1 minute baseline + half of the 5 minute range, in nanoseconds.
  assertEquals(f?.Wait, 210_000 * 1_000_000);
  assertEquals(f?.CreateTime, NOW * 1_000_000);
});

Deno.test("failedEvalUpdates() skips the follow-up of a purged job and all of a core eval", () => {
  const options = { nowMs: NOW, newId: () => "x", random: () => 0, jobExists: false };
  const gone = failedEvalUpdates(mockEval(), { ...options, deliveryLimit: 5 });
  assertEquals(gone?.followUp, null);
  assertEquals(gone?.failed.StatusDescription, "evaluation reached delivery limit (5)");
  assertEquals(gone?.failed.NextEval, "");
  assertEquals(failedEvalUpdates(mockEval({ Type: "_core" }), options), null);
});
