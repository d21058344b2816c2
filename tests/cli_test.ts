/**
 * End-to-end tests of the `nomad-ts` command line: each runs `deno run main.ts ...` in a
 * subprocess with the permissions of deno.json's `nomad` task and checks what a user sees.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import denoJson from "../deno.json" with { type: "json" };

const ROOT = new URL("../", import.meta.url);
const MAIN = new URL("main.ts", ROOT).pathname;
const CONFIG = new URL("deno.json", ROOT).pathname;

/** The permission flags of the `nomad` task: `deno run <flags> main.ts`. */
function taskPermissions(): string[] {
  const task = denoJson.tasks.nomad;
  const m = /^deno run (.*) main\.ts$/.exec(task);
  if (!m) throw new Error(`Cannot read the permissions of the nomad task: ${task}`);
  return m[1]!.split(/\s+/);
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function nomadTs(
  args: string[],
  opts: { cwd?: string; stdin?: string; env?: Record<string, string> } = {},
): Promise<Result> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--config", CONFIG, ...taskPermissions(), MAIN, ...args],
    cwd: opts.cwd ?? Deno.cwd(),
    env: { NO_COLOR: "1", ...opts.env },
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(opts.stdin));
    await writer.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "nomad-ts-cli-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const JOB = `job "web" {
  datacenters = ["dc1"]

  group "app" {
    count = 2

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

Deno.test("nomad-ts version prints the version and exits 0", async () => {
  for (const args of [["version"], ["-v"], ["--version"]]) {
    const { code, stdout, stderr } = await nomadTs(args);
    assertEquals([code, stderr], [0, ""], args.join(" "));
    const lines = stdout.trimEnd().split("\n");
    assertEquals(lines[0], `nomad-ts v${denoJson.version}`);
    if (lines.length > 1) assertMatch(lines[1]!, /^Revision [0-9a-f]{40}$/);
    assert(lines.length <= 2, stdout);
  }
});

Deno.test("nomad-ts job init writes the example once and refuses to overwrite it", async () => {
  await withTempDir(async (dir) => {
    const first = await nomadTs(["job", "init"], { cwd: dir });
    assertEquals([first.code, first.stderr], [0, ""]);
    assertEquals(first.stdout, "Example job file written to example.nomad.hcl\n");
    const text = await Deno.readTextFile(`${dir}/example.nomad.hcl`);
    assertStringIncludes(text, 'job "example"');
    assertStringIncludes(text, '"redis:7"');

    const second = await nomadTs(["init"], { cwd: dir });
    assertEquals(second.code, 1);
    assertEquals(second.stderr, "Job 'example.nomad.hcl' already exists\n");
    assertEquals(await Deno.readTextFile(`${dir}/example.nomad.hcl`), text);
  });
});

Deno.test("nomad-ts job init -short writes example.nomad.hcl", async () => {
  await withTempDir(async (dir) => {
    const { code, stdout } = await nomadTs(["job", "init", "-short"], { cwd: dir });
    assertEquals(code, 0);
    assertEquals(stdout, "Example job file written to example.nomad.hcl\n");
    const text = await Deno.readTextFile(`${dir}/example.nomad.hcl`);
    assertStringIncludes(text, 'task "redis"');
    assert(!text.includes("#"));
  });
});

Deno.test("nomad-ts <command> -h prints the usage and exits 0", async () => {
  for (const flag of ["-h", "-help", "--help"]) {
    const { code, stdout, stderr } = await nomadTs(["job", "validate", flag]);
    assertEquals([code, stderr], [0, ""], flag);
    assert(stdout.startsWith("Usage: nomad-ts job validate [options] <path>\n"), stdout);
  }
});

Deno.test("nomad-ts with an unknown command prints the help to stderr and exits 127", async () => {
  const { code, stdout, stderr } = await nomadTs(["frobnicate"]);
  assertEquals(code, 127);
  assertEquals(stdout, "");
  assert(stderr.startsWith("Usage: nomad-ts [-version] [-help] <command> [args]\n"));
  assertEquals((await nomadTs([])).code, 127);
});

Deno.test("nomad-ts names an unknown flag and prints the command's usage", async () => {
  const { code, stdout, stderr } = await nomadTs(["job", "init", "-bogus"]);
  assertEquals(code, 1);
  assertEquals(stderr, "flag provided but not defined: -bogus\n");
  assert(stdout.startsWith("Usage: nomad-ts job init"));
});

Deno.test("nomad-ts says a command comes in a later version; the agent needs a mode", async () => {
  const status = await nomadTs(["alloc", "checks"]);
  assertEquals(status.code, 1);
  assertStringIncludes(status.stderr, "later version");
  const agent = await nomadTs(["agent"]);
  assertEquals(agent.code, 1);
  assertStringIncludes(
    agent.stderr,
    "Must specify either server, client or dev mode for the agent.",
  );
});

Deno.test("nomad-ts job validate checks a job file", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/web.nomad.hcl`, JOB);
    const ok = await nomadTs(["job", "validate", "web.nomad.hcl"], { cwd: dir });
    assertEquals([ok.code, ok.stderr], [0, ""]);
    assertStringIncludes(ok.stdout, "Job validation successful\n");

    await Deno.writeTextFile(`${dir}/bad.nomad.hcl`, 'job "web" {\n  nope = 1\n}\n');
    const bad = await nomadTs(["validate", "bad.nomad.hcl"], { cwd: dir });
    assertEquals(bad.code, 1);
    assertStringIncludes(bad.stderr, "Error parsing job file from bad.nomad.hcl:\n");
  });
});

Deno.test("nomad-ts job run -output prints the job from a file or stdin as JSON", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/web.nomad.hcl`, JOB);
    const fromFile = await nomadTs(["job", "run", "-output", "web.nomad.hcl"], { cwd: dir });
    assertEquals([fromFile.code, fromFile.stderr], [0, ""]);
    assert(fromFile.stdout.startsWith('{\n    "Job": {\n'), fromFile.stdout);
    const job = JSON.parse(fromFile.stdout).Job;
    assertEquals([job.ID, job.TaskGroups[0].Count], ["web", 2]);

    const fromStdin = await nomadTs(["run", "-output", "-"], { cwd: dir, stdin: JOB });
    assertEquals(fromStdin.code, 0);
    assertEquals(JSON.parse(fromStdin.stdout), JSON.parse(fromFile.stdout));
  });
});

