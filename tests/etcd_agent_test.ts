/**
 * A server agent on etcd (`server { etcd { ... } }`) with a real etcd: it wins the election and
 * keeps the cluster state there. A second server on the same prefix starts as a follower and
 * serves the jobs it follows; when the first is killed with SIGKILL, the second takes over
 * within the lease's TTL with every job the first acknowledged, read from etcd (its own
 * data_dir is empty), and schedules.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { freePort, portsHcl } from "../core/agent/run_testing.ts";
import { AgentProcess, ALL_PERMISSIONS, api, cli, eventually } from "./e2e_testing.ts";
import { etcdTest, startEtcd } from "../core/state/etcd/etcd_testing.ts";
import { LEADER_LEASE_SECONDS } from "../core/agent/_etcd_server.ts";

const config = (dir: string, name: string, http: number, endpoint: string) =>
  `data_dir  = "${dir}/${name}"
name      = "${name}"
bind_addr = "127.0.0.1"
advertise {
  http = "127.0.0.1"
  rpc  = "127.0.0.1"
  serf = "127.0.0.1"
}
${portsHcl(http)}
server {
  enabled          = true
  bootstrap_expect = 1
  etcd {
    endpoints = ["${endpoint}"]
    prefix    = "/nomad-ts-test/global"
  }
}
`;

const JOB = (n: number) =>
  `job "j${n}" {
  type = "batch"
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/true"
      }
    }
  }
}
`;

etcdTest(
  "a server on etcd: a second follows, then takes over with every acknowledged job",
  async () => {
    await using etcd = await startEtcd();
    const dir = await Deno.makeTempDir({ prefix: "etcd_agent_" });
    const [ha, hb] = [freePort(), freePort()];
    await Deno.writeTextFile(join(dir, "a.hcl"), config(dir, "a", ha, etcd.endpoints[0]!));
    await Deno.writeTextFile(join(dir, "b.hcl"), config(dir, "b", hb, etcd.endpoints[0]!));
    const a = new AgentProcess([`-config=${join(dir, "a.hcl")}`], ALL_PERMISSIONS);
    let b: AgentProcess | null = null;
    try {
      await a.waitFor("==> Nomad agent started!");
      await a.waitFor("cluster leadership acquired");
      const addrA = `http://127.0.0.1:${ha}`;
      for (let i = 0; i < 5; i++) {
        await Deno.writeTextFile(join(dir, `j${i}.nomad`), JOB(i));
        const run = await cli(addrA, dir, "job", "run", "-detach", `j${i}.nomad`);
        assertEquals(run.code, 0, run.stdout + run.stderr);
      }

      b = new AgentProcess([`-config=${join(dir, "b.hcl")}`], ALL_PERMISSIONS);
      // b starts at once as a follower: it serves what a wrote, and does not lead.
      await b.waitFor("==> Nomad agent started!");
      const followed = await eventually("b to follow a's jobs", async () => {
        const jobs = await api<{ ID: string }[]>(`http://127.0.0.1:${hb}`, "/v1/jobs");
        return jobs.length === 5 ? jobs : undefined;
      });
      assertEquals(followed.map((j) => j.ID).sort(), ["j0", "j1", "j2", "j3", "j4"]);
      assert(!b.stdout.includes("cluster leadership acquired"), "b must not lead while a does");

      const killedAt = Date.now();
      a.child.kill("SIGKILL");
      await a.cleanup();
      await b.waitFor("cluster leadership acquired", (LEADER_LEASE_SECONDS + 20) * 1000);
      const takeover = Date.now() - killedAt;
      console.log(
        `b took over ${takeover} ms after a was killed (lease TTL ${LEADER_LEASE_SECONDS} s)`,
      );
      const addrB = `http://127.0.0.1:${hb}`;
      await Deno.writeTextFile(join(dir, "j5.nomad"), JOB(5));
      const run = await cli(addrB, dir, "job", "run", "-detach", "j5.nomad");
      assertEquals(run.code, 0, run.stdout + run.stderr);
      const jobs = await api<{ ID: string }[]>(`http://127.0.0.1:${hb}`, "/v1/jobs");
      assertEquals(jobs.map((j) => j.ID).sort(), ["j0", "j1", "j2", "j3", "j4", "j5"]);
      assertEquals((await b.stop("SIGTERM")).code, 0, b.stderr);
    } finally {
      await a.cleanup();
      await b?.cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
