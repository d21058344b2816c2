import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { FakeNomad } from "../api/_fake_nomad_testing.ts";
import { servedApi } from "./_agent_testing.ts";

/** A local port nothing listens on. */
function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("server join joins the agent's own address and reports the others' errors", async () => {
  await using agent = await servedApi();
  const self = await runCli(["server", "join", "127.0.0.1"], { env: agent.env });
  assertEquals([self.code, self.stdout, self.stderr], [0, "Joined 1 servers successfully\n", ""]);

  const port = closedPort();
  const down = await runCli(["server", "join", `127.0.0.1:${port}`], { env: agent.env });
  assertEquals([down.code, down.stdout], [1, ""]);
  assertEquals(
    down.stderr,
    "Error joining: failed joining: 1 error occurred:\n" +
      `\t* Failed to join 127.0.0.1:${port}: dial tcp 127.0.0.1:${port}: connect: ` +
      "connection refused\n\n\n",
  );
});

Deno.test("server join passes every address and prints the agent's warning", async () => {
  const fake = new FakeNomad({
    "PUT /v1/agent/join": { num_joined: 2, error: "", warning: "anonymous join is deprecated" },
  });
  try {
    const { code, stdout, stderr } = await runCli(["server", "join", "a:4648", "b"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals([code, stdout], [0, ""]);
    assertEquals(
      stderr,
      "Joined 2 servers successfully but got warning: anonymous join is deprecated\n",
    );
    assertEquals(fake.requestsTo("PUT /v1/agent/join")[0]!.query.getAll("address"), [
      "a:4648",
      "b",
    ]);
  } finally {
    await fake.close();
  }
});

Deno.test("server join wants an address", async () => {
  const { code, stderr } = await runCli(["server", "join"]);
  assertEquals([code, stderr], [
    1,
    "One or more node addresses must be given as arguments\n" +
    "For additional help try 'nomad-ts server join -help'\n",
  ]);
});
