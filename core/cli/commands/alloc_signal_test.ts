import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { errorAnswer } from "../api/_fake_nomad_testing.ts";
import { ALLOC_ID, allocAgent, postgresAlloc } from "./_alloc_fixtures_testing.ts";

const SIGNAL = `PUT /v1/client/allocation/${ALLOC_ID}/signal`;

const signal = (address: string, ...args: string[]) =>
  runCli(["alloc", "signal", ...args], { env: { NOMAD_ADDR: address } });

Deno.test("alloc signal sends SIGKILL by default, or the signal -s names", async () => {
  const fake = allocAgent(postgresAlloc(), { [SIGNAL]: {} });
  try {
    const all = await signal(fake.address, "95a0741c");
    assertEquals([all.code, all.stdout, all.stderr], [0, "", ""]);
    assertEquals((await signal(fake.address, "-s", "SIGHUP", "95a0741c", "postgres")).code, 0);
    assertEquals(fake.requestsTo(SIGNAL).map((r) => r.body), [
      { Task: "", Signal: "SIGKILL" },
      { Task: "postgres", Signal: "SIGHUP" },
    ]);
  } finally {
    await fake.close();
  }
});

Deno.test("alloc signal reports an unknown task and the client's refusal", async () => {
  const fake = allocAgent(postgresAlloc(), {
    [SIGNAL]: errorAnswer(400, 'Task "postgres" is not running'),
  });
  try {
    const unknown = await signal(fake.address, "-task", "web", "95a0741c");
    assertEquals(unknown.stderr, "Could not find task named: web, found:\npostgres\n");
    const refused = await signal(fake.address, "95a0741c");
    assertEquals(
      [refused.code, refused.stderr],
      [
        1,
        'Error signalling allocation: Unexpected response code: 400 (Task "postgres" is not running)\n',
      ],
    );
    const tooMany = await signal(fake.address, "a", "b", "c");
    assertEquals(
      tooMany.stderr,
      "This command takes up to two arguments: <alloc-id> <task>\n" +
        "For additional help try 'nomad-ts alloc signal -help'\n",
    );
  } finally {
    await fake.close();
  }
});
