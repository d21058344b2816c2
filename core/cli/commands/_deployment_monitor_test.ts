// job run follows the deployment it started, against the real server in-process whose simulated
// clients report allocation health.
import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { deploymentAgent, deploymentJobFile, withoutTimes } from "./_deployment_agent_testing.ts";

Deno.test("job run follows the deployment to success, printing each change as Nomad does", async () => {
  await using agent = await deploymentAgent();
  const { code, stdout, stderr } = await runCli(["job", "run", "-"], {
    stdin: deploymentJobFile("web"),
    env: agent.env,
  });
  assertEquals([code, stderr], [0, ""]);
  const out = withoutTimes(stdout);
  const d = agent.state.snapshot().latestDeployment("default", "web")!;
  const short = d.ID.slice(0, 8);
  assertStringIncludes(out, `==> <time>: Monitoring deployment "${short}"\n    \n<time>\nID   `);
  assert(
    out.endsWith(`    \n<time>
ID          = ${short}
Job ID      = web
Job Version = 0
Status      = successful
Description = Deployment completed successfully

Deployed
Task Group  Desired  Placed  Healthy  Unhealthy  Progress Deadline
web         2        2       2        0          <time>
`),
    out,
  );
});

Deno.test("job run on a terminal redraws the deployment under a spinner and announces the end", async () => {
  await using agent = await deploymentAgent();
  const { code, stdout } = await runCli(["job", "run", "-no-color", "-"], {
    stdin: deploymentJobFile("web", { count: 1 }),
    env: agent.env,
    terminal: true,
  });
  assertEquals(code, 0);
  const d = agent.state.snapshot().latestDeployment("default", "web")!;
  const short = d.ID.slice(0, 8);
  assertStringIncludes(stdout, `  ⠋ Deployment "${short}" in progress...`);
  assertStringIncludes(stdout, "\x1b[");
  const last = withoutTimes(stdout.slice(stdout.lastIndexOf("\x1b[J") + 3));
  assertEquals(
    last,
    `  ✓ Deployment "${short}" successful

    <time>
    ID          = ${short}
    Job ID      = web
    Job Version = 0
    Status      = successful
    Description = Deployment completed successfully

    Deployed
    Task Group  Desired  Placed  Healthy  Unhealthy  Progress Deadline
    web         1        1       1        0          <time>

`,
  );
});

Deno.test("job run exits 1 when the deployment fails, and follows the auto-revert's deployment", async () => {
  await using agent = await deploymentAgent();
  const first = await runCli(["job", "run", "-"], {
    stdin: deploymentJobFile("api", { count: 1, update: "      auto_revert = true" }),
    env: agent.env,
  });
  assertEquals(first.code, 0);
  // Version 1 is unhealthy; the rollback (version 2) is healthy again.
  agent.health = (a) => a.Job?.Version === 1 ? "unhealthy" : "healthy";
  const noReschedule = `    reschedule {
      attempts  = 0
      unlimited = false
    }
`;
  const second = runCli(["job", "run", "-"], {
    stdin: deploymentJobFile("api", {
      count: 1,
      version: "2",
      update: "      auto_revert = true",
      group: noReschedule,
    }),
    env: agent.env,
  });
  const { code, stdout } = await second;
  assertEquals(code, 1);
  const out = withoutTimes(stdout);
  assertStringIncludes(
    out,
    "Description = Failed due to unhealthy allocations - rolling back to job version 0",
  );
  assertStringIncludes(out, "Job Version = 2\nStatus      = successful\n");
});
