import { assert, assertEquals } from "../../tests/assert.ts";
import { CTX } from "../server/server_testing.ts";
import type { TaskState } from "../structs/mod.ts";
import { eventTypes, withCluster } from "./client_testing.ts";

const T = { sanitizeOps: false, sanitizeResources: false };
const at = (t: string | undefined) => Date.parse(t ?? "");

function task(name: string, runFor: string, lifecycle = "", extra = ""): string {
  return `task "${name}" {
    ${lifecycle}
    driver = "mock_driver"
    config {
      run_for = "${runFor}"
      ${extra}
    }
  }`;
}

Deno.test({
  name: "Client runs tasks by lifecycle: prestart, main, poststart, then poststop after a stop",
  ...T,
  fn: () =>
    withCluster({}, async (c) => {
      await c.run(`job "life" {
        datacenters = ["dc1"]
        group "g" {
          ${task("init", "300ms", 'lifecycle {\nhook = "prestart"\n}')}
          ${task("side", "1h", 'lifecycle {\nhook = "prestart"\nsidecar = true\n}')}
          ${task("main", "1h")}
          ${task("after", "100ms", 'lifecycle {\nhook = "poststart"\n}')}
          ${task("cleanup", "100ms", 'lifecycle {\nhook = "poststop"\n}')}
        }
      }`);
      const a = await c.waitAlloc(
        "life",
        "with its poststart task done",
        (x) => x.ClientStatus === "running" && x.TaskStates?.after?.State === "dead",
      );
      const s = a.TaskStates as Record<string, TaskState>;
      assertEquals(s.init!.State, "dead");
      assert(!s.init!.Failed);
      assertEquals(s.side!.State, "running");
      assert(at(s.main!.StartedAt) >= at(s.init!.FinishedAt), "main starts after prestart ends");
      assert(at(s.after!.StartedAt) >= at(s.main!.StartedAt), "poststart starts after main");
      assertEquals(s.cleanup!.State, "pending", "poststop waits");
      assertEquals(eventTypes(a, "cleanup"), ["Received"]);

      const opts = { purge: false, global: false, evalPriority: 50, noShutdownDelay: false };
      await c.server.deregisterJob("life", opts, CTX);
      const done = await c.waitAlloc("life", "complete", (x) => x.ClientStatus === "complete");
      const d = done.TaskStates as Record<string, TaskState>;
      assertEquals(eventTypes(done, "cleanup"), [
        "Received",
        "Task Setup",
        "Started",
        "Terminated",
      ]);
      assert(at(d.cleanup!.StartedAt) >= at(d.main!.FinishedAt), "poststop runs after main");
      assert(at(d.cleanup!.StartedAt) >= at(d.side!.FinishedAt), "and after the sidecar");
      assertEquals(eventTypes(done, "main").slice(-3), ["Killing", "Terminated", "Killed"]);
    }),
});

Deno.test({
  name: "Client kills the other tasks when one fails (Sibling Task Failed), failing the alloc",
  ...T,
  fn: () =>
    withCluster({}, async (c) => {
      await c.run(`job "sib" {
        datacenters = ["dc1"]
        group "g" {
          restart {
            attempts = 0
            mode     = "fail"
          }
          ${task("bad", "200ms", "", "exit_code = 1")}
          ${task("good", "1h")}
        }
      }`);
      const a = await c.waitAlloc("sib", "failed", (x) => x.ClientStatus === "failed");
      assertEquals(eventTypes(a, "good").slice(-4), [
        "Sibling Task Failed",
        "Killing",
        "Terminated",
        "Killed",
      ]);
      const good = a.TaskStates!.good!;
      assertEquals(good.Events!.at(-4)!.DisplayMessage, `Task's sibling "bad" failed`);
      assertEquals(good.State, "dead");
      assert(!good.Failed, "the killed sibling did not fail");
      assert(a.TaskStates!.bad!.Failed);
      assertEquals(a.DeploymentStatus?.Healthy, false, "a failed alloc is unhealthy");
    }),
});

Deno.test({
  name: "Client waits for shutdown_delay before a kill, and skips it when the stop says so",
  ...T,
  fn: () =>
    withCluster({}, async (c) => {
      for (const id of ["delayed", "hasty"]) {
        await c.run(`job "${id}" {
          datacenters = ["dc1"]
          group "g" {
            task "t" {
              driver         = "mock_driver"
              shutdown_delay = "700ms"
              config {
                run_for = "1h"
              }
            }
          }
        }`);
        await c.waitAlloc(id, "running", (a) => a.ClientStatus === "running");
      }
      const opts = { purge: false, global: false, evalPriority: 50, noShutdownDelay: false };
      let started = Date.now();
      await c.server.deregisterJob("delayed", opts, CTX);
      const delayed = await c.waitAlloc(
        "delayed",
        "complete",
        (a) => a.ClientStatus === "complete",
      );
      assert(Date.now() - started >= 700, "the delay was waited");
      const waited = delayed.TaskStates!.t!.Events!.find((e) =>
        e.Type === "Waiting for shutdown delay"
      );
      assertEquals(
        waited?.DisplayMessage,
        "Waiting for shutdown_delay of 700ms before killing the task.",
      );

      started = Date.now();
      await c.server.deregisterJob("hasty", { ...opts, noShutdownDelay: true }, CTX);
      const hasty = await c.waitAlloc("hasty", "complete", (a) => a.ClientStatus === "complete");
      assert(Date.now() - started < 700, "no delay");
      assertEquals(eventTypes(hasty, "t").slice(-4), [
        "Killing",
        "Skipping shutdown delay",
        "Terminated",
        "Killed",
      ]);
    }),
});
