/**
 * Three nomad-ts server agents sharing a three-member etcd (`bootstrap_expect = 3`, no other meeting
 * point) and a client agent that knows all three: jobs are submitted in a loop through a
 * follower (which forwards them to the leader); the leader is killed with SIGKILL. Another
 * server is elected within the lease's TTL, every acknowledged job exists afterwards, no job
 * gets two allocations, and the client keeps its tasks and runs the jobs the new leader places.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { freePort, portsHcl } from "../core/agent/run_testing.ts";
import {
  AgentProcess,
  alive,
  ALL_PERMISSIONS,
  api,
  cli,
  eventually,
  taskPids,
} from "./e2e_testing.ts";
import { etcdTest, startEtcd } from "../core/state/etcd/etcd_testing.ts";
import { LEADER_LEASE_SECONDS } from "../core/agent/_etcd_server.ts";
import { sleepJob } from "./cluster_testing.ts";

const LOOPBACK =
  `bind_addr = "127.0.0.1"\nadvertise {\n  http = "127.0.0.1"\n  rpc  = "127.0.0.1"\n` +
  `  serf = "127.0.0.1"\n}\n`;

interface Srv {
  name: string;
  process: AgentProcess;
  addr: string;
  rpc: string;
}

async function startServer(
  dir: string,
  name: string,
  endpoints: readonly string[],
): Promise<Srv> {
  const [http, rpc] = [freePort(), freePort()];
  const config = join(dir, `${name}.hcl`);
  await Deno.writeTextFile(
    config,
    `data_dir = "${dir}/${name}"\nname = "${name}"\n${LOOPBACK}${portsHcl(http, rpc)}` +
      `server {\n  enabled          = true\n  bootstrap_expect = 3\n` +
      `  etcd {\n    endpoints = [${
        endpoints.map((e) => `"${e}"`).join(", ")
      }]\n    prefix    = "/ha-test/global"\n  }\n}\n`,
  );
  const process = new AgentProcess([`-config=${config}`], ALL_PERMISSIONS);
  return { name, process, addr: `http://127.0.0.1:${http}`, rpc: `127.0.0.1:${rpc}` };
}

type Alloc = { ID: string; JobID: string; ClientStatus: string; DesiredStatus: string };

etcdTest(
  "three servers on etcd survive the leader's SIGKILL without losing or doubling work",
  async () => {
    await using etcd = await startEtcd({ members: 3 });
    const dir = await Deno.makeTempDir({ prefix: "ha_cluster_" });
    const servers: Srv[] = [];
    let client: AgentProcess | null = null;
    const pids = new Set<number>();
    try {
      for (const n of ["s1", "s2", "s3"]) {
        servers.push(await startServer(dir, n, etcd.endpoints));
      }
      for (const s of servers) await s.process.waitFor("==> Nomad agent started!");
      const leaderRpc = await eventually("a leader every server agrees on", async () => {
        const seen = await Promise.all(
          servers.map((s) => api<string>(s.addr, "/v1/status/leader")),
        );
        return seen[0] !== "" && seen.every((x) => x === seen[0]) ? seen[0] : undefined;
      });
      const leader = servers.find((s) => s.rpc === leaderRpc)!;
      const via = servers.find((s) => s !== leader)!;
      const members = await eventually("server members to list the three servers", async () => {
        const out = await cli(via.addr, dir, "server", "members");
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

      const [chttp] = [freePort()];
      const cconfig = join(dir, "c1.hcl");
      await Deno.writeTextFile(
        cconfig,
        `data_dir = "${dir}/c1"\nname = "c1"\n${LOOPBACK}${portsHcl(chttp)}client {\n` +
          `  enabled = true\n  servers = [${servers.map((s) => `"${s.rpc}"`).join(", ")}]\n}\n` +
          `plugin "raw_exec" {\n  config {\n    enabled = true\n  }\n}\n`,
      );
      client = new AgentProcess([`-config=${cconfig}`], ALL_PERMISSIONS);
      await client.waitFor("==> Nomad agent started!");
      await eventually("the client's node to be ready", async () => {
        const nodes = await api<{ Status: string }[]>(via.addr, "/v1/nodes");
        return nodes.some((n) => n.Status === "ready") ? true : undefined;
      });

      const template = await api<{ ID: string; Name: string }>(via.addr, "/v1/jobs/parse", {
        method: "POST",
        body: JSON.stringify({ JobHCL: sleepJob("tmpl"), Canonicalize: true }),
      });
      const acked: string[] = [];
      let failed = 0;
      let submitting = true;
      const submit = (async () => {
        for (let i = 0; submitting; i++) {
          const id = `j${i}`;
          try {
            await api(via.addr, "/v1/jobs", {
              method: "POST",
              body: JSON.stringify({ Job: { ...template, ID: id, Name: id } }),
            });
            acked.push(id);
          } catch {
            failed++;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      })();

      await eventually("a few jobs to run", async () => {
        const allocs = await api<Alloc[]>(via.addr, "/v1/allocations");
        return allocs.filter((a) => a.ClientStatus === "running").length >= 3 ? true : undefined;
      });
      const before = (await api<Alloc[]>(via.addr, "/v1/allocations"))
        .filter((a) => a.ClientStatus === "running");
      for (const a of before) for (const p of await taskPids(a.ID)) pids.add(p);

      const killedAt = Date.now();
      leader.process.child.kill("SIGKILL");
      await leader.process.cleanup();
      const survivors = servers.filter((s) => s !== leader);
      const newLeader = await eventually("a new leader", async () => {
        const seen = await Promise.all(
          survivors.map((s) => api<string>(s.addr, "/v1/status/leader")),
        );
        return seen.every((x) => x !== "" && x !== leader.rpc && x === seen[0])
          ? seen[0]
          : undefined;
      }, (LEADER_LEASE_SECONDS + 20) * 1000);
      const failover = Date.now() - killedAt;
      console.log(
        `new leader ${newLeader} ${failover} ms after the leader was killed ` +
          `(lease TTL ${LEADER_LEASE_SECONDS} s); ${acked.length} jobs acknowledged so far`,
      );
      const ackedAtFailover = acked.length;
      await eventually("jobs acknowledged after the failover", () => {
        return acked.length >= ackedAtFailover + 5 ? true : undefined;
      });
      submitting = false;
      await submit;

      const jobs = new Set((await api<{ ID: string }[]>(via.addr, "/v1/jobs")).map((j) => j.ID));
      const lost = acked.filter((id) => !jobs.has(id));
      assertEquals(lost, [], "every acknowledged job exists after the failover");
      const allocs = await eventually("every acknowledged job to run", async () => {
        const all = await api<Alloc[]>(via.addr, "/v1/allocations");
        const running = new Set(
          all.filter((a) => a.ClientStatus === "running").map((a) => a.JobID),
        );
        return acked.every((id) => running.has(id)) ? all : undefined;
      }, 60_000);
      const perJob = new Map<string, number>();
      for (const a of allocs) perJob.set(a.JobID, (perJob.get(a.JobID) ?? 0) + 1);
      const doubled = [...perJob].filter(([, n]) => n > 1);
      assertEquals(doubled, [], "no job got a second allocation");
      for (const a of before) {
        assertEquals(allocs.find((x) => x.ID === a.ID)?.ClientStatus, "running", a.JobID);
      }
      for (const p of pids) assert(await alive(p), `task ${p} survived the failover`);
      console.log(`${acked.length} jobs acknowledged, ${failed} submissions refused`);

      // Stop every job (some refused registrations may have committed all the same).
      for (const j of await api<{ ID: string }[]>(via.addr, "/v1/jobs")) {
        await api(via.addr, `/v1/job/${j.ID}`, { method: "DELETE" });
      }
      await eventually("every task to exit", async () => {
        const all = await api<Alloc[]>(via.addr, "/v1/allocations");
        for (const a of all) for (const p of await taskPids(a.ID)) pids.add(p);
        if (all.some((a) => a.ClientStatus === "running" || a.ClientStatus === "pending")) {
          return undefined;
        }
        for (const p of pids) if (await alive(p)) return undefined;
        return true;
      }, 60_000);
      assertEquals((await client.stop("SIGTERM")).code, 0, client.stderr);
      for (const s of survivors) assertEquals((await s.process.stop("SIGTERM")).code, 0);
    } finally {
      await client?.cleanup();
      for (const s of servers) await s.process.cleanup();
      // Whatever task is left of the client's allocations.
      try {
        for await (const e of Deno.readDir(join(dir, "c1", "alloc"))) {
          for (const p of await taskPids(e.name)) pids.add(p);
        }
      } catch {
        // no allocation directory
      }
      for (const p of pids) if (await alive(p)) Deno.kill(p, "SIGKILL");
      await Deno.remove(dir, { recursive: true });
    }
  },
);
