/**
 * End to end: `nomad-ts agent` as a real process (`deno run main.ts agent ...`, with the
 * permissions of the deno.json `nomad` task), driven over HTTP and by the CLI, stopped by its
 * process ID.
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { freePort, portsHcl, rawExecNode } from "../core/agent/run_testing.ts";
import { AgentProcess, api, cli } from "./e2e_testing.ts";

const JOB = `job "sleepy" {
  datacenters = ["dc1"]
  type        = "batch"
  group "g" {
    count = 2
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["1"]
      }
      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
`;

async function registerNodes(addr: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const node = rawExecNode(i);
    await api(addr, "/v1/internal/node/register", {
      method: "PUT",
      body: JSON.stringify({ Node: node }),
    });
    ids.push(node.ID);
  }
  return ids;
}

Deno.test({
  name:
    "agent -dev runs as a process: banner, API, job run/status/stop by the CLI, clean exit on SIGTERM",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "agent_e2e_" });
    const [port, rpc, serf] = [freePort(), freePort(), freePort()];
    await Deno.writeTextFile(join(dir, "ports.hcl"), portsHcl(port, rpc, serf));
    await Deno.writeTextFile(join(dir, "sleepy.nomad.hcl"), JOB);
    const agent = new AgentProcess(["-dev", `-config=${join(dir, "ports.hcl")}`]);
    try {
      await agent.waitFor("==> Nomad agent started! Log data will stream in below:");
      assert(
        agent.stdout.startsWith(
          `==> Loaded configuration from ${
            join(dir, "ports.hcl")
          }\n==> Starting Nomad agent...\n==> Nomad agent configuration:\n\n`,
        ),
        agent.stdout,
      );
      assertStringIncludes(
        agent.stdout,
        `            Bind Addrs: HTTP: [127.0.0.1:${port}]; RPC: 127.0.0.1:${rpc}; Serf: 127.0.0.1:${serf}\n`,
      );
      assertStringIncludes(agent.stdout, "             Log Level: DEBUG\n");
      const addr = `http://127.0.0.1:${port}`;
      const self = await api<{ config: { DevMode: boolean; Region: string } }>(
        addr,
        "/v1/agent/self",
      );
      assertEquals([self.config.DevMode, self.config.Region], [true, "global"]);
      assertEquals(await api(addr, "/v1/status/leader"), `127.0.0.1:${rpc}`);
      const nodes = await registerNodes(addr, 3);

      const run = await cli(addr, dir, "job", "run", "sleepy.nomad.hcl");
      assertEquals(run.code, 0, run.stdout + run.stderr);
      assertMatch(run.stdout, /Evaluation triggered by job "sleepy"/);
      assertEquals(
        run.stdout.match(/Allocation "[0-9a-f]{8}" created: node "[^"]+", group "g"/g)?.length,
        2,
        run.stdout,
      );
      assertMatch(run.stdout, /==> .*Evaluation "[0-9a-f]{8}" finished with status "complete"/);
      const allocs = await api<{ NodeID: string }[]>(addr, "/v1/job/sleepy/allocations");
      assertEquals(allocs.length, 2);
      // The dev agent's own client is a node too (placeable when it can read /proc).
      const own = (await api<{ stats: { client: { node_id: string } } }>(addr, "/v1/agent/self"))
        .stats.client.node_id;
      assert(allocs.every((a) => [...nodes, own].includes(a.NodeID)), JSON.stringify(allocs));

      const status = await cli(addr, dir, "job", "status", "sleepy");
      assertEquals(status.code, 0, status.stdout + status.stderr);
      assertMatch(status.stdout, /^ID {12}= sleepy$/m);
      assertMatch(status.stdout, /^Type {10}= batch$/m);
      assertStringIncludes(status.stdout, "\nAllocations\n");

      const stop = await cli(addr, dir, "job", "stop", "sleepy");
      assertEquals(stop.code, 0, stop.stdout + stop.stderr);
      assertMatch(stop.stdout, /Evaluation "[0-9a-f]{8}" finished with status "complete"/);
      const job = await api<{ Stop: boolean }>(addr, "/v1/job/sleepy");
      assertEquals(job.Stop, true);

      const exit = await agent.stop("SIGTERM");
      assertEquals(exit.code, 0, agent.stdout + agent.stderr);
      assertStringIncludes(
        agent.stdout,
        "==> Caught signal: terminated\n==> Gracefully shutting down agent...\n",
      );
      assertStringIncludes(agent.stdout, "[INFO]  agent: shutdown complete");
      // Deno warns once that request.signal follows the legacy abort behaviour, until deno.json
      // opts into "no-legacy-abort"; nothing else may reach stderr.
      assertEquals(agent.stderr.replace(/^Deno\.serve: request\.signal aborts .*\n/m, ""), "");
    } finally {
      await agent.cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "agent -server with a data_dir keeps jobs and allocations across SIGKILL and restart",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "agent_restart_" });
    const port = freePort();
    const config = join(dir, "nomad-local-config-server.hcl");
    // Seed 004's server configuration, with its own data_dir and HTTP port.
    await Deno.writeTextFile(
      config,
      `data_dir  = "${dir}/local-nomad-data"\n\nbind_addr = "127.0.0.1"\n\nserver {\n  enabled          = true\n` +
        `  bootstrap_expect = 1\n}\n\nadvertise {\n  http = "127.0.0.1"\n  rpc  = "127.0.0.1"\n  serf = "127.0.0.1"\n}\n\n` +
        portsHcl(port),
    );
    await Deno.writeTextFile(join(dir, "sleepy.nomad.hcl"), JOB);
    const addr = `http://127.0.0.1:${port}`;
    let agent = new AgentProcess(["-server", `-config=${config}`]);
    try {
      await agent.waitFor("==> Nomad agent started!");
      assertStringIncludes(agent.stdout, "                Client: false\n");
      assertStringIncludes(
        agent.stderr,
        "==> WARNING: Bootstrap mode enabled! Potentially unsafe operation.",
      );
      const nodeId = /Node Id: ([0-9a-f-]{36})/.exec(agent.stdout)?.[1];
      assert(nodeId, agent.stdout);
      await registerNodes(addr, 2);
      const run = await cli(addr, dir, "job", "run", "sleepy.nomad.hcl");
      assertEquals(run.code, 0, run.stdout + run.stderr);
      const before = (await api<{ ID: string }[]>(addr, "/v1/job/sleepy/allocations")).map((a) =>
        a.ID
      ).sort();
      assertEquals(before.length, 2);

      const killed = await agent.stop("SIGKILL");
      assertEquals(killed.signal, "SIGKILL");

      agent = new AgentProcess(["-server", `-config=${config}`]);
      await agent.waitFor("==> Nomad agent started!");
      assertStringIncludes(agent.stdout, `Node Id: ${nodeId}`);
      const job = await api<{ ID: string; Status: string }>(addr, "/v1/job/sleepy");
      assertEquals(job.ID, "sleepy");
      const after = (await api<{ ID: string }[]>(addr, "/v1/job/sleepy/allocations")).map((a) =>
        a.ID
      ).sort();
      assertEquals(after, before);
      const exit = await agent.stop("SIGINT");
      assertEquals(exit.code, 0, agent.stdout + agent.stderr);
    } finally {
      await agent.cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
