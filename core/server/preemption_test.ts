import { assert, assertEquals } from "../../tests/assert.ts";
import type { Plan } from "../scheduler/mod.ts";
import { MemState, mockAlloc, mockJob, mockNode } from "../scheduler/_testing.ts";
import type { Allocation, Job, Node } from "../structs/mod.ts";
import { evaluateNodePlan, evaluatePlan } from "./_plan_check.ts";
import {
  CTX,
  liveAllocs,
  simJob,
  simNode,
  testServer,
  waitFor,
  waitForEval,
} from "./server_testing.ts";

const N0 = "node-00000";

function cpuJob(id: string, type: string, priority: number, cpu: number): Job {
  const job = mockJob({ ID: id, Name: id, Type: type, Priority: priority }, { Count: 1 });
  job.TaskGroups![0]!.Tasks![0]!.Resources!.CPU = cpu;
  return job;
}

function plan(job: Job, place: Allocation, preempt: Allocation[]): Plan {
  return {
    EvalID: "eval-1",
    Priority: job.Priority ?? 50,
    AllAtOnce: false,
    Job: job,
    NodeUpdate: {},
    NodeAllocation: { [place.NodeID]: [place] },
    NodePreemptions: preempt.length === 0 ? {} : {
      [place.NodeID]: preempt.map((a) => ({
        ...a,
        Job: null,
        DesiredStatus: "evict",
        PreemptedByAllocation: place.ID,
      })),
    },
    Annotations: null,
    Deployment: null,
    DeploymentUpdates: [],
    SnapshotIndex: 1,
  };
}

Deno.test("evaluateNodePlan() counts the allocations a plan preempts as freed", () => {
  const state = new MemState();
  state.upsertNode(mockNode(0));
  const low = state.upsertJob(cpuJob("low", "service", 50, 3800));
  const victim = mockAlloc(low, 0, N0, { ID: "victim" });
  state.upsertAllocs(victim);
  const sys = state.upsertJob(cpuJob("sys", "system", 70, 500));
  const placing = mockAlloc(sys, 0, N0, { ID: "new", ClientStatus: "pending" });
  assertEquals(evaluateNodePlan(state, plan(sys, placing, []), N0).reason, "cpu");
  assertEquals(evaluateNodePlan(state, plan(sys, placing, [victim]), N0).fit, true);
  const result = evaluatePlan(state, plan(sys, placing, [victim]));
  assertEquals(result.NodePreemptions[N0]?.map((a) => a.ID), ["victim"]);
  // A preempted allocation that stopped in the meantime is left out of the result.
  state.updateAlloc("victim", { ClientStatus: "complete" });
  assertEquals(evaluatePlan(state, plan(sys, placing, [victim])).NodePreemptions[N0], []);
});

function withCpu(node: Node, cpu: number): Node {
  const res = node.NodeResources!;
  return { ...node, NodeResources: { ...res, Cpu: { ...res.Cpu, CpuShares: cpu } } };
}

Deno.test("registerJob() of a system job preempts a lower-priority service allocation, which moves", async () => {
  const { server, state } = await testServer();
  try {
    await server.registerNode(withCpu(simNode(0), 2000), CTX);
    const svc = await server.registerJob({ Job: simJob("svc", 1, { cpu: 1800 }) }, CTX);
    await waitForEval(state, svc.EvalID);
    const [victim] = liveAllocs(state.snapshot(), "svc");
    assertEquals(victim?.NodeID, N0);
    await server.registerNode(withCpu(simNode(1), 8000), CTX);

    const sys = simJob("sys", 1, { cpu: 500, job: { Type: "system", Priority: 70 } });
    // `job plan` announces the preemption without applying it.
    const planned = await server.planJob(sys, { diff: false, policyOverride: false }, CTX);
    assertEquals(planned.Annotations?.PreemptedAllocs?.map((a) => a.ID), [victim!.ID]);
    assertEquals(planned.Annotations?.DesiredTGUpdates?.["web"]?.Preemptions, 1);
    assertEquals(state.snapshot().alloc(victim!.ID)?.DesiredStatus, "run");

    const reg = await server.registerJob({ Job: sys }, CTX);
    const done = await waitForEval(state, reg.EvalID);
    assertEquals(done.FailedTGAllocs, null);
    const moved = await waitFor(state, "the service job to run again", (snap) => {
      const live = liveAllocs(snap, "svc");
      return live.length === 1 && live[0]!.ID !== victim!.ID ? live[0] : undefined;
    });
    const snap = state.snapshot();
    assertEquals(moved.NodeID, "node-00001");
    const evicted = snap.alloc(victim!.ID)!;
    const preemptor = liveAllocs(snap, "sys").find((a) => a.NodeID === N0)!;
    assertEquals(
      [evicted.DesiredStatus, evicted.DesiredDescription, evicted.PreemptedByAllocation],
      ["evict", `Preempted by alloc ID ${preemptor.ID}`, preemptor.ID],
    );
    assertEquals(preemptor.PreemptedAllocations, [victim!.ID]);
    assertEquals(liveAllocs(snap, "sys").length, 2, "on both nodes");
    const followUp = snap.evalsByJob("default", "svc").find((e) => e.TriggeredBy === "preemption");
    assert(followUp !== undefined, "the service job got a preemption evaluation");
    assertEquals(followUp.Priority, 50);
    assertEquals(moved.EvalID, followUp.ID);
  } finally {
    await server.stop();
  }
});
