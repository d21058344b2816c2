// /v1/evaluations, /v1/evaluations/count and /v1/evaluation/:id through app.request.
import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { mockEval, mockJob } from "../../state/_testing.ts";
import { place, send, testApi } from "./_testing.ts";

async function setup() {
  const t = await testApi();
  const web = mockJob("web");
  const api = mockJob("api", { Namespace: "prod" });
  await t.state.apply({ type: "JobRegister", job: web, eval: mockEval("e2", web) });
  await t.state.apply({ type: "JobRegister", job: api, eval: mockEval("e9", api) });
  await t.state.apply({
    type: "EvalUpsert",
    evals: [
      mockEval("e1", web, { Status: "complete", NextEval: "e3" }),
      mockEval("e3", web, { PreviousEval: "e1", BlockedEval: "e4", Status: "failed" }),
      mockEval("e4", web, { Status: "blocked" }),
    ],
  });
  await place(t.state, "default", "web", { node: "n1", ids: ["a1"] });
  return t;
}

const ids = (list: { ID: string }[]) => list.map((e) => e.ID);

Deno.test("GET /v1/evaluations lists evaluations by creation, filtered and paged", async (t) => {
  await using api = await setup();
  const { app, state } = api;

  await t.step("full evaluations in CreateIndex order, in the namespace", async () => {
    const res = await app.request("/v1/evaluations");
    const list = await res.json();
    assertEquals(ids(list), ["e2", "e1", "e3", "e4"]);
    assert("ClassEligibility" in list[0], "full evaluations, not stubs");
    assertEquals(res.headers.get("X-Nomad-Index"), String(state.tableIndex("evals")));
    assertEquals(ids(await (await app.request("/v1/evaluations?namespace=*")).json()), [
      "e2",
      "e9",
      "e1",
      "e3",
      "e4",
    ]);
  });

  await t.step("?job and ?status select; with ?filter they are a 400", async () => {
    assertEquals(ids(await (await app.request("/v1/evaluations?status=blocked")).json()), ["e4"]);
    assertEquals(ids(await (await app.request("/v1/evaluations?job=api&namespace=*")).json()), [
      "e9",
    ]);
    const both = await app.request(
      `/v1/evaluations?job=web&filter=${encodeURIComponent('Status == "failed"')}`,
    );
    assertEquals(both.status, 400);
    assertEquals(
      await both.text(),
      "Filter expression cannot be used with other filter parameters",
    );
    const filtered = await app.request(
      `/v1/evaluations?filter=${encodeURIComponent('Status == "failed"')}`,
    );
    assertEquals(ids(await filtered.json()), ["e3"]);
  });

  await t.step("?prefix lists by ID; pages carry the next token", async () => {
    assertEquals(ids(await (await app.request("/v1/evaluations?prefix=e")).json()), [
      "e1",
      "e2",
      "e3",
      "e4",
    ]);
    const first = await app.request("/v1/evaluations?prefix=e&per_page=3");
    assertEquals(ids(await first.json()), ["e1", "e2", "e3"]);
    assertEquals(first.headers.get("X-Nomad-NextToken"), "e4");
    const reversed = await app.request("/v1/evaluations?prefix=e&per_page=2&reverse=true");
    assertEquals(ids(await reversed.json()), ["e4", "e3"]);
  });

  await t.step("GET /v1/evaluations/count counts with the query meta in the body", async () => {
    const res = await app.request(
      `/v1/evaluations/count?filter=${encodeURIComponent('JobID == "web"')}`,
    );
    const body = await res.json();
    assertEquals([body.Count, body.KnownLeader, body.Index], [4, true, state.tableIndex("evals")]);
    const all = await (await app.request("/v1/evaluations/count?namespace=*")).json();
    assertEquals(all.Count, 5);
  });
});

Deno.test("GET /v1/evaluation/:id answers the evaluation, with related ones on request", async () => {
  await using api = await setup();
  const { app } = api;
  const res = await app.request("/v1/evaluation/e3");
  const e3 = await res.json();
  assertEquals([e3.ID, e3.RelatedEvals], ["e3", null]);
  assertEquals(res.headers.get("X-Nomad-Index"), String(e3.ModifyIndex));
  const related = await (await app.request("/v1/evaluation/e3?related=true")).json();
  assertEquals(ids(related.RelatedEvals), ["e1", "e4"]);
  assertEquals(Object.keys(related.RelatedEvals[0]), [
    "ID",
    "Namespace",
    "Priority",
    "Type",
    "TriggeredBy",
    "JobID",
    "NodeID",
    "DeploymentID",
    "Status",
    "StatusDescription",
    "WaitUntil",
    "NextEval",
    "PreviousEval",
    "BlockedEval",
    "CreateIndex",
    "ModifyIndex",
    "CreateTime",
    "ModifyTime",
  ]);
  const missing = await app.request("/v1/evaluation/nope");
  assertEquals([missing.status, await missing.text()], [404, "eval not found"]);
  const allocs = await (await app.request("/v1/evaluation/e2/allocations")).json();
  assertEquals(ids(allocs), ["a1"]);
  assertEquals(allocs[0].JobType, "service");
  assertEquals((await app.request("/v1/evaluation/e2", { method: "PUT" })).status, 405);
});

Deno.test("DELETE /v1/evaluations deletes by ID or filter", async () => {
  await using api = await setup();
  const { app, state } = api;
  const both = await app.request(
    "/v1/evaluations",
    send("DELETE", { EvalIDs: ["e1"], Filter: "Status == blocked" }),
  );
  assertEquals([both.status, await both.text()], [
    400,
    "evals cannot be deleted by both ID and filter",
  ]);
  const none = await app.request("/v1/evaluations", send("DELETE", {}));
  assertEquals([none.status, await none.text()], [
    400,
    "evals must be deleted by either ID or filter",
  ]);
  const tooMany = await app.request(
    "/v1/evaluations",
    send("DELETE", { EvalIDs: Array.from({ length: 7282 }, (_, i) => `e${i}`) }),
  );
  assertEquals(tooMany.status, 400);
  assertStringIncludes(await tooMany.text(), "request includes 7282 evaluation IDs");
  const byId = await app.request("/v1/evaluations", send("DELETE", { EvalIDs: ["e1"] }));
  assertEquals((await byId.json()).Count, 1);
  assertEquals(state.snapshot().eval("e1"), undefined);
  const byFilter = await app.request(
    "/v1/evaluations",
    send("DELETE", { Filter: 'Status == "blocked"' }),
  );
  assertEquals((await byFilter.json()).Count, 1);
  assertEquals(state.snapshot().eval("e4"), undefined);
  const badFilter = await app.request("/v1/evaluations", send("DELETE", { Filter: "Status =" }));
  assertEquals(badFilter.status, 400);
});
