import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { FakeClock } from "./clock_testing.ts";
import {
  CTX,
  liveAllocs,
  simJob,
  simNode,
  testServer,
  waitFor,
  waitForEval,
} from "./server_testing.ts";

Deno.test("a placement failure blocks an evaluation until a node with capacity registers", async () => {
  const { server, state } = await testServer();
  try {
    await server.registerNode(simNode(0), CTX);
    // 4000 MHz nodes, 1000 MHz tasks: four fit on a node.
    const reg = await server.registerJob({ Job: simJob("web", 6, { cpu: 1000 }) }, CTX);
    const evaluation = await waitForEval(state, reg.EvalID);
    assert(evaluation.FailedTGAllocs?.["web"] !== undefined);
    assertEquals(evaluation.QueuedAllocations, { web: 2 });
    const blockedId = evaluation.BlockedEval;
    assertEquals(state.snapshot().eval(blockedId)?.Status, "blocked");
    assertEquals(server.stats().blocked.TotalBlocked, 1);
    assertEquals(liveAllocs(state.snapshot(), "web").length, 4);

    await server.registerNode(simNode(1), CTX);
    await waitForEval(state, blockedId);
    assertEquals(liveAllocs(state.snapshot(), "web").length, 6);
    assertEquals(server.stats().blocked.TotalBlocked, 0);
    assertEquals(state.snapshot().jobSummary("default", "web")?.Summary?.["web"]?.Queued, 0);
  } finally {
    await server.stop();
  }
});

Deno.test("a node that misses its heartbeats goes down and its allocations are replaced", async () => {
  const clock = new FakeClock();
  const { server, state } = await testServer({ clock });
  try {
    for (let i = 0; i < 3; i++) await server.registerNode(simNode(i), CTX);
    // 3000 MHz tasks: one per node.
    const reg = await server.registerJob({ Job: simJob("web", 2, { cpu: 3000 }) }, CTX);
    await waitForEval(state, reg.EvalID);
    const placed = liveAllocs(state.snapshot(), "web");
    const victim = placed[0]!.NodeID;
    const healthy = ["node-00000", "node-00001", "node-00002"].filter((id) => id !== victim);
    for (let t = 0; t < 12; t++) {
      for (const id of healthy) await server.updateNodeStatus(id, "ready", CTX);
      clock.advance(5_000);
    }
    const down = await waitFor(state, "the node to be down", (s) => {
      const n = s.node(victim);
      return n?.Status === "down" ? n : undefined;
    });
    assertEquals(down.Events?.at(-1)?.Message, "Node heartbeat missed");
    const replaced = await waitFor(state, "a replacement", (s) => {
      const live = liveAllocs(s, "web");
      return live.length === 2 && live.every((a) => a.NodeID !== victim) ? live : undefined;
    });
    assertEquals(replaced.length, 2);
    const lost = state.snapshot().allocsByNode(victim);
    assertEquals(lost.map((a) => [a.DesiredStatus, a.ClientStatus]), [["stop", "lost"]]);
    assert(replaced.some((a) => a.PreviousAllocation === lost[0]!.ID));
  } finally {
    await server.stop();
  }
});

Deno.test("a heartbeat returns the TTL and re-registering a down node brings it back", async () => {
  const { server, state } = await testServer();
  try {
    const reg = await server.registerNode(simNode(0), CTX);
    assert(reg.HeartbeatTTL >= 10_000_000_000, "at least Nomad's 10 s minimum, in ns");
    assertEquals(reg.NumNodes, 1);
    assertEquals(reg.LeaderRPCAddr, server.rpcAddr);
    const hb = await server.updateNodeStatus("node-00000", "ready", CTX);
    assertEquals(hb.NodeModifyIndex, 0, "a plain heartbeat writes nothing");
    await server.updateNodeStatus("node-00000", "down", CTX);
    assertEquals(state.snapshot().node("node-00000")?.Status, "down");
    await server.updateNodeStatus("node-00000", "ready", CTX);
    const node = state.snapshot().node("node-00000")!;
    assertEquals(node.Status, "ready");
    assertEquals(node.Events?.at(-1)?.Message, "Node reregistered by heartbeat");
    await assertRejects(
      () => server.updateNodeStatus("nope", "ready", CTX),
      Error,
      "node not found",
    );
  } finally {
    await server.stop();
  }
});

