/**
 * A client that loses contact and comes back, with real agent processes: one server with short
 * heartbeat timers and two clients. A job whose group says `disconnect { lost_after = "30s"
 * replace = true reconcile = "keep_original" }` runs on one client; that client's agent is
 * frozen (SIGSTOP) past its heartbeat TTL while its task keeps running. Its node becomes
 * `disconnected`, its allocation `unknown`, and a replacement runs on the other client. The
 * agent is thawed (SIGCONT) before `lost_after`: it reports its allocation running again, the
 * original is kept, the replacement stopped, and the task runs once.
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
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
  taskPids,
} from "./e2e_testing.ts";

// The replacement waits for the group's reschedule delay (30 s for services by default, the
// same as lost_after here): Nomad's shortest, 5 s, lets the test see it before lost_after.
const JOB = sleepJob("web", {
  job: `datacenters = ["dc1"]`,
  group: `disconnect {
      lost_after = "30s"
      replace    = true
      reconcile  = "keep_original"
    }
    reschedule {
      delay          = "5s"
      delay_function = "constant"
      unlimited      = true
    }`,
});

interface Alloc {
  ID: string;
  NodeID: string;
  ClientStatus: string;
  DesiredStatus: string;
  DesiredDescription: string;
}

interface NodeStub {
  ID: string;
  Status: string;
  HTTPAddr: string;
}

const allocs = (addr: string) => api<Alloc[]>(addr, "/v1/job/web/allocations");
const nodeStatus = async (addr: string, id: string) =>
  (await api<NodeStub>(addr, `/v1/node/${id}`)).Status;

/** The live task processes of the given allocations. */
async function livePids(ids: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (const id of ids) for (const p of await taskPids(id)) if (await alive(p)) out.push(p);
  return out;
}

