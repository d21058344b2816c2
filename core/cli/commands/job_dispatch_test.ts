import { assertEquals, assertMatch } from "../../../tests/assert.ts";
import { CTX, simJob } from "../../server/server_testing.ts";
import { snappyDecode } from "../../server/_snappy.ts";
import { runCli } from "../_testing.ts";
import { servedApi, withoutTimes } from "./_agent_testing.ts";

const TEMPLATE = {
  Type: "batch",
  ParameterizedJob: { Payload: "optional", MetaRequired: ["input"], MetaOptional: ["mode"] },
};

function payloadOf(encoded: string | null | undefined): string {
  const bytes = Uint8Array.from(atob(encoded ?? ""), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(snappyDecode(bytes));
}

Deno.test("job dispatch creates instances of a parameterized job on the real server", async (t) => {
  await using agent = await servedApi();
  const { server, state } = agent.api;
  await server.registerJob({ Job: simJob("proc", 1, { job: TEMPLATE }) }, CTX);
  await server.registerJob({ Job: simJob("web", 1) }, CTX);

  await t.step("reads the payload from stdin and follows the evaluation", async () => {
    const { code, stdout, stderr } = await runCli(
      ["job", "dispatch", "-meta", "input=s3://bucket", "-meta", "mode=fast", "pro", "-"],
      { env: agent.env, stdin: "hello" },
    );
    assertEquals(code, 0, stdout);
    assertMatch(
      stderr,
      /^\n\n==> View this job in the Web UI: http:\/\/127\.0\.0\.1:\d+\/ui\/jobs\/proc%2Fdispatch-\d+-[0-9a-f]{8}@default\n\n$/,
    );
    const lines = withoutTimes(stdout).split("\n");
    const id = /^Dispatched Job ID = (proc\/dispatch-\d+-[0-9a-f]{8})$/.exec(lines[0] ?? "")?.[1];
    assertMatch(lines[1] ?? "", /^Evaluation ID {5}= [0-9a-f]{8}$/);
    assertEquals(lines[2], "");
    assertMatch(lines[3] ?? "", /^==> <time>: Monitoring evaluation "[0-9a-f]{8}"$/);
    assertMatch(stdout, /finished with status "complete"\n$/);
    const child = state.snapshot().job("default", id ?? "");
    assertEquals(child?.Meta, { input: "s3://bucket", mode: "fast" });
    assertEquals(payloadOf(child?.Payload), "hello");
  });

  await t.step("reads the payload from a file; -detach prints the IDs", async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/input.json`, '{"n": 1}');
      const { code, stdout } = await runCli(
        ["job", "dispatch", "-detach", "-meta", "input=x", "proc", "input.json"],
        { env: agent.env, cwd: dir },
      );
      assertEquals(code, 0);
      const id = /^Dispatched Job ID = (\S+)\n/.exec(stdout)?.[1] ?? "";
      assertEquals(payloadOf(state.snapshot().job("default", id)?.Payload), '{"n": 1}');
      const missing = await runCli(
        ["job", "dispatch", "-meta", "input=x", "proc", "nope.json"],
        { env: agent.env, cwd: dir },
      );
      assertEquals(missing.code, 1);
      assertMatch(missing.stderr, /^Error reading input data: .*nope\.json/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step("an idempotency token dispatches once", async () => {
    const run = () =>
      runCli([
        "job",
        "dispatch",
        "-detach",
        "-idempotency-token",
        "once",
        "-id-prefix-template",
        "nightly",
        "-meta",
        "input=y",
        "proc",
      ], { env: agent.env });
    const first = await run();
    const again = await run();
    assertMatch(first.stdout, /^Dispatched Job ID = proc\/dispatch-nightly-\d+-[0-9a-f]{8}\n/);
    assertEquals(again.stdout.split("\n")[0], first.stdout.split("\n")[0]);
    assertEquals(again.stdout.includes("Evaluation ID"), false, "no new evaluation");
  });

  await t.step("answers the server's and the CLI's errors", async () => {
    const meta = await runCli(["job", "dispatch", "proc"], { env: agent.env });
    assertEquals([meta.code, meta.stderr], [
      1,
      "Failed to dispatch job: Unexpected response code: 500 " +
      "(Dispatch did not provide required meta keys: [input])\n",
    ]);
    const web = await runCli(["job", "dispatch", "web"], { env: agent.env });
    assertEquals(web.stderr, 'No parameterized job(s) with prefix or ID "web" found\n');
    const bad = await runCli(["job", "dispatch", "-meta", "input", "proc"], { env: agent.env });
    assertEquals(bad.stderr, "Error parsing meta value: input\n");
    const usage = await runCli(["job", "dispatch"], { env: agent.env });
    assertEquals(
      usage.stderr,
      "This command takes one or two argument: <parameterized job> [input source]\n" +
        "For additional help try 'nomad-ts job dispatch -help'\n",
    );
  });
});
