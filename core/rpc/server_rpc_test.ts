// One suite for both ServerRpc implementations: HTTP against a real HTTP server (createApi on
// 127.0.0.1:0) and in-process over the same server.
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../tests/assert.ts";
import { testApi } from "../http/routes/_testing.ts";
import { mockAlloc, mockEval, mockJob, mockNode, planEntry } from "../state/_testing.ts";
import { NotFoundError, PermissionDeniedError } from "../structs/errors.ts";
import { HttpServerRpc } from "./http.ts";
import { InProcessServerRpc } from "./in_process.ts";
import { RpcError, type ServerRpc } from "./server_rpc.ts";

type Api = Awaited<ReturnType<typeof testApi>>;

async function suite(t: Deno.TestContext, api: Api, rpc: ServerRpc): Promise<void> {
  const node = mockNode("n1", { Status: "initializing" });
  const token = node.SecretID;

  await t.step("registerNode() stores the node and gives a heartbeat TTL", async () => {
    const res = await rpc.registerNode(node);
    assert(res.HeartbeatTTL >= 10_000_000_000, `a TTL of at least 10 s in ns: ${res.HeartbeatTTL}`);
    assertEquals(api.state.snapshot().node("n1")?.Status, "initializing");
    assertEquals(res.Servers?.length, 1);
  });

  await t.step("updateStatus() heartbeats; an unknown node is NotFoundError", async () => {
    const res = await rpc.updateStatus("n1", "ready", { token });
    assert(res.HeartbeatTTL > 0);
    assertEquals(api.state.snapshot().node("n1")?.Status, "ready");
    await assertRejects(() => rpc.updateStatus("nope", "ready"), NotFoundError);
  });

  const job = mockJob("j1", {}, 1);
  await t.step("getClientAllocs() blocks until an allocation is placed", async () => {
    const first = await rpc.getClientAllocs("n1", 0, { token });
    assertEquals(first.allocs, {});
    assert(first.index >= 1);
    const waiting = rpc.getClientAllocs("n1", first.index, { token, waitMs: 10_000 });
    await new Promise((r) => setTimeout(r, 100));
    await api.state.apply({ type: "JobRegister", job, eval: mockEval("e1", job) });
    await api.state.apply(planEntry(job, "e1", [mockAlloc("a1", job, "n1")]));
    const got = await waiting;
    assertEquals(Object.keys(got.allocs), ["a1"]);
    assert(got.index > first.index);
    const quiet = await rpc.getClientAllocs("n1", got.index, { token, waitMs: 200 });
    assertEquals(quiet.allocs, got.allocs, "a wait that runs out answers the same allocations");
  });

  await t.step("getClientAllocs() with another node's secret is refused", async () => {
    await assertRejects(
      () => rpc.getClientAllocs("n1", 0, { token: "wrong" }),
      PermissionDeniedError,
    );
  });

  await t.step("getClientAllocs() rejects when its signal aborts", async () => {
    const ctl = new AbortController();
    const idx = api.state.snapshot().tableIndex("allocs");
    const call = rpc.getClientAllocs("n1", idx, { token, signal: ctl.signal, waitMs: 30_000 });
    setTimeout(() => ctl.abort(new Error("stop")), 50);
    await assertRejects(() => call);
  });

  await t.step(
    "getAllocs() pulls allocations with their job; unknown is NotFoundError",
    async () => {
      const res = await rpc.getAllocs(["a1"], { token, minIndex: 0 });
      assertEquals(res.allocs.map((a) => a.ID), ["a1"]);
      assertEquals(res.allocs[0]?.Job?.ID, "j1");
      await assertRejects(() => rpc.getAllocs(["zz"], { token }), NotFoundError);
    },
  );

  await t.step("updateAllocs() stores the client's status", async () => {
    const res = await rpc.updateAllocs([{
      ID: "a1",
      NodeID: "n1",
      ClientStatus: "running",
      ClientDescription: "Tasks are running",
      TaskStates: null,
      DeploymentStatus: null,
      NetworkStatus: null,
      ModifyTime: 1_700_000_000_000_000_000,
    }], { token });
    assert(res.index > 0);
    assertEquals(api.state.snapshot().alloc("a1")?.ClientStatus, "running");
  });
}

Deno.test("HttpServerRpc speaks to a server's /v1/internal endpoints, failing over", async (t) => {
  const api = await testApi();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, api.app.fetch);
  // The first address refuses connections: every call moves on to the second.
  const rpc = new HttpServerRpc({
    servers: ["127.0.0.1:1", `127.0.0.1:${server.addr.port}`],
    backoffMs: 10,
  });
  try {
    await suite(t, api, rpc);
    assertEquals(rpc.servers(), ["127.0.0.1:1", `127.0.0.1:${server.addr.port}`]);
  } finally {
    rpc.close();
    await server.shutdown();
    await api.close();
  }
});

Deno.test("InProcessServerRpc calls a server in the same process", async (t) => {
  const api = await testApi();
  try {
    await suite(t, api, new InProcessServerRpc({ server: api.server, state: api.state }));
  } finally {
    await api.close();
  }
});

Deno.test("HttpServerRpc gives up with RpcError naming every server when none answers", async () => {
  const rpc = new HttpServerRpc({
    servers: ["127.0.0.1:1", "127.0.0.1:2"],
    attempts: 4,
    backoffMs: 5,
  });
  const err = await assertRejects(() => rpc.updateStatus("n1", "ready"), RpcError) as RpcError;
  assertEquals(err.method, "Node.UpdateStatus");
  assertEquals(err.status, 0);
  assertStringIncludes(err.message, "127.0.0.1:1");
  assertStringIncludes(err.message, "127.0.0.1:2");
  assertStringIncludes(err.message, "check client.servers");
  rpc.close();
});

Deno.test("HttpServerRpc retries a 5xx answer on the next server", async () => {
  const seen: string[] = [];
  const rpc = new HttpServerRpc({
    servers: ["a:1", "b:2"],
    backoffMs: 1,
    fetch: (input) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      seen.push(url.host);
      if (url.host === "a:1") return Promise.resolve(new Response("leader lost", { status: 500 }));
      return Promise.resolve(
        new Response(JSON.stringify({ Index: 9 }), { headers: { "X-Nomad-Index": "9" } }),
      );
    },
  });
  assertEquals(await rpc.updateAllocs([], { token: "t" }), { index: 9 });
  assertEquals(seen, ["a:1", "b:2"]);
  // It sticks to the server that answered.
  await rpc.updateAllocs([], { token: "t" });
  assertEquals(seen, ["a:1", "b:2", "b:2"]);
});
