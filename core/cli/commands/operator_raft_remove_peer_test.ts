import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { FakeNomad } from "../api/_fake_nomad_testing.ts";
import { servedApi } from "./_agent_testing.ts";

Deno.test("operator raft remove-peer removes the peer by ID and says so", async () => {
  const fake = new FakeNomad({ "DELETE /v1/operator/raft/peer": null });
  try {
    const { code, stdout, stderr } = await runCli(
      ["operator", "raft", "remove-peer", "-peer-id=8d095773-3095"],
      { env: { NOMAD_ADDR: fake.address } },
    );
    assertEquals([code, stdout, stderr], [0, 'Removed peer with id "8d095773-3095"\n', ""]);
    const [req] = fake.requestsTo("DELETE /v1/operator/raft/peer");
    assertEquals(req!.query.get("id"), "8d095773-3095");
  } finally {
    await fake.close();
  }
});

Deno.test("operator raft remove-peer needs -peer-id", async () => {
  for (const args of [[], ["-peer-id="]]) {
    const { code, stdout, stderr } = await runCli(["operator", "raft", "remove-peer", ...args]);
    assertEquals([code, stdout, stderr], [1, "", "Missing peer id required\n"], args.join(" "));
  }
});

Deno.test("operator raft remove-peer reports the agent's refusal and exits 1", async (t) => {
  await using agent = await servedApi();
  const id = agent.api.server.members()[0]!.Tags["id"]!;

  await t.step("an unknown ID", async () => {
    const { code, stdout, stderr } = await runCli(
      ["operator", "raft", "remove-peer", "-peer-id", "nope"],
      { env: agent.env },
    );
    assertEquals([code, stdout, stderr], [
      1,
      "",
      "Error removing peer: Unexpected response code: 404 " +
      '(id "nope" was not found in the Raft configuration)\n',
    ]);
  });

  await t.step("the live server itself", async () => {
    const { code, stdout, stderr } = await runCli(
      ["operator", "raft", "remove-peer", `-peer-id=${id}`],
      { env: agent.env },
    );
    assertEquals([code, stdout, stderr], [
      1,
      "",
      "Error removing peer: Unexpected response code: 409 " +
      `(Cannot remove peer "${id}": server test.global is alive; stop it before removing it)\n`,
    ]);
    assertEquals(agent.api.server.raftConfiguration().Servers.map((s) => s.ID), [id]);
  });
});
