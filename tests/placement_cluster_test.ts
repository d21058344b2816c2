/**
 * Placement across the nodes of a real cluster (a server and four client agents that differ
 * in datacenter, node class, node pool and `meta.rack`): `spread`, `affinity`,
 * `distinct_property`, a `node.class` constraint, node pools and datacenters each put their
 * allocations where Nomad would; a system job runs once on each node of its pool, stays on a
 * node marked ineligible (as in Nomad) and leaves it when the node is drained.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { api, cli, eventually, taskPids } from "./e2e_testing.ts";
import {
  cleanupCluster,
  type ClusterAgent,
  finishCluster,
  readyNodes,
  sleepJob,
  startClusterClient,
  startClusterServer,
} from "./cluster_testing.ts";

const job = (name: string, body: string, group = "", type = "service") =>
  sleepJob(name, { job: body, group, type });

interface Alloc {
  ID: string;
  NodeID: string;
  ClientStatus: string;
  DesiredStatus: string;
}

Deno.test({
  name:
    "spread, affinity, distinct_property, node class, node pools and datacenters on four clients",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "placement_cluster_" });
    const agents: ClusterAgent[] = [];
    const pids = new Set<number>();
    try {
      const server = await startClusterServer(dir);
      agents.push(server);
      const clients = {
        c1: { client: `  node_class = "web"`, meta: { rack: "r1" } },
        c2: { client: `  node_class = "web"`, meta: { rack: "r2" } },
        c3: { top: `datacenter = "dc2"`, client: `  node_class = "batch"`, meta: { rack: "r1" } },
        c4: {
          top: `datacenter = "dc2"`,
          client: `  node_class = "batch"\n  node_pool  = "gpu"`,
          meta: { rack: "r2" },
        },
      };
      for (const [name, settings] of Object.entries(clients)) {
        agents.push(await startClusterClient(dir, name, server.rpc, settings));
      }
      const ids = await readyNodes(server.addr, 4);
      const nameOf = new Map([...ids].map(([name, id]) => [id, name]));
      const run = async (name: string, hcl: string) => {
        await Deno.writeTextFile(join(dir, `${name}.nomad`), hcl);
        const out = await cli(server.addr, dir, "job", "run", "-detach", `${name}.nomad`);
        assertEquals(out.code, 0, out.stdout + out.stderr);
      };
      /** The node names of the job's running allocations, sorted, once `n` run. */
      const placed = (name: string, n: number) =>
        eventually(`${n} running allocations of ${name}`, async () => {
          const all = await api<Alloc[]>(server.addr, `/v1/job/${name}/allocations`);
          const running = all.filter((a) =>
            a.ClientStatus === "running" && a.DesiredStatus === "run"
          );
          if (running.length !== n) return undefined;
          for (const a of running) (await taskPids(a.ID)).forEach((p) => pids.add(p));
          return running.map((a) => nameOf.get(a.NodeID)!).sort();
        });

      await run(
        "spread",
        job(
          "spread",
          `datacenters = ["dc1", "dc2"]`,
          `count = 4\n    spread {\n      attribute = "\${node.datacenter}"\n    }`,
        ),
      );
      // The default pool has two nodes in dc1 and one in dc2: two allocations per datacenter.
      const spread = await placed("spread", 4);
      assertEquals(spread.filter((n) => n === "c3").length, 2, spread.join(","));

      await run(
        "affine",
        job(
          "affine",
          `datacenters = ["dc1"]`,
          `affinity {\n      attribute = "\${meta.rack}"\n      value     = "r2"\n      weight    = 100\n    }`,
        ),
      );
      assertEquals(await placed("affine", 1), ["c2"]);

      await run(
        "racks",
        job(
          "racks",
          `datacenters = ["*"]`,
          `count = 3\n    constraint {\n      operator  = "distinct_property"\n      attribute = "\${meta.rack}"\n    }`,
        ),
      );
      // Two racks in the default pool: the third allocation finds no node.
      const racks = await placed("racks", 2);
      const rackOf = (n: string) => clients[n as keyof typeof clients].meta.rack;
      assertEquals(new Set(racks.map(rackOf)).size, 2, racks.join(","));
      const summary = await api<{ Summary: { g: { Queued: number } } }>(
        server.addr,
        "/v1/job/racks/summary",
      );
      assertEquals(summary.Summary.g.Queued, 1);

      await run(
        "classy",
        job(
          "classy",
          `datacenters = ["*"]`,
          `constraint {\n      attribute = "\${node.class}"\n      value     = "batch"\n    }`,
        ),
      );
      assertEquals(await placed("classy", 1), ["c3"]);

      await run("pooled", job("pooled", `datacenters = ["*"]\n  node_pool = "gpu"`));
      assertEquals(await placed("pooled", 1), ["c4"]);

      await run("dc2", job("dc2", `datacenters = ["dc2"]`));
      assertEquals(await placed("dc2", 1), ["c3"]);

      await run("sys", job("sys", `datacenters = ["*"]`, "", "system"));
      assertEquals(await placed("sys", 3), ["c1", "c2", "c3"]);
      const elig = await cli(server.addr, dir, "node", "status");
      assertEquals(elig.code, 0, elig.stderr);
      await api(server.addr, `/v1/node/${ids.get("c2")}/eligibility`, {
        method: "PUT",
        body: JSON.stringify({ Eligibility: "ineligible" }),
      });
      await new Promise((r) => setTimeout(r, 500));
      assertEquals(await placed("sys", 3), ["c1", "c2", "c3"], "ineligible c2 keeps its alloc");
      // Nomad leaves running system allocations on an ineligible node; a drain removes them
      // once the node's other allocations have moved (racks' could not: no other r2 rack).
      const racksStop = await cli(server.addr, dir, "job", "stop", "-detach", "racks");
      assertEquals(racksStop.code, 0, racksStop.stderr);
      await api(server.addr, `/v1/node/${ids.get("c2")}/drain`, {
        method: "PUT",
        body: JSON.stringify({ DrainSpec: { Deadline: 60e9, IgnoreSystemJobs: false } }),
      });
      assertEquals(await placed("sys", 2), ["c1", "c3"]);

      await finishCluster(
        server.addr,
        dir,
        ["spread", "affine", "classy", "pooled", "dc2", "sys"],
        agents,
        pids,
      );
    } finally {
      await cleanupCluster(dir, agents, pids);
    }
  },
});
