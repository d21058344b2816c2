// deployment list and deployment status against the real server in-process.
import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { deploymentAgent, deploymentJobFile, withoutTimes } from "./_deployment_agent_testing.ts";
import { formatDeployments } from "./_deployment_parts.ts";

Deno.test("deployment list and deployment status print Nomad's tables", async (t) => {
  await using agent = await deploymentAgent();
  const { env } = agent;
  assertEquals((await runCli(["deployment", "list"], { env })).stdout, "No deployments found\n");
  for (const name of ["web", "api"]) {
    const run = await runCli(["job", "run", "-"], { stdin: deploymentJobFile(name), env });
    assertEquals(run.code, 0, run.stderr);
  }
  const snap = agent.state.snapshot();
  const web = snap.latestDeployment("default", "web")!;
  const api = snap.latestDeployment("default", "api")!;

  await t.step("deployment list, newest first", async () => {
    const { code, stdout } = await runCli(["deployment", "list"], { env });
    assertEquals(code, 0);
    assertEquals(
      stdout,
      `ID        Job ID  Job Version  Status      Description
${api.ID.slice(0, 8)}  api     0            successful  Deployment completed successfully
${web.ID.slice(0, 8)}  web     0            successful  Deployment completed successfully
`,
    );
    const json = await runCli(["deployment", "list", "-json"], { env });
    assertEquals(JSON.parse(json.stdout).map((d: { ID: string }) => d.ID), [api.ID, web.ID]);
    const filtered = await runCli(["deployment", "list", "-filter", 'JobID == "web"'], { env });
    assertEquals(filtered.stdout.split("\n").length, 3);
  });

  await t.step("deployment status by prefix", async () => {
    const { code, stdout } = await runCli(["deployment", "status", web.ID.slice(0, 6)], { env });
    assertEquals(code, 0);
    assertEquals(
      withoutTimes(stdout),
      `ID          = ${web.ID.slice(0, 8)}
Job ID      = web
Job Version = 0
Status      = successful
Description = Deployment completed successfully

Deployed
Task Group  Desired  Placed  Healthy  Unhealthy  Progress Deadline
web         2        2       2        0          <time>
`,
    );
    const verbose = await runCli(["deployment", "status", "-verbose", web.ID], { env });
    assertStringIncludes(verbose.stdout, `ID          = ${web.ID}\n`);
    const json = await runCli(["deployment", "status", "-json", web.ID], { env });
    assertEquals(JSON.parse(json.stdout).JobID, "web");
    const all = await runCli(["deployment", "status"], { env });
    assertEquals(all.stdout, (await runCli(["deployment", "list"], { env })).stdout);
  });

  await t.step("Nomad's errors", async () => {
    const cases: [string[], string][] = [
      [
        ["deployment", "status", "x"],
        "Error retrieving deployment: Identifier must contain at least two characters.\n",
      ],
      [
        ["deployment", "status", "zzzz"],
        'Error retrieving deployment: Deployment ID "zzzz" matched no deployments\n',
      ],
      [
        ["deployment", "status", "-monitor", "-json", web.ID],
        "The monitor flag cannot be used with the '-json' or '-t' flags\n",
      ],
      [
        ["deployment", "status", "a", "b"],
        "This command takes one argument: <deployment id>\n" +
        "For additional help try 'nomad-ts deployment status -help'\n",
      ],
    ];
    for (const [args, stderr] of cases) {
      const out = await runCli(args, { env });
      assertEquals([out.code, out.stderr], [1, stderr], args.join(" "));
    }
  });
});

Deno.test("formatDeployments() lists several candidates of an ambiguous prefix", () => {
  const d = (id: string, job: string) => ({
    ID: id,
    JobID: job,
    JobVersion: 1,
    Status: "running",
    StatusDescription: "Deployment is running",
  });
  const text = formatDeployments(
    [d("aaaa1111-2222", "web"), d("aaaa3333-4444", "api")] as never,
    8,
  );
  assertEquals(
    text,
    `ID        Job ID  Job Version  Status   Description
aaaa1111  web     1            running  Deployment is running
aaaa3333  api     1            running  Deployment is running`,
  );
});

Deno.test("deployment status -monitor follows a deployment until it succeeds", async () => {
  await using agent = await deploymentAgent();
  agent.health = "silent";
  const run = await runCli(["job", "run", "-detach", "-"], {
    stdin: deploymentJobFile("web", { count: 1 }),
    env: agent.env,
  });
  assertEquals(run.code, 0);
  let id = "";
  for (let i = 0; i < 200 && id === ""; i++) {
    id = agent.state.snapshot().latestDeployment("default", "web")?.ID ?? "";
    await new Promise((r) => setTimeout(r, 5));
  }
  assert(id !== "", "the job has a deployment");
  const monitor = runCli(["deployment", "status", "-monitor", "-wait", "50ms", id], {
    env: agent.env,
  });
  // Long enough for the monitor to print the running deployment at least once.
  await new Promise((r) => setTimeout(r, 300));
  agent.health = "healthy";
  const { code, stdout } = await monitor;
  assertEquals(code, 0);
  const out = withoutTimes(stdout);
  assert(out.startsWith(`<time>: Monitoring deployment "${id.slice(0, 8)}"\n\n<time>\n`), out);
  assertStringIncludes(out, "Status      = running\n");
  assert(
    out.endsWith(
      "Status      = successful\nDescription = Deployment completed successfully\n\nDeployed\nTask Group  Desired  Placed  Healthy  Unhealthy  Progress Deadline\nweb         1        1       1        0          <time>\n",
    ),
    out,
  );
});
