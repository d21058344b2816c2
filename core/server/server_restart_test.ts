import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { KvLogBackend, StateStore } from "../state/mod.ts";
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

async function openKv(dir: string): Promise<StateStore> {
  return await StateStore.open({ backend: await KvLogBackend.open(`${dir}/server/state.kv`) });
}

Deno.test("a server restarted on the same KV data dir recovers its state and runs pending evaluations", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nomad_server_restart_" });
  try {
    let pendingId = "";
    let blockedId = "";
    {
      const state = await openKv(dir);
      const { server } = await testServer({ state });
      await server.registerNode(simNode(0), CTX);
      const placed = await server.registerJob({ Job: simJob("web", 1) }, CTX);
      await waitForEval(state, placed.EvalID);
      // Three 1000 MHz tasks fit on the 4000 MHz node beside `web` (500): two stay blocked.
      const big = await server.registerJob({ Job: simJob("big", 5, { cpu: 1000 }) }, CTX);
      blockedId = (await waitForEval(state, big.EvalID)).BlockedEval;
      // Pause the broker so the next evaluation stays pending across the restart.
      const config = server.getSchedulerConfig().SchedulerConfig;
      await server.setSchedulerConfig({ ...config, PauseEvalBroker: true }, null);
      const pending = await server.registerJob({ Job: simJob("later", 1) }, CTX);
      pendingId = pending.EvalID;
      assertEquals(state.snapshot().eval(pendingId)?.Status, "pending");
      await server.stop();
      await state.close();
    }
    const state = await openKv(dir);
    const { server } = await testServer({ state });
    try {
      const snap = state.snapshot();
      assertEquals(liveAllocs(snap, "web").length, 1);
      assertEquals(liveAllocs(snap, "big").length, 3);
      assertEquals(snap.eval(pendingId)?.Status, "pending");
      assertEquals(server.stats().broker.TotalReady, 0, "the broker stays paused");
      assertEquals(server.stats().blocked.TotalBlocked, 0, "blocked evaluations are paused too");

      const config = server.getSchedulerConfig().SchedulerConfig;
      await server.setSchedulerConfig({ ...config, PauseEvalBroker: false }, null);
      assertEquals(server.stats().blocked.TotalBlocked, 1, "the blocked evaluation was restored");
      await waitForEval(state, pendingId);
      assertEquals(liveAllocs(state.snapshot(), "later").length, 1);

      await server.registerNode(simNode(1), CTX);
      await waitForEval(state, blockedId);
      assertEquals(liveAllocs(state.snapshot(), "big").length, 5);
    } finally {
      await server.stop();
      await state.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("setSchedulerConfig() is a check-and-set with a cas index", async () => {
  const { server } = await testServer();
  try {
    const { SchedulerConfig: config, Index } = server.getSchedulerConfig();
    assertEquals(Index, 0);
    const stale = await server.setSchedulerConfig({
      ...config,
      MemoryOversubscriptionEnabled: true,
    }, 99);
    assertEquals(stale.Updated, false);
    const ok = await server.setSchedulerConfig(
      { ...config, MemoryOversubscriptionEnabled: true },
      0,
    );
    assertEquals(ok.Updated, true);
    const after = server.getSchedulerConfig();
    assertEquals(after.SchedulerConfig.MemoryOversubscriptionEnabled, true);
    assert(after.Index > 0);
  } finally {
    await server.stop();
  }
});

Deno.test("deleteEvals() needs a paused broker; stop() refuses later writes", async () => {
  const { server, state } = await testServer();
  const reg = await server.registerJob({ Job: simJob("web", 1) }, CTX);
  await waitFor(state, "the evaluation to finish", (s) => s.eval(reg.EvalID)?.Status !== "pending");
  await assertRejects(
    () => server.deleteEvals([reg.EvalID], CTX),
    Error,
    "eval broker must be paused",
  );
  const config = server.getSchedulerConfig().SchedulerConfig;
  await server.setSchedulerConfig({ ...config, PauseEvalBroker: true }, null);
  await server.deleteEvals([reg.EvalID], CTX);
  assertEquals(state.snapshot().eval(reg.EvalID), undefined);
  await server.stop();
  await assertRejects(() => server.registerJob({ Job: simJob("x", 1) }, CTX), Error, "stopped");
  assertEquals(server.members()[0]?.Name, "nomad.global");
  assertEquals(server.leader(), server.rpcAddr);
});

Deno.test("the leader reports broker, blocked, plan queue and heartbeat gauges every second", async () => {
  const clock = new FakeClock();
  const { server } = await testServer({ clock });
  try {
    await server.registerNode(simNode(0), CTX);
    clock.advance(1_000);
    const gauges = new Map(server.metrics.summary().Gauges.map((g) => [g.Name, g.Value]));
    assertEquals(gauges.get("nomad.nomad.heartbeat.active"), 1);
    assertEquals(gauges.get("nomad.nomad.broker.total_ready"), 0);
    assertEquals(gauges.get("nomad.nomad.plan.queue_depth"), 0);
  } finally {
    await server.stop();
  }
});
