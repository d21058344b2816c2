import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { withFixedNow } from "../api/_fake_nomad_testing.ts";
import { ALLOC_ID, allocAgent, jobWithTasks, postgresAlloc } from "./_alloc_fixtures_testing.ts";
import { allocStub, evaluation, nanosAgo, NOW } from "./_fixtures_testing.ts";

const STOP = `PUT /v1/allocation/${ALLOC_ID}/stop`;
const EVAL_ID = "5c8e1f2a-3b4c-4d5e-8f6a-7b8c9d0e1f2a";
const NEW_ALLOC = "7d1e2f3a-4b5c-4d6e-8f7a-8b9c0d1e2f3a";

function agent(type = "service") {
  const alloc = postgresAlloc({
    Job: jobWithTasks("postgres", "database", { postgres: null }, { Type: type }),
  });
  return allocAgent(alloc, {
    [STOP]: { EvalID: EVAL_ID, Index: 40 },
    [`GET /v1/evaluation/${EVAL_ID}`]: evaluation({
      ID: EVAL_ID,
      JobID: "postgres",
      TriggeredBy: "alloc-stop",
      CreateIndex: 40,
    }),
    [`GET /v1/evaluation/${EVAL_ID}/allocations`]: [
      allocStub({ ID: NEW_ALLOC, NodeID: "f4834583", TaskGroup: "database", CreateIndex: 41 }),
    ],
  });
}

Deno.test("alloc stop stops the allocation and follows the replacement's evaluation", async () => {
  const fake = agent();
  try {
    const { code, stdout, stderr } = await withFixedNow(
      NOW,
      () => runCli(["alloc", "stop", "95a0741c"], { env: { NOMAD_ADDR: fake.address, TZ: "UTC" } }),
    );
    assertEquals([code, stderr], [0, ""]);
    const t = "2024-11-30T11:41:29Z";
    assertEquals(
      stdout,
      `==> ${t}: Monitoring evaluation "5c8e1f2a"
    ${t}: Evaluation triggered by job "postgres"
    ${t}: Allocation "7d1e2f3a" created: node "f4834583", group "database"
    ${t}: Evaluation status changed: "pending" -> "complete"
==> ${t}: Evaluation "5c8e1f2a" finished with status "complete"
`,
    );
    const q = fake.requestsTo(STOP)[0]!.query;
    assertEquals([q.get("reschedule"), q.get("no_shutdown_delay")], [null, null]);
  } finally {
    await fake.close();
  }
});

Deno.test("alloc stop -detach prints the evaluation; batch allocations are rescheduled", async () => {
  const fake = agent("batch");
  try {
    const { code, stdout } = await runCli(
      ["alloc", "stop", "-detach", "-no-shutdown-delay", "95a0"],
      { env: { NOMAD_ADDR: fake.address } },
    );
    assertEquals([code, stdout], [0, `${EVAL_ID}\n`]);
    const q = fake.requestsTo(STOP)[0]!.query;
    assertEquals([q.get("reschedule"), q.get("no_shutdown_delay")], ["true", "true"]);
  } finally {
    await fake.close();
  }
});

Deno.test("alloc stop lists the allocations a prefix matches", async () => {
  const fake = agent();
  const o = { NodeID: "f4834583", TaskGroup: "database", CreateTime: nanosAgo(90) };
  fake.route("GET /v1/allocations", [
    allocStub({ ID: "95a0741c-0000", ...o, ModifyTime: nanosAgo(30) }),
    allocStub({ ID: "95a07777-0000", ...o, ModifyTime: nanosAgo(20), ClientStatus: "running" }),
  ]);
  try {
    const { code, stderr } = await withFixedNow(NOW, () =>
      runCli(["alloc", "stop", "95a0"], {
        env: { NOMAD_ADDR: fake.address },
      }));
    assertEquals(code, 1);
    assertEquals(
      stderr,
      `Prefix matched multiple allocations

ID        Node ID   Task Group  Version  Desired  Status   Created    Modified
95a0741c  f4834583  database    0        run      pending  1m30s ago  30s ago
95a07777  f4834583  database    0        run      running  1m30s ago  20s ago
`,
    );
    assertEquals(fake.requestsTo(STOP).length, 0);
  } finally {
    await fake.close();
  }
});
