import { assert, assertEquals } from "../../tests/assert.ts";
import type { Allocation, Evaluation, Job, Node } from "../structs/mod.ts";
import { MemState, mockAlloc, mockEval, mockJob, mockNode, testContext } from "./_testing.ts";
import { schedule } from "./schedule.ts";
import type { ScheduleOutcome } from "./types.ts";

let seed = 700;

type Preemption = MemState["config"]["PreemptionConfig"];

function cluster(preemption: Partial<Preemption>, ...nodes: Node[]): MemState {
  const s = new MemState();
  s.config = {
    ...s.config,
    PreemptionConfig: { ...s.config.PreemptionConfig, SystemSchedulerEnabled: true, ...preemption },
  };
  for (const n of nodes) s.upsertNode(n);
  return s;
}

function withCpu(node: number, cpu: number): Node {
  const n = mockNode(node);
  return {
    ...n,
    NodeResources: { ...n.NodeResources!, Cpu: { ...n.NodeResources!.Cpu, CpuShares: cpu } },
  };
}

/** A job of one group `web` with one task asking for `cpu` MHz. */
function job(id: string, type: string, priority: number, cpu: number, count = 1): Job {
  const base = mockJob({ ID: id, Name: id, Type: type, Priority: priority }, { Count: count });
  const tg = base.TaskGroups![0]!;
  const task = tg.Tasks![0]!;
  tg.Tasks = [{ ...task, Resources: { ...task.Resources!, CPU: cpu } }];
  return base;
}

function run(s: MemState, j: Job, patch: Partial<Evaluation> = {}): ScheduleOutcome {
  const out = schedule(mockEval(j, patch), s, testContext(++seed));
  if (out.plan) s.applyPlan(out.plan);
  return out;
}

const preempted = (out: ScheduleOutcome) => Object.values(out.plan?.NodePreemptions ?? {}).flat();
const placed = (out: ScheduleOutcome) => Object.values(out.plan?.NodeAllocation ?? {}).flat();
const liveOf = (s: MemState, id: string) =>
  s.allocsByJob("default", id).filter((a) => a.DesiredStatus === "run");

/** A small node (2000 MHz) running a priority-50 service allocation of 1800 MHz, a big one free. */
function fullNode(preemption: Partial<Preemption> = {}, priority = 50, type = "service") {
  const s = cluster(preemption, withCpu(0, 2000), withCpu(1, 8000));
  const svc = s.upsertJob(job("svc", type, priority, 1800));
  const victim: Allocation = mockAlloc(svc, 0, "node-00000", { ID: "victim" });
  s.upsertAllocs(victim);
  return { s, svc, victim };
}

Deno.test("schedule() lets a system job preempt a service allocation 20 priorities lower", () => {
  const { s, svc } = fullNode();
  const sys = s.upsertJob(job("sys", "system", 70, 500));
  const out = run(s, sys);
  assertEquals(placed(out).map((a) => a.NodeID).sort(), ["node-00000", "node-00001"]);
  assertEquals(preempted(out).map((a) => [a.ID, a.NodeID]), [["victim", "node-00000"]]);
  const onSmall = placed(out).find((a) => a.NodeID === "node-00000")!;
  assertEquals(onSmall.PreemptedAllocations, ["victim"]);
  assertEquals(s.alloc("victim")?.DesiredStatus, "evict");
  assertEquals(s.alloc("victim")?.PreemptedByAllocation, onSmall.ID);
  assertEquals(s.alloc("victim")?.DesiredDescription, `Preempted by alloc ID ${onSmall.ID}`);
  assertEquals(out.evaluation.FailedTGAllocs, null);

  // The plan applier then asks the service job to be scheduled again: it moves to the big node.
  const again = run(s, svc, { TriggeredBy: "preemption" });
  assertEquals(placed(again).map((a) => a.NodeID), ["node-00001"]);
  assertEquals(liveOf(s, "svc").map((a) => a.NodeID), ["node-00001"]);
});

Deno.test("schedule() preempts for a system job only 10 or more priorities above", async (t) => {
  for (const [priority, expected] of [[59, []], [60, ["victim"]]] as const) {
    await t.step(`priority ${priority} over 50`, () => {
      const { s } = fullNode();
      const out = run(s, s.upsertJob(job("sys", "system", priority, 500)));
      assertEquals(preempted(out).map((a) => a.ID), [...expected]);
      if (expected.length === 0) {
        assertEquals(out.evaluation.FailedTGAllocs?.["web"]?.DimensionExhausted, { cpu: 1 });
        assert(out.newEvals.some((e) => e.Status === "blocked" && e.NodeID === "node-00000"));
      }
    });
  }
});

