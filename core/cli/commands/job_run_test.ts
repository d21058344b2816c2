import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { JobSpec, zero } from "../../structs/mod.ts";
import { runCli } from "../_testing.ts";
import { jobOutputJson } from "./job_run.ts";

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

Deno.test("job run without -output says submitting needs the server", async () => {
  const { code, stdout, stderr } = await runCli(["job", "run", "-json", "-"], {
    stdin: '{"ID": "web"}',
  });
  assertEquals(code, 1);
  assertEquals(stdout, "");
  assertStringIncludes(stderr, "server");
  assertStringIncludes(stderr, "-output");
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
