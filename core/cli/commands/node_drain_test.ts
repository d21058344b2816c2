import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { CTX, simJob, simNode, waitForEval } from "../../server/server_testing.ts";
import { runCli } from "../_testing.ts";
import { FakeNomad } from "../api/_fake_nomad_testing.ts";
import { node, nodeStub } from "./_fixtures_testing.ts";
import { servedApi } from "./_agent_testing.ts";

const A = "4e2b8a90-1111-4f3c-8a1d-0f1e2d3c4b5a";
const B = "4e2b8a90-2222-4f3c-8a1d-0f1e2d3c4b5a";
const HELP = "For additional help try 'nomad-ts node drain -help'\n";

Deno.test("node drain refuses the flag combinations Nomad refuses", async () => {
  const cases: [string[], string][] = [
    [
      ["-monitor", "-enable", A],
      "The -monitor flag cannot be used with the '-enable' or '-disable' flags",
    ],
    [[A], "Either the '-enable' or '-disable' flag must be set, unless using '-monitor'"],
    [
      ["-enable", "-disable", A],
      "Either the '-enable' or '-disable' flag must be set, unless using '-monitor'",
    ],
    [["-enable"], "Node ID must be specified if -self isn't being used"],
    [["-enable", "-self", A], "Node ID must be specified if -self isn't being used"],
    [["-disable", "-force", A], "-disable can't be combined with flags configuring drain strategy"],
    [
      ["-disable", "-ignore-system", A],
      "-disable can't be combined with flags configuring drain strategy",
    ],
    [
      ["-enable", "-deadline", "1h", "-force", A],
      "-deadline can't be combined with -force or -no-deadline",
    ],
    [["-enable", "-force", "-no-deadline", A], "-force and -no-deadline are mutually exclusive"],
  ];
  for (const [args, message] of cases) {
    const { code, stdout, stderr } = await runCli(["node", "drain", ...args]);
    assertEquals([code, stdout, stderr], [1, "", `${message}\n${HELP}`], args.join(" "));
  }
  const bad = await runCli(["node", "drain", "-enable", "-deadline", "soon", A]);
  assertEquals([bad.code, bad.stderr], [
    1,
    'Failed to parse deadline "soon": time: invalid duration "soon"\n',
  ]);
  const zero = await runCli(["node", "drain", "-enable", "-deadline", "0s", A]);
  assertEquals([zero.code, zero.stderr], [1, "A positive drain duration must be given\n"]);
});

function fakeAgent(lastDrainMeta: Record<string, string> | null = null): FakeNomad {
  return new FakeNomad({
    "GET /v1/nodes": (req) =>
      A.startsWith(req.query.get("prefix") ?? "") ? [nodeStub({ ID: A })] : [],
    [`GET /v1/node/${A}`]: node({
      ID: A,
      LastDrain: lastDrainMeta === null ? null : { Status: "draining", Meta: lastDrainMeta },
    }),
    [`PUT /v1/node/${A}/drain`]: { NodeModifyIndex: 120, EvalIDs: null, EvalCreateIndex: 0 },
  });
}

Deno.test("node drain sends Nomad's drain request", async (t) => {
  await t.step("-enable -detach with the default deadline and metadata", async () => {
    const fake = fakeAgent();
    try {
      const { code, stdout } = await runCli(
        [
          "node",
          "drain",
          "-enable",
          "-detach",
          "-ignore-system",
          "-m",
          "kernel upgrade",
          "-meta",
          "ticket=42",
          "-meta",
          "flag",
          A,
        ],
        { env: { NOMAD_ADDR: fake.address } },
      );
      assertEquals([code, stdout], [0, `Node "${A}" drain strategy set\n`]);
      assertEquals(fake.requestsTo(`PUT /v1/node/${A}/drain`)[0]!.body, {
        NodeID: A,
        DrainSpec: { Deadline: 3_600_000_000_000, IgnoreSystemJobs: true },
        MarkEligible: true,
        Meta: { message: "kernel upgrade", ticket: "42", flag: "" },
      });
    } finally {
      await fake.close();
    }
  });

  await t.step("-force and -no-deadline set Nomad's special deadlines", async () => {
    const fake = fakeAgent();
    try {
      for (const flag of ["-force", "-no-deadline"]) {
        const { code } = await runCli(["node", "drain", "-enable", "-detach", flag, A], {
          env: { NOMAD_ADDR: fake.address },
        });
        assertEquals(code, 0);
      }
      const deadlines = fake.requestsTo(`PUT /v1/node/${A}/drain`).map((r) =>
        (r.body as { DrainSpec: { Deadline: number } }).DrainSpec.Deadline
      );
      assertEquals(deadlines, [-1_000_000_000, 0]);
    } finally {
      await fake.close();
    }
  });

  await t.step("-disable -keep-ineligible keeps the last drain's metadata", async () => {
    const fake = fakeAgent({ message: "kernel upgrade" });
    try {
      const { code, stdout } = await runCli(
        ["node", "drain", "-disable", "-keep-ineligible", "-m", "done early", A],
        { env: { NOMAD_ADDR: fake.address } },
      );
      assertEquals([code, stdout], [0, `Node "${A}" drain strategy unset\n`]);
      assertEquals(fake.requestsTo(`PUT /v1/node/${A}/drain`)[0]!.body, {
        NodeID: A,
        DrainSpec: null,
        MarkEligible: false,
        Meta: { message: "kernel upgrade", cancel_message: "done early" },
      });
    } finally {
      await fake.close();
    }
  });
});

