import { assert, assertEquals, assertRejects, assertThrows } from "../../tests/assert.ts";
import { CTX } from "../server/server_testing.ts";
import { NotFoundError, ValidationError } from "../structs/errors.ts";
import { SecretFileError } from "./alloc_fs.ts";
import { eventTypes, withCluster } from "./client_testing.ts";

const JOB = `job "api" {
  datacenters = ["dc1"]
  group "g" {
    task "t" {
      driver = "mock_driver"
      config {
        run_for       = "1h"
        stdout_string = "hello\\n"
      }
    }
  }
}`;

Deno.test({
  name: "Client serves the ClientApi: files, logs, stats, restart, signal, gc, host stats",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withCluster({}, async (c) => {
      await c.run(JOB);
      const a = await c.waitAlloc("api", "running", (x) => x.ClientStatus === "running");
      const client = c.client;
      assertEquals(client.nodeId, a.NodeID);

      // Files: the layout, and secrets refused.
      const fs = client.allocFS(a.ID);
      assertEquals((await fs.list("/")).map((f) => f.Name), ["alloc", "t"]);
      assertEquals((await fs.list("t")).map((f) => f.Name).sort(), [
        "local",
        "private",
        "secrets",
        "tmp",
      ]);
      await Deno.writeTextFile(`${fs.root}/t/secrets/token`, "s3cr3t");
      await assertRejects(() => fs.cat("t/secrets/token"), SecretFileError);
      assertThrows(() => client.allocFS("nope"), NotFoundError);
      assertThrows(
        () =>
          client.readLogs(a.ID, {
            task: "zz",
            type: "stdout",
            origin: "start",
            offset: 0,
            follow: false,
          }),
        NotFoundError,
      );

      // Stats from the driver (the mock reports 4 MiB of RSS).
      const stats = await client.allocStats(a.ID);
      assertEquals(stats.Tasks.t?.ResourceUsage.MemoryStats.RSS, 4 << 20);
      assertEquals(stats.ResourceUsage.MemoryStats.RSS, 4 << 20);

      // Signals: a bad name is refused, a good one is recorded.
      await assertRejects(() => client.signalAlloc(a.ID, { signal: "SIGNOPE" }), ValidationError);
      await client.signalAlloc(a.ID, { task: "t", signal: "sighup" });
      const signaled = client.allocRunners.get(a.ID)!.task("t")!.state;
      assertEquals(signaled.Events!.at(-1)!.Type, "Signaling");
      assertEquals(signaled.Events!.at(-1)!.Details!.signal, "SIGHUP");

      // A user restart: Restart Signaled, Terminated, Restarting, Started; no failure counted.
      await client.restartAlloc(a.ID, { task: "t" });
      const restarted = await c.waitAlloc(
        "api",
        "restarted",
        (x) => x.ID === a.ID && x.ClientStatus === "running" && x.TaskStates?.t?.Restarts === 1,
      );
      assertEquals(eventTypes(restarted, "t").slice(-4), [
        "Restart Signaled",
        "Terminated",
        "Restarting",
        "Started",
      ]);
      assertEquals(
        restarted.TaskStates!.t!.Events!.find((e) => e.Type === "Restart Signaled")!.DisplayMessage,
        "User requested task to restart",
      );

      // Garbage collection: refused while running; after a stop the directory goes, for good.
      await assertRejects(() => client.gcAlloc(a.ID), ValidationError);
      const opts = { purge: false, global: false, evalPriority: 50, noShutdownDelay: false };
      await c.server.deregisterJob("api", opts, CTX);
      await c.waitAlloc("api", "complete", (x) => x.ClientStatus === "complete");
      for (let i = 0; i < 100 && !client.allocRunners.get(a.ID)?.terminal; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await client.gcAll();
      assert(!client.allocRunners.has(a.ID), "collected");
      await c.waitForPath(fs.root, false);
      await new Promise((r) => setTimeout(r, 300));
      assert(!client.allocRunners.has(a.ID), "not brought back by the alloc watcher");

      const host = await client.hostStats();
      assert(host.Memory.Total > 0 && host.Memory.Used > 0);
      assert(host.CPU.length >= 1);
      assert(host.Uptime > 0);
      assert(host.AllocDirStats !== null && host.AllocDirStats.Size > 0);
    }),
});
