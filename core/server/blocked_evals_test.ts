import { assertEquals } from "../../tests/assert.ts";
import type { Evaluation } from "../structs/mod.ts";
import { BlockedEvals, duplicateBlockedDescription, type UnblockedEval } from "./blocked_evals.ts";
import { FakeClock } from "./clock_testing.ts";
import { EvalBroker } from "./eval_broker.ts";
import { mockEval } from "./eval_testing.ts";

function setup() {
  const clock = new FakeClock();
  const unblocked: UnblockedEval[] = [];
  const blocked = new BlockedEvals({ clock, enqueue: (evals) => unblocked.push(...evals) });
  blocked.setEnabled(true);
  const ids = () => unblocked.map(([e]) => e.ID);
  return { clock, blocked, unblocked, ids };
}

function blockedEval(overrides: Partial<Evaluation> = {}): Evaluation {
  return mockEval({ Status: "blocked", ...overrides });
}

Deno.test("BlockedEvals.block() tracks evaluations and counts them", () => {
  const { blocked } = setup();
  blocked.block(blockedEval({ ClassEligibility: { "v1:1": true } }));
  blocked.block(blockedEval({ EscapedComputedClass: true }));
  blocked.block(blockedEval({ QuotaLimitReached: "q" }));
  assertEquals(blocked.stats(), { TotalBlocked: 3, TotalEscaped: 1, TotalQuotaLimit: 1 });
});

Deno.test("BlockedEvals.block() keeps one evaluation per job and returns the older", () => {
  const { blocked } = setup();
  const old = blockedEval({ JobID: "web", CreateIndex: 10 });
  const newer = blockedEval({ JobID: "web", CreateIndex: 8, SnapshotIndex: 20 });
  assertEquals(blocked.block(old), undefined);
  assertEquals(blocked.block(newer)?.ID, old.ID, "the tracked one is older: it is replaced");
  assertEquals(blocked.blocked("default", "web")?.ID, newer.ID);
  const stale = blockedEval({ JobID: "web", CreateIndex: 15 });
  assertEquals(blocked.block(stale)?.ID, stale.ID, "the new one is older: it is the duplicate");
  assertEquals(blocked.blocked("default", "web")?.ID, newer.ID);
  assertEquals(blocked.stats().TotalBlocked, 1);
  assertEquals(
    duplicateBlockedDescription("web"),
    'existing blocked evaluation exists for job "web"',
  );
});

Deno.test("BlockedEvals.unblock() releases evaluations a class change could help", () => {
  const { blocked, ids } = setup();
  const eligible = blockedEval({ ClassEligibility: { "v1:1": true, "v1:2": false } });
  const ineligible = blockedEval({ ClassEligibility: { "v1:1": false } });
  const unseen = blockedEval({ ClassEligibility: { "v1:2": true } });
  const escaped = blockedEval({ EscapedComputedClass: true, ClassEligibility: { "v1:1": false } });
  for (const e of [eligible, ineligible, unseen, escaped]) blocked.block(e);
  blocked.unblock("v1:1", 100);
  assertEquals(ids().sort(), [eligible.ID, unseen.ID, escaped.ID].sort());
  assertEquals(blocked.blocked("default", ineligible.JobID)?.ID, ineligible.ID);
  assertEquals(blocked.stats(), { TotalBlocked: 1, TotalEscaped: 0, TotalQuotaLimit: 0 });
});

Deno.test("BlockedEvals.unblockNode() releases the system evaluations blocked on that node", () => {
  const { blocked, ids } = setup();
  const onA = blockedEval({ Type: "system", NodeID: "a", ClassEligibility: { c: false } });
  const onB = blockedEval({ Type: "system", NodeID: "b", ClassEligibility: { c: false } });
  blocked.block(onA);
  blocked.block(onB);
  blocked.unblockNode("a");
  assertEquals(ids(), [onA.ID]);
  blocked.unblockNode("a");
  assertEquals(ids(), [onA.ID], "released once");
});

Deno.test("BlockedEvals.untrack() forgets the job's blocked evaluation", () => {
  const { blocked, ids } = setup();
  const e = blockedEval({ Type: "system", NodeID: "a", EscapedComputedClass: false });
  blocked.block(e);
  blocked.untrack("default", e.JobID);
  blocked.unblock("any", 1);
  blocked.unblockNode("a");
  assertEquals([ids(), blocked.stats().TotalBlocked], [[], 0]);
});

