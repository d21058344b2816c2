/**
 * Draining a node of a real cluster (a server and two client agents): a service job of two
 * allocations, both on the node to drain, moves to the other node one allocation at a time,
 * each replacement healthy before the next allocation stops, so one healthy allocation runs
 * throughout; the drain completes, the node stays ineligible, and the old tasks are gone.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { allExited, api, cli, eventually, taskPids } from "./e2e_testing.ts";
import {
  cleanupCluster,
  type ClusterAgent,
  finishCluster,
  readyNodes,
  sleepJob,
  startClusterClient,
  startClusterServer,
} from "./cluster_testing.ts";

const JOB = sleepJob("web", {
  group: `count = 2
    update {
      min_healthy_time  = "1s"
      healthy_deadline  = "30s"
      progress_deadline = "1m"
    }
    migrate {
      max_parallel     = 1
      min_healthy_time = "1s"
      healthy_deadline = "30s"
    }`,
});

interface Alloc {
  ID: string;
  NodeID: string;
  ClientStatus: string;
  DesiredStatus: string;
  DeploymentStatus: { Healthy: boolean | null } | null;
}

Deno.test({
  name: "node drain moves a service job's allocations one at a time, a healthy one always running",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "drain_cluster_" });
    const agents: ClusterAgent[] = [];
    const pids = new Set<number>();
    try {
      const server = await startClusterServer(dir);
      agents.push(server);
      agents.push(await startClusterClient(dir, "a", server.rpc));
      const a = (await readyNodes(server.addr, 1)).get("a")!;
      await Deno.writeTextFile(join(dir, "web.nomad"), JOB);
      const run = await cli(server.addr, dir, "job", "run", "web.nomad");
      assertEquals(run.code, 0, run.stdout + run.stderr);
      const first = await api<Alloc[]>(server.addr, "/v1/job/web/allocations");
      assertEquals(first.map((x) => x.NodeID), [a, a]);
      for (const x of first) for (const p of await taskPids(x.ID)) pids.add(p);
      agents.push(await startClusterClient(dir, "b", server.rpc));
      const b = (await readyNodes(server.addr, 2)).get("b")!;

      let lowest = Infinity;
      const healthy = (all: Alloc[]) =>
        all.filter((x) =>
          x.DesiredStatus === "run" && x.ClientStatus === "running" &&
          x.DeploymentStatus?.Healthy === true
        ).length;
      const drain = await api<{ NodeModifyIndex: number }>(
        server.addr,
        `/v1/node/${a}/drain`,
        {
          method: "PUT",
          body: JSON.stringify({ DrainSpec: { Deadline: 120e9, IgnoreSystemJobs: false } }),
        },
      );
      assert(drain.NodeModifyIndex > 0);
      const node = await eventually("the drain to complete", async () => {
        lowest = Math.min(
          lowest,
          healthy(await api<Alloc[]>(server.addr, "/v1/job/web/allocations")),
        );
        const n = await api<
          {
            DrainStrategy: unknown;
            SchedulingEligibility: string;
            LastDrain: { Status: string } | null;
          }
        >(
          server.addr,
          `/v1/node/${a}`,
        );
        return n.DrainStrategy === null && n.LastDrain !== null ? n : undefined;
      }, 60_000);
      assertEquals(node.LastDrain?.Status, "complete");
      assertEquals(node.SchedulingEligibility, "ineligible");
      assertEquals(lowest, 1, "one healthy allocation ran throughout the drain");
      const live = (await api<Alloc[]>(server.addr, "/v1/job/web/allocations"))
        .filter((x) => x.DesiredStatus === "run");
      assertEquals(live.map((x) => x.NodeID), [b, b]);
      await allExited(pids, "the drained tasks to exit");
      for (const x of live) for (const p of await taskPids(x.ID)) pids.add(p);
      await finishCluster(server.addr, dir, ["web"], agents, pids);
    } finally {
      await cleanupCluster(dir, agents, pids);
    }
  },
});
