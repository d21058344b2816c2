import { assert, assertEquals } from "../../../tests/assert.ts";
import { testAgent } from "../../http/routes/_testing.ts";
import { runCli } from "../_testing.ts";
import { servedApi } from "./_agent_testing.ts";
import { formatAgentStats } from "./agent_info.ts";

const STATS = {
  runtime: { goroutines: "12", arch: "amd64", version: "deno2.9.6" },
  nomad: { leader: "true", server: "true", bootstrap: "true" },
  client: { node_id: "abc", heartbeat_ttl: "17.5s" },
};

Deno.test("agent-info prints the agent's statistics by section, sorted", async () => {
  await using agent = await servedApi({ agent: testAgent({ stats: () => STATS }) });
  const { code, stdout, stderr } = await runCli(["agent-info"], { env: agent.env });
  assertEquals([code, stderr], [0, ""]);
  assertEquals(
    stdout,
    `client
  heartbeat_ttl = 17.5s
  node_id = abc
nomad
  bootstrap = true
  leader = true
  server = true
runtime
  arch = amd64
  goroutines = 12
  version = deno2.9.6
`,
  );
});

Deno.test("agent-info -json prints the whole answer", async () => {
  await using agent = await servedApi({ agent: testAgent({ stats: () => STATS }) });
  const { code, stdout } = await runCli(["agent-info", "-json"], { env: agent.env });
  assertEquals(code, 0);
  const body = JSON.parse(stdout);
  assertEquals(Object.keys(body), ["config", "member", "stats"]);
  assertEquals(body.stats.client.node_id, "abc");
  assert(stdout.startsWith('{\n    "config": {'), "four-space indent");
  const both = await runCli(["agent-info", "-json", "-t", "{{.}}"], { env: agent.env });
  assertEquals([both.code, both.stderr], [
    1,
    "Error formatting output: Both json and template formatting are not allowed\n",
  ]);
});

Deno.test("agent-info reports what stops it, as Nomad words it", async () => {
  const down = await runCli(["agent-info"], { env: { NOMAD_ADDR: "http://127.0.0.1:1" } });
  assertEquals(down.code, 1);
  assert(down.stderr.startsWith("Error querying agent info: "), down.stderr);
  const extra = await runCli(["agent-info", "x"]);
  assertEquals([extra.code, extra.stderr], [
    1,
    "This command takes no arguments\nFor additional help try 'nomad-ts agent-info -help'\n",
  ]);
  const bad = await runCli(["agent-info", "-bogus"]);
  assertEquals(bad.code, 1);
  assertEquals(
    bad.stderr,
    "flag provided but not defined: -bogus\nError parsing flags: flag provided but not defined: -bogus\n",
  );
  assert(bad.stdout.startsWith("Usage: nomad-ts agent-info [options]\n"));
});

Deno.test("formatAgentStats() gives nothing for an agent without statistics", () => {
  assertEquals(formatAgentStats(null), []);
  assertEquals(formatAgentStats({ raft: {} }), ["raft"]);
});
