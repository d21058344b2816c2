/**
 * Faults of three nomad-ts servers sharing a three-member etcd (issue 8), as processes on
 * loopback: every server restarted in turn under load; etcd losing one, then two members and
 * getting them back; the leader paused (SIGSTOP) past its lease and resumed. Each prints the
 * figures it measures.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { type AgentProcess, alive, api, eventually } from "./e2e_testing.ts";
import { etcdTest } from "../core/state/etcd/etcd_testing.ts";
import { LEADER_LEASE_SECONDS } from "../core/agent/_etcd_server.ts";
import {
  agreedLeader,
  type Alloc,
  type Answer,
  doubledJobs,
  everyJobRunning,
  HaCluster,
  type HaServer,
  JobSubmitter,
  jobTemplate,
  registerJob,
  restartServer,
  runningAllocs,
  stopEveryJob,
} from "./ha_testing.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ok = (a: Answer) => a.status >= 200 && a.status < 300;
/** How long an election may take after a leader vanished without resigning. */
const ELECTION_MS = (LEADER_LEASE_SECONDS + 20) * 1000;

/** What `GET /v1/jobs?stale` answers on `addr`: the status and `X-Nomad-KnownLeader`. */
async function staleRead(addr: string): Promise<string> {
  const res = await fetch(`${addr}/v1/jobs?stale`, { signal: AbortSignal.timeout(10_000) });
  await res.body?.cancel();
  return `${res.status} KnownLeader=${res.headers.get("X-Nomad-KnownLeader")}`;
}

/** Waits until every server answers `want` to a stale read; throws what they answered. */
async function everyStaleRead(servers: readonly HaServer[], want: string, timeoutMs: number) {
  await eventually(`every server to answer "${want}" to ?stale`, async () => {
    const seen = await Promise.all(servers.map((s) => staleRead(s.addr)));
    if (seen.every((x) => x === want)) return true;
    throw new Error(`stale reads answered ${JSON.stringify(seen)}`);
  }, timeoutMs);
}

/** Asserts that every job of `acked` exists (read through `addr`). */
async function assertJobsExist(addr: string, acked: readonly string[], when: string) {
  const jobs = new Set((await api<{ ID: string }[]>(addr, "/v1/jobs")).map((j) => j.ID));
  assertEquals(acked.filter((id) => !jobs.has(id)), [], `every acknowledged job exists ${when}`);
}

/**
 * Asserts that every job of `acked` exists and runs with one allocation, that the allocations
 * of `before` still run and that the task processes of `pids` are alive.
 */
async function assertWorkKept(
  addr: string,
  acked: readonly string[],
  before: readonly Alloc[],
  pids: ReadonlySet<number>,
) {
  await assertJobsExist(addr, acked, "at the end");
  const allocs = await everyJobRunning(addr, acked);
  assertEquals(doubledJobs(allocs), [], "no job got a second allocation");
  for (const a of before) {
    assertEquals(allocs.find((x) => x.ID === a.ID)?.ClientStatus, "running", a.JobID);
  }
  for (const p of pids) assert(await alive(p), `task ${p} survived`);
}

/**
 * Polls `servers` every 50 ms until `stop()`, which answers the longest time they did not
 * agree on a leader other than `not`.
 */
function watchLeaderless(servers: readonly HaServer[], not: string): { stop(): Promise<number> } {
  let watching = true;
  let longest = 0;
  const watch = (async () => {
    let since: number | null = null;
    while (watching) {
      const seen = await Promise.all(
        servers.map((o) => api<string>(o.addr, "/v1/status/leader").catch(() => "")),
      );
      const agreed = seen[0] !== "" && seen[0] !== not && seen.every((x) => x === seen[0]);
      const now = Date.now();
      if (!agreed) since ??= now;
      else if (since !== null) [longest, since] = [Math.max(longest, now - since), null];
      await sleep(50);
    }
    if (since !== null) longest = Math.max(longest, Date.now() - since);
  })();
  return {
    stop: async () => {
      watching = false;
      await watch;
      return longest;
    },
  };
}

/** Stops the client and the servers with SIGTERM; each must exit 0. */
async function stopAll(client: AgentProcess | null, servers: readonly HaServer[]) {
  if (client) assertEquals((await client.stop("SIGTERM")).code, 0, client.stderr);
  for (const s of servers) {
    assertEquals((await s.process.stop("SIGTERM")).code, 0, `${s.name}: ${s.process.stderr}`);
  }
}