Deno.test("node drain asks before acting on a prefix, as Nomad does", async () => {
  const fake = fakeAgent();
  const question = `Are you sure you want to enable drain mode for node "${A}"? [y/N] `;
  try {
    const cases: [string | undefined, number, string][] = [
      ["n\n", 0, "Canceling drain toggle\n"],
      ["\n", 0, "Canceling drain toggle\n"],
      ["yes\n", 0, "For confirmation, an exact \u2018y\u2019 is required.\n"],
      ["ok\n", 1, "No confirmation detected. For confirmation, an exact 'y' is required.\n"],
    ];
    for (const [stdin, code, answer] of cases) {
      const res = await runCli(["node", "drain", "-enable", "-detach", "4e2b"], {
        env: { NOMAD_ADDR: fake.address },
        ...(stdin === undefined ? {} : { stdin }),
      });
      assertEquals([res.code, res.stdout], [code, `${question}${answer}`], stdin);
    }
    const eof = await runCli(["node", "drain", "-enable", "-detach", "4e2b"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals([eof.code, eof.stderr], [1, "Failed to parse answer: EOF\n"]);
    assertEquals(fake.requestsTo(`PUT /v1/node/${A}/drain`).length, 0);
    const yes = await runCli(["node", "drain", "-enable", "-detach", "4e2b"], {
      env: { NOMAD_ADDR: fake.address },
      stdin: "y\n",
    });
    assertEquals([yes.code, yes.stdout], [0, `${question}Node "${A}" drain strategy set\n`]);
  } finally {
    await fake.close();
  }
});

Deno.test("node drain on the real server sets and cancels a drain", async () => {
  await using agent = await servedApi({ nodes: [simNode(1, { ID: A }), simNode(2, { ID: B })] });
  const { server, state } = agent.api;
  const reg = await server.registerJob({ Job: simJob("web", 2, { job: { Type: "batch" } }) }, CTX);
  await waitForEval(state, reg.EvalID);
  const busy = state.snapshot().allocsByNode(A).length > 0 ? A : B;

  const set = await runCli(["node", "drain", "-enable", "-detach", busy], { env: agent.env });
  assertEquals([set.code, set.stdout], [0, `Node "${busy}" drain strategy set\n`]);
  const drained = state.snapshot().node(busy)!;
  assertEquals(drained.DrainStrategy?.Deadline, 3_600e9);
  assertEquals(drained.SchedulingEligibility, "ineligible");

  const unset = await runCli(["node", "drain", "-disable", "-yes", busy.slice(0, 11)], {
    env: agent.env,
  });
  assertEquals([unset.code, unset.stdout], [0, `Node "${busy}" drain strategy unset\n`]);
  const after = state.snapshot().node(busy)!;
  assertEquals([after.DrainStrategy, after.SchedulingEligibility], [null, "eligible"]);
  assertEquals(after.LastDrain?.Status, "canceled");

  const ambiguous = await runCli(["node", "drain", "-enable", "4e2b8a90"], { env: agent.env });
  assertEquals(ambiguous.code, 1);
  assert(ambiguous.stderr.startsWith("Prefix matched multiple nodes\n\n"), ambiguous.stderr);
  const unknown = await runCli(["node", "drain", "-enable", "ffff"], { env: agent.env });
  assertEquals([unknown.code, unknown.stderr], [1, 'No node(s) with prefix or id "ffff" found\n']);
  const self = await runCli(["node", "drain", "-enable", "-self"], { env: agent.env });
  assertEquals([self.code, self.stderr], [1, "Nomad not running in client mode\n"]);
  Object.defineProperty(server, "updateNodeDrain", {
    value: () => Promise.reject(new Error("node is locked")),
  });
  const refused = await runCli(["node", "drain", "-enable", busy], { env: agent.env });
  assertEquals(refused.code, 1);
  assertStringIncludes(
    refused.stderr,
    "Error updating drain specification: Unexpected response code: 500 (node is locked)",
  );
});
