import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "../../tests/assert.ts";
import { parseJob } from "../jobspec/mod.ts";
import { freePort, portsHcl, rawExecNode, startAgent } from "./run_testing.ts";

const RAW_EXEC_JOB = `job "sleepy" {
  datacenters = ["dc1"]
  type        = "batch"
  group "g" {
    count = 3
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

async function portConfig(
  dir: string,
  port: number,
  rpc = freePort(),
  serf = freePort(),
): Promise<string> {
  const path = join(dir, "ports.hcl");
  await Deno.writeTextFile(path, portsHcl(port, rpc, serf));
  return path;
}

async function api(base: string, path: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

Deno.test("runAgent() -dev prints Nomad's banner, serves the API, schedules and stops on SIGINT", async () => {
  const dir = await Deno.makeTempDir({ prefix: "agent_run_" });
  try {
    const [port, rpc, serf] = [freePort(), freePort(), freePort()];
    const cfg = await portConfig(dir, port, rpc, serf);
    const run = startAgent({ dev: true, "log-level": "INFO", config: [cfg] });
    const agent = await run.started;
    assert(agent, run.ui.stderr.join("\n"));
    const out = run.ui.stdout;
    assertEquals(out.slice(0, 5), [
      `==> Loaded configuration from ${cfg}`,
      "==> Starting Nomad agent...",
      "==> Nomad agent configuration:",
      "",
      `       Advertise Addrs: HTTP: 127.0.0.1:${port}; RPC: 127.0.0.1:${rpc}; Serf: 127.0.0.1:${serf}`,
    ]);
    assertEquals(
      out[5],
      `            Bind Addrs: HTTP: [127.0.0.1:${port}]; RPC: 127.0.0.1:${rpc}; Serf: 127.0.0.1:${serf}`,
    );
    assertEquals(out[6], "                Client: true");
    assertEquals(out[7], "             Log Level: INFO");
    assertEquals(out[8], `               Node Id: ${agent.client?.nodeId}`);
    assertEquals(out.slice(9, 15), [
      "                Region: global (DC: dc1)",
      "                Server: true",
      "               Version: 0.1.0",
      "",
      "==> Nomad agent started! Log data will stream in below:",
      "",
    ]);

    const base = `http://127.0.0.1:${port}`;
    const self = await api(base, "/v1/agent/self") as {
      config: Record<string, unknown>;
      member: { Name: string };
    };
    assertEquals([
      self.config.Region,
      self.config.DevMode,
      (self.config.Ports as { HTTP: number }).HTTP,
    ], [
      "global",
      true,
      port,
    ]);
    assertEquals(await api(base, "/v1/status/leader"), `127.0.0.1:${rpc}`);
    assertEquals(await api(`http://127.0.0.1:${rpc}`, "/v1/status/leader"), `127.0.0.1:${rpc}`);

    for (let i = 0; i < 3; i++) {
      await api(base, "/v1/internal/node/register", {
        method: "PUT",
        body: JSON.stringify({ Node: rawExecNode(i) }),
      });
    }
    const job = await parseJob(RAW_EXEC_JOB, { path: "sleepy.nomad.hcl" });
    const reg = await api(base, "/v1/jobs", {
      method: "PUT",
      body: JSON.stringify({ Job: job }),
    }) as { EvalID: string };
    let status = "";
    for (let i = 0; i < 100 && status !== "complete"; i++) {
      status = (await api(base, `/v1/evaluation/${reg.EvalID}`) as { Status: string }).Status;
      if (status !== "complete") await new Promise((r) => setTimeout(r, 50));
    }
    assertEquals(status, "complete");
    const allocs = await api(base, "/v1/job/sleepy/allocations") as { NodeID: string }[];
    assertEquals(allocs.length, 3);

    run.signals.send("SIGINT");
    assertEquals(await run.exit, 0);
    assertEquals(out.filter((l) => l.startsWith("==>")).slice(-2), [
      "==> Caught signal: interrupt",
      "==> Gracefully shutting down agent...",
    ]);
    assert(out.some((l) => l.includes("[INFO]  agent: shutdown complete")), out.join("\n"));
    await assertRefused(base);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function assertRefused(base: string): Promise<void> {
  try {
    const res = await fetch(`${base}/v1/status/leader`);
    await res.body?.cancel();
  } catch {
    return;
  }
  throw new Error(`${base} still answers after shutdown`);
}

