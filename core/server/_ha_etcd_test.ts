/**
 * Three `Server`s in one process sharing one etcd: one leads and schedules, the others follow
 * its log; when the leader's lease is revoked another takes over and schedules.
 */
import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { ConflictError, NotFoundError } from "../structs/errors.ts";
import { LogFencedError, StateStore } from "../state/mod.ts";
import { etcdTest, startEtcd } from "../state/etcd/etcd_testing.ts";
import { EtcdLogBackend } from "../state/etcd/mod.ts";
import { EtcdHaElection } from "./_ha_etcd.ts";
import { Server } from "./server.ts";
import type { OperatorHealthReply } from "./api.ts";
import { CTX, liveAllocs, simJob, simNode, waitFor, waitForEval } from "./server_testing.ts";

async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The health report once every server reports healthy. */
async function waitForHealth(server: Server): Promise<OperatorHealthReply> {
  const end = Date.now() + 15_000;
  for (;;) {
    const h = await server.autopilotHealth();
    if (h.Healthy || Date.now() > end) return h;
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Member {
  server: Server;
  state: StateStore;
  election: EtcdHaElection;
  backend: EtcdLogBackend;
}

async function member(
  endpoints: readonly string[],
  i: number,
  bootstrapExpect = 1,
): Promise<Member> {
  const backend = new EtcdLogBackend({ endpoints: [...endpoints], prefix: "/ha" });
  const state = await StateStore.open({ backend });
  const election = new EtcdHaElection({ client: backend.client, prefix: "/ha", ttlSeconds: 2 });
  const server = Server.start({
    state,
    name: `s${i}`,
    rpcAddr: `127.0.0.1:${4700 + i}`,
    numSchedulers: 1,
    periodicGc: false,
    bootstrapExpect,
    ha: { log: backend, election, members: election, retryMs: 100 },
  });
  return { server, state, election, backend };
}

etcdTest(
  "servers sharing etcd elect one leader; followers see its writes; another takes over",
  async () => {
    await using etcd = await startEtcd();
    const members = [await member(etcd.endpoints, 1)];
    await until(() => members[0]!.server.isLeader(), "the first server to lead");
    members.push(await member(etcd.endpoints, 2), await member(etcd.endpoints, 3));
    try {
      const first = members[0]!;
      for (const m of members) {
        await until(
          () => m.server.leader() === "127.0.0.1:4701",
          `${m.server.name} to see s1 lead`,
        );
      }
      assertEquals(members.map((m) => m.server.isLeader()), [true, false, false]);
      const rpcs = ["127.0.0.1:4701", "127.0.0.1:4702", "127.0.0.1:4703"];
      for (const m of members) {
        await until(() => m.server.peers().join() === rpcs.join(), `${m.server.name}'s peers`);
      }
      assertEquals(members[2]!.server.members().map((x) => x.Name), [
        "s1.global",
        "s2.global",
        "s3.global",
      ]);

      const health = await waitForHealth(members[1]!.server);
      assertEquals(
        health.Servers.map((s) => [s.Name, s.SerfStatus, s.Leader, s.Healthy]),
        [["s1.global", "alive", true, true], ["s2.global", "alive", false, true], [
          "s3.global",
          "alive",
          false,
          true,
        ]],
      );
      assertEquals(health.Leader, first.server.id);
      assertEquals(
        [health.Backend?.Kind, health.Backend?.Members.map((m) => [m.Healthy, m.Leader])],
        ["etcd", [[true, true]]],
      );
      assertEquals(health.FailureTolerance, 0, "one etcd member: no failure tolerated");

      await first.server.registerNode(simNode(0), CTX);
      const reg = await first.server.registerJob({ Job: simJob("web", 2) }, CTX);
      await waitForEval(first.state, reg.EvalID);
      for (const m of members.slice(1)) {
        const allocs = await waitFor(m.state, "the follower to see web's allocations", (s) => {
          const a = liveAllocs(s, "web");
          return a.length === 2 ? a : undefined;
        });
        assertEquals(allocs.length, 2);
        await assertRejects(
          () => m.server.registerJob({ Job: simJob("nope", 1) }, CTX),
          LogFencedError,
        );
      }

      // Revoke the leader's lease: its key goes, another server is elected and takes over.
      const key = await first.election.election.leader();
      assert(key !== undefined, "etcd names a leader");
      const started = Date.now();
      await first.backend.client.leaseRevoke(key.lease);
      await until(() => members.slice(1).some((m) => m.server.isLeader()), "a new leader");
      const took = Date.now() - started;
      const next = members.slice(1).find((m) => m.server.isLeader())!;
      await until(() => !first.server.isLeader(), "the old leader to step down");
      assert(took < 10_000, `failover took ${took} ms`);
      console.log(`failover after the lease was revoked: ${took} ms`);

      const reg2 = await next.server.registerJob({ Job: simJob("api", 1) }, CTX);
      await waitForEval(next.state, reg2.EvalID);
      assertEquals(liveAllocs(next.state.snapshot(), "api").length, 1, "the new leader schedules");
      await waitFor(first.state, "the old leader to follow the new one", (s) => {
        return liveAllocs(s, "api").length === 1;
      });
      for (const m of members) {
        await until(() => m.server.leader() === next.server.rpcAddr, `${m.server.name} to see it`);
      }
      assertEquals(members.filter((m) => m.server.isLeader()).length, 1, "one leader at a time");
    } finally {
      for (const m of members) {
        await m.server.stop();
        await m.state.close();
      }
    }
  },
);

etcdTest(
  "bootstrap_expect holds the first election; a stopped server shows failed until removed",
  async () => {
    await using etcd = await startEtcd();
    const all = [await member(etcd.endpoints, 1, 2)];
    try {
      await until(() => all[0]!.server.members().length === 1, "s1's record");
      await new Promise((r) => setTimeout(r, 1_500));
      assertEquals(all[0]!.server.leader(), "", "one server of two expected: no election");
      all.push(await member(etcd.endpoints, 2, 2), await member(etcd.endpoints, 3, 2));
      await until(() => all.some((m) => m.server.isLeader()), "a leader once two are alive");
      const leader = all.find((m) => m.server.isLeader())!;
      const [gone, dead] = all.filter((m) => m !== leader);
      const status = () => leader.server.members().map((m) => `${m.Name}=${m.Status}`).join();
      await until(() => !status().includes("failed") && status().split(",").length === 3, "3");

      await gone!.server.stop();
      await dead!.server.stop();
      await until(() => status().split("=failed").length === 3, "two failed members");
      assertEquals(leader.server.peers().length, 3, "a failed server stays a peer");
      await assertRejects(() => leader.server.removeRaftPeer(leader.server.id), ConflictError);
      await assertRejects(() => leader.server.removeRaftPeer("nope"), NotFoundError);

      await leader.server.forceLeave(gone!.server.name.split(".")[0]!, false);
      assert(status().includes(`${gone!.server.name}=left`), status());
      assert(!leader.server.peers().includes(gone!.server.rpcAddr), "a left server is no peer");
      await leader.server.removeRaftPeer(dead!.server.id);
      assert(!status().includes(dead!.server.name), status());
      assertEquals(
        leader.server.raftConfiguration().Servers.map((s) => [s.Node, s.Leader, s.Voter]),
        [[leader.server.name, true, true]],
      );
    } finally {
      for (const m of all) {
        await m.server.stop();
        await m.state.close();
      }
    }
  },
);
