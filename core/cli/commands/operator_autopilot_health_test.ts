import { assertEquals, assertMatch } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { FakeNomad } from "../api/_fake_nomad_testing.ts";
import { servedApi } from "./_agent_testing.ts";
import { formatAutopilotHealth } from "./operator_autopilot_health.ts";

function server(name: string, id: string, leader: boolean, healthy: boolean) {
  return {
    ID: id,
    Name: name,
    Address: `10.0.0.${id}:4647`,
    SerfStatus: healthy ? "alive" : "failed",
    Version: "1.11.0",
    Leader: leader,
    LastContact: healthy ? "0s" : "12.5s",
    LastTerm: 7,
    LastIndex: 120,
    Healthy: healthy,
    Voter: true,
    StableSince: "2026-11-23T20:15:00Z",
  };
}

Deno.test("formatAutopilotHealth() lays the report out as Nomad, then the backend's members", () => {
  const out = formatAutopilotHealth({
    Healthy: false,
    FailureTolerance: 0,
    Servers: [server("s1.global", "1", true, true), server("s2.global", "2", false, false)],
    Leader: "1",
    Voters: ["1", "2"],
    Backend: {
      Kind: "etcd",
      FailureTolerance: 1,
      Members: [
        { Endpoint: "http://e1:2379", Healthy: true, Leader: true, Version: "3.4.30", Error: "" },
      ],
    },
  });
  assertEquals(
    out,
    `Healthy: false
FailureTolerance: 0
Leader: 1
Voters:  
\t1
2
Servers: 
ID  Name       Address        SerfStatus  Version  Leader  Voter  Healthy  LastContact  LastTerm  LastIndex  StableSince
1   s1.global  10.0.0.1:4647  alive       1.11.0   true    true   true     0s           7         120        2026-11-23 20:15:00 +0000 UTC
2   s2.global  10.0.0.2:4647  failed      1.11.0   false   true   false    12.5s        7         120        2026-11-23 20:15:00 +0000 UTC
Backend: etcd
BackendFailureTolerance: 1
Endpoint        Healthy  Leader  Version  Error
http://e1:2379  true     true    3.4.30${"   "}
`,
  );
});

Deno.test("operator autopilot health prints a lone healthy server, and -json the reply", async () => {
  await using agent = await servedApi();
  const id = agent.api.server.members()[0]!.Tags["id"]!;
  const { code, stdout, stderr } = await runCli(["operator", "autopilot", "health"], {
    env: agent.env,
  });
  assertEquals([code, stderr], [0, ""]);
  const lines = stdout.split("\n");
  assertEquals(lines.slice(0, 5), [
    "Healthy: true",
    "FailureTolerance: 0",
    `Leader: ${id}`,
    "Voters:  ",
    `\t${id}`,
  ]);
  assertMatch(
    lines[7]!,
    new RegExp(`^${id}  test\\.global  127\\.0\\.0\\.1:4647  alive .* true +0s`),
  );
  const json = await runCli(["operator", "autopilot", "health", "-json"], { env: agent.env });
  assertEquals(JSON.parse(json.stdout).Servers[0].ID, id);
});

Deno.test("operator autopilot health shows an unhealthy region's report (HTTP 429)", async () => {
  const reply = {
    Healthy: false,
    FailureTolerance: 0,
    Servers: [server("s2.global", "2", false, false)],
    Leader: "",
    Voters: ["2"],
  };
  const fake = new FakeNomad({
    "GET /v1/operator/autopilot/health": new Response(JSON.stringify(reply), {
      status: 429,
      headers: { "Content-Type": "application/json" },
    }),
  });
  try {
    const { code, stdout } = await runCli(["operator", "autopilot", "health"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(code, 0);
    assertEquals(stdout.split("\n").slice(0, 3), [
      "Healthy: false",
      "FailureTolerance: 0",
      "Leader: ",
    ]);
  } finally {
    await fake.close();
  }
});
