// deployment pause, resume and fail against the real server in-process.
import { assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import {
  deploymentAgent,
  deploymentJobFile,
  waitForDeployment,
  withoutTimes,
} from "./_deployment_agent_testing.ts";

Deno.test("deployment pause holds a deployment and resume follows it to the end", async () => {
  await using agent = await deploymentAgent();
  const { env } = agent;
  agent.health = "silent";
  const file = deploymentJobFile("web", { count: 1 });
  assertEquals((await runCli(["job", "run", "-detach", "-"], { stdin: file, env })).code, 0);
  const d = await waitForDeployment(agent, "web", () => true);

  const paused = await runCli(["deployment", "pause", d.ID], { env });
  assertEquals([paused.code, paused.stdout], [0, `Deployment "${d.ID}" paused\n`]);
  assertEquals(agent.state.snapshot().deployment(d.ID)?.Status, "paused");
  const again = await runCli(["deployment", "pause", d.ID.slice(0, 8)], { env });
  assertEquals(again.code, 0, "pausing a paused deployment is allowed, as in Nomad");

  agent.health = "healthy";
  const resumed = await runCli(["deployment", "resume", d.ID], { env });
  assertEquals(resumed.code, 0);
  const out = withoutTimes(resumed.stdout);
  assertStringIncludes(out, `Deployment "${d.ID}" resumed\n\n==> <time>: Monitoring evaluation `);
  assertStringIncludes(out, "Status      = successful\n");

  const terminal = await runCli(["deployment", "pause", d.ID], { env });
  assertEquals(
    [terminal.code, terminal.stderr],
    [
      1,
      "Error pausing deployment: Unexpected response code: 500 (can't pause terminal deployment)\n",
    ],
  );
});

Deno.test("deployment fail fails a deployment, auto-reverts, and exits 1 as the monitor sees it fail", async () => {
  await using agent = await deploymentAgent();
  const { env } = agent;
  const revert = "      auto_revert = true";
  const v0 = deploymentJobFile("web", { count: 1, update: revert });
  assertEquals((await runCli(["job", "run", "-"], { stdin: v0, env })).code, 0);
  agent.health = "silent";
  const v1 = deploymentJobFile("web", { count: 1, version: "2", update: revert });
  assertEquals((await runCli(["job", "run", "-detach", "-"], { stdin: v1, env })).code, 0);
  const d = await waitForDeployment(agent, "web", (d) => d.JobVersion === 1);

  const detached = await runCli(["deployment", "fail", "-detach", d.ID], { env });
  assertEquals(detached.code, 0);
  assertStringIncludes(
    detached.stdout,
    `Deployment "${d.ID}" failed. Auto-reverted to job version 0.\nEvaluation ID: `,
  );
  assertEquals(agent.state.snapshot().job("default", "web")?.Version, 2);
  const rollback = await waitForDeployment(agent, "web", (d) => d.JobVersion === 2);

  const plain = await runCli(["deployment", "fail", rollback.ID], { env });
  assertEquals(plain.code, 1, "the monitor follows the failed deployment");
  const out = withoutTimes(plain.stdout);
  assertStringIncludes(out, `Deployment "${rollback.ID}" failed`);
  // The rollback copied the stable version 0 as version 2, stable too (as Nomad does).
  assertStringIncludes(
    out,
    "Description = Deployment marked as failed - not rolling back to stable job version 2 " +
      "as current job has same specification",
  );
});