Deno.test({
  name: "a frozen client disconnects, is replaced, comes back and keeps its allocation",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "disconnect_cluster_" });
    const [http, rpc, serf] = [freePort(), freePort(), freePort()];
    const common = `bind_addr = "127.0.0.1"\n` +
      `advertise {\n  http = "127.0.0.1"\n  rpc = "127.0.0.1"\n  serf = "127.0.0.1"\n}\n`;
    const serverCfg = join(dir, "server.hcl");
    await Deno.writeTextFile(
      serverCfg,
      `data_dir = "${dir}/server"\n${common}` +
        `server {\n  enabled = true\n  bootstrap_expect = 1\n  heartbeat_grace = "1s"\n` +
        `  min_heartbeat_ttl = "2s"\n}\n` +
        `ports {\n  http = ${http}\n  rpc = ${rpc}\n  serf = ${serf}\n}\n`,
    );
    const clientCfgs: string[] = [];
    for (const i of [1, 2]) {
      const path = join(dir, `client_${i}.hcl`);
      await Deno.writeTextFile(
        path,
        `data_dir = "${dir}/client_${i}"\n${common}` +
          `client {\n  enabled = true\n  servers = ["127.0.0.1:${rpc}"]\n}\n` +
          `ports {\n  http = ${freePort()}\n  rpc = ${freePort()}\n  serf = ${freePort()}\n}\n` +
          `plugin "raw_exec" {\n  config {\n    enabled = true\n  }\n}\n`,
      );
      clientCfgs.push(path);
    }
    const addr = `http://127.0.0.1:${http}`;
    const server = new AgentProcess([`-config=${serverCfg}`], ALL_PERMISSIONS);
    const clients = clientCfgs.map((c) => new AgentProcess([`-config=${c}`], ALL_PERMISSIONS));
    const pids = new Set<number>();
    let frozen: AgentProcess | null = null;
    try {
      await server.waitFor("==> Nomad agent started!");
      for (const c of clients) await c.waitFor("==> Nomad agent started!");
      const nodes = await eventually("two ready nodes", async () => {
        const n = await api<NodeStub[]>(addr, "/v1/nodes");
        return n.filter((x) => x.Status === "ready").length === 2 ? n : undefined;
      });

      await Deno.writeTextFile(join(dir, "web.nomad"), JOB);
      const run = await cli(addr, dir, "job", "run", "web.nomad");
      assertEquals(run.code, 0, run.stdout + run.stderr);
      assertStringIncludes(run.stdout, "Deployment");
      const [orig] = (await allocs(addr)).filter((a) => a.ClientStatus === "running");
      assert(orig !== undefined, "the job runs");
      const origPids = await taskPids(orig.ID);
      assert(origPids.length > 0, "the task runs");
      for (const p of origPids) pids.add(p);
      const origNode = orig.NodeID;
      const otherNode = nodes.find((n) => n.ID !== origNode)!.ID;
      // Which agent runs the allocation: the one whose HTTP port the node advertises.
      const full = await api<NodeStub>(addr, `/v1/node/${origNode}`);
      const index = await Promise.all(clientCfgs.map((c) => Deno.readTextFile(c))).then((t) =>
        t.findIndex((text) => text.includes(`http = ${full.HTTPAddr.split(":")[1]}`))
      );
      assert(index >= 0, `agent of ${full.HTTPAddr}`);

      // Freeze the agent past its TTL (2 s to 4 s, plus 1 s of grace); its task keeps running.
      const agent = clients[index]!;
      frozen = agent;
      const frozenAt = Date.now();
      agent.child.kill("SIGSTOP");
      await eventually(
        "the node to be disconnected",
        async () => await nodeStatus(addr, origNode) === "disconnected" ? true : undefined,
        20_000,
      );
      const replacement = await eventually(
        "the allocation unknown and a replacement running",
        async () => {
          const all = await allocs(addr);
          const o = all.find((a) => a.ID === orig.ID);
          const r = all.find((a) => a.NodeID === otherNode && a.ClientStatus === "running");
          return o?.ClientStatus === "unknown" && r !== undefined ? r : undefined;
        },
        20_000,
      );
      const replacedMs = Date.now() - frozenAt;
      for (const p of await taskPids(replacement.ID)) pids.add(p);
      assertEquals(await livePids([orig.ID]), origPids, "the frozen client's task still runs");

      const nodeStatusOut = await cli(addr, dir, "node", "status");
      assertMatch(nodeStatusOut.stdout, new RegExp(`${origNode.slice(0, 8)}.*disconnected`));
      const jobStatus = await cli(addr, dir, "job", "status", "web");
      assertMatch(
        jobStatus.stdout,
        /Task Group\s+Queued\s+Starting\s+Running\s+Failed\s+Complete\s+Lost\s+Unknown/,
      );
      assertMatch(jobStatus.stdout, /\ng\s+0\s+0\s+1\s+0\s+0\s+0\s+1\n/);
      assertMatch(jobStatus.stdout, new RegExp(`${orig.ID.slice(0, 8)}.*run\\s+unknown`));
      const allocStatus = await cli(addr, dir, "alloc", "status", orig.ID);
      assertMatch(allocStatus.stdout, /Client Status\s+=\s+unknown/);

      // Thaw it before lost_after: the original is kept, the replacement stopped.
      agent.child.kill("SIGCONT");
      frozen = null;
      const thawedAfterMs = Date.now() - frozenAt;
      assert(thawedAfterMs < 30_000, `thawed ${thawedAfterMs} ms after the freeze`);
      await eventually("the replacement stopped and the original running", async () => {
        const all = await allocs(addr);
        const o = all.find((a) => a.ID === orig.ID);
        const r = all.find((a) => a.ID === replacement.ID);
        return o?.ClientStatus === "running" && o.DesiredStatus === "run" &&
            r?.DesiredStatus === "stop"
          ? true
          : undefined;
      }, 30_000);
      const stopped = (await allocs(addr)).find((a) => a.ID === replacement.ID)!;
      assertEquals(
        stopped.DesiredDescription,
        "alloc not needed due to disconnected client reconnect",
      );
      await eventually(
        "the node ready again",
        async () => await nodeStatus(addr, origNode) === "ready" ? true : undefined,
        20_000,
      );
      await eventually(
        "the replacement's task to exit",
        async () => (await livePids([replacement.ID])).length === 0 ? true : undefined,
        30_000,
      );
      assertEquals(await livePids([orig.ID, replacement.ID]), origPids, "one task, the original");
      const events = await cli(addr, dir, "alloc", "status", orig.ID);
      assertMatch(events.stdout, /Reconnected\s+Client reconnected/);
      console.log(`replacement running ${replacedMs} ms after the freeze`);

      // Past lost_after, nothing changes: the reconnected original is not lost.
      await new Promise((r) => setTimeout(r, Math.max(0, 32_000 - (Date.now() - frozenAt))));
      const after = await allocs(addr);
      assertEquals(
        after.filter((a) => a.DesiredStatus === "run").map((a) => [a.ID, a.ClientStatus]),
        [[orig.ID, "running"]],
      );
      assertEquals(await livePids(after.map((a) => a.ID)), origPids, "no task runs twice");

      const stop = await cli(addr, dir, "job", "stop", "-detach", "web");
      assertEquals(stop.code, 0, stop.stdout + stop.stderr);
      await allExited(pids, "every task to exit", 30_000);
      for (const c of clients) assertEquals((await c.stop("SIGTERM")).code, 0, c.stderr);
      assertEquals((await server.stop("SIGTERM")).code, 0, server.stderr);
    } finally {
      if (frozen !== null) frozen.child.kill("SIGCONT");
      for (const c of clients) await c.cleanup();
      await server.cleanup();
      await killLeft(pids);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
