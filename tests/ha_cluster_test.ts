/**
 * Three nomad-ts server agents sharing a three-member etcd (`bootstrap_expect = 3`, no other meeting
 * point) and a client agent that knows all three: jobs are submitted in a loop through a
 * follower (which forwards them to the leader); the leader is killed with SIGKILL. Another
 * server is elected within the lease's TTL, every acknowledged job exists afterwards, no job
 * gets two allocations, and the client keeps its tasks and runs the jobs the new leader places.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { alive, api, cli, eventually } from "./e2e_testing.ts";
import { etcdTest } from "../core/state/etcd/etcd_testing.ts";
import { LEADER_LEASE_SECONDS } from "../core/agent/_etcd_server.ts";
import {
  agreedLeader,
  type Alloc,
  doubledJobs,
  everyJobRunning,
  HaCluster,
  JobSubmitter,
  jobTemplate,
  runningAllocs,
  stopEveryJob,
} from "./ha_testing.ts";

etcdTest(
  "three servers on etcd survive the leader's SIGKILL without losing or doubling work",
  async () => {
    await using ha = await HaCluster.start("ha_cluster_");
    const { servers, pids } = ha;
    const leaderRpc = await agreedLeader(servers);
    const leader = servers.find((s) => s.rpc === leaderRpc)!;
    const via = servers.find((s) => s !== leader)!;
    const members = await eventually("server members to list the three servers", async () => {
      const out = await cli(via.addr, ha.dir, "server", "members");
      const all = ["s1", "s2", "s3"].every((n) => out.stdout.includes(`${n}.global`));
      return out.code === 0 && all ? out.stdout : undefined;
    });
    const leaderLines = members.split("\n").filter((l) => /\strue\s/.test(l));
    assertEquals(leaderLines.length, 1, members);
    assertStringIncludes(leaderLines[0]!, `${leader.name}.global`);
    assertEquals(
      (await api<string[]>(via.addr, "/v1/status/peers")).sort(),
      servers.map((s) => s.rpc).sort(),
    );

    const client = await ha.startClient(via.addr);

    const submit = ha.submit = new JobSubmitter(await jobTemplate(via.addr), () => [via.addr]);
    const acked = submit.acked;

    await eventually("a few jobs to run", async () => {
      const allocs = await api<Alloc[]>(via.addr, "/v1/allocations");
      return allocs.filter((a) => a.ClientStatus === "running").length >= 3 ? true : undefined;
    });
    const before = await runningAllocs(via.addr, pids);

    const killedAt = Date.now();
    leader.process.child.kill("SIGKILL");
    await leader.process.cleanup();
    const survivors = servers.filter((s) => s !== leader);
    const newLeader = await agreedLeader(survivors, {
      not: leader.rpc,
      timeoutMs: (LEADER_LEASE_SECONDS + 20) * 1000,
    });
    const failover = Date.now() - killedAt;
    console.log(
      `new leader ${newLeader} ${failover} ms after the leader was killed ` +
        `(lease TTL ${LEADER_LEASE_SECONDS} s); ${acked.length} jobs acknowledged so far`,
    );
    const ackedAtFailover = acked.length;
    await eventually("jobs acknowledged after the failover", () => {
      return acked.length >= ackedAtFailover + 5 ? true : undefined;
    });
    await submit.stop();

    const jobs = new Set((await api<{ ID: string }[]>(via.addr, "/v1/jobs")).map((j) => j.ID));
    const lost = acked.filter((id) => !jobs.has(id));
    assertEquals(lost, [], "every acknowledged job exists after the failover");
    const allocs = await everyJobRunning(via.addr, acked);
    const doubled = doubledJobs(allocs);
    assertEquals(doubled, [], "no job got a second allocation");
    for (const a of before) {
      assertEquals(allocs.find((x) => x.ID === a.ID)?.ClientStatus, "running", a.JobID);
    }
    for (const p of pids) assert(await alive(p), `task ${p} survived the failover`);
    console.log(
      `${acked.length} jobs acknowledged, ${submit.failed.length} submissions refused`,
    );

    // The operator's view: the killed server is failed but still a peer until removed.
    const peers = await api<{ Servers: { ID: string; Node: string; Leader: boolean }[] }>(
      via.addr,
      "/v1/operator/raft/configuration",
    );
    const dead = peers.Servers.find((p) => p.Node === `${leader.name}.global`);
    assert(dead !== undefined, "the killed server stays in the configuration");
    assertEquals(peers.Servers.filter((p) => p.Leader).length, 1);
    const failed = await eventually("server members to show the killed one failed", async () => {
      const out = await cli(via.addr, ha.dir, "server", "members");
      return new RegExp(`^${leader.name}\\.global .* failed `, "m").test(out.stdout)
        ? out.stdout
        : undefined;
    });
    console.log(failed);
    const sick = await cli(via.addr, ha.dir, "operator", "autopilot", "health");
    assertEquals(sick.code, 0, sick.stderr);
    assertStringIncludes(sick.stdout, "Healthy: false\n");
    const removed = await cli(
      via.addr,
      ha.dir,
      "operator",
      "raft",
      "remove-peer",
      `-peer-id=${dead.ID}`,
    );
    assertEquals(removed.stdout, `Removed peer with id "${dead.ID}"\n`, removed.stderr);
    const listed = await cli(via.addr, ha.dir, "operator", "raft", "list-peers");
    assertEquals(listed.stdout.trim().split("\n").length, 3, listed.stdout);
    const healthy = await eventually("autopilot health to be healthy again", async () => {
      const out = await cli(via.addr, ha.dir, "operator", "autopilot", "health");
      return out.stdout.startsWith("Healthy: true\nFailureTolerance: 1\n") ? out.stdout : undefined;
    });
    console.log(healthy);

    await stopEveryJob(via.addr, pids);
    assertEquals((await client.stop("SIGTERM")).code, 0, client.stderr);
    for (const s of survivors) assertEquals((await s.process.stop("SIGTERM")).code, 0);
  },
);
