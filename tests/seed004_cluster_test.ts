/**
 * Seed 004's cluster: one server and three clients, four agent processes started from the
 * seed's own configuration files (tests/fixtures/seeds/004_*.hcl) with only their paths and
 * ports changed (so the test can run next to other agents), plus a second file giving the
 * server short heartbeat timers. The clients reach the server at its RPC port.
 *
 * A job of count 3 with `distinct_hosts` lands on the three clients, a system job on every
 * node, a one-allocation job on the third client (by affinity). `kill -9` of the third client:
 * its node goes down after the heartbeat TTL, its allocations are lost, the one-allocation job
 * is replaced on another node, the `distinct_hosts` replacement waits (no node is left for
 * it). The third client starts again from its data_dir: it rejoins as the same node, the
 * system job and the waiting replacement are placed on it, and the lost allocations' tasks are
 * stopped, so nothing runs twice.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { freePort } from "../core/agent/run_testing.ts";
import { sleepJob } from "./cluster_testing.ts";
import {
  AgentProcess,
  alive,
  ALL_PERMISSIONS,
  allExited,
  api,
  cli,
  eventually,
  killLeft,
  ROOT,
  taskPids,
} from "./e2e_testing.ts";

const FIXTURES = join(ROOT, "tests/fixtures/seeds");

/** Seed 004's configuration `name`, with its data_dir under `dir` and its ports remapped. */
async function seedConfig(name: string, dir: string, ports: Map<number, number>) {
  let text = await Deno.readTextFile(join(FIXTURES, `${name}.hcl`));
  text = text.replaceAll("/home/user/nomad-workshop", dir);
  text = text.replace(/\b(4646|4647|4648|56[4-6]\d)\b/g, (p) => String(ports.get(Number(p)) ?? p));
  const path = join(dir, `${name}.hcl`);
  await Deno.writeTextFile(path, text);
  return path;
}

interface Alloc {
  ID: string;
  NodeID: string;
  ClientStatus: string;
  DesiredStatus: string;
}

interface NodeStub {
  ID: string;
  Status: string;
  HTTPAddr: string;
}

const allocs = (addr: string, job: string) => api<Alloc[]>(addr, `/v1/job/${job}/allocations`);
const running = async (addr: string, job: string) =>
  (await allocs(addr, job)).filter((a) => a.ClientStatus === "running");

