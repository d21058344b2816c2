import { assert, assertEquals } from "../../tests/assert.ts";
import { type Allocation, type Evaluation, type Job, SECOND } from "../structs/mod.ts";
import { MemState, mockEval, mockJob, mockNode, NOW, testContext } from "./_testing.ts";
import { schedule } from "./schedule.ts";
import type { ScheduleOutcome } from "./types.ts";
import { isClientTerminal, nsToTime } from "./util.ts";

let seed = 500;

function run(s: MemState, job: Job, patch: Partial<Evaluation> = {}): ScheduleOutcome {
  const out = schedule(mockEval(job, patch), s, testContext(++seed));
  if (out.plan) s.applyPlan(out.plan);
  return out;
}

const live = (s: MemState) =>
  s.allocsByJob("default", "sys").filter((a) => a.DesiredStatus === "run" && !isClientTerminal(a));
const nodesOf = (allocs: readonly Allocation[]) => allocs.map((a) => a.NodeID).sort();
const placed = (out: ScheduleOutcome) => Object.values(out.plan?.NodeAllocation ?? {}).flat();
const stops = (out: ScheduleOutcome) => Object.values(out.plan?.NodeUpdate ?? {}).flat();

function sysJob(patch: Partial<Job> = {}): Job {
  return mockJob({ ID: "sys", Name: "sys", Type: "system", ...patch }, { Count: 1 });
}

function cluster(n: number): MemState {
  const s = new MemState();
  for (let i = 0; i < n; i++) s.upsertNode(mockNode(i));
  return s;
}

Deno.test("schedule() runs a system job on every node, and on a node that joins", () => {
  const s = cluster(3);
  const job = s.upsertJob(sysJob());
  const out = run(s, job);
  assertEquals(nodesOf(live(s)), ["node-00000", "node-00001", "node-00002"]);
  assert(live(s).every((a) => a.Name === "sys.web[0]"));
  assertEquals(out.evaluation.PlanAnnotations?.DesiredTGUpdates?.["web"]?.Place, 3);
  s.upsertNode(mockNode(3));
  const joined = run(s, job, { TriggeredBy: "node-update", NodeID: "node-00003" });
  assertEquals(nodesOf(placed(joined)), ["node-00003"]);
  assertEquals(stops(joined), []);
  assertEquals(live(s).length, 4);
});

Deno.test("schedule() skips nodes a system job does not fit, without reporting a failure", () => {
  const s = new MemState();
  s.upsertNode(mockNode(0, { Meta: { role: "edge" } }));
  s.upsertNode(mockNode(1, { Meta: { role: "core" } }));
  const job = s.upsertJob(sysJob({
    Constraints: [{ LTarget: "${meta.role}", RTarget: "edge", Operand: "=" }],
  }));
  const out = run(s, job);
  assertEquals(nodesOf(live(s)), ["node-00000"]);
  assertEquals(out.evaluation.FailedTGAllocs, null);
  assertEquals(out.evaluation.PlanAnnotations?.DesiredTGUpdates?.["web"]?.Place, 1);
});

Deno.test("schedule() stops system allocations on nodes that drain or leave the job", async (t) => {
  const s = cluster(3);
  const job = s.upsertJob(sysJob());
  run(s, job);
  await t.step("a drained allocation is stopped, the node gets none", () => {
    const [a] = live(s).filter((x) => x.NodeID === "node-00000");
    s.upsertNode(mockNode(0, {
      SchedulingEligibility: "ineligible",
      DrainStrategy: {
        Deadline: 0,
        IgnoreSystemJobs: false,
        ForceDeadline: nsToTime(NOW),
        StartedAt: nsToTime(NOW),
      },
    }));
    s.updateAlloc(a!.ID, { DesiredTransition: { ...a!.DesiredTransition, Migrate: true } });
    const out = run(s, job, { TriggeredBy: "node-drain" });
    assertEquals(stops(out).map((x) => [x.NodeID, x.DesiredDescription]), [
      ["node-00000", "alloc not needed as node is tainted"],
    ]);
    assertEquals(placed(out), []);
  });
  await t.step("a node out of the job's datacenters loses its allocation", () => {
    s.upsertNode(mockNode(2, { Datacenter: "dc2" }));
    const out = run(s, job, { TriggeredBy: "node-update" });
    assertEquals(stops(out).map((x) => [x.NodeID, x.DesiredDescription]), [
      ["node-00002", "alloc not needed due to job update"],
    ]);
    assertEquals(nodesOf(live(s)), ["node-00001"]);
  });
});

