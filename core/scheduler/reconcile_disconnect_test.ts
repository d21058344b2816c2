import { assert, assertEquals } from "../../tests/assert.ts";
import {
  type Allocation,
  AllocMetricSpec,
  type DisconnectStrategy,
  HOUR,
  type Job,
  type Node,
  SECOND,
  type TaskGroup,
  zero,
} from "../structs/mod.ts";
import { mockAlloc, mockJob, mockNode, NOW } from "./_testing.ts";
import { needsToReconnect } from "./disconnect.ts";
import { type AllocUpdateFn, reconcile, type ReconcileInput, StopReason } from "./reconcile.ts";
import { nsToTime } from "./util.ts";

const ignoreAll: AllocUpdateFn = () => ({ ignore: true, destructive: false, updated: null });

/** A service job of one group with a disconnect block (or none), without an update strategy. */
function job(
  count: number,
  disconnect: Partial<DisconnectStrategy> | null,
  group: Partial<TaskGroup> = {},
): Job {
  const noUpdate = { ...mockJob().Update!, MaxParallel: 0 };
  const block = disconnect === null ? null : {
    LostAfter: HOUR,
    StopOnClientAfter: null,
    Replace: null,
    Reconcile: null,
    ...disconnect,
  };
  const j = mockJob({ Update: noUpdate }, {
    Count: count,
    Update: noUpdate,
    Disconnect: block,
    ...group,
  });
  return { ...j, Version: 1, CreateIndex: 10, ModifyIndex: 101, JobModifyIndex: 101 };
}

/** A reschedule policy that replaces at once. */
const NO_DELAY = {
  ReschedulePolicy: {
    Attempts: 0,
    Interval: 0,
    Delay: 0,
    DelayFunction: "constant",
    MaxDelay: 0,
    Unlimited: true,
  },
};

const disconnected = (id: string): Node => ({ ...mockNode(0), ID: id, Status: "disconnected" });
const down = (id: string): Node => ({ ...mockNode(0), ID: id, Status: "down" });

function input(j: Job, allocs: Allocation[], patch: Partial<ReconcileInput> = {}): ReconcileInput {
  let n = 0;
  return {
    job: j,
    jobId: j.ID ?? "",
    isBatch: false,
    deployment: null,
    existingAllocs: allocs,
    taintedNodes: new Map(),
    evalId: "eval-1",
    evalPriority: 50,
    now: NOW,
    newId: () => `id-${++n}`,
    allocUpdateFn: ignoreAll,
    ...patch,
  };
}

const unknownAt = (t: number) => [{ Field: "ClientStatus", Value: "unknown", Time: nsToTime(t) }];

/** An allocation that went unknown at `since` and now reports `status` again (or not). */
function wasUnknown(j: Job, node: string, since: number, patch: Partial<Allocation> = {}) {
  return mockAlloc(j, 0, node, {
    ClientStatus: "unknown",
    AllocStates: unknownAt(since),
    ...patch,
  });
}

/** A task state that started at `started`. */
function startedAt(started: number) {
  return {
    web: {
      State: "running",
      Failed: false,
      Restarts: 0,
      LastRestart: nsToTime(0),
      StartedAt: nsToTime(started),
      FinishedAt: nsToTime(0),
      Events: null,
      Paused: "",
    },
  };
}

/** Metrics whose best placement score is `score`. */
function scored(score: number): Allocation["Metrics"] {
  return {
    ...zero(AllocMetricSpec),
    ScoreMetaData: [{ NodeID: "n", Scores: null, NormScore: score }],
  };
}

