import { assertEquals } from "../../../tests/assert.ts";
import type { Membership } from "../../http/routes/deps.ts";
import { runCli } from "../_testing.ts";
import { servedApi } from "./_agent_testing.ts";

Deno.test("server force-leave asks the servers' pool to drop the member, quietly", async () => {
  const calls: [string, boolean][] = [];
  const membership: Membership = {
    join: () => Promise.resolve(0),
    forceLeave: (node, prune) => {
      calls.push([node, prune]);
      return node === "alive.global"
        ? Promise.reject(new Error("member alive.global refuted the leave"))
        : Promise.resolve();
    },
  };
  await using agent = await servedApi({ membership });
  const plain = await runCli(["server", "force-leave", "s2.global"], { env: agent.env });
  assertEquals([plain.code, plain.stdout, plain.stderr], [0, "", ""]);
  const pruned = await runCli(["server", "force-leave", "-prune", "s3.global"], {
    env: agent.env,
  });
  assertEquals(pruned.code, 0);
  const failed = await runCli(["server", "force-leave", "alive.global"], { env: agent.env });
  assertEquals([failed.code, failed.stderr], [
    1,
    "Error force-leaving server alive.global: Unexpected response code: 500 " +
    "(member alive.global refuted the leave)\n",
  ]);
  assertEquals(calls, [["s2.global", false], ["s3.global", true], ["alive.global", false]]);
});

Deno.test("server force-leave of an unknown server succeeds, as in Nomad", async () => {
  await using agent = await servedApi();
  const { code, stdout, stderr } = await runCli(["server", "force-leave", "nobody.global"], {
    env: agent.env,
  });
  assertEquals([code, stdout, stderr], [0, "", ""]);
});

Deno.test("server force-leave takes exactly one server name", async () => {
  for (const args of [[], ["a", "b"]]) {
    const { code, stderr } = await runCli(["server", "force-leave", ...args]);
    assertEquals([code, stderr], [
      1,
      "This command takes one argument: <node>\n" +
      "For additional help try 'nomad-ts server force-leave -help'\n",
    ]);
  }
});
