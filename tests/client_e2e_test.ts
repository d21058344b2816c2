/**
 * End to end with real clients: `agent -dev` (server and client in one process) and a
 * client-only agent next to a server agent, each a `deno run main.ts agent` process with all
 * permissions (a client reads /proc), driven by the CLI and the API, tasks checked by their
 * process IDs, every process stopped by its ID and every wait bounded.
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
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

const JOB = `job "hello" {
  datacenters = ["dc1"]
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo hello; sleep 600"]
      }
      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
`;

interface NodeStub {
  ID: string;
  Status: string;
  Drivers: Record<string, { Healthy: boolean }> | null;
}

/** Waits for one ready node with a healthy raw_exec driver; answers its ID. */
function readyRawExecNode(addr: string): Promise<string> {
  return eventually("the client's node to be ready with raw_exec", async () => {
    const nodes = await api<NodeStub[]>(addr, "/v1/nodes");
    const n = nodes.find((n) => n.Status === "ready" && n.Drivers?.raw_exec?.Healthy);
    return n?.ID;
  });
}

/** Runs the job detached and waits for its allocation to run; answers the allocation ID. */
async function runHello(addr: string, dir: string): Promise<string> {
  const run = await cli(addr, dir, "job", "run", "-detach", "hello.nomad.hcl");
  assertEquals(run.code, 0, run.stdout + run.stderr);
  return await eventually("the allocation to run", async () => {
    const allocs = await api<{ ID: string; ClientStatus: string }[]>(
      addr,
      "/v1/job/hello/allocations",
    );
    return allocs.find((a) => a.ClientStatus === "running")?.ID;
  });
}

/** Stops the job and waits until every process of the allocation is gone. */
async function stopHello(addr: string, dir: string, pids: number[]): Promise<void> {
  const stop = await cli(addr, dir, "job", "stop", "-detach", "hello");
  assertEquals(stop.code, 0, stop.stdout + stop.stderr);
  await eventually("the task's processes to exit", async () => {
    for (const pid of pids) if (await alive(pid)) return undefined;
    return true;
  });
}

