import { assertEquals, assertMatch } from "../../../tests/assert.ts";
import { CTX, simJob, simNode, waitForEval } from "../../server/server_testing.ts";
import { runCli } from "../_testing.ts";
import { servedApi } from "./_agent_testing.ts";

const A = "7a3e9b10-1111-4c2d-8e4f-00112233aabb";
const B = "7a3e9b10-2222-4c2d-8e4f-00112233aabb";

Deno.test("node purge removes a node and evaluates the jobs it ran", async () => {
  await using agent = await servedApi({ nodes: [simNode(1, { ID: A })] });
  const { server, state } = agent.api;
  const reg = await server.registerJob({ Job: simJob("web", 1, { job: { Type: "batch" } }) }, CTX);
  await waitForEval(state, reg.EvalID);
  assertEquals(state.snapshot().allocsByNode(A).length, 1);

  const { code, stdout, stderr } = await runCli(["node", "purge", "-verbose", "7a3e9b10-11"], {
    env: agent.env,
  });
  assertEquals([code, stderr], [0, ""]);
  const [first, second, rest] = stdout.split("\n");
  assertEquals(first, `Node "${A}" purged`);
  assertMatch(second ?? "", /^Evaluation ID: [0-9a-f-]{36}$/);
  assertEquals(rest, "");
  const evalID = second!.slice("Evaluation ID: ".length);
  assertEquals(state.snapshot().eval(evalID)?.TriggeredBy, "node-update");
  assertEquals(state.snapshot().node(A), undefined);

  const again = await runCli(["node", "purge", A], { env: agent.env });
  assertEquals([again.code, again.stderr], [1, `No node(s) with prefix or id "${A}" found\n`]);
});

Deno.test("node purge refuses an ambiguous prefix and a missing argument", async () => {
  await using agent = await servedApi({ nodes: [simNode(1, { ID: A }), simNode(2, { ID: B })] });
  const ambiguous = await runCli(["node", "purge", "7a3e"], { env: agent.env });
  assertEquals(ambiguous.code, 1);
  assertMatch(ambiguous.stderr, /^Prefix matched multiple nodes\n\nID +DC +Name/);
  assertEquals(agent.api.state.snapshot().nodes().length, 2);
  const none = await runCli(["node", "purge"], { env: agent.env });
  assertEquals([none.code, none.stderr], [
    1,
    "This command takes one argument: <node>\n" +
    "For additional help try 'nomad-ts node purge -help'\n",
  ]);
});