Deno.test("a system job runs on every node, and on a node that joins later", async () => {
  const { server, state } = await testServer();
  try {
    for (let i = 0; i < 3; i++) await server.registerNode(simNode(i), CTX);
    const reg = await server.registerJob(
      { Job: simJob("agent", 1, { job: { Type: "system" } }) },
      CTX,
    );
    await waitForEval(state, reg.EvalID);
    const nodes = liveAllocs(state.snapshot(), "agent").map((a) => a.NodeID).sort();
    assertEquals(nodes, ["node-00000", "node-00001", "node-00002"]);
    const joined = await server.registerNode(simNode(3), CTX);
    assertEquals(joined.EvalIDs?.length, 1);
    await waitForEval(state, joined.EvalIDs![0]!);
    const after = liveAllocs(state.snapshot(), "agent").map((a) => a.NodeID).sort();
    assertEquals(after, ["node-00000", "node-00001", "node-00002", "node-00003"]);
    const stop = await server.deregisterJob("agent", {
      purge: false,
      global: false,
      evalPriority: 0,
      noShutdownDelay: false,
    }, CTX);
    await waitForEval(state, stop.EvalID);
    assertEquals(liveAllocs(state.snapshot(), "agent").length, 0);
  } finally {
    await server.stop();
  }
});

Deno.test("updateNodeEligibility() and updateNodeDrain() move allocations off a node", async (t) => {
  const { server, state } = await testServer();
  try {
    for (let i = 0; i < 2; i++) await server.registerNode(simNode(i), CTX);
    const [target, other] = ["node-00000", "node-00001"];
    await t.step("ineligible nodes get no new allocations", async () => {
      await server.updateNodeEligibility(other, "ineligible", CTX);
      assertEquals(state.snapshot().node(other)?.SchedulingEligibility, "ineligible");
      const reg = await server.registerJob({ Job: simJob("web", 2, { cpu: 1500 }) }, CTX);
      await waitForEval(state, reg.EvalID);
      assertEquals(liveAllocs(state.snapshot(), "web").map((a) => a.NodeID), [target, target]);
      const back = await server.updateNodeEligibility(other, "eligible", CTX);
      assert(back.NodeModifyIndex > 0);
    });
    await t.step(
      "a drain moves one allocation at a time, each after a healthy replacement",
      async () => {
        // A simulated client: new allocations start healthy, stopped ones complete. At no time
        // may fewer than count - max_parallel (2 - 1) healthy allocations run.
        let lowest = Infinity;
        let simulating = true;
        let watching = false;
        const client = (async () => {
          while (simulating) {
            const healthy = state.snapshot().allocsByJob("default", "web").filter((a) =>
              a.ClientStatus === "running" && a.DesiredStatus === "run" &&
              a.DeploymentStatus?.Healthy === true
            ).length;
            if (watching) {
              lowest = Math.min(lowest, healthy);
            }
            const snap = state.snapshot();
            const all = snap.allocsByJob("default", "web");
            const updates = all.flatMap((a) => {
              const status = a.DesiredStatus !== "run"
                ? (a.ClientStatus === "running" ? "complete" : null)
                : (a.ClientStatus === "pending" ? "running" : null);
              if (status === null) {
                return [];
              }
              return [{
                ID: a.ID,
                NodeID: a.NodeID,
                ClientStatus: status,
                ClientDescription: "",
                TaskStates: null,
                DeploymentStatus: status === "running"
                  ? {
                    Healthy: true,
                    Timestamp: new Date().toISOString(),
                    Canary: false,
                    ModifyIndex: 0,
                  }
                  : a.DeploymentStatus,
                NetworkStatus: null,
              }];
            });
            if (updates.length > 0) {
              await server.updateAllocsFromClient(updates, CTX);
            }
            await new Promise((r) =>
              setTimeout(r, 5)
            );
          }
        })();
        await waitFor(
          state,
          "both allocations healthy",
          (s) =>
            s.allocsByJob("default", "web").filter((a) => a.DeploymentStatus?.Healthy === true)
                .length === 2 || undefined,
        );
        watching = true;
        const reply = await server.updateNodeDrain(
          target,
          {
            Deadline: 3_600_000_000_000,
            IgnoreSystemJobs: false,
            ForceDeadline: "0001-01-01T00:00:00Z",
            StartedAt: "0001-01-01T00:00:00Z",
          },
          false,
          CTX,
        );
        assert(reply.NodeModifyIndex > 0);
        const node = await waitFor(state, "the drain to complete", (s) => {
          const n = s.node(target);
          return n?.DrainStrategy === null ? n : undefined;
        });
        simulating = false;
        await client;
        assertEquals(lowest, 1, `a healthy allocation ran throughout (lowest ${lowest})`);
        assertEquals((node.LastDrain as { Status?: string } | null)?.Status, "complete");
        assertEquals(node.SchedulingEligibility, "ineligible");
        const live = liveAllocs(state.snapshot(), "web");
        assertEquals(live.length, 2);
        assertEquals(
          live.every((a) => a.NodeID === other),
          true,
        );
        await assertRejects(
          () => server.updateNodeEligibility("nope", "eligible", CTX),
          Error,
          "node not found",
        );
      },
    );
  } finally {
    await server.stop();
  }
});