Deno.test({
  name: "seed 004 cluster: one server, three clients; a client killed and restarted",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "seed004_cluster_" });
    // Seed 004's ports (the server's defaults and each client's three) to free ones.
    const ports = new Map<number, number>();
    for (const p of [4646, 4647, 4648]) ports.set(p, freePort());
    for (let p = 5641; p <= 5649; p++) ports.set(p, freePort());
    const serverCfg = await seedConfig("004_server", dir, ports);
    const timers = join(dir, "timers.hcl");
    await Deno.writeTextFile(
      timers,
      `server {\n  heartbeat_grace   = "1s"\n  min_heartbeat_ttl = "2s"\n}\n` +
        `ports {\n  http = ${ports.get(4646)}\n  rpc  = ${ports.get(4647)}\n  serf = ${
          ports.get(4648)
        }\n}\n`,
    );
    const clientCfgs: string[] = [];
    for (const i of [1, 2, 3]) {
      const path = await seedConfig(`004_client_${i}`, dir, ports);
      // The seed leaves raw_exec off; these jobs need it.
      await Deno.writeTextFile(
        path,
        `${await Deno.readTextFile(
          path,
        )}\nplugin "raw_exec" {\n  config {\n    enabled = true\n  }\n}\n`,
      );
      clientCfgs.push(path);
    }
    const addr = `http://127.0.0.1:${ports.get(4646)}`;
    const server = new AgentProcess([`-config=${serverCfg}`, `-config=${timers}`], ALL_PERMISSIONS);
    const clients = clientCfgs.map((c) => new AgentProcess([`-config=${c}`], ALL_PERMISSIONS));
    const pids = new Set<number>();
    try {
      await server.waitFor("==> Nomad agent started!");
      for (const c of clients) await c.waitFor("==> Nomad agent started!");
      const nodes = await eventually("three ready nodes", async () => {
        const n = await api<NodeStub[]>(addr, "/v1/nodes");
        return n.filter((x) => x.Status === "ready").length === 3 ? n : undefined;
      });
      const full = await Promise.all(nodes.map((n) => api<NodeStub>(addr, `/v1/node/${n.ID}`)));
      const third = full.find((n) => n.HTTPAddr === `127.0.0.1:${ports.get(5647)}`)!;
      assert(third, JSON.stringify(full.map((n) => n.HTTPAddr)));
      const members = await cli(addr, dir, "server", "members");
      const serf = ports.get(4648);
      assert(
        new RegExp(`127\\.0\\.0\\.1\\s+${serf}\\s+alive\\s+true`).test(members.stdout),
        members.stdout,
      );
      const status = await cli(addr, dir, "node", "status");
      assertEquals(status.stdout.trim().split("\n").length, 4, status.stdout);

      const dc1 = `datacenters = ["dc1"]`;
      const jobs: Record<string, string> = {
        cache: sleepJob("cache", {
          job: `${dc1}\n  constraint {\n    operator = "distinct_hosts"\n    value = "true"\n  }`,
          group: "count = 3",
        }),
        sys: sleepJob("sys", { type: "system", job: dc1 }),
        web: sleepJob("web", {
          job:
            `${dc1}\n  affinity {\n    attribute = "\${node.unique.id}"\n    value     = "${third.ID}"\n    weight    = 100\n  }`,
        }),
      };
      for (const [name, hcl] of Object.entries(jobs)) {
        await Deno.writeTextFile(join(dir, `${name}.nomad`), hcl);
        const run = await cli(addr, dir, "job", "run", "-detach", `${name}.nomad`);
        assertEquals(run.code, 0, run.stdout + run.stderr);
      }
      await eventually("cache on three nodes, sys on every node, web on the third", async () => {
        const cache = await running(addr, "cache");
        const sys = await running(addr, "sys");
        const web = await running(addr, "web");
        return new Set(cache.map((a) => a.NodeID)).size === 3 &&
            new Set(sys.map((a) => a.NodeID)).size === 3 && web[0]?.NodeID === third.ID
          ? true
          : undefined;
      });
      const lostOnes = [
        ...(await running(addr, "cache")),
        ...(await running(addr, "sys")),
        ...(await running(addr, "web")),
      ].filter((a) => a.NodeID === third.ID);
      assertEquals(lostOnes.length, 3);
      for (const a of lostOnes) for (const p of await taskPids(a.ID)) pids.add(p);

      // kill -9 the third client: its tasks keep running, its node stops heartbeating.
      const killedAt = Date.now();
      clients[2]!.child.kill("SIGKILL");
      await clients[2]!.cleanup();
      await eventually("the third node to be down", async () => {
        const n = await api<NodeStub>(addr, `/v1/node/${third.ID}`);
        return n.Status === "down" ? true : undefined;
      }, 30_000);
      const replaced = await eventually("web to run on another node", async () => {
        const web = await running(addr, "web");
        return web.length === 1 && web[0]!.NodeID !== third.ID ? web[0] : undefined;
      }, 30_000);
      const replacedMs = Date.now() - killedAt;
      for (const p of await taskPids(replaced.ID)) pids.add(p);
      for (const a of lostOnes) {
        const now = await api<Alloc>(addr, `/v1/allocation/${a.ID}`);
        assertEquals(now.ClientStatus, "lost", `${a.ID} is lost`);
      }
      assertEquals((await running(addr, "cache")).length, 2, "no node is left for distinct_hosts");
      console.log(
        `web replaced ${replacedMs} ms after the client was killed (TTL 2 s + 1 s grace)`,
      );

      // The third client comes back from its data_dir as the same node.
      clients[2] = new AgentProcess([`-config=${clientCfgs[2]}`], ALL_PERMISSIONS);
      await clients[2].waitFor("==> Nomad agent started!");
      await eventually("the third node ready again with cache and sys placed on it", async () => {
        const n = await api<NodeStub>(addr, `/v1/node/${third.ID}`);
        const cache = await running(addr, "cache");
        const sys = await running(addr, "sys");
        return n.Status === "ready" && new Set(cache.map((a) => a.NodeID)).size === 3 &&
            cache.length === 3 && sys.length === 3 && sys.some((a) => a.NodeID === third.ID)
          ? true
          : undefined;
      }, 30_000);
      await eventually("the lost allocations' tasks to be stopped", async () => {
        for (const a of lostOnes) {
          for (const p of await taskPids(a.ID)) if (await alive(p)) return undefined;
        }
        return true;
      }, 30_000);
      for (const job of ["cache", "sys", "web"]) {
        for (const a of await running(addr, job)) for (const p of await taskPids(a.ID)) pids.add(p);
        const stop = await cli(addr, dir, "job", "stop", "-detach", job);
        assertEquals(stop.code, 0, stop.stdout + stop.stderr);
      }
      await allExited(pids, "every task to exit", 30_000);
      for (const c of clients) assertEquals((await c.stop("SIGTERM")).code, 0, c.stderr);
      assertEquals((await server.stop("SIGTERM")).code, 0, server.stderr);
    } finally {
      for (const c of clients) await c.cleanup();
      await server.cleanup();
      await killLeft(pids);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
