import { assertEquals } from "../../../tests/assert.ts";
import { FakeNomad, withFixedNow } from "../api/_fake_nomad_testing.ts";
import { ApiClient } from "../api/mod.ts";
import { envClientConfig } from "../meta.ts";
import { Ui } from "../ui.ts";
import { TextSink } from "../_testing.ts";
import { setLocalZoneFromEnv } from "../format/time.ts";
import { allocStub, evaluation, NOW } from "./_fixtures_testing.ts";
import { EvalMonitor } from "./_monitor.ts";

Deno.test("EvalMonitor prints each change once, follows the chain, and ends with 0", async () => {
  let polls = 0;
  const fake = new FakeNomad({
    "GET /v1/evaluation/e1": () =>
      evaluation({
        ID: "e1aaaaaa-1",
        NodeID: "n0de0000-1",
        TriggeredBy: "node-update",
        CreateIndex: 10,
        Status: ++polls < 3 ? "pending" : "complete",
        NextEval: "e2bbbbbb-2",
      }),
    "GET /v1/evaluation/e1aaaaaa-1/allocations": () => [
      allocStub({ ID: "a1", NodeID: "n0de0000-1", TaskGroup: "g", CreateIndex: 10 }),
      allocStub({
        ID: "a0",
        NodeID: "n0de0000-1",
        TaskGroup: "g",
        CreateIndex: 3,
        ClientStatus: polls < 2 ? "pending" : "running",
        ClientDescription: polls < 2 ? "" : "Tasks are running",
      }),
    ],
    "GET /v1/evaluation/e2bbbbbb-2": evaluation({ ID: "e2bbbbbb-2", JobID: "web" }),
    "GET /v1/evaluation/e2bbbbbb-2/allocations": [],
  });
  const out = new TextSink();
  const client = await ApiClient.create(envClientConfig({ NOMAD_ADDR: fake.address }));
  try {
    setLocalZoneFromEnv({ TZ: "UTC" });
    const ctx = { ui: new Ui(out, new TextSink()), env: {}, cwd: "/" };
    const code = await withFixedNow(
      NOW,
      () => new EvalMonitor(client, ctx, 8, { pollInterval: 0 }).monitor("e1"),
    );
    const t = "2024-11-30T11:41:29Z";
    assertEquals(
      out.text,
      `==> ${t}: Monitoring evaluation "e1"
    ${t}: Evaluation triggered by node "n0de0000"
    ${t}: Allocation "a1" created: node "n0de0000", group "g"
    ${t}: Allocation "a0" modified: node "n0de0000", group "g"
    ${t}: Allocation "a0" status changed: "pending" -> "running" (Tasks are running)
    ${t}: Evaluation status changed: "pending" -> "complete"
==> ${t}: Evaluation "e1aaaaaa" finished with status "complete"
==> ${t}: Monitoring evaluation "e2bbbbbb"
    ${t}: Evaluation triggered by job "web"
    ${t}: Evaluation status changed: "pending" -> "complete"
==> ${t}: Evaluation "e2bbbbbb" finished with status "complete"
`,
    );
    assertEquals(code, 0);
  } finally {
    setLocalZoneFromEnv({});
    client.close();
    await fake.close();
  }
});

Deno.test("EvalMonitor says when the evaluation does not exist", async () => {
  const fake = new FakeNomad({});
  const err = new TextSink();
  const client = await ApiClient.create(envClientConfig({ NOMAD_ADDR: fake.address }));
  try {
    const ctx = { ui: new Ui(new TextSink(), err), env: {}, cwd: "/" };
    assertEquals(await new EvalMonitor(client, ctx, 8).monitor("nope"), 1);
    assertEquals(err.text, '==> No evaluation with id "nope" found\n');
  } finally {
    client.close();
    await fake.close();
  }
});
