// deployment promote against the real server in-process.
import { assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import {
  deploymentAgent,
  deploymentJobFile,
  waitForDeployment,
  withoutTimes,
} from "./_deployment_agent_testing.ts";

Deno.test("deployment promote promotes healthy canaries and follows the rest of the update", async () => {
  await using agent = await deploymentAgent();
  const { env } = agent;
  assertEquals(
    (await runCli(["job", "run", "-"], { stdin: deploymentJobFile("web"), env })).code,
    0,
  );
  agent.health = "silent";
  const v1 = deploymentJobFile("web", { version: "2", update: "      canary = 1" });
  assertEquals((await runCli(["job", "run", "-detach", "-"], { stdin: v1, env })).code, 0);
  const d = await waitForDeployment(agent, "web", (d) =>
    d.JobVersion === 1 &&
    (d.TaskGroups?.web?.PlacedCanaries ?? []).length === 1);
  assertEquals(d.StatusDescription, "Deployment is running but requires manual promotion");

  const early = await runCli(["deployment", "promote", d.ID], { env });
  assertEquals(early.code, 1);
  assertEquals(
    early.stderr,
    "Error promoting deployment: Unexpected response code: 500 " +
      '(1 error occurred:\n\t* Task group "web" has 0/1 healthy allocations)\n',
  );

  agent.health = "healthy";
  await waitForDeployment(agent, "web", (d) => d.TaskGroups?.web?.HealthyAllocs === 1);
  const { code, stdout } = await runCli(
    ["deployment", "promote", "-group", "web", d.ID.slice(0, 8)],
    { env },
  );
  assertEquals(code, 0);
  const out = withoutTimes(stdout);
  assertStringIncludes(out, "==> <time>: Monitoring evaluation ");
  assertStringIncludes(out, `==> <time>: Monitoring deployment "${d.ID.slice(0, 8)}"`);
  assertStringIncludes(out, "Task Group  Promoted  Desired  Canaries  Placed  Healthy  Unhealthy");
  assertStringIncludes(out, "Status      = successful\n");
  const done = agent.state.snapshot().deployment(d.ID)!;
  assertEquals([done.Status, done.TaskGroups?.web?.Promoted], ["successful", true]);
});

Deno.test("deployment promote -detach prints the evaluation ID", async () => {
  await using agent = await deploymentAgent();
  const { env } = agent;
  agent.health = "silent";
  const file = deploymentJobFile("web", { count: 1 });
  assertEquals((await runCli(["job", "run", "-detach", "-"], { stdin: file, env })).code, 0);
  const d = await waitForDeployment(agent, "web", () => true);
  const { code, stdout } = await runCli(["deployment", "promote", "-detach", d.ID], { env });
  assertEquals(code, 0);
  const id = stdout.replace("Evaluation ID: ", "").trim();
  assertEquals(agent.state.snapshot().eval(id)?.TriggeredBy, "deployment-watcher");
});