Deno.test("BlockedEvals.block() enqueues at once an evaluation that missed an unblock", () => {
  const { blocked, ids } = setup();
  blocked.unblock("v1:1", 50);
  const seen = blockedEval({ SnapshotIndex: 40, ClassEligibility: { "v1:1": true } });
  const unseen = blockedEval({ SnapshotIndex: 40, ClassEligibility: { "v1:9": true } });
  const ineligible = blockedEval({ SnapshotIndex: 40, ClassEligibility: { "v1:1": false } });
  const escaped = blockedEval({
    SnapshotIndex: 40,
    EscapedComputedClass: true,
    ClassEligibility: { "v1:1": false },
  });
  const current = blockedEval({ SnapshotIndex: 50, ClassEligibility: { "v1:1": true } });
  for (const e of [seen, unseen, ineligible, escaped, current]) blocked.block(e);
  assertEquals(ids(), [seen.ID, unseen.ID, escaped.ID]);
  assertEquals(blocked.stats().TotalBlocked, 2);
});

Deno.test("BlockedEvals forgets unblock records after the prune threshold", () => {
  const { blocked, clock, ids } = setup();
  blocked.unblock("v1:1", 50);
  clock.advance(20 * 60_000);
  blocked.block(blockedEval({ SnapshotIndex: 40, ClassEligibility: { "v1:1": true } }));
  assertEquals(ids(), []);
});

Deno.test("BlockedEvals.unblockQuota() releases evaluations of that quota only", () => {
  const { blocked, ids } = setup();
  const mine = blockedEval({ QuotaLimitReached: "team-a", ClassEligibility: { c: false } });
  const theirs = blockedEval({ QuotaLimitReached: "team-b" });
  blocked.block(mine);
  blocked.block(theirs);
  blocked.unblockQuota("team-a", 10);
  assertEquals(ids(), [mine.ID]);
  assertEquals(blocked.stats().TotalQuotaLimit, 1);
});

Deno.test("BlockedEvals.unblockNonNodeResources() releases escaped evals missing them", () => {
  const { blocked, ids } = setup();
  const needsVol = blockedEval({ EscapedComputedClass: true, MissingNonNodeResources: ["vol"] });
  const needsOther = blockedEval({ EscapedComputedClass: true, MissingNonNodeResources: ["x"] });
  blocked.block(needsVol);
  blocked.block(needsOther);
  blocked.unblockNonNodeResources(["vol"], 10);
  assertEquals(ids(), [needsVol.ID]);
});

Deno.test("BlockedEvals.unblockFailed() releases evals blocked by the plan attempt limit", () => {
  const { blocked, ids } = setup();
  const maxPlans = blockedEval({ TriggeredBy: "max-plan-attempts" });
  blocked.block(maxPlans);
  blocked.block(blockedEval());
  blocked.unblockFailed();
  assertEquals(ids(), [maxPlans.ID]);
});

Deno.test("BlockedEvals.reblock() hands the evaluation back with its token", () => {
  const { blocked, unblocked } = setup();
  const e = blockedEval({ ClassEligibility: { c: true } });
  blocked.reblock(e, "token-7");
  blocked.unblock("c", 5);
  assertEquals(unblocked, [[e, "token-7"]]);
});

Deno.test("BlockedEvals does nothing while disabled and forgets everything on disable", () => {
  const { blocked, ids } = setup();
  blocked.block(blockedEval({ EscapedComputedClass: true }));
  blocked.setEnabled(false);
  assertEquals(blocked.stats().TotalBlocked, 0);
  assertEquals(blocked.block(blockedEval()), undefined);
  blocked.setEnabled(true);
  blocked.unblock("c", 1);
  assertEquals([ids(), blocked.stats().TotalBlocked], [[], 0]);
});

Deno.test("BlockedEvals feeds unblocked evaluations to the eval broker", () => {
  const broker = new EvalBroker({ clock: new FakeClock() });
  broker.setEnabled(true);
  const blocked = new BlockedEvals({ enqueue: (evals) => broker.enqueueAll(evals) });
  blocked.setEnabled(true);
  const e = blockedEval({ EscapedComputedClass: true });
  blocked.block(e);
  assertEquals(broker.stats().TotalReady, 0);
  blocked.unblock("v1:1", 3);
  assertEquals(broker.tryDequeue(["service"])?.eval.ID, e.ID);
  blocked.setEnabled(false);
  broker.setEnabled(false);
});