Deno.test("updateAllocsFromClient() updates summaries and reschedules a failed allocation", async () => {
  const clock = new FakeClock();
  const { server, state } = await testServer({ clock });
  try {
    for (let i = 0; i < 2; i++) await server.registerNode(simNode(i), CTX);
    // A batch job: no deployment, whose watcher would otherwise hold the reschedule back.
    const job = simJob("web", 1, {
      job: { Type: "batch" },
      group: {
        ReschedulePolicy: {
          Attempts: 1,
          Interval: 3_600_000_000_000,
          Delay: 5_000_000_000,
          DelayFunction: "constant",
          MaxDelay: 0,
          Unlimited: false,
        },
      },
    });
    const reg = await server.registerJob({ Job: job }, CTX);
    await waitForEval(state, reg.EvalID);
    const alloc = liveAllocs(state.snapshot(), "web")[0]!;
    const update = (status: string) => ({
      ID: alloc.ID,
      NodeID: alloc.NodeID,
      ClientStatus: status,
      ClientDescription: "",
      TaskStates: null,
      DeploymentStatus: null,
      NetworkStatus: null,
    });
    await server.updateAllocsFromClient([update("running")], CTX);
    assertEquals(state.snapshot().jobSummary("default", "web")?.Summary?.["web"]?.Running, 1);
    await server.updateAllocsFromClient([update("failed")], CTX);
    const evals = state.snapshot().evalsByJob("default", "web");
    const retry = evals.find((e) => e.TriggeredBy === "alloc-failure");
    assert(retry !== undefined, "a reschedule evaluation was created");
    const done = await waitForEval(state, retry.ID);
    // The policy's 5 s delay: a follow-up evaluation waits for it in the broker.
    const followUp = state.snapshot().eval(done.NextEval)!;
    assertEquals(followUp.Status, "pending");
    assertEquals(liveAllocs(state.snapshot(), "web").length, 0);
    clock.advance(6_000);
    await waitForEval(state, followUp.ID);
    const live = liveAllocs(state.snapshot(), "web");
    assertEquals(live.length, 1);
    assertEquals(live[0]!.PreviousAllocation, alloc.ID);
    assertEquals(state.snapshot().jobSummary("default", "web")?.Summary?.["web"]?.Failed, 1);
    await assertRejects(() => server.updateAllocsFromClient([], CTX), Error, "at least one");
  } finally {
    await server.stop();
  }
});

Deno.test("stopAlloc() replaces one allocation; purgeNode() removes a node", async () => {
  const { server, state } = await testServer();
  try {
    for (let i = 0; i < 2; i++) await server.registerNode(simNode(i), CTX);
    const reg = await server.registerJob({ Job: simJob("web", 2) }, CTX);
    await waitForEval(state, reg.EvalID);
    const victim = liveAllocs(state.snapshot(), "web")[0]!;
    const stop = await server.stopAlloc(victim.ID, { noShutdownDelay: false }, CTX);
    await waitForEval(state, stop.EvalID);
    const live = liveAllocs(state.snapshot(), "web");
    assertEquals(live.length, 2);
    assert(!live.some((a) => a.ID === victim.ID));
    assertEquals(state.snapshot().alloc(victim.ID)?.DesiredStatus, "stop");

    const purge = await server.purgeNode("node-00001", CTX);
    assert(purge.Index > 0);
    assertEquals(state.snapshot().node("node-00001"), undefined);
  } finally {
    await server.stop();
  }
});
