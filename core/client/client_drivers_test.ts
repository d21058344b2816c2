import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "../../tests/assert.ts";
import { CTX } from "../server/server_testing.ts";
import { eventTypes, withCluster } from "./client_testing.ts";

Deno.test({
  name: "Client never starts a task of a disabled raw_exec, even when an allocation asks for it",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withCluster({}, async (c) => {
      const node = c.state.snapshot().node(c.client.nodeId)!;
      assertEquals(node.Drivers?.raw_exec?.Detected, false, "raw_exec is off by default");
      assertEquals(node.Drivers?.raw_exec?.HealthDescription, "disabled");
      assertEquals(node.Attributes?.["driver.raw_exec"], undefined);
      assertEquals(node.Drivers?.mock_driver?.Healthy, true);

      // The servers believe otherwise (a stale view): they place a raw_exec task here.
      const lying = structuredClone(node);
      lying.Drivers!.raw_exec = { ...lying.Drivers!.raw_exec!, Detected: true, Healthy: true };
      lying.Attributes!["driver.raw_exec"] = "1";
      await c.server.registerNode(lying, { ...CTX, token: node.SecretID });

      const marker = join(c.dataDir, "raw_exec-ran");
      await c.run(`job "sneaky" {
        datacenters = ["dc1"]
        group "g" {
          task "t" {
            driver = "raw_exec"
            config {
              command = "/bin/sh"
              args    = ["-c", "touch ${marker}; sleep 60"]
            }
          }
        }
      }`);
      const failed = await c.waitAlloc("sneaky", "failed", (a) => a.ClientStatus === "failed");
      assertEquals(eventTypes(failed, "t"), [
        "Received",
        "Task Setup",
        "Driver Failure",
        "Not Restarting",
      ]);
      const events = failed.TaskStates!.t!.Events!;
      assertStringIncludes(events[2]!.DriverError, 'task driver "raw_exec" is not enabled');
      assertStringIncludes(events[2]!.DisplayMessage, 'plugin "raw_exec"');
      assertEquals(events[3]!.DisplayMessage, "Error was unrecoverable");
      assertEquals(failed.TaskStates!.t!.StartedAt, "0001-01-01T00:00:00Z", "never started");
      await new Promise((r) => setTimeout(r, 300));
      assert(!(await Deno.stat(marker).then(() => true, () => false)), "no process ran");
    }),
});

Deno.test({
  name: "Client caps kill_timeout by max_kill_timeout and rotates logs by the logs block",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withCluster({ options: { "driver.raw_exec.enable": "1" }, maxKillTimeout: 1e9 }, async (c) => {
      await c.run(`job "stubborn" {
        datacenters = ["dc1"]
        group "g" {
          task "t" {
            driver       = "raw_exec"
            kill_timeout = "20s"
            config {
              command = "/bin/sh"
              args    = ["-c", "trap '' INT; while true; do sleep 0.1; done"]
            }
          }
        }
      }`);
      await c.waitAlloc("stubborn", "running", (a) => a.ClientStatus === "running");
      const started = Date.now();
      const opts = { purge: false, global: false, evalPriority: 50, noShutdownDelay: false };
      await c.server.deregisterJob("stubborn", opts, CTX);
      const done = await c.waitAlloc("stubborn", "complete", (a) => a.ClientStatus === "complete");
      assert(Date.now() - started < 8_000, "killed after 1 s, not 20 s");
      const events = done.TaskStates!.t!.Events!;
      const killing = events.find((e) => e.Type === "Killing")!;
      assertEquals(killing.DisplayMessage, "Sent interrupt. Waiting 1s before force killing");
      assertEquals(events.find((e) => e.Type === "Terminated")!.Signal, 9, "SIGKILLed");

      await c.run(`job "chatty" {
        datacenters = ["dc1"]
        type        = "batch"
        group "g" {
          task "t" {
            driver = "raw_exec"
            logs {
              max_files     = 2
              max_file_size = 1
            }
            config {
              command = "/bin/sh"
              args    = ["-c", "i=0; while [ $i -lt 2600 ]; do printf '%01023d\\\\n' $i; i=$((i+1)); done"]
            }
          }
        }
      }`);
      const a = await c.waitAlloc("chatty", "complete", (x) => x.ClientStatus === "complete");
      const logDir = join(c.dataDir, "alloc", a.ID, "alloc", "logs");
      const lastLine = `${"0".repeat(1019)}2599\n`;
      const readLast = () => Deno.readTextFile(join(logDir, "t.stdout.2")).catch(() => "");
      for (let i = 0; i < 100 && !(await readLast()).includes(lastLine); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const files: { name: string; size: number }[] = [];
      for await (const e of Deno.readDir(logDir)) {
        if (/^t\.stdout\.\d+$/.test(e.name)) {
          files.push({ name: e.name, size: (await Deno.stat(join(logDir, e.name))).size });
        }
      }
      files.sort((x, y) => x.name.localeCompare(y.name));
      assertEquals(files.map((f) => f.name), ["t.stdout.1", "t.stdout.2"], "two files kept");
      assert(files.every((f) => f.size <= 1024 * 1024), "none over 1 MB");
      assertStringIncludes(await readLast(), lastLine, "the last line made it");
    }),
});
