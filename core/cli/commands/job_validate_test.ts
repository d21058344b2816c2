import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { formatMultiError } from "./job_validate.ts";

const DRIVER_NOTE =
  "Driver configuration not validated since connection to Nomad agent couldn't be established.\n\n";

const GOOD_JOB = `job "web" {
  datacenters = ["dc1"]

  group "app" {
    task "server" {
      driver = "raw_exec"

      config {
        command = "/bin/sleep"
        args    = ["60"]
      }
    }
  }
}
`;

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "nomad-ts-validate-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("formatMultiError() prints problems as go-multierror does", () => {
  assertEquals(formatMultiError(["Missing job ID"]), "1 error occurred:\n\t* Missing job ID\n\n");
  assertEquals(
    formatMultiError(["Missing job ID", "Missing job task groups"]),
    "2 errors occurred:\n\t* Missing job ID\n\t* Missing job task groups\n\n",
  );
});

Deno.test("job validate accepts a valid job file", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/web.nomad.hcl`, GOOD_JOB);
    const { code, stdout, stderr } = await runCli(["job", "validate", "web.nomad.hcl"], {
      cwd: dir,
    });
    assertEquals([code, stderr], [0, ""]);
    assertEquals(stdout, `${DRIVER_NOTE}Job validation successful\n`);
  });
});

Deno.test("job validate reads the job from stdin with -", async () => {
  const { code, stdout } = await runCli(["validate", "-"], { stdin: GOOD_JOB });
  assertEquals(code, 0);
  assertStringIncludes(stdout, "Job validation successful");
});

Deno.test("job validate lists every validation problem and exits 1", async () => {
  const { code, stdout, stderr } = await runCli(["job", "validate", "-json", "-"], {
    stdin: JSON.stringify({ Job: { ID: "web", Datacenters: ["dc1"] } }),
  });
  assertEquals(code, 1);
  assertEquals(stdout, DRIVER_NOTE);
  assert(stderr.startsWith("Job validation errors:\n"), stderr);
  assertStringIncludes(stderr, "Missing job task groups");
  assertStringIncludes(stderr, "occurred:\n\t* ");
});

Deno.test("job validate prints the parse errors of a bad job file", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/bad.nomad.hcl`, 'job "web" {\n  bogus_block {\n  }\n}\n');
    const { code, stdout, stderr } = await runCli(["job", "validate", "bad.nomad.hcl"], {
      cwd: dir,
    });
    assertEquals(code, 1);
    assertEquals(stdout, "");
    assert(
      stderr.startsWith("Error getting job struct: Error parsing job file from bad.nomad.hcl:\n"),
      stderr,
    );
    assertStringIncludes(stderr, "bad.nomad.hcl:2");
  });
});

Deno.test("job validate wants exactly one path", async () => {
  const { code, stderr } = await runCli(["job", "validate"]);
  assertEquals(code, 1);
  assertEquals(
    stderr,
    "This command takes one argument: <path>\n" +
      "For additional help try 'nomad-ts job validate -help'\n",
  );
});
