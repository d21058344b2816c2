import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { exampleJob } from "./job_init.ts";

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "nomad-ts-init-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("job init writes example.nomad.hcl in the working directory", async () => {
  await inTempDir(async (dir) => {
    const { code, stdout, stderr } = await runCli(["job", "init"], { cwd: dir });
    assertEquals([code, stderr], [0, ""]);
    assertEquals(stdout, "Example job file written to example.nomad.hcl\n");
    const text = await Deno.readTextFile(`${dir}/example.nomad.hcl`);
    assertEquals(text, exampleJob({ short: false, connect: false }));
  });
});

Deno.test("job init refuses to overwrite an existing file", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/example.nomad.hcl`, "mine");
    const { code, stdout, stderr } = await runCli(["init"], { cwd: dir });
    assertEquals(code, 1);
    assertEquals(stdout, "");
    assertEquals(stderr, "Job 'example.nomad.hcl' already exists\n");
    assertEquals(await Deno.readTextFile(`${dir}/example.nomad.hcl`), "mine");
  });
});

Deno.test("job init -short writes the short example to example.nomad.hcl", async () => {
  await inTempDir(async (dir) => {
    const { code, stdout } = await runCli(["job", "init", "-short"], { cwd: dir });
    assertEquals(code, 0);
    assertEquals(stdout, "Example job file written to example.nomad.hcl\n");
    const text = await Deno.readTextFile(`${dir}/example.nomad.hcl`);
    assertEquals(text, exampleJob({ short: true, connect: false }));
    assert(!text.includes("#"), "the short example has no comments");
  });
});

Deno.test("job init writes to the filename given and -connect picks the mesh example", async () => {
  await inTempDir(async (dir) => {
    const { code, stdout } = await runCli(["job", "init", "-connect", "mesh.hcl"], { cwd: dir });
    assertEquals(code, 0);
    assertEquals(stdout, "Example job file written to mesh.hcl\n");
    const text = await Deno.readTextFile(`${dir}/mesh.hcl`);
    assertStringIncludes(text, 'job "countdash"');
    assertStringIncludes(text, "sidecar_service");
  });
});

Deno.test("job init takes at most one argument", async () => {
  await inTempDir(async (dir) => {
    const { code, stderr } = await runCli(["job", "init", "a.hcl", "b.hcl"], { cwd: dir });
    assertEquals(code, 1);
    assertEquals(
      stderr,
      "This command takes either no arguments or one: <filename>\n" +
        "For additional help try 'nomad-ts job init -help'\n",
    );
    assertEquals([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("job init -template needs the server and writes nothing", async () => {
  await inTempDir(async (dir) => {
    const { code, stderr } = await runCli(["job", "init", "-template", "web"], { cwd: dir });
    assertEquals(code, 1);
    assertStringIncludes(stderr, "later version");
    assertEquals([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("exampleJob() has the values of Nomad's example jobs", () => {
  const long = exampleJob({ short: false, connect: false });
  const short = exampleJob({ short: true, connect: false });
  for (const text of [long, short]) {
    for (
      const part of [
        'job "example"',
        'group "cache"',
        'port "db"',
        "to = 6379",
        'task "redis"',
        'driver = "docker"',
        '"redis:7"',
        "= 500",
        "= 256",
      ]
    ) assertStringIncludes(text, part);
  }
  for (
    const part of [
      'name     = "redis-cache"',
      'provider = "nomad"',
      "update {",
      "migrate {",
      "restart {",
      "ephemeral_disk {",
      "size = 300",
    ]
  ) assertStringIncludes(long, part);
  assertEquals(exampleJob({ short: true, connect: true }).includes("#"), false);
});

Deno.test("every example job parses and validates", async () => {
  for (const short of [false, true]) {
    for (const connect of [false, true]) {
      const { code, stdout, stderr } = await runCli(["job", "validate", "-"], {
        stdin: exampleJob({ short, connect }),
      });
      assertEquals([code, stderr], [0, ""], `short=${short} connect=${connect}`);
      assertStringIncludes(stdout, "Job validation successful");
    }
  }
});

Deno.test("the example job parses to the values of Nomad's example", async () => {
  const { code, stdout } = await runCli(["job", "run", "-output", "-"], {
    stdin: exampleJob({ short: false, connect: false }),
  });
  assertEquals(code, 0);
  const { Job: job } = JSON.parse(stdout);
  const group = job.TaskGroups[0];
  const task = group.Tasks[0];
  assertEquals([job.ID, job.Type, job.Datacenters], ["example", "service", ["*"]]);
  assertEquals([job.Update.MaxParallel, job.Update.Canary, job.Update.AutoRevert], [1, 0, false]);
  assertEquals(job.Migrate.HealthCheck, "checks");
  assertEquals([group.Name, group.Count, group.EphemeralDisk.SizeMB], ["cache", 1, 300]);
  assertEquals(group.Networks[0].DynamicPorts[0].Label, "db");
  assertEquals(group.Networks[0].DynamicPorts[0].To, 6379);
  assertEquals([group.Services[0].Name, group.Services[0].Provider], ["redis-cache", "nomad"]);
  assertEquals([group.RestartPolicy.Attempts, group.RestartPolicy.Mode], [2, "fail"]);
  assertEquals([task.Name, task.Driver, task.Config.image], ["redis", "docker", "redis:7"]);
  assertEquals([task.Resources.CPU, task.Resources.MemoryMB], [500, 256]);
});
