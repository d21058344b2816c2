import { assert, assertEquals } from "../../tests/assert.ts";
import type { StateSnapshot } from "../state/mod.ts";
import { type Allocation, SECOND, type TaskGroup } from "../structs/mod.ts";
import { mockJob } from "../scheduler/_testing.ts";
import type { Server } from "./server.ts";
import { FakeClock } from "./clock_testing.ts";
import { CTX, liveAllocs, simJob, simNode, testServer, waitFor } from "./server_testing.ts";

const NO_UPDATE = { ...mockJob().Update!, MaxParallel: 0 };

/** A group that may stay disconnected for a minute, keeping the original when it comes back. */
function disconnectGroup(reconcile = "keep_original"): Partial<TaskGroup> {
  return {
    Update: NO_UPDATE,
    Disconnect: {
      LostAfter: 60 * SECOND,
      StopOnClientAfter: null,
      Replace: true,
      Reconcile: reconcile,
    },
  };
}

/** Reports allocations running, as their client would. */
function reportRunning(server: Server, allocs: readonly Allocation[]) {
  return server.updateAllocsFromClient(
    allocs.map((a) => ({
      ID: a.ID,
      NodeID: a.NodeID,
      ClientStatus: "running",
      ClientDescription: "Tasks are running",
      TaskStates: null,
      DeploymentStatus: null,
      NetworkStatus: null,
    })),
    CTX,
  );
}

/**
 * Two nodes of 4000 MHz, jobs `web` (with a disconnect block) and `plain` (without) of one
 * 2000 MHz allocation each on node-00000 (the only node at first), reported running.
 */
async function setup(clock: FakeClock, reconcile?: string) {
  const { server, state } = await testServer({ clock });
  await server.registerNode(simNode(0), CTX);
  const opts = { cpu: 2000, job: { Update: NO_UPDATE } };
  for (
    const [id, group] of [["web", disconnectGroup(reconcile)], ["plain", { Update: NO_UPDATE }]]
  ) {
    await server.registerJob({
      Job: simJob(id as string, 1, { ...opts, group: group as Partial<TaskGroup> }),
    }, CTX);
  }
  const placed = await waitFor(state, "both jobs placed", (s) => {
    const all = [...liveAllocs(s, "web"), ...liveAllocs(s, "plain")];
    return all.length === 2 ? all : undefined;
  });
  await reportRunning(server, placed);
  await server.registerNode(simNode(1), CTX);
  return { server, state, web: placed.find((a) => a.JobID === "web")! };
}

/** Advances the clock by `ms` in 5 s steps, heartbeating the given nodes at each. */
async function pass(server: Server, clock: FakeClock, ms: number, heartbeating: string[]) {
  for (let t = 0; t < ms; t += 5_000) {
    for (const id of heartbeating) await server.updateNodeStatus(id, "ready", CTX);
    clock.advance(5_000);
  }
}

const alloc = (s: StateSnapshot, id: string) => s.alloc(id)!;

/** Takes node-00000 through a missed heartbeat; returns the web replacement. */
async function disconnect(
  server: Server,
  state: Awaited<ReturnType<typeof setup>>["state"],
  clock: FakeClock,
  webId: string,
) {
  await pass(server, clock, 35_000, ["node-00001"]);
  const node = await waitFor(state, "node-00000 disconnected", (s) => {
    const n = s.node("node-00000");
    return n?.Status === "disconnected" ? n : undefined;
  });
  assertEquals(node.Events?.at(-1)?.Message, "Node heartbeat missed");
  await waitFor(
    state,
    "the web allocation unknown",
    (s) => alloc(s, webId).ClientStatus === "unknown",
  );
  // The service reschedule delay (30 s) holds the replacement back.
  await pass(server, clock, 35_000, ["node-00001"]);
  return await waitFor(state, "a web replacement on node-00001", (s) => {
    const r = liveAllocs(s, "web").find((a) => a.NodeID === "node-00001");
    return r !== undefined && r.PreviousAllocation === webId ? r : undefined;
  });
}

Deno.test("a node with a disconnect group disconnects: unknown, replaced, then lost after lost_after", async () => {
  const clock = new FakeClock();
  const { server, state, web } = await setup(clock);
  try {
    const replacement = await disconnect(server, state, clock, web.ID);
    const s = state.snapshot();
    const unknown = alloc(s, web.ID);
    assertEquals([unknown.DesiredStatus, unknown.ClientStatus], ["run", "unknown"]);
    assertEquals(unknown.AllocStates?.map((x) => x.Value), ["unknown"]);
    assertEquals(unknown.ClientDescription, "alloc is unknown since its node is disconnected");
    // The group without a disconnect block lost its allocation at once.
    const plain = s.allocsByJob("default", "plain");
    const lost = plain.find((a) => a.NodeID === "node-00000")!;
    assertEquals([lost.DesiredStatus, lost.ClientStatus], ["stop", "lost"]);
    assertEquals(liveAllocs(s, "plain").map((a) => a.NodeID), ["node-00001"]);
    assertEquals(replacement.ClientStatus, "pending");

    // Past lost_after (60 s after the disconnect) the original is lost.
    await pass(server, clock, 60_000, ["node-00001"]);
    const gone = await waitFor(state, "the original lost", (x) => {
      const a = alloc(x, web.ID);
      return a.ClientStatus === "lost" ? a : undefined;
    });
    assertEquals(gone.DesiredStatus, "stop");
    assertEquals(gone.AllocStates?.map((x) => x.Value), ["unknown", "lost"]);
    assertEquals(liveAllocs(state.snapshot(), "web").map((a) => a.ID), [replacement.ID]);
  } finally {
    await server.stop();
  }
});

Deno.test("a disconnected node that comes back before lost_after keeps the original (keep_original)", async () => {
  const clock = new FakeClock();
  const { server, state, web } = await setup(clock);
  try {
    const replacement = await disconnect(server, state, clock, web.ID);
    const back = await server.updateNodeStatus("node-00000", "ready", CTX);
    assert((back.EvalIDs?.length ?? 0) > 0, "leaving disconnected creates evaluations");
    assertEquals(state.snapshot().node("node-00000")?.Status, "initializing");
    await reportRunning(server, [web]);
    await waitFor(state, "the replacement stopped", (s) => {
      const r = alloc(s, replacement.ID);
      return r.DesiredStatus === "stop" ? r : undefined;
    });
    assertEquals(
      alloc(state.snapshot(), replacement.ID).DesiredDescription,
      "alloc not needed due to disconnected client reconnect",
    );
    await pass(server, clock, 10_000, ["node-00000", "node-00001"]);
    const s = await waitFor(state, "the original recorded as reconnected", (x) => {
      const a = alloc(x, web.ID);
      return a.AllocStates?.at(-1)?.Value === "running" ? x : undefined;
    });
    assertEquals(s.node("node-00000")?.Status, "ready");
    assertEquals(liveAllocs(s, "web").map((a) => [a.ID, a.ClientStatus]), [[web.ID, "running"]]);
    // lost_after passes: the reconnected original stays.
    await pass(server, clock, 70_000, ["node-00000", "node-00001"]);
    const later = state.snapshot();
    assertEquals(liveAllocs(later, "web").map((a) => [a.ID, a.ClientStatus]), [[
      web.ID,
      "running",
    ]]);
  } finally {
    await server.stop();
  }
});