Deno.test("schedule() does not preempt when the scheduler configuration disables it", async (t) => {
  await t.step("system", () => {
    const { s } = fullNode({ SystemSchedulerEnabled: false });
    const out = run(s, s.upsertJob(job("sys", "system", 70, 500)));
    assertEquals(preempted(out), []);
    assertEquals(placed(out).map((a) => a.NodeID), ["node-00001"]);
    assertEquals(s.alloc("victim")?.DesiredStatus, "run");
  });
  await t.step("sysbatch follows its own switch", () => {
    for (const enabled of [false, true]) {
      const { s } = fullNode({ SysBatchSchedulerEnabled: enabled });
      const out = run(s, s.upsertJob(job("sb", "sysbatch", 70, 500)));
      assertEquals(preempted(out).length, enabled ? 1 : 0, `enabled: ${enabled}`);
    }
  });
});

Deno.test("schedule() does not preempt when freeing every lower priority would not fit", () => {
  // The small node runs 900 MHz at priority 50 and 1000 MHz at priority 65: evicting what a
  // priority-70 job may evict leaves 1000 MHz free, short of the 1500 asked.
  const s = cluster({}, withCpu(0, 2000), withCpu(1, 8000));
  for (const [id, priority, cpu] of [["low", 50, 900], ["high", 65, 1000]] as const) {
    const j = s.upsertJob(job(id, "service", priority, cpu));
    s.upsertAllocs(mockAlloc(j, 0, "node-00000", { ID: id }));
  }
  const out = run(s, s.upsertJob(job("sys", "system", 70, 1500)));
  assertEquals(preempted(out), []);
  assertEquals(placed(out).map((a) => a.NodeID), ["node-00001"]);
  assertEquals(out.evaluation.FailedTGAllocs?.["web"]?.DimensionExhausted, { cpu: 1 });
  assertEquals(s.alloc("low")?.DesiredStatus, "run");
});

Deno.test("schedule() of a system job evicts the smallest sufficient set", () => {
  const s = cluster({}, withCpu(0, 4000));
  for (const [id, cpu] of [["a", 1500], ["b", 1000], ["c", 600]] as const) {
    s.upsertAllocs(mockAlloc(s.upsertJob(job(id, "batch", 20, cpu)), 0, "node-00000", { ID: id }));
  }
  // 900 MHz free, 1500 asked: the 600 MHz allocation is enough.
  const out = run(s, s.upsertJob(job("sys", "system", 70, 1500)));
  assertEquals(preempted(out).map((a) => a.ID), ["c"]);
  assertEquals(placed(out)[0]!.PreemptedAllocations, ["c"]);
});

Deno.test("schedule() annotates a planned preemption for job plan", () => {
  const { s } = fullNode();
  const sys = s.upsertJob(job("sys", "system", 70, 500));
  const out = schedule(mockEval(sys, { AnnotatePlan: true }), s, testContext(++seed));
  const annotations = out.plan?.Annotations;
  assertEquals(annotations?.PreemptedAllocs?.map((a) => [a.ID, a.JobID]), [["victim", "svc"]]);
  assertEquals(annotations?.DesiredTGUpdates?.["web"]?.Preemptions, 1);
  const plain = schedule(mockEval(sys), s, testContext(++seed));
  assertEquals(plain.evaluation.PlanAnnotations?.PreemptedAllocs ?? null, null, "only for plans");
});

Deno.test("schedule() lets service jobs preempt only when the configuration enables it", () => {
  for (const enabled of [false, true]) {
    const s = cluster({ ServiceSchedulerEnabled: enabled }, withCpu(0, 2000));
    const low = s.upsertJob(job("low", "batch", 30, 1800));
    s.upsertAllocs(mockAlloc(low, 0, "node-00000", { ID: "low" }));
    const out = run(s, s.upsertJob(job("api", "service", 80, 1000)));
    assertEquals(preempted(out).map((a) => a.ID), enabled ? ["low"] : [], `enabled: ${enabled}`);
    assertEquals(placed(out).length, enabled ? 1 : 0);
    assertEquals(out.evaluation.FailedTGAllocs === null, enabled);
    if (enabled) {
      const scores = placed(out)[0]!.Metrics!.ScoreMetaData?.[0]?.Scores ?? {};
      assert(scores["preemption"]! > 0.99, "scored by the preemption of a priority-30 job");
    }
  }
});