Deno.test("schedule() rolls a system job's destructive update max_parallel at a time", () => {
  const s = cluster(4);
  const update = { ...mockJob().Update!, MaxParallel: 1, MinHealthyTime: 30 * SECOND };
  const v0 = s.upsertJob(sysJob({ Update: update }));
  run(s, v0);
  const v1 = s.upsertJob({ ...v0, Meta: { release: "2" } });
  const out = run(s, v1);
  assertEquals(stops(out).map((a) => a.DesiredDescription), [
    "alloc is being updated due to job update",
  ]);
  assertEquals(placed(out).length, 1);
  assertEquals(placed(out)[0]!.NodeID, stops(out)[0]!.NodeID, "replaced on the same node");
  const rolling = out.newEvals.find((e) => e.TriggeredBy === "rolling-update");
  assertEquals(rolling?.Wait, 30 * SECOND, "min_healthy_time");
  assertEquals(out.evaluation.NextEval, rolling?.ID);
  const du = out.evaluation.PlanAnnotations?.DesiredTGUpdates?.["web"];
  assertEquals(du?.DestructiveUpdate, 4);
});

Deno.test("schedule() updates a system job in place when no task changed", () => {
  const s = cluster(2);
  const v0 = s.upsertJob(sysJob());
  run(s, v0);
  const v1 = s.upsertJob({ ...v0, Priority: 60 });
  const out = run(s, v1);
  assertEquals(stops(out), []);
  assertEquals(placed(out).length, 2);
  assert(placed(out).every((a) => a.EvalID === out.evaluation.ID));
  assertEquals(out.evaluation.PlanAnnotations?.DesiredTGUpdates?.["web"]?.InPlaceUpdate, 2);
});

Deno.test("schedule() does not rerun finished sysbatch allocations until the job changes", () => {
  const s = cluster(2);
  const v0 = s.upsertJob(sysJob({ Type: "sysbatch", Update: null }));
  run(s, v0);
  for (const a of live(s)) s.updateAlloc(a.ID, { ClientStatus: "complete" });
  assertEquals(run(s, v0, { TriggeredBy: "node-update" }).plan, null);
  s.upsertNode(mockNode(2));
  const joined = run(s, v0, { TriggeredBy: "node-update" });
  assertEquals(nodesOf(placed(joined)), ["node-00002"], "only the new node runs it");
  const task = v0.TaskGroups![0]!.Tasks![0]!;
  const v1 = s.upsertJob({
    ...v0,
    TaskGroups: [{ ...v0.TaskGroups![0]!, Tasks: [{ ...task, Config: { command: "/bin/v2" } }] }],
  });
  const rerun = run(s, v1);
  assertEquals(placed(rerun).length, 3, "a new version runs everywhere again");
});

Deno.test("schedule() reports a node without capacity and blocks on it", () => {
  const s = new MemState();
  s.upsertNode(mockNode(0));
  s.upsertNode(mockNode(1, {
    NodeResources: {
      ...mockNode(1).NodeResources!,
      Cpu: { CpuShares: 200, TotalCpuCores: 1, ReservableCpuCores: null },
    },
  }));
  const job = s.upsertJob(sysJob());
  const out = run(s, job);
  assertEquals(nodesOf(live(s)), ["node-00000"]);
  assert(out.evaluation.FailedTGAllocs?.["web"] !== undefined);
  const blocked = out.newEvals.find((e) => e.Status === "blocked");
  assertEquals(blocked?.NodeID, "node-00001");
  assertEquals(out.evaluation.QueuedAllocations, { web: 1 });
});

Deno.test("schedule() stops a stopped system job everywhere", () => {
  const s = cluster(3);
  const job = s.upsertJob(sysJob());
  run(s, job);
  const out = run(s, s.upsertJob({ ...job, Stop: true }), { TriggeredBy: "job-deregister" });
  assertEquals(stops(out).length, 3);
  assertEquals(live(s), []);
});

Deno.test("schedule() leaves periodic evaluations to sysbatch jobs", () => {
  const s = cluster(1);
  const sys = s.upsertJob(sysJob());
  const out = schedule(mockEval(sys, { TriggeredBy: "periodic-job" }), s, testContext());
  assertEquals(out.evaluation.Status, "failed");
  const batch = s.upsertJob(sysJob({ ID: "sb", Name: "sb", Type: "sysbatch", Update: null }));
  const ok = schedule(mockEval(batch, { TriggeredBy: "periodic-job" }), s, testContext());
  assertEquals(ok.evaluation.Status, "complete");
  assertEquals(placed(ok).length, 1);
});
