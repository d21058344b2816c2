import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { JobSpec, zero } from "../../structs/mod.ts";
import { runCli } from "../_testing.ts";
import { jobOutputJson, parseCheckIndex } from "./job_run.ts";
import { errorAnswer, FakeNomad, withFixedNow } from "../api/_fake_nomad_testing.ts";
import { allocStub, evaluation, NOW } from "./_fixtures_testing.ts";

Deno.test("jobOutputJson() wraps the job in Job and indents with four spaces", () => {
  const job = { ...zero(JobSpec), ID: "web" };
  const text = jobOutputJson(job);
  assert(text.startsWith('{\n    "Job": {\n        "Region": null,\n'), text);
  assertEquals(JSON.parse(text), { Job: job });
});

Deno.test("jobOutputJson() escapes <, >, & and line separators as Go does", () => {
  const job = { ...zero(JobSpec), ID: "a<b>&c\u2028" };
  const text = jobOutputJson(job);
  assertStringIncludes(text, '"ID": "a\\u003cb\\u003e\\u0026c\\u2028"');
  assertEquals(JSON.parse(text).Job.ID, "a<b>&c\u2028");
});

Deno.test("job run -output -json prints the job read from stdin", async () => {
  const { code, stdout, stderr } = await runCli(["job", "run", "-output", "-json", "-"], {
    stdin: '{"Job": {"ID": "web", "Meta": {"a": "<b>"}}}',
  });
  assertEquals([code, stderr], [0, ""]);
  const out = JSON.parse(stdout);
  assertEquals(out.Job.ID, "web");
  assertEquals(out.Job.Meta, { a: "<b>" });
  assertEquals(out.Job.Priority, null, "the job is printed as read, not canonicalized");
});

Deno.test("job run -output stores -vault-namespace and -consul-namespace in the job", async () => {
  const { code, stdout } = await runCli(
    ["run", "-output", "-json", "-vault-namespace", "v", "-consul-namespace=c", "-"],
    { stdin: '{"ID": "web"}' },
  );
  assertEquals(code, 0);
  const { Job } = JSON.parse(stdout);
  assertEquals([Job.VaultNamespace, Job.ConsulNamespace], ["v", "c"]);
});

Deno.test("job run wants exactly one path", async () => {
  const { code, stderr } = await runCli(["job", "run", "-output"]);
  assertEquals(code, 1);
  assertEquals(
    stderr,
    "This command takes one argument: <path>\nFor additional help try 'nomad-ts job run -help'\n",
  );
});

Deno.test("job run refuses variables with -json", async () => {
  const { code, stderr } = await runCli(["job", "run", "-json", "-var", "a=1", "-"], {
    stdin: "{}",
  });
  assertEquals(code, 1);
  assertEquals(stderr, "Invalid job options: cannot use variables with JSON files.\n");
});

Deno.test("job run reports a file it cannot read", async () => {
  const { code, stderr } = await runCli(["job", "run", "-output", "/nonexistent/x.hcl"]);
  assertEquals(code, 1);
  assert(stderr.startsWith('Error getting job struct: Error getting jobfile from "/nonexistent'));
});

const VAR_JOB = `variable "n" {
  type    = number
  default = 1
}

job "web" {
  group "app" {
    count = var.n

    task "server" {
      driver = "raw_exec"
    }
  }
}
`;

