import { assert, assertEquals } from "../../tests/assert.ts";
import { RpcError, type ServerRpc } from "../rpc/mod.ts";
import { CTX } from "../server/server_testing.ts";
import { withCluster } from "./client_testing.ts";

const T = { sanitizeOps: false, sanitizeResources: false };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wraps an RPC so that every call fails while `down` is set, counting calls. */
function flaky(rpc: ServerRpc) {
  const state = { down: false, calls: 0 };
  const guard =
    <A extends unknown[], R>(name: string, f: (...a: A) => Promise<R>) => (...a: A): Promise<R> => {
      state.calls++;
      if (state.down) return Promise.reject(new RpcError(name, 0, `${name}: connection refused`));
      return f(...a);
    };
  const wrapped: ServerRpc = {
    registerNode: guard("Node.Register", rpc.registerNode.bind(rpc)),
    updateStatus: guard("Node.UpdateStatus", rpc.updateStatus.bind(rpc)),
    getClientAllocs: guard("Node.GetClientAllocs", rpc.getClientAllocs.bind(rpc)),
    getAllocs: guard("Alloc.GetAllocs", rpc.getAllocs.bind(rpc)),
    updateAllocs: guard("Node.UpdateAlloc", rpc.updateAllocs.bind(rpc)),
    servers: () => rpc.servers(),
    setServers: (a) => rpc.setServers(a),
    close: () => rpc.close(),
  };
  return { state, wrapped };
}

Deno.test({
  name: "Client heartbeats within the TTL, retries while the servers are away, re-registers",
  ...T,
  fn: async () => {
    let f: ReturnType<typeof flaky> | null = null;
    await withCluster({}, async (c) => {
      const id = c.client.nodeId;
      const status = () => c.state.snapshot().node(id)?.Status;
      await sleep(2_500); // more than TTL + grace: only heartbeats keep the node ready
      assertEquals(status(), "ready");

      f!.state.down = true; // the servers go away: the node misses its heartbeats
      await c.waitFor("the node to be down", () => status() === "down", 10_000);
      const callsWhileDown = f!.state.calls;
      await sleep(1_000);
      assert(f!.state.calls > callsWhileDown, "the client keeps trying");
      f!.state.down = false;
      await c.waitFor("the node to be ready again", () => status() === "ready", 10_000);

      // The servers lose the node: the next heartbeat is refused and the client registers.
      await c.server.purgeNode(id, CTX);
      assertEquals(c.state.snapshot().node(id), undefined);
      await c.waitFor("the node to be registered again", () => status() === "ready", 10_000);
      assertEquals(c.state.snapshot().node(id)?.Name, "test-node");
    }, {
      server: { minHeartbeatTtlMs: 1_000, heartbeatGraceMs: 500 },
      wrapRpc: (rpc) => {
        f = flaky(rpc);
        return f.wrapped;
      },
    });
  },
});

Deno.test({
  name: "Client updates its registration when a driver's fingerprint changes",
  ...T,
  fn: () =>
    withCluster({
      pluginConfigs: {
        mock_driver: { shutdown_periodic_after: true, shutdown_periodic_duration: "1500ms" },
      },
    }, async (c) => {
      const drivers = () => c.state.snapshot().node(c.client.nodeId)?.Drivers;
      assertEquals(drivers()?.mock_driver?.Detected, true);
      await c.waitFor(
        "the mock driver to be undetected on the server",
        () => drivers()?.mock_driver?.Detected === false,
        10_000,
      );
      assertEquals(drivers()?.mock_driver?.HealthDescription, "disabled");
      assertEquals(
        c.state.snapshot().node(c.client.nodeId)?.Attributes?.["driver.mock_driver"],
        undefined,
      );
    }),
});
