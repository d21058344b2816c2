import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { FakeNomad, withFixedNow } from "../api/_fake_nomad_testing.ts";
import { evaluation, job, jobStub, NOW } from "./_fixtures_testing.ts";

const EVAL_ID = "8b5de473-9f0a-4c1e-8d2b-3a4b5c6d7e8f";

function agent(): FakeNomad {
  return new FakeNomad({
    "GET /v1/jobs": [jobStub({ ID: "example" })],
    "GET /v1/job/example": job(),
    "DELETE /v1/job/example": { EvalID: EVAL_ID, EvalCreateIndex: 20, JobModifyIndex: 20 },
    [`GET /v1/evaluation/${EVAL_ID}`]: evaluation({
      ID: EVAL_ID,
      JobID: "example",
      TriggeredBy: "job-deregister",
      CreateIndex: 20,
    }),
    [`GET /v1/evaluation/${EVAL_ID}/allocations`]: [],
  });
}

Deno.test("job stop stops the job and follows the evaluation", async () => {
  const fake = agent();
  try {
    const { code, stdout, stderr } = await withFixedNow(
      NOW,
      () => runCli(["job", "stop", "example"], { env: { NOMAD_ADDR: fake.address, TZ: "UTC" } }),
    );
    assertEquals([code, stderr], [0, ""]);
    const t = "2024-11-30T11:41:29Z";
    assertEquals(
      stdout,
      `==> ${t}: Monitoring evaluation "8b5de473"
    ${t}: Evaluation triggered by job "example"
    ${t}: Evaluation status changed: "pending" -> "complete"
==> ${t}: Evaluation "8b5de473" finished with status "complete"
`,
    );
    const del = fake.requestsTo("DELETE /v1/job/example")[0]!;
    assertEquals(
      [del.query.get("purge"), del.query.get("global"), del.query.get("namespace")],
      ["false", "false", "default"],
    );
  } finally {
    await fake.close();
  }
});

Deno.test("job stop -purge -detach prints only the evaluation ID", async () => {
  const fake = agent();
  try {
    const { code, stdout } = await runCli(["stop", "-purge", "-detach", "example"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals([code, stdout], [0, `${EVAL_ID}\n`]);
    assertEquals(fake.requestsTo("DELETE /v1/job/example")[0]!.query.get("purge"), "true");
  } finally {
    await fake.close();
  }
});

Deno.test("job stop asks before stopping a job named by a prefix", async (t) => {
  const fake = agent();
  const stop = (stdin: string, extra: string[] = []) =>
    runCli(["job", "stop", "-detach", ...extra, "exa"], {
      stdin,
      env: { NOMAD_ADDR: fake.address },
    });
  const question = 'Are you sure you want to stop job "example"? [y/N] ';
  try {
    await t.step("an exact y stops it", async () => {
      const { code, stdout } = await stop("y\n");
      assertEquals([code, stdout], [0, `${question}${EVAL_ID}\n`]);
    });
    await t.step("n or nothing cancels", async () => {
      assertEquals((await stop("n\n")).stdout, `${question}Cancelling job stop\n`);
      assertEquals((await stop("\n")).code, 0);
    });
    await t.step("yes is not exact enough", async () => {
      const { code, stdout } = await stop("yes\n");
      assertEquals(
        [code, stdout],
        [0, `${question}For confirmation, an exact ‘y’ is required.\n`],
      );
    });
    await t.step("anything else is no confirmation", async () => {
      const { code, stdout } = await stop("ok\n");
      assertEquals(
        [code, stdout],
        [1, `${question}No confirmation detected. For confirmation, an exact 'y' is required.\n`],
      );
    });
    await t.step("-yes does not ask", async () => {
      assertEquals((await stop("", ["-yes"])).stdout, `${EVAL_ID}\n`);
    });
    assertEquals(fake.requestsTo("DELETE /v1/job/example").length, 2);
  } finally {
    await fake.close();
  }
});

Deno.test("job stop names a job that does not exist", async () => {
  const fake = new FakeNomad({ "GET /v1/jobs": [] });
  try {
    const { code, stderr } = await runCli(["job", "stop", "nope"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals([code, stderr], [1, 'No job(s) with prefix or ID "nope" found\n']);
  } finally {
    await fake.close();
  }
});