async function runOutput(args: (dir: string) => string[], env: Record<string, string> = {}) {
  const dir = await Deno.makeTempDir({ prefix: "nomad-ts-run-" });
  try {
    await Deno.writeTextFile(`${dir}/web.nomad.hcl`, VAR_JOB);
    await Deno.writeTextFile(`${dir}/prod.vars.hcl`, "n = 5\n");
    const result = await runCli(["job", "run", "-output", ...args(dir), "web.nomad.hcl"], {
      cwd: dir,
      env,
    });
    assertEquals([result.code, result.stderr], [0, ""]);
    return JSON.parse(result.stdout).Job;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("job run -output prints the HCL job as parsed", async () => {
  const job = await runOutput(() => []);
  assertEquals(job.ID, "web");
  assertEquals(job.TaskGroups[0].Name, "app");
  assertEquals(job.TaskGroups[0].Count, 1);
  assertEquals(job.TaskGroups[0].Tasks[0].Driver, "raw_exec");
  assertEquals(job.Priority, null, "not canonicalized");
});

Deno.test("job run -output takes variables from -var, -var-file and NOMAD_VAR_*", async () => {
  assertEquals((await runOutput(() => ["-var", "n=3"])).TaskGroups[0].Count, 3);
  assertEquals((await runOutput(() => [], { NOMAD_VAR_n: "4" })).TaskGroups[0].Count, 4);
  // The parser reads var files relative to the process's directory, so give a full path.
  const fromFile = await runOutput((dir) => ["-var-file", `${dir}/prod.vars.hcl`]);
  assertEquals(fromFile.TaskGroups[0].Count, 5);
});

const EVAL_ID = "ccb7b29c-43f1-8e57-0b2b-4a1c7bd1f1a2";
const ALLOC_ID = "9085cb9c-aace-805c-c0b3-fedd8052db0b";
const NODE_ID = "91e820d7-1c0b-4a86-b6d1-7b1f0f1e2c3d";
const DEPLOY_ID = "c8172895-0d16-4c5e-a3f2-7a0e2d3c4b5a";

function fakeForRun(evalOverrides = {}) {
  return new FakeNomad({
    "PUT /v1/jobs": { EvalID: EVAL_ID, EvalCreateIndex: 10, JobModifyIndex: 10, Warnings: "" },
    [`GET /v1/evaluation/${EVAL_ID}`]: evaluation({
      ID: EVAL_ID,
      JobID: "postgres",
      DeploymentID: DEPLOY_ID,
      CreateIndex: 10,
      ...evalOverrides,
    }),
    [`GET /v1/evaluation/${EVAL_ID}/allocations`]: [
      allocStub({ ID: ALLOC_ID, NodeID: NODE_ID, TaskGroup: "database", CreateIndex: 10 }),
    ],
    [`GET /v1/deployment/${DEPLOY_ID}`]: {
      ID: DEPLOY_ID,
      JobID: "postgres",
      JobVersion: 0,
      Status: "successful",
      StatusDescription: "Deployment completed successfully",
      TaskGroups: {
        database: {
          AutoRevert: false,
          ProgressDeadline: 600_000_000_000,
          RequireProgressBy: "2024-11-30T11:51:29Z",
          DesiredCanaries: 0,
          DesiredTotal: 1,
          PlacedAllocs: 1,
          HealthyAllocs: 1,
          UnhealthyAllocs: 0,
        },
      },
    },
  });
}

Deno.test("job run registers the job and follows its evaluation as Nomad prints it", async () => {
  const fake = fakeForRun();
  try {
    const { code, stdout, stderr } = await withFixedNow(
      NOW,
      () =>
        runCli(["job", "run", "-json", "-"], {
          stdin: '{"ID": "postgres", "Name": "postgres"}',
          env: { NOMAD_ADDR: fake.address, TZ: "Asia/Kolkata" },
        }),
    );
    assertEquals(stderr, "");
    assertEquals(
      stdout,
      `==> 2024-11-30T17:11:29+05:30: Monitoring evaluation "ccb7b29c"
    2024-11-30T17:11:29+05:30: Evaluation triggered by job "postgres"
    2024-11-30T17:11:29+05:30: Evaluation within deployment: "c8172895"
    2024-11-30T17:11:29+05:30: Allocation "9085cb9c" created: node "91e820d7", group "database"
    2024-11-30T17:11:29+05:30: Evaluation status changed: "pending" -> "complete"
==> 2024-11-30T17:11:29+05:30: Evaluation "ccb7b29c" finished with status "complete"
==> 2024-11-30T17:11:29+05:30: Monitoring deployment "c8172895"
    
2024-11-30T17:11:29+05:30
ID          = c8172895
Job ID      = postgres
Job Version = 0
Status      = successful
Description = Deployment completed successfully

Deployed
Task Group  Desired  Placed  Healthy  Unhealthy  Progress Deadline
database    1        1       1        0          2024-11-30T11:51:29Z
`,
    );
    assertEquals(code, 0);
    const [register] = fake.requestsTo("PUT /v1/jobs");
    assertEquals((register!.body as { Job: { ID: string } }).Job.ID, "postgres");
    assertEquals((register!.body as { EnforceIndex?: boolean }).EnforceIndex, undefined);
  } finally {
    await fake.close();
  }
});

Deno.test("job run -detach prints the evaluation ID and sends -check-index", async () => {
  const fake = fakeForRun();
  try {
    const { code, stdout } = await runCli(
      ["job", "run", "-detach", "-check-index", "7", "-json", "-"],
      { stdin: '{"ID": "postgres"}', env: { NOMAD_ADDR: fake.address } },
    );
    assertEquals([code, stdout], [0, `Job registration successful\nEvaluation ID: ${EVAL_ID}\n`]);
    const body = fake.requestsTo("PUT /v1/jobs")[0]!.body as Record<string, unknown>;
    assertEquals([body.EnforceIndex, body.JobModifyIndex], [true, 7]);
  } finally {
    await fake.close();
  }
});

Deno.test("job run reports a check-index mismatch as Nomad does", async () => {
  const fake = new FakeNomad({
    "PUT /v1/jobs": errorAnswer(
      500,
      "Enforcing job modify index 7: job exists with conflicting job modify index: 10",
    ),
  });
  try {
    const { code, stderr } = await runCli(["run", "-check-index", "7", "-json", "-"], {
      stdin: '{"ID": "postgres"}',
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(code, 1);
    assertEquals(
      stderr,
      "Enforcing job modify index 7: job exists with conflicting job modify index: 10\n" +
        "Job not updated\n",
    );
  } finally {
    await fake.close();
  }
});

Deno.test("job run exits 2 and prints the placement failures of the evaluation", async () => {
  const fake = fakeForRun({
    DeploymentID: "",
    BlockedEval: "5e3a1b2c-0000-0000-0000-000000000000",
    FailedTGAllocs: {
      database: {
        NodesEvaluated: 3,
        NodesFiltered: 2,
        ConstraintFiltered: { "missing drivers": 2 },
        NodesExhausted: 1,
        DimensionExhausted: { memory: 1 },
        CoalescedFailures: 1,
      },
    },
  });
  fake.route(`GET /v1/evaluation/${EVAL_ID}/allocations`, []);
  try {
    const { code, stdout } = await withFixedNow(NOW, () =>
      runCli(["job", "run", "-json", "-"], {
        stdin: '{"ID": "postgres"}',
        env: { NOMAD_ADDR: fake.address, TZ: "UTC" },
      }));
    const t = "2024-11-30T11:41:29Z";
    assertEquals(
      stdout,
      `==> ${t}: Monitoring evaluation "ccb7b29c"
    ${t}: Evaluation triggered by job "postgres"
    ${t}: Evaluation status changed: "pending" -> "complete"
==> ${t}: Evaluation "ccb7b29c" finished with status "complete" but failed to place all allocations:
    ${t}: Task Group "database" (failed to place 2 allocations):
      * Constraint "missing drivers": 2 nodes excluded by filter
      * Resources exhausted on 1 nodes
      * Dimension "memory" exhausted on 1 nodes
    ${t}: Evaluation "5e3a1b2c" waiting for additional capacity to place remainder
`,
    );
    assertEquals(code, 2);
  } finally {
    await fake.close();
  }
});

Deno.test("job run says when the agent cannot be reached", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const { code, stderr } = await runCli(["job", "run", "-json", "-"], {
    stdin: '{"ID": "postgres"}',
    env: { NOMAD_ADDR: `http://127.0.0.1:${port}` },
  });
  assertEquals(code, 1);
  assertEquals(
    stderr,
    `Error submitting job: Put "http://127.0.0.1:${port}/v1/jobs": dial tcp 127.0.0.1:${port}: ` +
      "connect: connection refused\n",
  );
});

Deno.test("parseCheckIndex() reads an unsigned decimal as Go's ParseUint", () => {
  assertEquals(parseCheckIndex(""), undefined);
  assertEquals(parseCheckIndex("0"), 0);
  assertEquals(parseCheckIndex("254"), 254);
  let message = "";
  try {
    parseCheckIndex("-1");
  } catch (err) {
    message = (err as Error).message;
  }
  assertEquals(message, 'strconv.ParseUint: parsing "-1": invalid syntax');
});

Deno.test("job run of a periodic job prints the next launch instead of monitoring", async () => {
  const fake = fakeForRun();
  try {
    const { code, stdout } = await withFixedNow(NOW, () =>
      runCli(["job", "run", "-json", "-"], {
        stdin: JSON.stringify({
          ID: "backup",
          Type: "batch",
          Periodic: { Spec: "0 0 * * *", SpecType: "cron", TimeZone: "Asia/Kolkata" },
        }),
        env: { NOMAD_ADDR: fake.address, TZ: "UTC" },
      }));
    assertEquals(code, 0);
    assertEquals(
      stdout,
      "Job registration successful\n" +
        "Approximate next launch time: 2024-12-01T00:00:00+05:30 (6h48m31s from now)\n",
    );
    assertEquals(fake.requestsTo(`GET /v1/evaluation/${EVAL_ID}`).length, 0);
  } finally {
    await fake.close();
  }
});
