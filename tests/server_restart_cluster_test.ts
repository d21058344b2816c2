/**
 * A server restarted under running clients, killed with SIGKILL and with SIGTERM: no job,
 * allocation or node is lost, no task is restarted (the same processes run throughout, none
 * started twice), the clients report to the new server process, and it schedules new work.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { api, cli, eventually, taskPids } from "./e2e_testing.ts";
import {
  cleanupCluster,
  type ClusterAgent,
  finishCluster,
  readyNodes,
  restartAgent,
  startClusterClient,
  startClusterServer,
} from "./cluster_testing.ts";

const job = (name: string, count: number, dir: string) =>
  `job "${name}" {
  datacenters = ["dc1"]
  group "g" {
    count = ${count}
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo $NOMAD_ALLOC_ID >> ${dir}/starts; exec sleep 600"]
      }
      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
`;

interface Alloc {
  ID: string;
  ClientStatus: string;
  DesiredStatus: string;
}

const running = async (addr: string, job: string) =>
  (await api<Alloc[]>(addr, `/v1/job/${job}/allocations`)).filter((a) =>
    a.ClientStatus === "running"
  );

Deno.test({
  name: "a server restarted (kill -9, then SIGTERM) under running clients loses nothing",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "server_restart_" });
    const agents: ClusterAgent[] = [];
    const pids = new Set<number>();
    try {
      let server = await startClusterServer(dir);
      agents.push(server);
      for (const name of ["a", "b"]) agents.push(await startClusterClient(dir, name, server.rpc));
      await readyNodes(server.addr, 2);
      await Deno.writeTextFile(join(dir, "web.nomad"), job("web", 4, dir));
      const run = await cli(server.addr, dir, "job", "run", "-detach", "web.nomad");
      assertEquals(run.code, 0, run.stdout + run.stderr);
      const before = await eventually("four running allocations", async () => {
        const r = await running(server.addr, "web");
        return r.length === 4 ? r.map((a) => a.ID).sort() : undefined;
      });
      const procs = new Map<string, number[]>();
      for (const id of before) {
        const p = await taskPids(id);
        procs.set(id, p);
        p.forEach((x) => pids.add(x));
      }

      for (const signal of ["SIGKILL", "SIGTERM"] as const) {
        if (signal === "SIGKILL") {
          server.process.child.kill("SIGKILL");
          await server.process.cleanup();
        } else {
          assertEquals((await server.process.stop("SIGTERM")).code, 0, server.process.stderr);
        }
        await new Promise((r) => setTimeout(r, 1_000)); // clients find no server meanwhile
        server = { ...server, ...await restartAgent(server) };
        agents[0] = server;
        await readyNodes(server.addr, 2);
        assertEquals(
          (await running(server.addr, "web")).map((a) => a.ID).sort(),
          before,
          `after ${signal}: the same four allocations run`,
        );
        for (const [id, p] of procs) {
          assertEquals(await taskPids(id), p, `after ${signal}: the same processes of ${id}`);
        }
      }
      // The heartbeats keep the nodes up past several TTLs, and new work is placed.
      await new Promise((r) => setTimeout(r, 4_000));
      assertEquals((await readyNodes(server.addr, 2)).size, 2);
      await Deno.writeTextFile(join(dir, "more.nomad"), job("more", 2, dir));
      const more = await cli(server.addr, dir, "job", "run", "-detach", "more.nomad");
      assertEquals(more.code, 0, more.stdout + more.stderr);
      const extra = await eventually("the new job to run", async () => {
        const r = await running(server.addr, "more");
        return r.length === 2 ? r : undefined;
      });
      for (const a of extra) (await taskPids(a.ID)).forEach((x) => pids.add(x));
      const starts = (await Deno.readTextFile(join(dir, "starts")).catch(() => "")).trim()
        .split("\n").filter((l) => l !== "");
      assertEquals(starts.length, 6, "every task started exactly once");

      await finishCluster(server.addr, dir, ["web", "more"], agents, pids);
    } finally {
      await cleanupCluster(dir, agents, pids);
    }
  },
});
