import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { errorAnswer, FakeNomad } from "../api/_fake_nomad_testing.ts";
import type { AgentMember } from "../api/mod.ts";

function member(name: string, addr: string, dc: string): AgentMember {
  return {
    Name: name,
    Addr: addr,
    Port: 4648,
    Tags: { region: "global", dc, port: "4647", raft_vsn: "3", build: "2.0.6" },
    Status: "alive",
    ProtocolMin: 1,
    ProtocolMax: 5,
    ProtocolCur: 2,
    DelegateMin: 2,
    DelegateMax: 5,
    DelegateCur: 4,
  };
}

function agent(): FakeNomad {
  return new FakeNomad({
    "GET /v1/agent/members": {
      ServerName: "nomad-server-1",
      ServerRegion: "global",
      ServerDC: "dc1",
      Members: [
        member("nomad-server-1.global", "10.130.90.224", "dc1"),
        member("nomad-server-0.global", "10.130.90.148", "dc1"),
      ],
    },
    "GET /v1/status/leader": "10.130.90.148:4647",
  });
}

Deno.test("server members lists the servers sorted, with the leader marked", async () => {
  const fake = agent();
  try {
    const { code, stdout } = await runCli(["server", "members"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(code, 0);
    assertEquals(
      stdout,
      `Name                   Address        Port  Status  Leader  Raft Version  Build  Datacenter  Region
nomad-server-0.global  10.130.90.148  4648  alive   true    3             2.0.6  dc1         global
nomad-server-1.global  10.130.90.224  4648  alive   false   3             2.0.6  dc1         global
`,
    );
    assertEquals(fake.requestsTo("GET /v1/status/leader")[0]!.query.get("region"), "global");
  } finally {
    await fake.close();
  }
});

Deno.test("server members warns when a region's leader is unknown and exits 1", async () => {
  const fake = agent();
  fake.route("GET /v1/status/leader", errorAnswer(500, "No cluster leader"));
  try {
    const { code, stdout, stderr } = await runCli(["server", "members"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(code, 1);
    assertEquals(stdout.endsWith("dc1         global\n\n"), true);
    assertEquals(
      stderr,
      "Error determining leaders: 1 error occurred:\n" +
        '\t* Region "global": Unexpected response code: 500 (No cluster leader)\n\n\n',
    );
  } finally {
    await fake.close();
  }
});

Deno.test("server members -json adds the Leader tag", async () => {
  const fake = agent();
  try {
    const { stdout } = await runCli(["server", "members", "-json"], {
      env: { NOMAD_ADDR: fake.address },
    });
    const out = JSON.parse(stdout);
    assertEquals(out.map((m: AgentMember) => m.Tags!.Leader), ["true", "false"]);
  } finally {
    await fake.close();
  }
});
