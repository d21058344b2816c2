import { assert, assertEquals } from "../../tests/assert.ts";
import type { Plan, PlanResult } from "../scheduler/mod.ts";
import { MemState, mockAlloc, mockJob, mockNode } from "../scheduler/_testing.ts";
import { KvLogBackend, StateStore } from "../state/mod.ts";
import type { Allocation, Job } from "../structs/mod.ts";
import { evaluateNodePlan, evaluatePlan } from "./_plan_check.ts";
import { CTX, liveAllocs, simJob, simNode, testServer, waitForEval } from "./server_testing.ts";

/** A job whose tasks take 1000 MHz: four fit on a mock node. */
function heavyJob(): Job {
  const job = mockJob({ ID: "heavy", Name: "heavy" }, { Count: 4 });
  job.TaskGroups![0]!.Tasks![0]!.Resources!.CPU = 1000;
  return job;
}

function planFor(job: Job, place: Allocation[], patch: Partial<Plan> = {}): Plan {
  const byNode: Record<string, Allocation[]> = {};
  for (const a of place) (byNode[a.NodeID] ??= []).push(a);
  return {
    EvalID: "eval-1",
    Priority: 50,
    AllAtOnce: false,
    Job: job,
    NodeUpdate: {},
    NodeAllocation: byNode,
    NodePreemptions: {},
    Annotations: null,
    Deployment: null,
    DeploymentUpdates: [],
    SnapshotIndex: 1,
    ...patch,
  };
}

function cluster(): { state: MemState; job: Job } {
  const state = new MemState();
  state.upsertNode(mockNode(0));
  state.upsertNode(mockNode(1));
  const job = state.upsertJob(heavyJob());
  return { state, job };
}

const N0 = "node-00000";
const N1 = "node-00001";

Deno.test("evaluateNodePlan() re-checks that the node exists, is ready and eligible", () => {
  const { state, job } = cluster();
  const place = (node: string) =>
    planFor(job, [mockAlloc(job, 0, node, { ClientStatus: "pending" })]);
  assertEquals(evaluateNodePlan(state, place("gone"), "gone").reason, "node does not exist");
  state.upsertNode(mockNode(0, { Status: "initializing" }));
  assertEquals(evaluateNodePlan(state, place(N0), N0).reason, "node is not ready for placements");
  state.upsertNode(mockNode(0, { Status: "down" }));
  assertEquals(
    evaluateNodePlan(state, place(N0), N0).reason,
    "node is down and contains invalid updates",
  );
  state.upsertNode(mockNode(0, { SchedulingEligibility: "ineligible" }));
  assertEquals(evaluateNodePlan(state, place(N0), N0).reason, "node is not eligible");
  // An in-place update of an allocation the ineligible node already runs is allowed.
  const running = mockAlloc(job, 1, N0);
  state.upsertAllocs(running);
  assertEquals(evaluateNodePlan(state, planFor(job, [{ ...running, Job: null }]), N0).fit, true);
  // A plan that only stops allocations always fits.
  const stopOnly = planFor(job, [], { NodeUpdate: { gone: [running] } });
  assertEquals(evaluateNodePlan(state, stopOnly, "gone").fit, true);
});

Deno.test("evaluateNodePlan() checks capacity against the latest allocations and in-flight plans", () => {
  const { state, job } = cluster();
  state.upsertAllocs(...[0, 1, 2].map((i) => mockAlloc(job, i, N0)));
  const one = planFor(job, [mockAlloc(job, 3, N0, { ClientStatus: "pending" })]);
  assertEquals(evaluateNodePlan(state, one, N0).fit, true);
  const two = planFor(job, [3, 4].map((i) => mockAlloc(job, i, N0, { ClientStatus: "pending" })));
  assertEquals(evaluateNodePlan(state, two, N0).reason, "cpu");
  // A plan committed but not yet applied takes the last slot.
  const inflight: PlanResult = {
    ...evaluatePlan(state, planFor(job, [mockAlloc(job, 5, N0, { ClientStatus: "pending" })])),
  };
  assertEquals(evaluateNodePlan(state, one, N0, [inflight]).reason, "cpu");
  // Stopping an allocation in the same plan makes room.
  const swap = { ...two, NodeUpdate: { [N0]: [state.allocsByNode(N0)[0]!] } };
  assertEquals(evaluateNodePlan(state, swap, N0).fit, true);
});

Deno.test("evaluateNodePlan() rejects a static port another allocation holds", () => {
  const { state, job } = cluster();
  const withPort = (a: Allocation): Allocation => ({
    ...a,
    AllocatedResources: {
      ...a.AllocatedResources!,
      Shared: {
        ...a.AllocatedResources!.Shared,
        Ports: [{ Label: "http", Value: 8080, To: 0, HostIP: "10.0.0.0", IgnoreCollision: false }],
      },
    },
  });
  state.upsertAllocs(withPort(mockAlloc(job, 0, N0)));
  const plan = planFor(job, [withPort(mockAlloc(job, 1, N0, { ClientStatus: "pending" }))]);
  const check = evaluateNodePlan(state, plan, N0);
  assertEquals(check.fit, false);
  assert(check.reason.includes("port 8080 already in use"), check.reason);
});

