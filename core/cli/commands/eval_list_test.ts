import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { FakeNomad } from "../api/_fake_nomad_testing.ts";
import { evaluation } from "./_fixtures_testing.ts";

Deno.test("eval list prints the evaluations newest first and the next-page hint", async () => {
  const fake = new FakeNomad({
    "GET /v1/evaluations": () =>
      new Response(
        JSON.stringify([
          evaluation({ ID: "aaaaaaaa-1", JobID: "web", CreateIndex: 5 }),
          evaluation({
            ID: "bbbbbbbb-2",
            JobID: "db",
            CreateIndex: 9,
            Status: "blocked",
            TriggeredBy: "queued-allocs",
          }),
        ]),
        { headers: { "X-Nomad-Index": "9", "X-Nomad-NextToken": "cccc" } },
      ),
  });
  try {
    const { code, stdout } = await runCli(
      ["eval", "list", "-per-page", "2", "-job", "web", "-page-token=zz"],
      { env: { NOMAD_ADDR: fake.address } },
    );
    assertEquals(code, 0);
    assertEquals(
      stdout,
      `ID        Priority  Triggered By   Job ID  Namespace  Node ID  Status    Placement Failures
bbbbbbbb  50        queued-allocs  db      default    <none>   blocked   N/A - In Progress
aaaaaaaa  50        job-register   web     default    <none>   complete  false

Results have been paginated. To get the next page run:

nomad-ts eval list -per-page 2 -job web -page-token cccc
`,
    );
    const q = fake.requests[0]!.query;
    assertEquals(
      [q.get("per_page"), q.get("job"), q.get("next_token")],
      ["2", "web", "zz"],
    );
  } finally {
    await fake.close();
  }
});

Deno.test("eval list says when there are none, and takes no arguments", async () => {
  const fake = new FakeNomad({ "GET /v1/evaluations": [] });
  try {
    const { stdout } = await runCli(["eval", "list"], { env: { NOMAD_ADDR: fake.address } });
    assertEquals(stdout, "No evals found\n");
    const extra = await runCli(["eval", "list", "x"], { env: { NOMAD_ADDR: fake.address } });
    assertEquals(
      [extra.code, extra.stderr],
      [1, "This command takes no arguments\nFor additional help try 'nomad-ts eval list -help'\n"],
    );
  } finally {
    await fake.close();
  }
});
