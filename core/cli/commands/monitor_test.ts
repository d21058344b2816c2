import { assert, assertEquals } from "../../../tests/assert.ts";
import { Logger, LogOutput } from "../../agent/log.ts";
import { simNode } from "../../server/server_testing.ts";
import { runCli } from "../_testing.ts";
import { servedApi } from "./_agent_testing.ts";

const NODE = "9c0ffee0-1111-4aaa-8bbb-0123456789ab";

/** An agent log that streams to monitors only. */
function agentLog(): { out: LogOutput; log: Logger } {
  const out = new LogOutput(() => Promise.resolve());
  out.open();
  return { out, log: new Logger(out, { level: "INFO" }).named("nomad") };
}

async function until(probe: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !probe(); i++) await new Promise((r) => setTimeout(r, 5));
  assert(probe(), "timed out");
}

Deno.test("monitor streams the agent's log at its own level until the stream ends", async () => {
  const { out, log } = agentLog();
  await using agent = await servedApi({ logs: out, streamHeartbeatMs: 50 });
  const running = runCli(["monitor", "-log-level", "debug"], { env: agent.env });
  await until(() => out.subscriberCount === 1);
  log.debug("evaluating", { job: "web" });
  log.trace("not shown");
  log.named("worker").info("done");
  out.endSubscriptions();
  const { code, stdout, stderr } = await running;
  assertEquals([code, stderr], [0, ""]);
  assertEquals(stdout.split("\n").map((l) => l.replace(/^\S+ /, "")), [
    "[DEBUG] nomad: evaluating: job=web",
    "[INFO]  nomad.worker: done",
    "",
  ]);
});

Deno.test("monitor -json -node-id streams JSON lines of the node's agent", async () => {
  const { out, log } = agentLog();
  await using agent = await servedApi({
    logs: out,
    streamHeartbeatMs: 50,
    nodes: [simNode(1, { ID: NODE })],
  });
  // The node's agent is this one: a client running as node NODE.
  Object.defineProperty(agent.api.deps, "client", { value: { nodeId: NODE } });
  const running = runCli(["monitor", "-json", "-node-id", "9c0f"], { env: agent.env });
  await until(() => out.subscriberCount === 1);
  log.warn("disk low");
  out.endSubscriptions();
  const { code, stdout } = await running;
  assertEquals(code, 0);
  const line = JSON.parse(stdout);
  assertEquals([line["@level"], line["@module"], line["@message"]], ["warn", "nomad", "disk low"]);
});

Deno.test("monitor prints its errors with Nomad's ==> prefix", async () => {
  const { out } = agentLog();
  await using agent = await servedApi({ logs: out, nodes: [simNode(1, { ID: NODE })] });
  const usage = "==> For additional help try 'nomad-ts monitor -help'\n";
  const cases: [string[], string][] = [
    [
      ["-log-level", "loud"],
      `==> Error starting monitor: Unexpected response code: 400 (Unknown log level: loud)\n${usage}`,
    ],
    [["-node-id", "ffff"], '==> No node(s) with prefix or id "ffff" found\n'],
    [["-node-id", "f"], "==> Node ID must contain at least two characters.\n"],
    [["extra"], `==> This command takes no arguments\n${usage}`],
  ];
  for (const [args, stderr] of cases) {
    const res = await runCli(["monitor", ...args], { env: agent.env });
    assertEquals([res.code, res.stderr, res.stdout], [1, stderr, ""], args.join(" "));
  }
  assertEquals(out.subscriberCount, 0);
  const bad = await runCli(["monitor", "-bogus"]);
  assertEquals([bad.code, bad.stderr], [1, "flag provided but not defined: -bogus\n"]);
  assert(bad.stdout.startsWith("    Usage: nomad-ts monitor [options]\n"), bad.stdout);
});
