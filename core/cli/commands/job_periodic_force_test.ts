import { assertEquals, assertMatch } from "../../../tests/assert.ts";
import { CTX, simJob } from "../../server/server_testing.ts";
import { runCli } from "../_testing.ts";
import { servedApi, withoutTimes } from "./_agent_testing.ts";

const PERIODIC = {
  Enabled: true,
  Spec: "0 0 1 1 *",
  Specs: [],
  SpecType: "cron",
  ProhibitOverlap: true,
  TimeZone: "UTC",
};

Deno.test("job periodic force launches a child against the real server", async (t) => {
  await using agent = await servedApi();
  const { server, state } = agent.api;
  await server.registerJob({
    Job: simJob("report", 1, { job: { Type: "batch", Periodic: PERIODIC } }),
  }, CTX);
  await server.registerJob({ Job: simJob("web", 1) }, CTX);

  await t.step("without -detach it follows the child's evaluation", async () => {
    const { code, stdout } = await runCli(["job", "periodic", "force", "report"], {
      env: agent.env,
    });
    assertEquals(code, 0, stdout);
    const lines = withoutTimes(stdout).split("\n");
    assertMatch(lines[0] ?? "", /^==> <time>: Monitoring evaluation "[0-9a-f]{8}"$/);
    assertMatch(lines[1] ?? "", /^ {4}<time>: Evaluation triggered by job "report\/periodic-\d+"$/);
    assertMatch(stdout, /Allocation "[0-9a-f]{8}" created: node "[^"]+", group "web"/);
    assertMatch(stdout, /Evaluation "[0-9a-f]{8}" finished with status "complete"\n$/);
  });

  await t.step("-detach prints the evaluation ID", async () => {
    const { code, stdout } = await runCli(["job", "periodic", "force", "-detach", "rep"], {
      env: agent.env,
    });
    assertEquals(code, 0);
    const [first, second] = stdout.trimEnd().split("\n");
    assertEquals(first, "Force periodic successful");
    const evalID = second?.replace("Evaluation ID: ", "") ?? "";
    assertMatch(state.snapshot().eval(evalID)?.JobID ?? "", /^report\/periodic-\d+$/);
  });

  await t.step("job status lists the launched children", async () => {
    const { code, stdout } = await runCli(["job", "status", "report"], { env: agent.env });
    assertEquals(code, 0);
    assertMatch(stdout, /Periodic\s+= true/);
    assertMatch(stdout, /Children Job Summary\nPending\s+Running\s+Dead\n\d+\s+\d+\s+\d+/);
    assertMatch(stdout, /Previously Launched Jobs\nID\s+Status\nreport\/periodic-\d+\s+\w+\n/);
  });

  await t.step("answers for jobs that are not periodic", async () => {
    const { code, stderr } = await runCli(["job", "periodic", "force", "web"], {
      env: agent.env,
    });
    assertEquals([code, stderr], [1, 'No periodic job(s) with prefix or ID "web" found\n']);
    const usage = await runCli(["job", "periodic", "force"], { env: agent.env });
    assertEquals(
      usage.stderr,
      "This command takes one argument: <job id>\n" +
        "For additional help try 'nomad-ts job periodic force -help'\n",
    );
  });
});