Deno.test("runAgent() stops with exit 1 and Nomad's message when no mode is given", async () => {
  const run = startAgent({});
  assertEquals(await run.exit, 1);
  assertEquals(run.ui.stderr, [
    "==> Must specify either server, client or dev mode for the agent.",
  ]);
  assertEquals(run.ui.stdout, []);
});

Deno.test("runAgent() names the file and place of a configuration error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "agent_run_" });
  try {
    const path = join(dir, "bad.hcl");
    await Deno.writeTextFile(path, "server {\n  enabeld = true\n}\n");
    const run = startAgent({ dev: true, config: [path] });
    assertEquals(await run.exit, 1);
    assertEquals(run.ui.stderr, [
      `==> Error loading configuration from ${path}: ${path}:2:3: unexpected key "enabeld" in the server block; did you mean "enabled"?`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runAgent() reports a port in use as an error starting the agent", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "agent_run_" });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    const run = startAgent({ dev: true, config: [await portConfig(dir, port)] });
    assertEquals(await run.exit, 1);
    assertEquals(run.ui.stderr.length, 1);
    assertStringIncludes(
      run.ui.stderr[0]!,
      `==> Error starting agent: listen tcp 127.0.0.1:${port}: `,
    );
  } finally {
    taken.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runAgent() runs a client-only agent that serves its HTTP API, and stops on SIGTERM", async () => {
  const dir = await Deno.makeTempDir({ prefix: "agent_run_" });
  try {
    const path = join(dir, "client.hcl");
    const port = freePort();
    // No server listens at the client's server address: the client keeps trying in the
    // background while its own API answers.
    await Deno.writeTextFile(
      path,
      `data_dir = "${dir}"\nbind_addr = "127.0.0.1"\nclient {\n  enabled = true\n  servers = ["127.0.0.1:${freePort()}"]\n}\n` +
        `advertise {\n  http = "127.0.0.1"\n  rpc = "127.0.0.1"\n  serf = "127.0.0.1"\n}\n${
          portsHcl(port)
        }`,
    );
    const run = startAgent({ config: [path] });
    const agent = await run.started;
    assert(agent, run.ui.stderr.join("\n"));
    assertEquals([agent.server, agent.httpAddrs], [null, [`127.0.0.1:${port}`]]);
    const out = run.ui.stdout;
    assert(out.includes("                Client: true"), out.join("\n"));
    assert(out.includes("                Server: false"), out.join("\n"));
    assert(out.includes(`               Node Id: ${agent.client?.nodeId}`), out.join("\n"));
    const self = await api(`http://127.0.0.1:${port}`, "/v1/agent/self") as {
      stats: { client: { node_id: string } };
      member: { Name: string };
    };
    assertEquals([self.stats.client.node_id, self.member.Name], [agent.client?.nodeId, ""]);
    run.signals.send("SIGTERM");
    assertEquals(await run.exit, 0);
    assert(out.includes("==> Caught signal: terminated"), out.join("\n"));
    assertEquals(run.ui.stderr, [
      "==> WARNING: mTLS is not configured - Nomad is not secure without mTLS!",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runAgent() writes its log lines to log_file too", async () => {
  const dir = await Deno.makeTempDir({ prefix: "agent_run_" });
  try {
    const logs = join(dir, "logs");
    const cfg = join(dir, "log.hcl");
    await Deno.writeTextFile(cfg, `log_file = "${logs}/"\n${portsHcl(freePort())}`);
    const run = startAgent({ dev: true, config: [cfg], "log-level": "INFO" });
    assert(await run.started, run.ui.stderr.join("\n"));
    run.signals.send("SIGTERM");
    assertEquals(await run.exit, 0);
    const text = await Deno.readTextFile(join(logs, "nomad.log"));
    assertStringIncludes(text, "[INFO]  nomad.state: state restored");
    assertStringIncludes(text, "[INFO]  agent: shutdown complete");
    assert(!text.includes("==> Starting Nomad agent"), "the banner goes to the terminal only");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