etcdTest("restarting every server one after another under load loses nothing", async () => {
  await using ha = await HaCluster.start("ha_restart_");
  const { servers, pids } = ha;
  await agreedLeader(servers);
  const client = await ha.startClient(servers[0]!.addr);
  const down = new Set<HaServer>();
  const up = () => servers.filter((s) => !down.has(s));
  const load = new JobSubmitter(
    await jobTemplate(servers[0]!.addr),
    () => up().map((s) => s.addr),
  );
  ha.submit = load;
  await eventually("a few jobs to run", async () => {
    return (await runningAllocs(up()[0]!.addr, pids)).length >= 3 ? true : undefined;
  });
  const before = await runningAllocs(servers[0]!.addr, pids);

  for (const s of servers) {
    const others = servers.filter((x) => x !== s);
    const leader = await agreedLeader(servers);
    const acked0 = load.acked.length;
    const gap = watchLeaderless(others, s.rpc);
    let longest: number;
    let ackedWhileDown: number;
    const stoppedAt = Date.now();
    try {
      down.add(s);
      const status = await s.process.stop("SIGTERM");
      assertEquals(status.code, 0, `${s.name} exits 0 on SIGTERM: ${s.process.stderr}`);
      await sleep(2_000);
      ackedWhileDown = load.acked.length - acked0;
      await restartServer(s);
      down.delete(s);
      await agreedLeader(servers, { timeoutMs: ELECTION_MS });
    } finally {
      longest = await gap.stop();
    }
    console.log(
      `restart of ${s.name} (${leader === s.rpc ? "the leader" : "a follower"}): ` +
        `back in ${Date.now() - stoppedAt} ms, no agreed leader for ${longest} ms at most, ` +
        `${ackedWhileDown} jobs acknowledged while it was down`,
    );
    await eventually(`jobs acknowledged after ${s.name} restarted`, () => {
      return load.acked.length >= acked0 + 5 ? true : undefined;
    });
  }
  await load.stop();
  console.log(
    `${load.acked.length} jobs acknowledged, ${load.failed.length} submissions refused`,
    load.failed.map((f) => `\n  ${f.id}: ${f.answer.status} ${f.answer.body}`).join(""),
  );
  await assertWorkKept(servers[0]!.addr, load.acked, before, pids);
  await stopEveryJob(servers[0]!.addr, pids);
  await stopAll(client, servers);
});

etcdTest(
  "etcd losing one member keeps working; losing two fails writes clearly and marks reads stale; it recovers by itself",
  async () => {
    await using ha = await HaCluster.start("ha_etcd_loss_");
    const { servers } = ha;
    await agreedLeader(servers);
    const template = await jobTemplate(servers[0]!.addr);
    const acked: string[] = [];
    let n = 0;
    const register = async (timeoutMs = 30_000) => {
      const id = `j${n}`;
      const answer = await registerJob(servers[n++ % 3]!.addr, template, id, timeoutMs);
      if (ok(answer)) acked.push(id);
      return answer;
    };
    for (let i = 0; i < 3; i++) assertEquals((await register()).status, 200);
    const [first, second] = ha.etcd.members;

    await first!.stop();
    for (let i = 0; i < 6; i++) {
      const answer = await register();
      assert(ok(answer), `a registration with one etcd member down: ${JSON.stringify(answer)}`);
    }
    await agreedLeader(servers);
    await everyStaleRead(servers, "200 KnownLeader=true", 10_000);

    const ackedBefore = acked.length;
    await second!.stop();
    const lostAt = Date.now();
    // Polled beside the writes: when every server has said it knows no leader.
    const stale = everyStaleRead(servers, "200 KnownLeader=false", 30_000)
      .then(() => Date.now() - lostAt, (err: Error) => err);
    let refused: Answer | undefined;
    while (!refused && Date.now() - lostAt < 30_000) {
      const answer = await register();
      if (!ok(answer)) refused = answer;
      else await sleep(500);
    }
    const failingMs = Date.now() - lostAt;
    assert(refused && failingMs <= 30_000, `no write failed within 30 s (${failingMs} ms)`);
    console.log(
      `first failing write ${failingMs} ms after etcd lost its majority: ` +
        `${refused.status} ${refused.body}`,
    );
    assert(refused.status !== 0, `the registration answered: ${refused.body}`);
    const message = refused.body.trim();
    assert(
      message !== "" && !/^(\d{3} ?)?[\w ]*Error$/.test(message),
      `a bare error: ${message}`,
    );
    assertMatch(message, /etcd|No cluster leader/i);
    assertEquals(acked.length, ackedBefore, "no write is acknowledged without etcd's majority");
    const staleMs = await stale;
    if (staleMs instanceof Error) throw staleMs;
    console.log(
      `every server answers ?stale with KnownLeader=false ${staleMs} ms after ` +
        `etcd lost its majority`,
    );

    const backAt = Date.now();
    first!.start();
    second!.start();
    await Promise.all([first!.ready(), second!.ready()]);
    const etcdBackMs = Date.now() - backAt;
    await eventually("a write to succeed again", async () => {
      return ok(await register(10_000)) ? true : undefined;
    }, 40_000);
    const writesBackMs = Date.now() - backAt;
    const leader = await agreedLeader(servers, { timeoutMs: 40_000 - writesBackMs });
    await everyStaleRead(servers, "200 KnownLeader=true", 40_000 - (Date.now() - backAt));
    console.log(
      `etcd healthy again ${etcdBackMs} ms after its members restarted; writes succeed after ` +
        `${writesBackMs} ms, leader ${leader} agreed and KnownLeader=true everywhere after ` +
        `${Date.now() - backAt} ms`,
    );
    await assertJobsExist(servers[0]!.addr, acked, "after etcd recovered");
    await stopAll(null, servers);
  },
);

