import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { errorAnswer } from "../api/_fake_nomad_testing.ts";
import { ALLOC_ID, allocAgent, jobWithTasks, postgresAlloc } from "./_alloc_fixtures_testing.ts";

const RESTART = `PUT /v1/client/allocation/${ALLOC_ID}/restart`;

const restart = (address: string, ...args: string[]) =>
  runCli(["alloc", "restart", ...args], { env: { NOMAD_ADDR: address } });

function agent() {
  const alloc = postgresAlloc({
    Job: jobWithTasks("postgres", "database", {
      postgres: null,
      migrate: { Hook: "prestart", Sidecar: false },
    }),
  });
  return allocAgent(alloc, { [RESTART]: {} });
}

Deno.test("alloc restart restarts the running tasks, one task, or all of them", async () => {
  const fake = agent();
  try {
    const runningOnes = await restart(fake.address, "95a0741c");
    assertEquals([runningOnes.code, runningOnes.stdout, runningOnes.stderr], [0, "", ""]);
    assertEquals((await restart(fake.address, "95a0741c", "postgres")).code, 0);
    assertEquals((await restart(fake.address, "-task", "migrate", "95a0741c", "x")).code, 0);
    assertEquals((await restart(fake.address, "-all-tasks", "95a0741c")).code, 0);
    assertEquals(fake.requestsTo(RESTART).map((r) => r.body), [
      { TaskName: "", AllTasks: false },
      { TaskName: "postgres", AllTasks: false },
      { TaskName: "migrate", AllTasks: false },
      { TaskName: "", AllTasks: true },
    ]);
  } finally {
    await fake.close();
  }
});

Deno.test("alloc restart refuses a task it does not have and -all-tasks with a task", async () => {
  const fake = agent();
  try {
    const unknown = await restart(fake.address, "95a0741c", "web");
    assertEquals(
      [unknown.code, unknown.stderr],
      [1, "Could not find task named: web, found:\npostgres\nmigrate\n"],
    );
    const both = await restart(fake.address, "-all-tasks", "95a0741c", "postgres");
    assertEquals(
      both.stderr,
      "The -all-tasks option is not allowed when restarting a specific task.\n",
    );
    assertEquals(fake.requestsTo(RESTART).length, 0);
  } finally {
    await fake.close();
  }
});

Deno.test("alloc restart prints the client's refusal", async () => {
  const fake = allocAgent(postgresAlloc(), {
    [RESTART]: errorAnswer(500, "Task not running"),
  });
  try {
    const { code, stderr } = await restart(fake.address, "95a0741c", "postgres");
    assertEquals(code, 1);
    assertEquals(
      stderr,
      "Failed to restart task:\n\nUnexpected response code: 500 (Task not running)\n",
    );
  } finally {
    await fake.close();
  }
});
