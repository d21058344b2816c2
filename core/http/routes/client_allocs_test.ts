// /v1/client/allocation/:id/*, /v1/client/gc, /v1/client/stats, and forwarding to other nodes.
import { join } from "node:path";
import { assert, assertEquals } from "../../../tests/assert.ts";
import { mockNode } from "../../state/_testing.ts";
import { DirClient, HOST_STATS } from "./_client_testing.ts";
import { HOPS_HEADER } from "./_client_forward.ts";
import { apiJob, place, send, testApi } from "./_testing.ts";

const NODE = "node-local";
const ALLOC = "0f6a4bd7-7c2d-4e0f-9d7e-000000000001";

async function setup() {
  const client = await DirClient.create(NODE);
  const api = await testApi({ client });
  await api.state.apply({ type: "NodeRegister", node: mockNode(NODE) });
  await api.app.request("/v1/jobs", send("PUT", { Job: apiJob("web") }));
  await place(api.state, "default", "web", { node: NODE, ids: [ALLOC] });
  const dir = await client.addAlloc(ALLOC, ["app"]);
  return {
    ...api,
    client,
    dir,
    async [Symbol.asyncDispose]() {
      await api.close();
      await client[Symbol.asyncDispose]();
    },
  };
}

async function text(res: Response): Promise<[number, string]> {
  return [res.status, await res.text()];
}

Deno.test("client allocation endpoints reach the local client", async (t) => {
  await using s = await setup();
  const base = `/v1/client/allocation/${ALLOC}`;
  await t.step("stats, for the allocation or one task", async () => {
    const all = await (await s.app.request(`${base}/stats`)).json();
    assertEquals(Object.keys(all.Tasks), ["app"]);
    assertEquals(all.ResourceUsage.MemoryStats.RSS, 1);
    const res = await s.app.request(`${base}/stats?task=db`);
    assertEquals(await text(res), [400, 'unknown task name "db"']);
  });
  await t.step("restart with and without a body", async () => {
    assertEquals(await text(await s.app.request(`${base}/restart`, { method: "PUT" })), [
      200,
      '{"Index":0}',
    ]);
    const one = await s.app.request(`${base}/restart`, send("POST", { TaskName: "app" }));
    assertEquals(one.status, 200);
    await s.app.request(`${base}/restart`, send("PUT", { AllTasks: true }));
    assertEquals(s.client.calls, [
      `restart ${ALLOC} - running`,
      `restart ${ALLOC} app running`,
      `restart ${ALLOC} - all`,
    ]);
  });
  await t.step("signal needs a body; a bad signal is a 400", async () => {
    assertEquals(await text(await s.app.request(`${base}/signal`, { method: "POST" })), [
      400,
      "Failed to decode body: EOF",
    ]);
    const bad = await s.app.request(`${base}/signal`, send("PUT", { Signal: "SIGNOPE" }));
    assertEquals(await text(bad), [400, 'invalid signal "SIGNOPE"']);
    const ok = await s.app.request(
      `${base}/signal`,
      send("PUT", { Task: "app", Signal: "SIGHUP" }),
    );
    assertEquals(await text(ok), [200, '{"Index":0}']);
    assertEquals(s.client.calls.at(-1), `signal ${ALLOC} app SIGHUP`);
    assertEquals((await s.app.request(`${base}/signal`)).status, 405);
  });
  await t.step("checks answers an empty map", async () => {
    assertEquals(await text(await s.app.request(`${base}/checks`)), [200, "{}"]);
  });
  await t.step("host stats and metadata", async () => {
    assertEquals(await (await s.app.request("/v1/client/stats")).json(), HOST_STATS);
    const same = await s.app.request(`/v1/client/stats?node_id=${NODE}`);
    assertEquals(same.status, 200);
    assertEquals((await s.app.request("/v1/client/metadata")).status, 501);
  });
  await t.step("gc of one allocation removes its directory", async () => {
    assertEquals(await text(await s.app.request(`${base}/gc`)), [200, ""]);
    assertEquals(await s.dir.exists(), false);
    const again = await s.app.request(`${base}/gc`, { method: "PUT" });
    assertEquals(await text(again), [404, `Unknown allocation "${ALLOC}"`]);
  });
  await t.step("gc of every allocation", async () => {
    await s.client.addAlloc("other", ["app"]);
    assertEquals((await s.app.request("/v1/client/gc", { method: "PUT" })).status, 200);
    assertEquals(s.client.calls.slice(-2), ["gc other", "gc all"]);
  });
});