Deno.test("reconcile() marks the allocations of a disconnected node unknown with a lost_after follow-up", async (t) => {
  await t.step("with the default reschedule delay, the replacement waits for it", () => {
    const j = job(1, { LostAfter: HOUR });
    const a = mockAlloc(j, 0, "gone");
    const r = reconcile(input(j, [a], { taintedNodes: new Map([["gone", disconnected("gone")]]) }));
    const u = r.disconnectUpdates.get(a.ID);
    assert(u !== undefined, "the allocation is in the disconnect updates");
    assertEquals(u.ClientStatus, "unknown");
    assertEquals(u.ClientDescription, "alloc is unknown since its node is disconnected");
    assertEquals(u.AllocStates, unknownAt(NOW));
    assert(needsToReconnect(u));
    const evals = r.desiredFollowupEvals["web"] ?? [];
    const timeout = evals.find((e) => e.TriggeredBy === "max-disconnect-timeout");
    const resched = evals.find((e) => e.TriggeredBy === "alloc-reschedule");
    assertEquals(timeout?.WaitUntil, nsToTime(NOW + HOUR));
    assertEquals(timeout?.StatusDescription, "created for delayed disconnect timeout");
    assertEquals(resched?.WaitUntil, nsToTime(NOW + 30 * SECOND), "service default delay");
    assertEquals(u.FollowupEvalID, resched?.ID, "the reschedule follow-up places the replacement");
    assertEquals(r.place, []);
    assertEquals(r.stop, []);
    const du = r.desiredTGUpdates["web"]!;
    assertEquals([du.Disconnect, du.RescheduleLater, du.Place], [1, 1, 0]);
  });
  await t.step("without a delay, the replacement is placed now and the original kept", () => {
    const j = job(1, { LostAfter: HOUR }, NO_DELAY);
    const a = mockAlloc(j, 0, "gone");
    const r = reconcile(input(j, [a], { taintedNodes: new Map([["gone", disconnected("gone")]]) }));
    assertEquals(r.place.length, 1);
    const p = r.place[0]!;
    assertEquals([p.name, p.reschedule, p.lost], ["web.web[0]", true, false]);
    assertEquals(p.previousAlloc?.ClientStatus, "unknown", "the replacement follows the update");
    assertEquals(r.stop, [], "an unknown allocation is not stopped");
    assertEquals(r.disconnectUpdates.get(a.ID)?.FollowupEvalID, "id-1");
    assertEquals(r.desiredTGUpdates["web"]?.RescheduleNow, 1);
  });
});

Deno.test("reconcile() places no replacement for a disconnected group with replace = false", () => {
  const j = job(2, { LostAfter: HOUR, Replace: false }, NO_DELAY);
  const allocs = [mockAlloc(j, 0, "gone"), mockAlloc(j, 1, "ok")];
  const r = reconcile(
    input(j, allocs, { taintedNodes: new Map([["gone", disconnected("gone")]]) }),
  );
  assertEquals([...r.disconnectUpdates.keys()], [allocs[0]!.ID]);
  assertEquals(r.place, []);
  assertEquals(r.stop, []);
  const evals = r.desiredFollowupEvals["web"] ?? [];
  assertEquals(evals.map((e) => e.TriggeredBy), ["max-disconnect-timeout"]);
});

Deno.test("reconcile() keeps replacing at once the groups without a disconnect block", async (t) => {
  for (const [name, node] of [["disconnected", disconnected], ["down", down]] as const) {
    await t.step(`on a ${name} node the allocation is lost and replaced`, () => {
      const j = job(1, null);
      const a = mockAlloc(j, 0, "gone");
      const r = reconcile(input(j, [a], { taintedNodes: new Map([["gone", node("gone")]]) }));
      assertEquals(r.disconnectUpdates.size, 0);
      assertEquals(r.stop.map((s) => [s.alloc.ID, s.clientStatus, s.statusDescription]), [
        [a.ID, "lost", StopReason.Lost],
      ]);
      assertEquals(r.place.map((p) => [p.name, p.lost, p.previousAlloc?.ID]), [
        ["web.web[0]", true, a.ID],
      ]);
    });
  }
  await t.step("a pending allocation of a disconnected node is lost too", () => {
    const j = job(1, { LostAfter: HOUR });
    const a = mockAlloc(j, 0, "gone", { ClientStatus: "pending" });
    const r = reconcile(input(j, [a], { taintedNodes: new Map([["gone", disconnected("gone")]]) }));
    assertEquals(r.stop.map((s) => s.clientStatus), ["lost"]);
    assertEquals(r.place.length, 1);
  });
});

