// createApi() end to end: a node and a job registered over HTTP, scheduled by the real server.
import { assert, assertEquals } from "../../tests/assert.ts";
import { simJob, simNode } from "../server/server_testing.ts";
import { send, testApi } from "./routes/_testing.ts";

Deno.test("createApi() schedules a job registered over HTTP onto a node registered over HTTP", async () => {
  await using api = await testApi({ scheduling: true });
  const { app, state } = api;
  const node = simNode(1);
  const reg = await app.request("/v1/internal/node/register", send("PUT", { Node: node }));
  assertEquals(reg.status, 200);

  const before = state.tableIndex("allocs");
  const run = await app.request("/v1/jobs", send("PUT", { Job: simJob("web", 2) }));
  assertEquals(run.status, 200);
  const { EvalID } = await run.json();

  // Block on the job's allocations until the scheduler has placed both.
  let index = before;
  let allocs: { ID: string; NodeID: string; EvalID: string }[] = [];
  for (let i = 0; i < 20 && allocs.length < 2; i++) {
    const res = await app.request(`/v1/job/web/allocations?index=${index}&wait=5s`);
    index = Number(res.headers.get("X-Nomad-Index"));
    allocs = await res.json();
  }
  assertEquals(allocs.length, 2);
  assert(allocs.every((a) => a.NodeID === node.ID && a.EvalID === EvalID));

  // The evaluation completes once the worker acks it, right after the plan is applied.
  let evaluation = { Status: "", ModifyIndex: 0 };
  for (let i = 0; i < 20 && evaluation.Status !== "complete"; i++) {
    const res = await app.request(`/v1/evaluation/${EvalID}?index=${evaluation.ModifyIndex}`);
    evaluation = await res.json();
  }
  assertEquals(evaluation.Status, "complete");
  const summary = await (await app.request("/v1/job/web/summary")).json();
  assertEquals(summary.Summary.web.Starting, 2);

  const client = await app.request(`/v1/internal/node/${node.ID}/allocs`, {
    headers: { "X-Nomad-Token": node.SecretID },
  });
  assertEquals(Object.keys((await client.json()).Allocs).sort(), allocs.map((a) => a.ID).sort());
});