Deno.test("nomad-ts job init then job run -output round-trips through -json", async () => {
  await withTempDir(async (dir) => {
    assertEquals((await nomadTs(["job", "init"], { cwd: dir })).code, 0);
    const hcl = await nomadTs(["job", "run", "-output", "example.nomad.hcl"], { cwd: dir });
    assertEquals([hcl.code, hcl.stderr], [0, ""]);
    const job = JSON.parse(hcl.stdout).Job;
    const group = job.TaskGroups[0];
    const task = group.Tasks[0];
    assertEquals(
      [job.ID, group.Name, group.Networks[0].DynamicPorts[0], task.Name, task.Driver, task.Config],
      [
        "example",
        "cache",
        { Label: "db", Value: 0, To: 6379, HostNetwork: "", IgnoreCollision: false },
        "redis",
        "docker",
        { auth_soft_fail: true, image: "redis:7", ports: ["db"] },
      ],
    );
    assertEquals([task.Resources.CPU, task.Resources.MemoryMB], [500, 256]);

    // What -output prints is a job file too: read back with -json, it prints the same text.
    await Deno.writeTextFile(`${dir}/example.json`, hcl.stdout);
    const json = await nomadTs(["job", "run", "-output", "-json", "example.json"], { cwd: dir });
    assertEquals([json.code, json.stdout], [0, hcl.stdout]);
  });
});
