import { assert, assertEquals } from "../../tests/assert.ts";
import {
  type Allocation,
  type Evaluation,
  HOUR,
  type Job,
  type Node,
  SECOND,
  type TaskGroup,
} from "../structs/mod.ts";
import { MemState, mockEval, mockJob, mockNode, NOW, testContext } from "./_testing.ts";
import { needsToReconnect } from "./disconnect.ts";
import { schedule } from "./schedule.ts";
import type { ScheduleOutcome } from "./types.ts";
import { isTerminal, nsToTime } from "./util.ts";

let seed = 500;

function run(s: MemState, job: Job, patch: Partial<Evaluation> = {}, now = NOW): ScheduleOutcome {
  const out = schedule(mockEval(job, patch), s, testContext(++seed, now));
  if (out.plan) s.applyPlan(out.plan);
  return out;
}

function cluster(n: number): MemState {
  const s = new MemState();
  for (let i = 0; i < n; i++) s.upsertNode(mockNode(i));
  return s;
}

function setStatus(s: MemState, id: string, status: string): void {
  s.upsertNode({ ...(s.node(id) as Node), Status: status });
}

const live = (s: MemState) => s.allocsByJob("default", "web").filter((a) => !isTerminal(a));

const NO_UPDATE = { ...mockJob().Update!, MaxParallel: 0 };

/**
 * A group with a disconnect block that keeps the original, without an update strategy (an
 * active deployment would hold back the replacement).
 */
function disconnectGroup(patch: Partial<TaskGroup> = {}): Partial<TaskGroup> {
  return {
    Count: 1,
    Update: NO_UPDATE,
    Disconnect: {
      LostAfter: HOUR,
      StopOnClientAfter: null,
      Replace: true,
      Reconcile: "keep_original",
    },
    ...patch,
  };
}

/** Places the job and reports its allocations running; returns the one allocation. */
function placeRunning(s: MemState, job: Job): Allocation {
  run(s, job);
  for (const a of live(s)) s.updateAlloc(a.ID, { ClientStatus: "running" });
  const [a] = live(s);
  assert(a !== undefined, "the job was placed");
  return a;
}

Deno.test("schedule() takes a service allocation through a disconnect and a reconnect", async (t) => {
  const s = cluster(2);
  const job = s.upsertJob(mockJob({ Update: NO_UPDATE }, disconnectGroup()));
  const orig = placeRunning(s, job);
  const other = s.nodes().find((n) => n.ID !== orig.NodeID)!.ID;
  let timeoutEval: Evaluation | undefined;

  await t.step("the node disconnects: the allocation turns unknown, follow-ups are created", () => {
    setStatus(s, orig.NodeID, "disconnected");
    const out = run(s, job, { TriggeredBy: "node-update" });
    const updated = out.plan?.NodeAllocation[orig.NodeID] ?? [];
    assertEquals(updated.map((a) => [a.ID, a.ClientStatus]), [[orig.ID, "unknown"]]);
    assertEquals(s.alloc(orig.ID)?.ClientStatus, "unknown");
    assertEquals(live(s).length, 1, "the default 30 s reschedule delay holds the replacement");
    timeoutEval = out.newEvals.find((e) => e.TriggeredBy === "max-disconnect-timeout");
    assertEquals(timeoutEval?.WaitUntil, nsToTime(NOW + HOUR));
    const du = out.evaluation.PlanAnnotations?.DesiredTGUpdates?.["web"];
    assertEquals(du?.Disconnect, 1);
  });

  await t.step("the reschedule follow-up places a replacement on the other node", () => {
    const followup = s.alloc(orig.ID)!.FollowupEvalID;
    assert(followup !== "");
    run(s, job, { ID: followup, TriggeredBy: "alloc-reschedule" }, NOW + 30 * SECOND);
    const repl = live(s).find((a) => a.ID !== orig.ID);
    assertEquals(repl?.NodeID, other);
    assertEquals(repl?.PreviousAllocation, orig.ID);
    assertEquals(s.alloc(orig.ID)?.NextAllocation, repl?.ID);
    assertEquals(s.alloc(orig.ID)?.DesiredStatus, "run", "the original is not stopped");
    s.updateAlloc(repl!.ID, { ClientStatus: "running" });
  });

  await t.step("the node is back: keep_original stops the replacement", () => {
    setStatus(s, orig.NodeID, "ready");
    s.updateAlloc(orig.ID, { ClientStatus: "running" });
    const out = run(s, job, { TriggeredBy: "reconnect" }, NOW + 60 * SECOND);
    const stopped = Object.values(out.plan?.NodeUpdate ?? {}).flat();
    assertEquals(stopped.map((a) => [a.NodeID, a.DesiredDescription]), [
      [other, "alloc not needed due to disconnected client reconnect"],
    ]);
    assertEquals(live(s).map((a) => a.ID), [orig.ID]);
    const back = s.alloc(orig.ID)!;
    assertEquals(back.AllocStates?.map((x) => x.Value), ["unknown", "running"]);
    assert(!needsToReconnect(back));
    assertEquals(out.evaluation.PlanAnnotations?.DesiredTGUpdates?.["web"]?.Reconnect, 1);
  });

  await t.step("afterwards the lost_after follow-up changes nothing", () => {
    const out = run(
      s,
      job,
      { ID: timeoutEval!.ID, TriggeredBy: "max-disconnect-timeout" },
      NOW + HOUR,
    );
    assertEquals(out.plan, null);
    assertEquals(live(s).map((a) => a.ID), [orig.ID]);
  });
});

