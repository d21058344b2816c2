import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { FakeNomad, withFixedNow } from "../api/_fake_nomad_testing.ts";
import { AllocMetricSpec, DesiredUpdatesSpec, zero } from "../../structs/mod.ts";
import { allocStub, evaluation, NOW } from "./_fixtures_testing.ts";

const ID = "69f38b58-d7a9-4c5b-8a1e-0f2e3d4c5b6a";

function agent(): FakeNomad {
  return new FakeNomad({
    "GET /v1/evaluations": (req) =>
      ID.startsWith(req.query.get("prefix") ?? "") ? [evaluation({ ID, JobID: "web" })] : [],
    [`GET /v1/evaluation/${ID}`]: evaluation({
      ID,
      JobID: "web",
      Status: "complete",
      BlockedEval: "b10cked0-0000-0000-0000-000000000000",
      PlanAnnotations: {
        DesiredTGUpdates: {
          web: { ...zero(DesiredUpdatesSpec), Place: 1, Ignore: 2, Canary: 1 },
        },
        PreemptedAllocs: null,
      },
      FailedTGAllocs: {
        web: { ...zero(AllocMetricSpec), NodesEvaluated: 0, CoalescedFailures: 0 },
      },
    }),
    [`GET /v1/evaluation/${ID}/allocations`]: [
      allocStub({
        ID: "a11oc000-0000-0000-0000-000000000000",
        NodeID: "0de00000-0000-0000-0000-000000000000",
        TaskGroup: "web",
      }),
    ],
  });
}

Deno.test("eval status prints the evaluation, its plan, placements and failures", async () => {
  const fake = agent();
  try {
    const { code, stdout, stderr } = await withFixedNow(
      NOW,
      () => runCli(["eval", "status", "69f3"], { env: { NOMAD_ADDR: fake.address, TZ: "UTC" } }),
    );
    assertEquals([code, stderr], [0, ""]);
    assertEquals(
      stdout,
      `ID                 = 69f38b58
Create Time        = 1m ago
Modify Time        = 59s ago
Status             = complete
Status Description = complete
Type               = service
TriggeredBy        = job-register
Job ID             = web
Namespace          = default
Priority           = 50
Placement Failures = true
Previous Eval      = <none>
Next Eval          = <none>
Blocked Eval       = b10cked0

Plan Annotations
Task Group  Ignore  Place  Stop  InPlace  Destructive  Canary
web         2       1      0     0        0            1

Placed Allocations
ID        Node ID   Task Group  Version  Desired  Status   Created    Modified
a11oc000  0de00000  web         0        run      pending  4m27s ago  3m24s ago

Failed Placements
Task Group "web" (failed to place 1 allocation):
  * No nodes were eligible for evaluation

Evaluation "b10cked0" waiting for additional capacity to place remainder
`,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("eval status wants two characters and names unknown and ambiguous prefixes", async () => {
  const fake = agent();
  try {
    const one = await runCli(["eval", "status", "6"], { env: { NOMAD_ADDR: fake.address } });
    assertEquals([one.code, one.stderr], [1, "Identifier must contain at least two characters.\n"]);
    const none = await runCli(["eval", "status", "ffff"], { env: { NOMAD_ADDR: fake.address } });
    assertEquals(none.stderr, 'No evaluation(s) with prefix or id "ffff" found\n');
    const odd = await runCli(["eval", "status", "69f"], { env: { NOMAD_ADDR: fake.address } });
    assertEquals(odd.code, 0);
    assertEquals(fake.requestsTo("GET /v1/evaluations").at(-1)!.query.get("prefix"), "69");
    fake.route("GET /v1/evaluations", [
      evaluation({ ID: "69aa0000-0000", JobID: "a" }),
      evaluation({ ID: "69bb0000-0000", JobID: "b" }),
    ]);
    const many = await runCli(["eval", "status", "69"], { env: { NOMAD_ADDR: fake.address } });
    assertEquals(
      many.stderr,
      `Prefix matched multiple evaluations

ID        Priority  Triggered By  Job ID  Namespace  Node ID  Status    Placement Failures
69aa0000  50        job-register  a       default    <none>   complete  false
69bb0000  50        job-register  b       default    <none>   complete  false
`,
    );
  } finally {
    await fake.close();
  }
});
