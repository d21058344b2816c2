import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { parseJob } from "../jobspec/mod.ts";
import { Agent } from "./agent.ts";
import { devConfig } from "./config_defaults.ts";
import { normalizeAddrs } from "./config_normalize.ts";
import { Logger, LogOutput } from "./log.ts";
import { freePort, portsHcl, startAgent } from "./run_testing.ts";
import { systemSockaddrEnv } from "./sockaddr.ts";

const SILENT = new Logger(new LogOutput(() => Promise.resolve()), { level: "OFF" });

async function serverConfig(dataDir: string, port: number) {
  const c = devConfig();
  Object.assign(c, { DevMode: false, DataDir: dataDir });
  c.Client.Enabled = false;
  c.Ports.HTTP = port;
  c.Ports.RPC = freePort();
  c.AdvertiseAddrs = { HTTP: "127.0.0.1", RPC: "127.0.0.1", Serf: "127.0.0.1" };
  return (await normalizeAddrs(c, systemSockaddrEnv())).config;
}

Deno.test("Agent keeps a server's state and node ID under data_dir across a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "agent_kv_" });
  try {
    const port = freePort();
    const config = await serverConfig(dir, port);
    const first = await Agent.start(config, { logger: SILENT, version: "0.1.0" });
    const job = await parseJob(
      'job "kept" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n    }\n  }\n}\n',
      {
        path: "kept.hcl",
      },
    );
    const res = await fetch(`http://127.0.0.1:${port}/v1/jobs`, {
      method: "PUT",
      body: JSON.stringify({ Job: job }),
    });
    assertEquals(res.status, 200, await res.clone().text());
    await res.body?.cancel();
    await first.shutdown();
    assert((await Deno.stat(join(dir, "server", "state.kv"))).isFile);

    const second = await Agent.start(config, { logger: SILENT, version: "0.1.0" });
    try {
      assertEquals(second.nodeId, first.nodeId);
      const got = await fetch(`http://127.0.0.1:${port}/v1/job/kept`);
      assertEquals(got.status, 200);
      assertEquals(((await got.json()) as { ID: string }).ID, "kept");
    } finally {
      await second.shutdown();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Agent applies server.default_scheduler_config to a new cluster", async () => {
  const config = devConfig();
  config.Client.Enabled = false;
  config.Ports.HTTP = freePort();
  config.Ports.RPC = freePort();
  config.Server.DefaultSchedulerConfig.SchedulerAlgorithm = "spread";
  config.Server.DefaultSchedulerConfig.PreemptionConfig.BatchSchedulerEnabled = true;
  const agent = await Agent.start((await normalizeAddrs(config, systemSockaddrEnv())).config, {
    logger: SILENT,
    version: "0.1.0",
  });
  try {
    const { SchedulerConfig } = agent.server!.getSchedulerConfig();
    assertEquals(SchedulerConfig.SchedulerAlgorithm, "spread");
    assertEquals(SchedulerConfig.PreemptionConfig.BatchSchedulerEnabled, true);
    assertEquals(SchedulerConfig.PreemptionConfig.SystemSchedulerEnabled, true);
  } finally {
    await agent.shutdown();
  }
});

async function openssl(dir: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all X.509 v3. */
async function makeCerts(dir: string): Promise<void> {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await openssl(
    dir,
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=test-ca",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
  for (const [name, usage] of [["server", "serverAuth"], ["client", "clientAuth"]] as const) {
    await Deno.writeTextFile(
      join(dir, `${name}.ext`),
      `subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=${usage}\n`,
    );
    await openssl(
      dir,
      "req",
      ...ec,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${name}.global.nomad`,
    );
    await openssl(
      dir,
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "1",
      "-extfile",
      `${name}.ext`,
    );
  }
}

Deno.test("runAgent() serves HTTPS, and with verify_https_client only to clients with a certificate", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "agent_tls_" });
  try {
    await makeCerts(dir);
    const read = (f: string) => Deno.readTextFile(join(dir, f));
    const ca = await read("ca.pem");
    for (const verify of [false, true]) {
      await t.step(`verify_https_client = ${verify}`, async () => {
        const [port, rpc] = [freePort(), freePort()];
        const cfg = join(dir, `tls-${verify}.hcl`);
        await Deno.writeTextFile(
          cfg,
          `${
            portsHcl(port, rpc)
          }tls {\n  http = true\n  ca_file = "${dir}/ca.pem"\n  cert_file = "${dir}/server.pem"\n` +
            `  key_file = "${dir}/server.key"\n  verify_https_client = ${verify}\n}\n`,
        );
        const run = startAgent({ dev: true, config: [cfg], "log-level": "ERROR" });
        assert(await run.started, run.ui.stderr.join("\n"));
        const url = `https://127.0.0.1:${port}/v1/status/leader`;
        const anonymous = Deno.createHttpClient({ caCerts: [ca] });
        const withCert = Deno.createHttpClient({
          caCerts: [ca],
          cert: await read("client.pem"),
          key: await read("client.key"),
        });
        try {
          if (verify) {
            await assertRejects(() => fetch(url, { client: anonymous }).then((r) => r.text()));
          } else {
            assertEquals(
              await (await fetch(url, { client: anonymous })).json(),
              `127.0.0.1:${rpc}`,
            );
          }
          assertEquals(await (await fetch(url, { client: withCert })).json(), `127.0.0.1:${rpc}`);
        } finally {
          anonymous.close();
          withCert.close();
          run.signals.send("SIGINT");
          assertEquals(await run.exit, 0);
        }
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Agent.shutdown() ends open blocking queries and event streams at once", async () => {
  const config = devConfig();
  config.Client.Enabled = false;
  config.Ports.HTTP = freePort();
  config.Ports.RPC = freePort();
  const agent = await Agent.start((await normalizeAddrs(config, systemSockaddrEnv())).config, {
    logger: SILENT,
    version: "0.1.0",
  });
  const base = `http://127.0.0.1:${config.Ports.HTTP}`;
  const settle = (p: Promise<Response>) => p.then((r) => r.text()).then(() => "done", () => "done");
  const blocking = settle(fetch(`${base}/v1/jobs?index=1&wait=5m`));
  const stream = settle(fetch(`${base}/v1/event/stream`));
  await new Promise((r) => setTimeout(r, 200));
  const started = performance.now();
  await agent.shutdown();
  assert(performance.now() - started < 2000, `shutdown took ${performance.now() - started} ms`);
  assertEquals(await Promise.all([blocking, stream]), ["done", "done"]);
});

Deno.test("Agent refuses a data_dir another agent is running on, and frees it at shutdown", async () => {
  const dir = await Deno.makeTempDir({ prefix: "agent_lock_" });
  try {
    const first = await Agent.start(await serverConfig(dir, freePort()), {
      logger: SILENT,
      version: "0.1.0",
    });
    const second = await serverConfig(dir, freePort());
    await assertRejects(
      () => Agent.start(second, { logger: SILENT, version: "0.1.0" }),
      Error,
      `Cannot use data_dir "${join(dir, "server")}": another agent is running on it`,
    );
    await first.shutdown();
    const third = await Agent.start(second, { logger: SILENT, version: "0.1.0" });
    await third.shutdown();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