Deno.test({
  name: "agent -dev runs a raw_exec job: logs, fs, node status -self, job stop kills the task",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "client_e2e_" });
    const port = freePort();
    await Deno.writeTextFile(join(dir, "ports.hcl"), portsHcl(port));
    await Deno.writeTextFile(join(dir, "hello.nomad.hcl"), JOB);
    const agent = new AgentProcess(["-dev", `-config=${join(dir, "ports.hcl")}`], ALL_PERMISSIONS);
    let pids: number[] = [];
    try {
      await agent.waitFor("==> Nomad agent started! Log data will stream in below:");
      assertStringIncludes(agent.stdout, "                Client: true\n");
      const bannerId = /Node Id: ([0-9a-f-]{36})/.exec(agent.stdout)?.[1];
      const addr = `http://127.0.0.1:${port}`;
      const nodeId = await readyRawExecNode(addr);
      assertEquals(nodeId, bannerId);
      const self = await api<{ stats: { client: { node_id: string } } }>(addr, "/v1/agent/self");
      assertEquals(self.stats.client.node_id, nodeId);
      const status = await cli(addr, dir, "node", "status", "-self");
      assertEquals(status.code, 0, status.stdout + status.stderr);
      assertMatch(status.stdout, new RegExp(`^ID +=  ?${nodeId}$`, "m"));

      const allocId = await runHello(addr, dir);
      pids = await eventually("the task's processes", async () => {
        const found = await taskPids(allocId);
        return found.length > 0 ? found : undefined;
      });
      const logs = await eventually("hello in the task's log", async () => {
        const out = await cli(addr, dir, "alloc", "logs", allocId);
        return out.stdout.includes("hello") ? out : undefined;
      });
      assertEquals([logs.code, logs.stdout], [0, "hello\n"]);
      const fs = await cli(addr, dir, "alloc", "fs", allocId);
      assertEquals(fs.code, 0, fs.stdout + fs.stderr);
      assertMatch(fs.stdout, /alloc\/\n/);
      assertMatch(fs.stdout, /t\/\n/);
      const logDir = await cli(addr, dir, "alloc", "fs", allocId, "alloc/logs");
      assertMatch(logDir.stdout, /t\.stdout\.0\n/);

      await stopHello(addr, dir, pids);
      const exit = await agent.stop("SIGTERM");
      assertEquals(exit.code, 0, agent.stdout + agent.stderr);
      assertStringIncludes(agent.stdout, "[INFO]  agent: shutdown complete");
    } finally {
      for (const pid of pids) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch { /* gone */ }
      }
      await agent.cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a client-only agent registers with a server agent, both serve its task's logs, and its restart keeps the task",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "client_e2e_" });
    const serverPort = freePort();
    const serverRpc = freePort();
    const clientPort = freePort();
    const common =
      `bind_addr = "127.0.0.1"\nadvertise {\n  http = "127.0.0.1"\n  rpc  = "127.0.0.1"\n` +
      `  serf = "127.0.0.1"\n}\n`;
    await Deno.writeTextFile(
      join(dir, "server.hcl"),
      `data_dir = "${dir}/server-data"\n${common}server {\n  enabled          = true\n` +
        `  bootstrap_expect = 1\n}\nports {\n  http = ${serverPort}\n  rpc  = ${serverRpc}\n` +
        `  serf = ${freePort()}\n}\n`,
    );
    // Seed 004's client configuration: the server's RPC address as its server.
    await Deno.writeTextFile(
      join(dir, "client.hcl"),
      `data_dir = "${dir}/client-data"\n${common}client {\n  enabled = true\n` +
        `  servers = ["127.0.0.1:${serverRpc}"]\n}\nplugin "raw_exec" {\n  config {\n` +
        `    enabled = true\n  }\n}\n${portsHcl(clientPort)}`,
    );
    await Deno.writeTextFile(join(dir, "hello.nomad.hcl"), JOB);
    const server = new AgentProcess(["-config", join(dir, "server.hcl")], ALL_PERMISSIONS);
    let client = new AgentProcess(["-config", join(dir, "client.hcl")], ALL_PERMISSIONS);
    let pids: number[] = [];
    try {
      await server.waitFor("==> Nomad agent started!");
      await client.waitFor("==> Nomad agent started!");
      assertStringIncludes(client.stdout, "                Server: false\n");
      const serverAddr = `http://127.0.0.1:${serverPort}`;
      const clientAddr = `http://127.0.0.1:${clientPort}`;
      const nodeId = await readyRawExecNode(serverAddr);
      assertStringIncludes(client.stdout, `Node Id: ${nodeId}`);
      // The client agent forwards server requests: the job is registered through it.
      const allocId = await runHello(clientAddr, dir);
      pids = await eventually("the task's processes", async () => {
        const found = await taskPids(allocId);
        return found.length > 0 ? found : undefined;
      });
      for (const addr of [clientAddr, serverAddr]) {
        const logs = await eventually(`hello in the log through ${addr}`, async () => {
          const out = await cli(addr, dir, "alloc", "logs", allocId);
          return out.stdout.includes("hello") ? out : undefined;
        });
        assertEquals(logs.stdout, "hello\n");
      }
      const plain = await fetch(
        `${serverAddr}/v1/client/fs/logs/${allocId}?task=t&type=stdout&plain=true`,
      );
      assertEquals([plain.status, await plain.text()], [200, "hello\n"]);
      assertStringIncludes(server.stdout, `rpc: listening: address=127.0.0.1:${serverRpc}`);

      // The client agent stops without stopping its task; the next one on its data_dir
      // takes the task over, and stopping the job then kills it.
      assertEquals((await client.stop("SIGTERM")).code, 0, client.stdout + client.stderr);
      for (const pid of pids) assert(await alive(pid), `task process ${pid} died with the agent`);
      client = new AgentProcess(["-config", join(dir, "client.hcl")], ALL_PERMISSIONS);
      await client.waitFor("==> Nomad agent started!");
      assertStringIncludes(client.stdout, `Node Id: ${nodeId}`);
      await eventually("the restarted client to serve the log", async () => {
        const res = await fetch(
          `${clientAddr}/v1/client/fs/logs/${allocId}?task=t&type=stdout&plain=true`,
        );
        const text = await res.text();
        return res.status === 200 && text === "hello\n" ? true : undefined;
      });
      await stopHello(serverAddr, dir, pids);
      assertEquals((await client.stop("SIGTERM")).code, 0, client.stdout + client.stderr);
      assertEquals((await server.stop("SIGTERM")).code, 0, server.stdout + server.stderr);
    } finally {
      for (const pid of pids) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch { /* gone */ }
      }
      await client.cleanup();
      await server.cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