Deno.test("reconcile() leaves an unknown allocation alone until its lost_after, then marks it lost", async (t) => {
  const j = job(1, { LostAfter: HOUR });
  const tainted = new Map([["gone", disconnected("gone")]]);
  await t.step("before lost_after: nothing changes and nothing more is placed", () => {
    const a = wasUnknown(j, "gone", NOW - 30 * 60 * SECOND, { NextAllocation: "repl" });
    const repl = mockAlloc(j, 0, "ok", { ID: "repl", PreviousAllocation: a.ID });
    const r = reconcile(input(j, [a, repl], { taintedNodes: tainted }));
    assertEquals([r.place, r.stop, r.disconnectUpdates.size], [[], [], 0]);
  });
  await t.step("after lost_after: lost and stopped; the replacement stays", () => {
    const a = wasUnknown(j, "gone", NOW - 2 * HOUR, { NextAllocation: "repl" });
    const repl = mockAlloc(j, 0, "ok", { ID: "repl", PreviousAllocation: a.ID });
    const r = reconcile(input(j, [a, repl], { taintedNodes: tainted }));
    assertEquals(r.stop.map((s) => [s.alloc.ID, s.clientStatus]), [[a.ID, "lost"]]);
    assertEquals(r.place, [], "the replacement already stands in for it");
  });
  await t.step("after lost_after without a replacement (replace = false): one is placed", () => {
    const jr = job(1, { LostAfter: HOUR, Replace: false });
    const a = wasUnknown(jr, "gone", NOW - 2 * HOUR);
    const r = reconcile(input(jr, [a], { taintedNodes: tainted }));
    assertEquals(r.stop.map((s) => [s.alloc.ID, s.clientStatus]), [[a.ID, "lost"]]);
    assertEquals(r.place.map((p) => [p.name, p.lost]), [["web.web[0]", true]]);
  });
});

/** An original back on its (now ready) node, running again, and its running replacement. */
function reconnectPair(j: Job, original: Partial<Allocation>, replacement: Partial<Allocation>) {
  const o = wasUnknown(j, "back", NOW - 60 * SECOND, {
    ID: "orig",
    ClientStatus: "running",
    NextAllocation: "repl",
    ...original,
  });
  const r = mockAlloc(j, 0, "other", { ID: "repl", PreviousAllocation: "orig", ...replacement });
  return [o, r];
}

function reconnectWith(strategy: string, o: Partial<Allocation> = {}, p: Partial<Allocation> = {}) {
  const j = job(1, { LostAfter: HOUR, Reconcile: strategy });
  return reconcile(input(j, reconnectPair(j, o, p)));
}

const stopsOf = (r: ReturnType<typeof reconcile>) =>
  r.stop.map((s) => [s.alloc.ID, s.statusDescription]);

Deno.test("reconcile() settles a reconnected allocation and its replacement by the group's strategy", async (t) => {
  await t.step("keep_original: the replacement stops, the original is recorded as running", () => {
    const r = reconnectWith("keep_original");
    assertEquals(stopsOf(r), [["repl", StopReason.Reconnected]]);
    const u = r.reconnectUpdates.get("orig");
    assertEquals(u?.AllocStates?.map((s) => s.Value), ["unknown", "running"]);
    assert(u !== undefined && !needsToReconnect(u));
    assertEquals(r.place, []);
    const du = r.desiredTGUpdates["web"]!;
    assertEquals([du.Reconnect, du.Stop], [1, 1]);
  });
  await t.step("keep_replacement: the original stops", () => {
    const r = reconnectWith("keep_replacement");
    assertEquals(stopsOf(r), [["orig", StopReason.NotNeeded]]);
    assertEquals(r.reconnectUpdates.size, 0);
    assertEquals(r.place, []);
  });
  await t.step("best_score: the higher score wins, a tie keeps the original", () => {
    const better = reconnectWith("best_score", { Metrics: scored(0.4) }, { Metrics: scored(0.9) });
    assertEquals(stopsOf(better), [["orig", StopReason.NotNeeded]]);
    const worse = reconnectWith("best_score", { Metrics: scored(0.9) }, { Metrics: scored(0.4) });
    assertEquals(stopsOf(worse), [["repl", StopReason.Reconnected]]);
    const tie = reconnectWith("best_score", { Metrics: scored(0.5) }, { Metrics: scored(0.5) });
    assertEquals(stopsOf(tie), [["repl", StopReason.Reconnected]]);
  });
  await t.step("best_score never trades a running original for a pending replacement", () => {
    const r = reconnectWith("best_score", { Metrics: scored(0.1) }, {
      Metrics: scored(0.9),
      ClientStatus: "pending",
    });
    assertEquals(stopsOf(r), [["repl", StopReason.Reconnected]]);
  });
  await t.step("longest_running: the one that started first wins", () => {
    const early = startedAt(NOW - HOUR);
    const late = startedAt(NOW - 10 * SECOND);
    const orig = reconnectWith("longest_running", { TaskStates: early }, { TaskStates: late });
    assertEquals(stopsOf(orig), [["repl", StopReason.Reconnected]]);
    const repl = reconnectWith("longest_running", { TaskStates: late }, { TaskStates: early });
    assertEquals(stopsOf(repl), [["orig", StopReason.NotNeeded]]);
  });
  await t.step("a replacement of a newer job version wins whatever the strategy", () => {
    const j = job(1, { LostAfter: HOUR, Reconcile: "keep_original" });
    const newer = { ...j, Version: 2, ModifyIndex: 102, JobModifyIndex: 102 };
    const [o, p] = reconnectPair(j, {}, { Job: newer });
    const r = reconcile(input(newer, [o!, p!]));
    assertEquals(r.stop.map((s) => s.alloc.ID), ["orig"]);
  });
  await t.step("a reconnected allocation that failed meanwhile is stopped as failed", () => {
    const r = reconnectWith("keep_original", { ClientStatus: "failed" });
    assertEquals(r.stop.map((s) => [s.alloc.ID, s.clientStatus]), [["orig", "failed"]]);
    assertEquals(r.reconnectUpdates.size, 0);
  });
});

