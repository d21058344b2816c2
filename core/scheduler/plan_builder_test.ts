import { assert, assertEquals } from "../../tests/assert.ts";
import { MemState, mockAlloc, mockEval, mockJob, mockNode, NOW } from "./_testing.ts";
import { PlanBuilder } from "./plan_builder.ts";

function setup() {
  const state = new MemState();
  state.upsertNode(mockNode(1));
  const job = state.upsertJob(mockJob());
  const a = mockAlloc(job, 0, "node-00001");
  const b = mockAlloc(job, 1, "node-00001");
  const done = mockAlloc(job, 2, "node-00001", { ClientStatus: "complete" });
  state.upsertAllocs(a, b, done);
  const plan = new PlanBuilder(state, mockEval(job), job, NOW);
  return { state, job, a, b, plan };
}

const ids = (list: readonly { ID: string }[]) => list.map((x) => x.ID).sort();

Deno.test("PlanBuilder.proposedAllocs() is the node's live allocations after the plan", () => {
  const { job, a, b, plan } = setup();
  assertEquals(ids(plan.proposedAllocs("node-00001")), ids([a, b]), "client-terminal ones are out");
  plan.appendStoppedAlloc(a, "alloc not needed due to job update");
  const c = mockAlloc(job, 3, "node-00001");
  plan.appendAlloc(c, null);
  assertEquals(ids(plan.proposedAllocs("node-00001")), ids([b, c]));
  const bUpdated = { ...b, EvalID: "e2" };
  plan.appendAlloc(bUpdated, null);
  const proposed = plan.proposedAllocs("node-00001");
  assertEquals(proposed.length, 2, "an in-place update replaces the old version");
  assert(proposed.includes(bUpdated));
});

Deno.test("PlanBuilder.nodeVersion() moves with every change of the node, and caches in between", () => {
  const { a, plan } = setup();
  const v0 = plan.nodeVersion("node-00001");
  const first = plan.proposedAllocs("node-00001");
  assert(plan.proposedAllocs("node-00001") === first, "unchanged node: the cached list");
  plan.appendStoppedAlloc(a, "x");
  assert(plan.nodeVersion("node-00001") > v0);
  plan.popUpdate(a);
  assertEquals(plan.plan.NodeUpdate, {}, "popping the last stop removes the node's entry");
  assertEquals(plan.nodeVersion("node-other"), 0);
});

Deno.test("PlanBuilder.appendStoppedAlloc() copies the allocation with Nomad's stop fields", () => {
  const { a, plan } = setup();
  plan.appendStoppedAlloc(a, "alloc is lost since its node is down", "lost", "eval-9");
  const s = plan.plan.NodeUpdate["node-00001"]![0]!;
  assertEquals([s.DesiredStatus, s.DesiredDescription, s.ClientStatus, s.FollowupEvalID], [
    "stop",
    "alloc is lost since its node is down",
    "lost",
    "eval-9",
  ]);
  assertEquals(s.Job, null);
  assertEquals(s.AllocStates?.at(-1)?.Value, "lost");
  assertEquals(a.DesiredStatus, "run", "the state's allocation is untouched");
  assertEquals(plan.isNoOp(), false);
});

Deno.test("PlanBuilder takes the job of a purged job's allocations", () => {
  const { state, job, a } = setup();
  const plan = new PlanBuilder(state, mockEval(job), null, NOW);
  assert(plan.isNoOp());
  plan.appendStoppedAlloc(a, "alloc not needed due to job update");
  assertEquals(plan.plan.Job?.ID, job.ID);
});
