import { assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { errorAnswer, FakeNomad } from "../api/_fake_nomad_testing.ts";
import type { JobPlanResponse } from "../api/mod.ts";
import { DesiredUpdatesSpec, zero } from "../../structs/mod.ts";

/** The plan of the seed: the stopped example job, count 1 -> 3. */
function seedPlan(): JobPlanResponse {
  return {
    JobModifyIndex: 254,
    CreatedEvals: null,
    Diff: {
      Type: "Edited",
      ID: "example",
      Fields: [{ Type: "Edited", Name: "Stop", Old: "true", New: "false", Annotations: null }],
      Objects: null,
      TaskGroups: [{
        Type: "Edited",
        Name: "cache",
        Fields: [{
          Type: "Edited",
          Name: "Count",
          Old: "1",
          New: "3",
          Annotations: ["forces create"],
        }],
        Objects: null,
        Tasks: [{ Type: "None", Name: "redis", Fields: null, Objects: null, Annotations: null }],
        Updates: { create: 3 },
      }],
    },
    Annotations: {
      DesiredTGUpdates: { cache: { ...zero(DesiredUpdatesSpec), Place: 3 } },
      PreemptedAllocs: null,
    },
    FailedTGAllocs: null,
    NextPeriodicLaunch: "0001-01-01T00:00:00Z",
    Warnings: "",
  };
}

const JOB = '{"ID": "example", "Name": "example"}';

Deno.test("job plan prints the seed's diff, dry run and check-index hint, exit 1", async () => {
  const fake = new FakeNomad({ "PUT /v1/job/example/plan": seedPlan() });
  try {
    const { code, stdout, stderr } = await runCli(["job", "plan", "-json", "-"], {
      stdin: JOB,
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(stderr, "");
    assertEquals(
      stdout,
      `+/- Job: "example"
+/- Stop: "true" => "false"
+/- Task Group: "cache" (3 create)
  +/- Count: "1" => "3" (forces create)
      Task: "redis"

Scheduler dry-run:
- All tasks successfully allocated.

Job Modify Index: 254
To submit the job with version verification run:

nomad-ts job run -check-index 254 -

When running the job with the check-index flag, the job will only be run if the
job modify index given matches the server-side version. If the index has
changed, another user has modified the job and the plan's results are
potentially invalid.
`,
    );
    assertEquals(code, 1);
    const body = fake.requestsTo("PUT /v1/job/example/plan")[0]!.body as Record<string, unknown>;
    assertEquals([body.Diff, (body.Job as { ID: string }).ID], [true, "example"]);
  } finally {
    await fake.close();
  }
});

Deno.test("job plan colors the diff like Nomad when color is forced", async () => {
  const fake = new FakeNomad({ "PUT /v1/job/example/plan": seedPlan() });
  try {
    const { stdout } = await runCli(["plan", "-force-color", "-json", "-"], {
      stdin: JOB,
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(
      stdout.split("\n")[0],
      '\x1b[93m+/-\x1b[0m \x1b[1mJob: "example"',
    );
    assertStringIncludes(stdout, "\x1b[0m\x1b[32m3 create\x1b[0m)");
    assertStringIncludes(stdout, "(\x1b[32mforces create\x1b[0m)");
  } finally {
    await fake.close();
  }
});

Deno.test("job plan exits 0 without changes and repeats -var flags in the hint", async () => {
  const plan = seedPlan();
  plan.Diff = { Type: "None", ID: "web", Fields: null, Objects: null, TaskGroups: null };
  const fake = new FakeNomad({ "PUT /v1/job/web/plan": plan });
  const dir = await Deno.makeTempDir({ prefix: "nomad-ts-plan-" });
  try {
    await Deno.writeTextFile(
      `${dir}/web.nomad.hcl`,
      'variable "n" {\n  default = 1\n}\n\njob "web" {\n  group "g" {\n    count = var.n\n' +
        '    task "t" {\n      driver = "raw_exec"\n    }\n  }\n}\n',
    );
    const { code, stdout } = await runCli(
      ["job", "plan", "-var", "n=2", "-namespace", "prod", "web.nomad.hcl"],
      { cwd: dir, env: { NOMAD_ADDR: fake.address } },
    );
    assertEquals(code, 0);
    assertEquals(stdout.split("\n").slice(0, 3), ['Job: "web"', "", "Scheduler dry-run:"]);
    assertStringIncludes(
      stdout,
      'nomad-ts job run -check-index 254 -var="n=2" -namespace="prod" web.nomad.hcl\n',
    );
    assertEquals(fake.requests[0]!.query.get("namespace"), "prod");
  } finally {
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("job plan prints placement failures in the dry run", async () => {
  const plan = seedPlan();
  plan.FailedTGAllocs = {
    cache: {
      NodesEvaluated: 2,
      NodesFiltered: 0,
      NodesInPool: 2,
      NodePool: "default",
      NodesAvailable: { dc1: 2 },
      ClassFiltered: null,
      ConstraintFiltered: null,
      NodesExhausted: 2,
      ClassExhausted: null,
      DimensionExhausted: { memory: 2 },
      QuotaExhausted: null,
      ResourcesExhausted: null,
      Scores: null,
      ScoreMetaData: null,
      AllocationTime: 0,
      CoalescedFailures: 2,
    },
  };
  const fake = new FakeNomad({ "PUT /v1/job/example/plan": plan });
  try {
    const { code, stdout } = await runCli(["job", "plan", "-diff=false", "-json", "-"], {
      stdin: JOB,
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(code, 1);
    assertEquals(
      stdout.slice(0, stdout.indexOf("Job Modify Index")),
      `Scheduler dry-run:
- WARNING: Failed to place all allocations.
  Task Group "cache" (failed to place 3 allocations):
    * Resources exhausted on 2 nodes
    * Dimension "memory" exhausted on 2 nodes

`,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("job plan exits 255 when the plan fails and -json-output prints the response", async () => {
  const fake = new FakeNomad({
    "PUT /v1/job/example/plan": errorAnswer(400, "job validation failed"),
  });
  try {
    const failed = await runCli(["job", "plan", "-json", "-"], {
      stdin: JOB,
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(failed.code, 255);
    assertEquals(
      failed.stderr,
      "Error during plan: Unexpected response code: 400 (job validation failed)\n",
    );
    fake.route("PUT /v1/job/example/plan", seedPlan());
    const json = await runCli(["job", "plan", "-json-output", "-json", "-"], {
      stdin: JOB,
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(json.code, 1);
    assertEquals(JSON.parse(json.stdout).JobModifyIndex, 254);
    const usage = await runCli(["job", "plan"], { env: { NOMAD_ADDR: fake.address } });
    assertEquals(usage.code, 255);
  } finally {
    await fake.close();
  }
});
