import { assertEquals, assertRejects } from "../../../tests/assert.ts";
import { Ui } from "../ui.ts";
import { TextSink } from "../_testing.ts";
import type { Context } from "../command.ts";
import { checkJobGetterOptions, getJob, JobGetError } from "./_job_getter.ts";

function ctx(opts: { cwd?: string; stdin?: string } = {}): Context {
  return {
    ui: new Ui(new TextSink(), new TextSink()),
    env: {},
    cwd: opts.cwd ?? Deno.cwd(),
    ...(opts.stdin === undefined
      ? {}
      : { stdin: ReadableStream.from([new TextEncoder().encode(opts.stdin)]) }),
  };
}

const JSON_OPTS = { json: true, vars: [], varFiles: [] };

Deno.test("checkJobGetterOptions() refuses variables with JSON files", () => {
  assertEquals(
    checkJobGetterOptions({ json: true, vars: ["a=1"], varFiles: [] }),
    "cannot use variables with JSON files.",
  );
  assertEquals(
    checkJobGetterOptions({ json: true, vars: [], varFiles: ["v.hcl"] }),
    "cannot use variables with JSON files.",
  );
  assertEquals(checkJobGetterOptions({ json: false, vars: ["a=1"], varFiles: [] }), undefined);
});

Deno.test("getJob() reads a JSON job from stdin, nested under Job or not", async () => {
  const nested = await getJob(
    "-",
    JSON_OPTS,
    ctx({ stdin: '{"Job": {"ID": "web", "Priority": 70}}' }),
  );
  assertEquals([nested.ID, nested.Priority], ["web", 70]);
  const bare = await getJob("-", JSON_OPTS, ctx({ stdin: '{"id": "api", "Type": "batch"}' }));
  assertEquals([bare.ID, bare.Type], ["api", "batch"]);
  assertEquals(bare.TaskGroups, null);
});

Deno.test("getJob() reads a JSON job file relative to the working directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/job.json`, JSON.stringify({ Job: { ID: "from-file" } }));
    const job = await getJob("job.json", JSON_OPTS, ctx({ cwd: dir }));
    assertEquals(job.ID, "from-file");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("getJob() reports bad JSON and wrong field types", async () => {
  await assertRejects(
    () => getJob("-", JSON_OPTS, ctx({ stdin: "{nope" })),
    JobGetError,
    "Failed to parse JSON job: ",
  );
  await assertRejects(
    () => getJob("-", JSON_OPTS, ctx({ stdin: '{"ID": 5}' })),
    JobGetError,
    "Failed to parse JSON job: ID: expected a string, got number",
  );
});

Deno.test("getJob() names a job file it cannot read", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assertRejects(
      () => getJob("nope.hcl", { json: false, vars: [], varFiles: [] }, ctx({ cwd: dir })),
      JobGetError,
      `Error getting jobfile from "nope.hcl": open ${dir}/nope.hcl: no such file or directory`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("getJob() needs a path and, for -, a stdin", async () => {
  await assertRejects(
    () => getJob("", JSON_OPTS, ctx()),
    JobGetError,
    "Error jobfile path has to be specified.",
  );
  await assertRejects(() => getJob("-", JSON_OPTS, ctx()), JobGetError, "stdin");
});