Deno.test("client endpoints answer Nomad's errors when no agent serves the request", async (t) => {
  await using api = await testApi();
  await api.app.request("/v1/jobs", send("PUT", { Job: apiJob("web") }));
  await api.state.apply({ type: "NodeRegister", node: mockNode("n1", { HTTPAddr: "" }) });
  await place(api.state, "default", "web", { node: "n1", ids: ["a1"] });
  await api.state.apply({
    type: "NodeRegister",
    node: mockNode("n2", { HTTPAddr: "127.0.0.1:1" }),
  });
  await place(api.state, "default", "web", { node: "n2", ids: ["a2"] });
  await t.step("unknown allocation and node", async () => {
    assertEquals(await text(await api.app.request("/v1/client/allocation/zz/stats")), [
      404,
      'Unknown allocation "zz"',
    ]);
    assertEquals(await text(await api.app.request("/v1/client/stats?node_id=zz")), [
      404,
      'Unknown node "zz"',
    ]);
  });
  await t.step("no client here and no node_id", async () => {
    assertEquals(await text(await api.app.request("/v1/client/stats")), [
      400,
      "No local Node and node_id not provided",
    ]);
  });
  await t.step("a node without an HTTP address, or unreachable", async () => {
    assertEquals(await text(await api.app.request("/v1/client/allocation/a1/stats")), [
      404,
      "No path to node",
    ]);
    assertEquals(await text(await api.app.request("/v1/client/fs/ls/a2")), [
      404,
      "No path to node",
    ]);
  });
});

Deno.test({
  name: "client endpoints of another node's allocation are proxied to its agent, streams too",
  sanitizeResources: false,
  async fn(t) {
    await using remote = await setup();
    await Deno.writeTextFile(join(remote.dir.logDir, "app.stdout.0"), "from n2\n");
    const listener = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      remote.app.fetch,
    );
    await using front = await testApi();
    try {
      await front.app.request("/v1/jobs", send("PUT", { Job: apiJob("web") }));
      await front.state.apply({
        type: "NodeRegister",
        node: mockNode(NODE, { HTTPAddr: `127.0.0.1:${listener.addr.port}` }),
      });
      await place(front.state, "default", "web", { node: NODE, ids: [ALLOC] });
      await t.step("a JSON answer", async () => {
        const res = await front.app.request(`/v1/client/allocation/${ALLOC}/stats`);
        assertEquals(res.status, 200);
        assertEquals(Object.keys((await res.json()).Tasks), ["app"]);
      });
      await t.step("a write with its body", async () => {
        const res = await front.app.request(
          `/v1/client/allocation/${ALLOC}/signal`,
          send("POST", { Task: "app", Signal: "SIGUSR1" }),
        );
        assertEquals(await text(res), [200, '{"Index":0}']);
        assertEquals(remote.client.calls.at(-1), `signal ${ALLOC} app SIGUSR1`);
      });
      await t.step("an error keeps its status and text", async () => {
        const res = await front.app.request(`/v1/client/fs/stat/${ALLOC}?path=nope`);
        assertEquals(await text(res), [404, "stat nope: no such file or directory"]);
      });
      await t.step("a log stream", async () => {
        const res = await front.app.request(
          `/v1/client/fs/logs/${ALLOC}?task=app&type=stdout&plain=true`,
        );
        assertEquals(await text(res), [200, "from n2\n"]);
      });
      await t.step("the node's stats by node_id", async () => {
        const res = await front.app.request(`/v1/client/stats?node_id=${NODE}`);
        assertEquals(await res.json(), HOST_STATS);
      });
      await t.step("a disconnected or down node is not asked: it may never answer", async () => {
        for (const status of ["disconnected", "down"]) {
          await front.state.apply({
            type: "NodeStatus",
            nodeId: NODE,
            status,
            event: null,
            updatedAt: 0,
          });
          const res = await front.app.request(`/v1/client/allocation/${ALLOC}/stats`);
          assertEquals(await text(res), [404, "No path to node"], status);
        }
        await front.state.apply({
          type: "NodeStatus",
          nodeId: NODE,
          status: "ready",
          event: null,
          updatedAt: 0,
        });
      });
      await t.step("a request that made two hops already is not forwarded again", async () => {
        const res = await front.app.request(`/v1/client/allocation/${ALLOC}/stats`, {
          headers: { [HOPS_HEADER]: "2" },
        });
        assertEquals(await text(res), [404, "No path to node"]);
        assert(remote.client.calls.length > 0);
      });
    } finally {
      await listener.shutdown();
    }
  },
});
