import { assert, assertEquals } from "../../tests/assert.ts";
import type { Client } from "./client.ts";
import { alive, eventTypes, taskPid, withCluster } from "./client_testing.ts";

async function logText(client: Client, allocId: string, task: string): Promise<string> {
  let text = "";
  for await (
    const f of client.readLogs(allocId, {
      task,
      type: "stdout",
      origin: "start",
      offset: 0,
      follow: false,
    })
  ) text += new TextDecoder().decode(f.Data);
  return text;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name: "Client restarted after a crash re-attaches raw_exec tasks and reports exits meanwhile",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withCluster({ options: { "driver.raw_exec.enable": "1" } }, async (c) => {
      const job = (id: string, script: string) =>
        `job "${id}" {
        datacenters = ["dc1"]
        group "g" {
          restart {
            attempts = 0
            mode     = "fail"
          }
          task "t" {
            driver = "raw_exec"
            config {
              command = "/bin/sh"
              args    = ["-c", "${script}"]
            }
          }
        }
      }`;
      await c.run(job(
        "ticker",
        "echo start; i=0; while [ $i -lt 3000 ]; do echo tick $i; i=$((i+1)); sleep 0.1; done",
      ));
      await c.run(job("ender", "echo start; sleep 2; exit 3"));
      const ticker = await c.waitAlloc("ticker", "running", (a) => a.ClientStatus === "running");
      const ender = await c.waitAlloc("ender", "running", (a) => a.ClientStatus === "running");
      const pid = taskPid(c.client.allocRunners.get(ticker.ID)!.task("t")!.handle?.DriverState);
      assert(alive(pid), "the ticker runs");

      await c.client.halt(); // kill -9: nothing more written, nothing stopped
      assert(alive(pid), "the ticker outlives its client");
      await sleep(2_500); // the ender exits while no client runs

      const client = await c.restartClient();
      const failed = await c.waitAlloc("ender", "failed", (a) => a.ClientStatus === "failed");
      assertEquals(failed.ID, ender.ID);
      assertEquals(eventTypes(failed, "t"), [
        "Received",
        "Task Setup",
        "Started",
        "Terminated",
        "Not Restarting",
      ]);
      assertEquals(failed.TaskStates!.t!.Events![3]!.ExitCode, 3, "the exit code of the run");

      const t = client.allocRunners.get(ticker.ID)!.task("t")!;
      assertEquals(taskPid(t.handle?.DriverState), pid, "the same process, re-attached");
      assertEquals(t.state.State, "running");
      assertEquals(eventTypes(c.state.snapshot().alloc(ticker.ID), "t"), [
        "Received",
        "Task Setup",
        "Started",
      ]);
      const before = await logText(client, ticker.ID, "t");
      await sleep(600);
      const after = await logText(client, ticker.ID, "t");
      assert(after.length > before.length, "the ticker's log continues");
      assertEquals(after.split("\n").filter((l) => l === "start").length, 1, "started once");

      // A clean shutdown leaves it running too; the next client takes it over again.
      await client.shutdown();
      assert(alive(pid), "the ticker outlives a clean shutdown");
      const third = await c.restartClient();
      await sleep(300);
      assertEquals(taskPid(third.allocRunners.get(ticker.ID)!.task("t")!.handle?.DriverState), pid);
      const text = await logText(third, ticker.ID, "t");
      assertEquals(text.split("\n").filter((l) => l === "start").length, 1);
    }),
});
