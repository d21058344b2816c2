import { assertEquals } from "../../tests/assert.ts";
import { type AllocUpdate, RpcError, type ServerRpc } from "../rpc/mod.ts";
import { SILENT_CLIENT_LOGGER } from "./_common.ts";
import { StatusUpdater } from "./_status_updater.ts";

function update(id: string, status: string): AllocUpdate {
  return {
    ID: id,
    NodeID: "n1",
    ClientStatus: status,
    ClientDescription: "",
    TaskStates: null,
    DeploymentStatus: null,
    NetworkStatus: null,
    ModifyTime: 0,
  };
}

Deno.test("StatusUpdater batches reports per allocation and retries a failed batch", async () => {
  const batches: string[][] = [];
  let fail = 1;
  const rpc = {
    updateAllocs(updates: readonly AllocUpdate[]) {
      if (fail-- > 0) return Promise.reject(new RpcError("Node.UpdateAlloc", 0, "refused"));
      batches.push(updates.map((u) => `${u.ID}:${u.ClientStatus}`));
      return Promise.resolve({ index: 1 });
    },
  } as unknown as ServerRpc;
  const u = new StatusUpdater({
    rpc,
    token: () => "s",
    logger: SILENT_CLIENT_LOGGER,
    intervalMs: 20,
    maxRetryMs: 50,
  });
  u.start();
  u.queue(update("a", "pending"));
  u.queue(update("a", "running")); // replaces the unsent one
  u.queue(update("b", "running"));
  await new Promise((r) => setTimeout(r, 40)); // the first batch fails
  u.queue(update("b", "complete")); // newer than the failed one: it wins
  for (let i = 0; i < 100 && u.sent < 2; i++) await new Promise((r) => setTimeout(r, 10));
  assertEquals(batches, [["a:running", "b:complete"]]);
  assertEquals(u.pending, 0);
  await u.stop();
});
