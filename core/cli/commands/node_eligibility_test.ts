import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { simNode } from "../../server/server_testing.ts";
import { runCli } from "../_testing.ts";
import { servedApi } from "./_agent_testing.ts";

const A = "5d1f0c8e-1111-4a2b-9c3d-0123456789ab";
const B = "5d1f0c8e-2222-4a2b-9c3d-0123456789ab";

Deno.test("node eligibility toggles a node on the real server", async (t) => {
  await using agent = await servedApi({ nodes: [simNode(1, { ID: A }), simNode(2, { ID: B })] });
  const node = () => agent.api.state.snapshot().node(A)!;

  await t.step("-disable with a prefix marks the node ineligible", async () => {
    const { code, stdout, stderr } = await runCli(
      ["node", "eligibility", "-disable", "5d1f0c8e-11"],
      { env: agent.env },
    );
    assertEquals([code, stderr], [0, ""]);
    assertEquals(stdout, `Node "${A}" scheduling eligibility set: ineligible for scheduling\n`);
    assertEquals(node().SchedulingEligibility, "ineligible");
    assertEquals(node().Events?.at(-1)?.Message, "Node marked as ineligible for scheduling");
  });

  await t.step("-enable with the full ID makes it eligible again", async () => {
    const { code, stdout } = await runCli(["node", "eligibility", "-enable", A], {
      env: agent.env,
    });
    assertEquals(code, 0);
    assertEquals(stdout, `Node "${A}" scheduling eligibility set: eligible for scheduling\n`);
    assertEquals(node().SchedulingEligibility, "eligible");
  });

  await t.step("an ambiguous prefix lists the candidates with full IDs", async () => {
    const { code, stderr } = await runCli(["node", "eligibility", "-enable", "5d1f"], {
      env: agent.env,
    });
    assertEquals(code, 1);
    assert(stderr.startsWith("Prefix matched multiple nodes\n\nID  "), stderr);
    assertStringIncludes(stderr, `${A}  dc1 `);
    assertStringIncludes(stderr, `${B}  dc1 `);
  });

  await t.step(
    "unknown, too short and odd prefixes are refused as Nomad refuses them",
    async () => {
      const cases: [string, string][] = [
        ["ffff", 'No node(s) with prefix or id "ffff" found\n'],
        ["abc", 'No node(s) with prefix or id "ab" found\n'],
        ["5", "Identifier must contain at least two characters.\n"],
      ];
      for (const [arg, message] of cases) {
        const { code, stderr } = await runCli(["node", "eligibility", "-enable", arg], {
          env: agent.env,
        });
        assertEquals([code, stderr], [1, message], arg);
      }
    },
  );

  await t.step("-self on a server-only agent says it runs no client", async () => {
    const { code, stderr } = await runCli(["node", "eligibility", "-enable", "-self"], {
      env: agent.env,
    });
    assertEquals([code, stderr], [1, "Nomad not running in client mode\n"]);
  });

  await t.step("the server's refusal is printed with Nomad's prefix", async () => {
    Object.defineProperty(agent.api.server, "updateNodeEligibility", {
      value: () => Promise.reject(new Error("node is being upgraded")),
    });
    const { code, stderr } = await runCli(["node", "eligibility", "-enable", A], {
      env: agent.env,
    });
    assertEquals([code, stderr], [
      1,
      "Error updating scheduling eligibility: Unexpected response code: 500 " +
      "(node is being upgraded)\n",
    ]);
  });
});

Deno.test("node eligibility wants one of -enable and -disable, and a node", async () => {
  const help = "For additional help try 'nomad-ts node eligibility -help'\n";
  const cases: [string[], string][] = [
    [["-enable", "-disable", A], `Either the '-enable' or '-disable' flag must be set\n${help}`],
    [[A], `Either the '-enable' or '-disable' flag must be set\n${help}`],
    [["-enable"], `Node ID must be specified if -self isn't being used\n${help}`],
    [["-enable", "-self", A], `Node ID must be specified if -self isn't being used\n${help}`],
  ];
  for (const [args, stderr] of cases) {
    const out = await runCli(["node", "eligibility", ...args], {
      env: { NOMAD_ADDR: "http://127.0.0.1:1" },
    });
    assertEquals([out.code, out.stderr, out.stdout], [1, stderr, ""], args.join(" "));
  }
  const bad = await runCli(["node", "eligibility", "-bogus"]);
  assertEquals(bad.code, 1);
  assertEquals(bad.stderr, "flag provided but not defined: -bogus\n");
  assert(bad.stdout.startsWith("Usage: nomad-ts node eligibility [options] <node>\n"));
});
