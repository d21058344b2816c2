import { assertEquals, assertMatch, assertThrows } from "../../../tests/assert.ts";
import { CTX, simJob, waitFor } from "../../server/server_testing.ts";
import type { Job } from "../../structs/mod.ts";
import { runCli } from "../_testing.ts";
import { servedApi, withoutTimes } from "./_agent_testing.ts";
import { groupToScale } from "./job_scale.ts";

const status = { Desired: 1, Placed: 0, Running: 0, Healthy: 0, Unhealthy: 0, Events: null };

Deno.test("groupToScale() takes the only group, or wants the name of one", () => {
  assertEquals(groupToScale({ web: status }, ""), "web");
  assertEquals(groupToScale({ web: status, db: status }, "db"), "db");
  assertThrows(() => groupToScale({ web: status, db: status }, ""), Error, "Group name required");
  assertThrows(() => groupToScale({ web: status }, "x"), Error, "Group x not found within job");
});

Deno.test("job scale changes a group's count on the real server", async (t) => {
  await using agent = await servedApi();
  const { server, state } = agent.api;
  // Batch jobs: a service job's deployment stays active without clients, and blocks scaling.
  const batch = { job: { Type: "batch" } };
  await server.registerJob({ Job: simJob("web", 1, batch) }, CTX);
  const two = simJob("two", 1, batch);
  two.TaskGroups = [two.TaskGroups![0]!, { ...two.TaskGroups![0]!, Name: "db" }];
  await server.registerJob({ Job: two }, CTX);

  await t.step("follows the job-scaling evaluation", async () => {
    const { code, stdout } = await runCli(["job", "scale", "web", "3"], { env: agent.env });
    assertEquals(code, 0, stdout);
    const lines = withoutTimes(stdout).split("\n");
    assertMatch(lines[0] ?? "", /^==> <time>: Monitoring evaluation "[0-9a-f]{8}"$/);
    assertEquals(lines[1], '    <time>: Evaluation triggered by job "web"');
    assertEquals(stdout.match(/Allocation "\w+" created/g)?.length, 2);
    assertEquals(state.snapshot().job("default", "web")?.TaskGroups?.[0]?.Count, 3);
    const events = state.snapshot().scalingEvents("default", "web")?.ScalingEvents.web ?? [];
    assertEquals(
      [events[0]?.Message, events[0]?.Count, events[0]?.PreviousCount],
      ["submitted using the Nomad CLI", 3, 1],
    );
  });

  await t.step("-detach with a group name prints the evaluation ID", async () => {
    const { code, stdout } = await runCli(["job", "scale", "-detach", "two", "db", "2"], {
      env: agent.env,
    });
    assertEquals(code, 0);
    const [first, second] = stdout.trimEnd().split("\n");
    assertEquals(first, "Job scale successful");
    const evalID = second?.replace("Evaluation ID: ", "") ?? "";
    assertEquals(state.snapshot().eval(evalID)?.TriggeredBy, "job-scaling");
  });

  await t.step("a periodic job prints its next launch instead", async () => {
    const job: Job = simJob("cron", 1, {
      job: {
        Type: "batch",
        Periodic: {
          Enabled: true,
          Spec: "@hourly",
          Specs: [],
          SpecType: "cron",
          ProhibitOverlap: false,
          TimeZone: "UTC",
        },
      },
    });
    await server.registerJob({ Job: job }, CTX);
    const { code, stdout } = await runCli(["job", "scale", "cron", "2"], { env: agent.env });
    assertEquals(code, 0);
    assertMatch(
      withoutTimes(stdout),
      /^Job scale successful\nApproximate next launch time: <time> \((\d+h)?(\d+m)?\d+s from now\)\n$/,
    );
  });

  await t.step("answers Nomad's errors", async () => {
    await server.registerJob({ Job: simJob("svc", 1) }, CTX);
    await waitFor(state, "svc's deployment", (s) => s.latestDeployment("default", "svc"));
    const cases: [string[], string][] = [
      [
        ["svc", "2"],
        "Error submitting scaling request: Unexpected response code: 400 " +
        "(job scaling blocked due to active deployment)\n",
      ],
      [["two", "2"], "Group name required\n"],
      [["web", "x", "2"], "Group x not found within job\n"],
      [
        ["web", "lots"],
        'Failed to convert count string to int: strconv.Atoi: parsing "lots": invalid syntax\n',
      ],
      [["web"], "Command requires at least two arguments and no more than three\n"],
      [
        ["-check-index", "1", "web", "4"],
        "Error submitting scaling request: Unexpected response code: 409 " +
        "(Enforcing job modify index 1: job exists with conflicting job modify index: ",
      ],
    ];
    for (const [args, stderr] of cases) {
      const out = await runCli(["job", "scale", ...args], { env: agent.env });
      assertEquals(out.code, 1, args.join(" "));
      assertEquals(out.stderr.slice(0, stderr.length), stderr);
    }
  });
});
