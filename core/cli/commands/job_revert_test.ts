import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { FakeNomad } from "../api/_fake_nomad_testing.ts";
import { job, jobStub } from "./_fixtures_testing.ts";

const EVAL_ID = "4c0ffee0-1111-2222-3333-444455556666";

function agent(): FakeNomad {
  return new FakeNomad({
    "GET /v1/jobs": [jobStub({ ID: "example" })],
    "GET /v1/job/example/versions": {
      Versions: [
        job({ Version: 2 }),
        job({ Version: 1, VersionTag: { Name: "golden", Description: "", TaggedTime: 0 } }),
      ],
      Diffs: null,
    },
    "PUT /v1/job/example/revert": { EvalID: EVAL_ID, EvalCreateIndex: 30, JobModifyIndex: 30 },
  });
}

Deno.test("job revert -detach reverts to a version number or tag", async () => {
  const fake = agent();
  try {
    for (const version of ["1", "golden"]) {
      const { code, stdout } = await runCli(["job", "revert", "-detach", "example", version], {
        env: { NOMAD_ADDR: fake.address },
      });
      assertEquals([code, stdout], [0, `Evaluation ID: ${EVAL_ID}\n`]);
    }
    const bodies = fake.requestsTo("PUT /v1/job/example/revert").map((r) => r.body);
    assertEquals(bodies, [
      { JobID: "example", JobVersion: 1, EnforcePriorVersion: null },
      { JobID: "example", JobVersion: 1, EnforcePriorVersion: null },
    ]);
  } finally {
    await fake.close();
  }
});

Deno.test("job revert names an unknown tag and wants two arguments", async () => {
  const fake = agent();
  try {
    const { code, stderr } = await runCli(["job", "revert", "example", "silver"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(
      [code, stderr],
      [1, "Error retrieving job versions: version tag silver not found for job example\n"],
    );
    const usage = await runCli(["job", "revert", "example"]);
    assertEquals(
      usage.stderr,
      "This command takes two arguments: <job> <version|tag>\n" +
        "For additional help try 'nomad-ts job revert -help'\n",
    );
  } finally {
    await fake.close();
  }
});