etcdTest(
  "a paused leader steps down when resumed and its in-flight write is rejected by the fence",
  async () => {
    await using ha = await HaCluster.start("ha_pause_");
    const { servers, pids } = ha;
    const oldRpc = await agreedLeader(servers);
    const old = servers.find((s) => s.rpc === oldRpc)!;
    const others = servers.filter((s) => s !== old);
    const client = await ha.startClient(others[0]!.addr);
    const template = await jobTemplate(others[0]!.addr);
    const acked: string[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await registerJob(others[i % 2]!.addr, template, `before${i}`);
      assertEquals(answer.status, 200, answer.body);
      acked.push(`before${i}`);
    }
    await everyJobRunning(others[0]!.addr, acked);
    const before = await runningAllocs(others[0]!.addr, pids);

    const pid = old.process.child.pid;
    Deno.kill(pid, "SIGSTOP");
    const pausedAt = Date.now();
    const inflight = registerJob(old.addr, template, "inflight", 120_000);
    const newRpc = await agreedLeader(others, { not: old.rpc, timeoutMs: ELECTION_MS });
    console.log(
      `new leader ${newRpc} ${Date.now() - pausedAt} ms after the leader was paused ` +
        `(lease TTL ${LEADER_LEASE_SECONDS} s)`,
    );
    const leader = others.find((s) => s.rpc === newRpc)!;
    await sleep(pausedAt + (LEADER_LEASE_SECONDS + 3) * 1000 - Date.now());
    for (let i = 0; i < 3; i++) {
      const answer = await registerJob(leader.addr, template, `during${i}`);
      assertEquals(answer.status, 200, answer.body);
      acked.push(`during${i}`);
    }

    const mark = { out: old.process.stdout.length, err: old.process.stderr.length };
    const resumedAt = Date.now();
    Deno.kill(pid, "SIGCONT");
    const after = () => old.process.stdout.slice(mark.out) + old.process.stderr.slice(mark.err);
    await eventually("the resumed server to report the new leader", async () => {
      return await api<string>(old.addr, "/v1/status/leader") === newRpc ? true : undefined;
    }, 10_000);
    console.log(
      `the resumed server (paused ${resumedAt - pausedAt} ms) reports the new leader ` +
        `${Date.now() - resumedAt} ms after SIGCONT`,
    );
    await eventually("the resumed server to log its step-down", () => {
      return after().includes("cluster leadership lost") ? true : undefined;
    }, 10_000);
    const answer = await inflight;
    if (ok(answer)) {
      console.log("the registration sent during the pause was forwarded and succeeded");
      acked.push("inflight");
    } else {
      console.log(
        `the registration sent during the pause failed: ${answer.status} ` +
          answer.body,
      );
      assertStringIncludes(answer.body, "this server is no longer the leader");
    }

    await assertWorkKept(leader.addr, acked, before, pids);
    const jobs = (await api<{ ID: string }[]>(leader.addr, "/v1/jobs")).map((j) => j.ID);
    if (!ok(answer)) assert(!jobs.includes("inflight"), "a fenced registration left no job");
    const nodes = await api<{ Name: string; Status: string }[]>(leader.addr, "/v1/nodes");
    assertEquals(nodes.map((x) => x.Status), ["ready"], "the resumed server marked no node");
    const log = after();
    console.log(`the resumed server's log after SIGCONT:\n${log.trim()}`);
    assert(!log.includes("cluster leadership acquired"), log);
    assertEquals(await api<string>(old.addr, "/v1/status/leader"), newRpc);
    await eventually("the resumed server to follow the log again", async () => {
      const seen = await api<{ ID: string }[]>(old.addr, "/v1/jobs?stale");
      return acked.every((id) => seen.some((j) => j.ID === id)) ? true : undefined;
    }, 10_000);

    await stopEveryJob(leader.addr, pids);
    await stopAll(client, servers);
  },
);
