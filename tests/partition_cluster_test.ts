/**
 * A network partition between a client and its server, longer than the heartbeat TTL, then
 * healed: the client agent (alive throughout) reaches the server through a TCP proxy the test
 * cuts (drops its connections and refuses new ones). Its node goes down, its allocation is lost and replaced on the other client; when the
 * link returns the client learns its allocation was stopped and kills the task, so no task of
 * the job runs twice.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { alive, api, cli, eventually, taskPids } from "./e2e_testing.ts";
import {
  cleanupCluster,
  type ClusterAgent,
  finishCluster,
  readyNodes,
  sleepJob,
  startClusterClient,
  startClusterServer,
} from "./cluster_testing.ts";
import { TcpProxy } from "../core/state/etcd/tcp_proxy_testing.ts";

const JOB = sleepJob("web");

interface Alloc {
  ID: string;
  NodeID: string;
  ClientStatus: string;
  DesiredStatus: string;
}

Deno.test({
  name: "a client cut off past its TTL and healed: its allocation replaced, its task stopped",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "partition_cluster_" });
    const agents: ClusterAgent[] = [];
    const pids = new Set<number>();
    let proxy: TcpProxy | null = null;
    try {
      const server = await startClusterServer(dir);
      agents.push(server);
      proxy = new TcpProxy(`http://${server.rpc}`);
      agents.push(await startClusterClient(dir, "a", new URL(proxy.url).host));
      const a = (await readyNodes(server.addr, 1)).get("a")!;
      await Deno.writeTextFile(join(dir, "web.nomad"), JOB);
      const run = await cli(server.addr, dir, "job", "run", "-detach", "web.nomad");
      assertEquals(run.code, 0, run.stdout + run.stderr);
      const original = await eventually("the allocation to run on a", async () => {
        const all = await api<Alloc[]>(server.addr, "/v1/job/web/allocations");
        return all[0]?.ClientStatus === "running" ? all[0] : undefined;
      });
      assertEquals(original.NodeID, a);
      const originalPids = await taskPids(original.ID);
      originalPids.forEach((p) => pids.add(p));
      agents.push(await startClusterClient(dir, "b", server.rpc));
      const b = (await readyNodes(server.addr, 2)).get("b")!;

      proxy.drop(true);
      const replacement = await eventually("a replacement running on b", async () => {
        const all = await api<Alloc[]>(server.addr, "/v1/job/web/allocations");
        const lost = all.find((x) => x.ID === original.ID)?.ClientStatus === "lost";
        const next = all.find((x) => x.ID !== original.ID && x.ClientStatus === "running");
        return lost && next?.NodeID === b ? next : undefined;
      }, 30_000);
      (await taskPids(replacement.ID)).forEach((p) => pids.add(p));
      for (const p of originalPids) {
        assertEquals(await alive(p), true, "the cut-off client's task still runs meanwhile");
      }

      proxy.unblock();
      await eventually("a to be ready again", async () => {
        const n = await api<{ Status: string }>(server.addr, `/v1/node/${a}`);
        return n.Status === "ready" ? true : undefined;
      }, 30_000);
      await eventually("the original task to be stopped", async () => {
        for (const p of originalPids) if (await alive(p)) return undefined;
        return true;
      }, 30_000);
      const all = await api<Alloc[]>(server.addr, "/v1/job/web/allocations");
      const running = all.filter((x) => x.ClientStatus === "running");
      assertEquals(running.map((x) => x.ID), [replacement.ID], "one allocation runs");
      let live = 0;
      for (const x of all) {
        for (const p of await taskPids(x.ID)) if (await alive(p)) live++;
      }
      assertEquals(live, (await taskPids(replacement.ID)).length, "only the replacement's tasks");

      await finishCluster(server.addr, dir, ["web"], agents, pids);
    } finally {
      await proxy?.close();
      await cleanupCluster(dir, agents, pids);
    }
  },
});