Deno.test("reconcile() ignores an original that reconnects after it was marked lost", () => {
  const j = job(1, { LostAfter: HOUR, Reconcile: "keep_original" });
  const [o, p] = reconnectPair(j, {
    DesiredStatus: "stop",
    AllocStates: [...unknownAt(NOW - 2 * HOUR), {
      Field: "ClientStatus",
      Value: "lost",
      Time: nsToTime(NOW - HOUR),
    }],
  }, {});
  const r = reconcile(input(j, [o!, p!]));
  assertEquals([r.stop, r.place, r.reconnectUpdates.size], [[], [], 0]);
  assertEquals(r.desiredTGUpdates["web"]?.Ignore, 1, "only the replacement counts");
});

Deno.test("reconcile() delays the replacement of a lost allocation with stop_on_client_after", () => {
  const j = job(1, { LostAfter: null, StopOnClientAfter: 60 * SECOND });
  const a = mockAlloc(j, 0, "gone");
  const r = reconcile(input(j, [a], { taintedNodes: new Map([["gone", down("gone")]]) }));
  assertEquals(r.place, [], "nothing is placed while the client may still run it");
  const evals = r.desiredFollowupEvals["web"] ?? [];
  assertEquals(evals.length, 1);
  assertEquals(evals[0]!.TriggeredBy, "alloc-failure");
  assertEquals(evals[0]!.WaitUntil, nsToTime(NOW + 60 * SECOND + 5 * SECOND), "plus kill timeout");
  assertEquals(r.stop.map((s) => [s.clientStatus, s.followupEvalId]), [["lost", evals[0]!.ID]]);
});

Deno.test("reconcile() stops unknown allocations of a stopped job", () => {
  const j = { ...job(1, { LostAfter: HOUR }), Stop: true };
  const a = wasUnknown(j, "gone", NOW - 60 * SECOND);
  const r = reconcile(input(j, [a], { taintedNodes: new Map([["gone", disconnected("gone")]]) }));
  assertEquals(r.stop.map((s) => s.alloc.ID), [a.ID]);
});

Deno.test("reconcile() takes the deprecated max_client_disconnect for lost_after without a disconnect block", () => {
  const j = job(1, null, { MaxClientDisconnect: HOUR, PreventRescheduleOnLost: true });
  const a = mockAlloc(j, 0, "gone");
  const r = reconcile(input(j, [a], { taintedNodes: new Map([["gone", disconnected("gone")]]) }));
  assertEquals(r.disconnectUpdates.get(a.ID)?.ClientStatus, "unknown");
  assertEquals(r.place, [], "prevent_reschedule_on_lost: no replacement");
  const timeout = r.desiredFollowupEvals["web"]?.[0];
  assertEquals(timeout?.WaitUntil, nsToTime(NOW + HOUR));
});