Deno.test("schedule() marks an unknown allocation lost when its node stays away past lost_after", () => {
  const s = cluster(2);
  const job = s.upsertJob(mockJob(
    {},
    disconnectGroup({
      Disconnect: {
        LostAfter: 10 * 60 * SECOND,
        StopOnClientAfter: null,
        Replace: false,
        Reconcile: "best_score",
      },
    }),
  ));
  const orig = placeRunning(s, job);
  setStatus(s, orig.NodeID, "disconnected");
  const out = run(s, job, { TriggeredBy: "node-update" });
  assertEquals(
    live(s).map((a) => [a.ID, a.ClientStatus]),
    [[orig.ID, "unknown"]],
    "replace = false",
  );
  const timeout = out.newEvals.find((e) => e.TriggeredBy === "max-disconnect-timeout")!;
  const later = NOW + 10 * 60 * SECOND;
  assertEquals(timeout.WaitUntil, nsToTime(later));
  run(s, job, { ID: timeout.ID, TriggeredBy: "max-disconnect-timeout" }, later);
  const gone = s.alloc(orig.ID)!;
  assertEquals([gone.DesiredStatus, gone.ClientStatus], ["stop", "lost"]);
  const [repl] = live(s);
  assert(repl !== undefined && repl.NodeID !== orig.NodeID, "a replacement once it is lost");
  assertEquals(repl.PreviousAllocation, orig.ID);
});

Deno.test("schedule() marks a system job's allocation unknown on a disconnected node and back", () => {
  const s = cluster(2);
  const job = s.upsertJob(mockJob({ Type: "system" }, disconnectGroup()));
  run(s, job);
  for (const a of live(s)) s.updateAlloc(a.ID, { ClientStatus: "running" });
  const orig = live(s).find((a) => a.NodeID === "node-00000")!;
  setStatus(s, "node-00000", "disconnected");
  const out = run(s, job, { TriggeredBy: "node-update" });
  assertEquals(s.alloc(orig.ID)?.ClientStatus, "unknown");
  assertEquals(live(s).length, 2, "nothing is stopped or placed");
  assertEquals(out.evaluation.PlanAnnotations?.DesiredTGUpdates?.["web"]?.Disconnect, 1);
  assertEquals(run(s, job, { TriggeredBy: "node-update" }).plan, null, "unknown is left alone");

  // Back, still initializing (its client has just reported): updated in place, not replaced.
  setStatus(s, "node-00000", "initializing");
  s.updateAlloc(orig.ID, { ClientStatus: "running" });
  const back = run(s, job, { TriggeredBy: "reconnect" });
  assertEquals(Object.values(back.plan?.NodeUpdate ?? {}).flat(), [], "nothing is stopped");
  assertEquals(back.evaluation.PlanAnnotations?.DesiredTGUpdates?.["web"]?.Reconnect, 1);
  assertEquals(s.alloc(orig.ID)?.AllocStates?.map((x) => x.Value), ["unknown", "running"]);
  assertEquals(live(s).length, 2);
});

Deno.test("schedule() still replaces at once a system allocation of a down node", () => {
  const s = cluster(2);
  const job = s.upsertJob(mockJob({ Type: "system" }, { Count: 1 }));
  run(s, job);
  setStatus(s, "node-00000", "down");
  run(s, job, { TriggeredBy: "node-update" });
  const onDown = s.allocsByNode("node-00000").map((a) => [a.DesiredStatus, a.ClientStatus]);
  assertEquals(onDown, [["stop", "lost"]]);
});
