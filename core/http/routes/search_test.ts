// PUT /v1/search through app.request.
import { assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { mockEval, mockJob, mockNode } from "../../state/_testing.ts";
import { place, send, testApi } from "./_testing.ts";

Deno.test("PUT /v1/search matches ID prefixes by context", async (t) => {
  await using api = await testApi();
  const { app, state } = api;
  for (let i = 0; i < 22; i++) {
    const job = mockJob(`web-${String(i).padStart(2, "0")}`);
    await state.apply({ type: "JobRegister", job, eval: mockEval(`ee${i}`, job) });
  }
  await state.apply({ type: "NodeRegister", node: mockNode("abc-node") });
  await place(state, "default", "web-00", {
    node: "abc-node",
    ids: ["abc1"],
    deployment: { ID: "abd" },
  });

  await t.step("a context answers its matches, truncated at 20", async () => {
    const res = await app.request("/v1/search", send("PUT", { Prefix: "web", Context: "jobs" }));
    const body = await res.json();
    assertEquals(body.Matches.jobs.length, 20);
    assertEquals(body.Matches.jobs[0], "web-00");
    assertEquals(body.Truncations, { jobs: true });
    assertEquals(res.headers.get("X-Nomad-Index"), String(state.tableIndex("jobs")));
    const evals = await (await app.request(
      "/v1/search",
      send("POST", { Prefix: "ee1", Context: "evals" }),
    )).json();
    assertEquals(
      evals.Matches.evals,
      ["ee1", "ee10", "ee11", "ee12", "ee13", "ee14", "ee15"].concat(
        ["ee16", "ee17", "ee18", "ee19"],
      ),
    );
  });

  await t.step("all searches every context, with null where nothing matched", async () => {
    const body =
      await (await app.request("/v1/search", send("PUT", { Prefix: "ab", Context: "all" })))
        .json();
    assertEquals(body.Matches.allocs, ["abc1"]);
    assertEquals(body.Matches.nodes, ["abc-node"]);
    assertEquals(body.Matches.deployment, ["abd"]);
    assertEquals(body.Matches.jobs, null);
    assertEquals(body.Matches.plugins, null);
    assertEquals(Object.keys(body.Matches)[0], "allocs");
    const ns = await (await app.request("/v1/search", send("PUT", { Prefix: "d", Context: "all" })))
      .json();
    assertEquals([ns.Matches.namespaces, ns.Matches.node_pools], [["default"], ["default"]]);
  });

  await t.step("other namespaces are searched on request", async () => {
    const prod = mockJob("web-prod", { Namespace: "prod" });
    await state.apply({ type: "JobRegister", job: prod });
    const own = await (await app.request(
      "/v1/search",
      send("PUT", { Prefix: "web-p", Context: "jobs" }),
    )).json();
    assertEquals(own.Matches.jobs, null);
    const all = await (await app.request(
      "/v1/search?namespace=*",
      send("PUT", { Prefix: "web-p", Context: "jobs" }),
    )).json();
    assertEquals(all.Matches.jobs, ["web-prod"]);
  });

  await t.step("an unknown context is a 400; GET is 405", async () => {
    const res = await app.request("/v1/search", send("PUT", { Prefix: "a", Context: "pets" }));
    assertEquals(res.status, 400);
    assertStringIncludes(await res.text(), `or 'all' for all contexts; got "pets"`);
    assertEquals((await app.request("/v1/search")).status, 405);
  });
});
