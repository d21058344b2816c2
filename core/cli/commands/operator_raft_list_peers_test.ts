import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { errorAnswer, FakeNomad } from "../api/_fake_nomad_testing.ts";
import { servedApi } from "./_agent_testing.ts";

Deno.test("operator raft list-peers shows a lone server as the leader and a voter", async () => {
  await using agent = await servedApi();
  const id = agent.api.server.members()[0]!.Tags["id"]!;
  assertEquals(id.length, 36, "the server's ID is a UUID");
  const { code, stdout, stderr } = await runCli(["operator", "raft", "list-peers"], {
    env: agent.env,
  });
  assertEquals([code, stderr], [0, ""]);
  assertEquals(
    stdout,
    `Node         ID${" ".repeat(34)}  Address         State   Voter  RaftProtocol
test.global  ${id}  127.0.0.1:4647  leader  true   3
`,
  );
});

function peer(node: string, id: string, address: string, leader: boolean, voter = true) {
  return { ID: id, Node: node, Address: address, Leader: leader, Voter: voter, RaftProtocol: "3" };
}

Deno.test("operator raft list-peers sorts the servers by node, with -stale passed on", async () => {
  const fake = new FakeNomad({
    "GET /v1/operator/raft/configuration": {
      Servers: [
        peer("nomad-3.global", "c3", "10.0.0.3:4647", false, false),
        peer("nomad-1.global", "a1", "10.0.0.1:4647", false),
        peer("nomad-2.global", "b2", "10.0.0.2:4647", true),
      ],
      Index: 42,
    },
  });
  try {
    const env = { NOMAD_ADDR: fake.address };
    const { code, stdout } = await runCli(["operator", "raft", "list-peers"], { env });
    assertEquals(code, 0);
    assertEquals(
      stdout,
      `Node            ID  Address        State     Voter  RaftProtocol
nomad-1.global  a1  10.0.0.1:4647  follower  true   3
nomad-2.global  b2  10.0.0.2:4647  leader    true   3
nomad-3.global  c3  10.0.0.3:4647  follower  false  3
`,
    );
    const [plain] = fake.requestsTo("GET /v1/operator/raft/configuration");
    assertEquals(plain!.query.has("stale"), false);
    await runCli(["operator", "raft", "list-peers", "-stale"], { env });
    const [, stale] = fake.requestsTo("GET /v1/operator/raft/configuration");
    assertEquals(stale!.query.get("stale"), "");
  } finally {
    await fake.close();
  }
});

Deno.test("operator raft list-peers reports an agent error and exits 1", async () => {
  const fake = new FakeNomad({
    "GET /v1/operator/raft/configuration": errorAnswer(500, "No cluster leader"),
  });
  try {
    const { code, stdout, stderr } = await runCli(["operator", "raft", "list-peers"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals([code, stdout], [1, ""]);
    assertEquals(
      stderr,
      "Failed to retrieve raft configuration: Unexpected response code: 500 (No cluster leader)\n",
    );
  } finally {
    await fake.close();
  }
});

Deno.test("operator raft alone prints its help and lists list-peers and remove-peer", async () => {
  const { code, stdout, stderr } = await runCli(["operator", "raft"]);
  assertEquals([code, stdout], [1, ""]);
  assert(stderr.startsWith("Usage: nomad-ts operator raft <subcommand> [options] [args]\n"));
  assertStringIncludes(
    stderr,
    "\n    list-peers             Display the current Raft peer configuration\n",
  );
  assertStringIncludes(
    stderr,
    "\n    remove-peer            Remove a Nomad server from the Raft configuration\n",
  );
});