Deno.test("evaluatePlan() commits the nodes that fit and asks for a refresh; AllAtOnce commits none", () => {
  const { state, job } = cluster();
  state.upsertAllocs(...[0, 1, 2, 3].map((i) => mockAlloc(job, i, N0)));
  const place = [
    mockAlloc(job, 4, N0, { ClientStatus: "pending" }),
    mockAlloc(job, 5, N1, { ClientStatus: "pending" }),
  ];
  const partial = evaluatePlan(state, planFor(job, place));
  assertEquals(Object.keys(partial.NodeAllocation), [N1]);
  assertEquals(partial.RejectedNodes, [N0]);
  assertEquals(partial.RefreshIndex, state.index);
  const all = evaluatePlan(state, planFor(job, place, { AllAtOnce: true }));
  assertEquals(all.NodeAllocation, {});
  assert(all.RefreshIndex > 0);
  const fits = evaluatePlan(state, planFor(job, [place[1]!]));
  assertEquals(fits.RefreshIndex, 0);
});

Deno.test("two workers with conflicting plans: the applier commits what fits and the worker retries", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nomad_server_conflict_" });
  const state = await StateStore.open({ backend: await KvLogBackend.open(`${dir}/state.kv`) });
  // Workers that see only committed state, as Nomad's: they plan on the same snapshot.
  const { server } = await testServer({ state, numSchedulers: 2, optimistic: false });
  try {
    await server.registerNode(simNode(0), CTX);
    await server.registerNode(simNode(1), CTX);
    // A must run on node 0 and fills it; B (count 8) fits on both nodes only if A is not there.
    const a = simJob("a", 4, {
      cpu: 1000,
      job: { Constraints: [{ LTarget: "${node.unique.name}", RTarget: "node-0", Operand: "=" }] },
    });
    const b = simJob("b", 8, { cpu: 1000 });
    // Registered in one write, the two evaluations are scheduled on the same snapshot.
    const [ra, rb] = await Promise.all([
      server.registerJob({ Job: a }, CTX),
      server.registerJob({ Job: b }, CTX),
    ]);
    await waitForEval(state, ra.EvalID);
    const eb = await waitForEval(state, rb.EvalID);
    const snap = state.snapshot();
    assertEquals(liveAllocs(snap, "a").map((x) => x.NodeID), Array(4).fill(N0));
    assertEquals(
      liveAllocs(snap, "b").map((x) => x.NodeID),
      Array(4).fill(N1),
      "B's node 1 part was committed",
    );
    // Only the retry, on a fresh snapshot, could see that node 0 is full.
    assertEquals(eb.FailedTGAllocs?.["web"]?.CoalescedFailures, 3);
    assertEquals(eb.QueuedAllocations, { web: 4 });
    assertEquals(snap.eval(eb.BlockedEval)?.Status, "blocked");
    const rejected = server.metrics.summary().Counters.find((c) =>
      c.Name.endsWith("plan.node_rejected")
    );
    assertEquals(rejected?.Count, 1);
    for (const node of [N0, N1]) {
      const cpu = snap.allocsByNode(node).reduce(
        (n, x) => n + x.AllocatedResources!.Tasks!["web"]!.Cpu.CpuShares,
        0,
      );
      assert(cpu <= 4000, `node ${node} is not overcommitted (${cpu} MHz)`);
    }
  } finally {
    await server.stop();
    await state.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("with optimistic scheduling the second worker plans around the first one's plan", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nomad_server_optimistic_" });
  const state = await StateStore.open({ backend: await KvLogBackend.open(`${dir}/state.kv`) });
  const { server } = await testServer({ state, numSchedulers: 2 });
  try {
    await server.registerNode(simNode(0), CTX);
    await server.registerNode(simNode(1), CTX);
    const a = simJob("a", 4, {
      cpu: 1000,
      job: { Constraints: [{ LTarget: "${node.unique.name}", RTarget: "node-0", Operand: "=" }] },
    });
    const [ra, rb] = await Promise.all([
      server.registerJob({ Job: a }, CTX),
      server.registerJob({ Job: simJob("b", 8, { cpu: 1000 }) }, CTX),
    ]);
    await waitForEval(state, ra.EvalID);
    const eb = await waitForEval(state, rb.EvalID);
    const snap = state.snapshot();
    assertEquals(liveAllocs(snap, "a").length, 4);
    assertEquals(liveAllocs(snap, "b").map((x) => x.NodeID), Array(4).fill(N1));
    assertEquals(eb.QueuedAllocations, { web: 4 });
    const rejected = server.metrics.summary().Counters.find((c) =>
      c.Name.endsWith("plan.node_rejected")
    );
    assertEquals(rejected, undefined, "no plan was rejected");
    assertEquals(server.stats().plansApplied, 2);
  } finally {
    await server.stop();
    await state.close();
    await Deno.remove(dir, { recursive: true });
  }
});
