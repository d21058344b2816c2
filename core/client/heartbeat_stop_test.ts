import { assert, assertEquals } from "../../tests/assert.ts";
import { RpcError, type ServerRpc } from "../rpc/mod.ts";
import { withCluster } from "./client_testing.ts";

const T = { sanitizeOps: false, sanitizeResources: false };

/** Wraps an RPC so that every call fails while `down` is set; notes the last heartbeat. */
function cuttable(rpc: ServerRpc) {
  const state = { down: false, lastHeartbeat: 0 };
  const guard =
    <A extends unknown[], R>(name: string, f: (...a: A) => Promise<R>) => (...a: A): Promise<R> =>
      state.down ? Promise.reject(new RpcError(name, 0, `${name}: connection refused`)) : f(...a);
  const wrapped: ServerRpc = {
    registerNode: guard("Node.Register", rpc.registerNode.bind(rpc)),
    updateStatus: guard(
      "Node.UpdateStatus",
      async (...a: Parameters<ServerRpc["updateStatus"]>) => {
        const res = await rpc.updateStatus(...a);
        state.lastHeartbeat = Date.now();
        return res;
      },
    ),
    getClientAllocs: guard("Node.GetClientAllocs", rpc.getClientAllocs.bind(rpc)),
    getAllocs: guard("Alloc.GetAllocs", rpc.getAllocs.bind(rpc)),
    updateAllocs: guard("Node.UpdateAlloc", rpc.updateAllocs.bind(rpc)),
    servers: () => rpc.servers(),
    setServers: (a) => rpc.setServers(a),
    close: () => rpc.close(),
  };
  return { state, wrapped };
}

const job = (name: string, disconnect: string) =>
  `job "${name}" {
  datacenters = ["dc1"]
  group "g" {
    ${disconnect}
    task "t" {
      driver = "mock_driver"
      config {
        run_for = "1h"
      }
    }
  }
}`;

Deno.test({
  name: "Client stops an allocation with stop_on_client_after once the servers are away that long",
  ...T,
  fn: async () => {
    let cut: ReturnType<typeof cuttable> | null = null;
    await withCluster({}, async (c) => {
      await c.run(job("guarded", `disconnect {\n      stop_on_client_after = "2s"\n    }`));
      await c.run(job("plain", ""));
      const guarded = await c.waitAlloc("guarded", "running", (a) => a.ClientStatus === "running");
      const plain = await c.waitAlloc("plain", "running", (a) => a.ClientStatus === "running");
      const runner = (id: string) => c.client.allocRunners.get(id)!;
      await new Promise((r) => setTimeout(r, 2_500));
      assert(
        !runner(guarded.ID).stopping,
        "in contact: it keeps running past stop_on_client_after",
      );

      cut!.state.down = true;
      const cutAt = Date.now();
      const deadline = cutAt + 10_000;
      while (!runner(guarded.ID).terminal && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const elapsed = Date.now() - cut!.state.lastHeartbeat;
      assert(runner(guarded.ID).terminal, "stopped within 10 s of losing the servers");
      assert(elapsed >= 2_000, `stopped ${elapsed} ms after the last heartbeat, not before 2 s`);
      assertEquals(runner(guarded.ID).tasks.get("t")?.state.State, "dead");
      assert(!runner(plain.ID).stopping, "a group without it keeps running");
      assertEquals(runner(plain.ID).tasks.get("t")?.state.State, "running");
      cut!.state.down = false;
    }, {
      server: { minHeartbeatTtlMs: 1_000, heartbeatGraceMs: 500 },
      wrapRpc: (rpc) => {
        cut = cuttable(rpc);
        return cut.wrapped;
      },
    });
  },
});
