import { assert, assertEquals, assertStringIncludes } from "../../tests/assert.ts";
import { CTX } from "../server/server_testing.ts";
import { alive, eventTypes, taskPid, withCluster } from "./client_testing.ts";

const T = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "Client runs a placed mock_driver job: running, then healthy, deployment successful",
  ...T,
  fn: () =>
    withCluster({}, async (c) => {
      await c.run(`job "web" {
        datacenters = ["dc1"]
        update {
          min_healthy_time = "500ms"
          healthy_deadline = "30s"
        }
        group "g" {
          task "t" {
            driver = "mock_driver"
            config {
              run_for = "1h"
            }
          }
        }
      }`);
      const running = await c.waitAlloc("web", "running", (a) => a.ClientStatus === "running");
      assertEquals(running.ClientDescription, "Tasks are running");
      assertEquals(eventTypes(running, "t"), ["Received", "Task Setup", "Started"]);
      assertEquals(running.TaskStates?.t?.Events?.[1]?.Message, "Building Task Directory");
      const healthy = await c.waitAlloc(
        "web",
        "healthy",
        (a) => a.DeploymentStatus?.Healthy === true,
      );
      assertEquals(healthy.ID, running.ID);
      await c.waitFor(
        "the deployment to succeed",
        (s) => s.latestDeployment("default", "web")?.Status === "successful",
      );
    }),
});

Deno.test({
  name:
    "Client restarts a failing task per policy, then fails the alloc and the server reschedules",
  ...T,
  fn: () =>
    withCluster({}, async (c) => {
      await c.run(`job "crash" {
        datacenters = ["dc1"]
        group "g" {
          restart {
            attempts = 1
            delay    = "100ms"
            interval = "1m"
            mode     = "fail"
          }
          reschedule {
            attempts  = 1
            interval  = "1h"
            delay     = "5s"
            unlimited = false
          }
          task "t" {
            driver = "mock_driver"
            config {
              run_for   = "100ms"
              exit_code = 3
            }
          }
        }
      }`);
      const failed = await c.waitAlloc("crash", "failed", (a) => a.ClientStatus === "failed");
      assertEquals(failed.ClientDescription, "Failed tasks");
      assertEquals(eventTypes(failed, "t"), [
        "Received",
        "Task Setup",
        "Started",
        "Terminated",
        "Restarting",
        "Started",
        "Terminated",
        "Not Restarting",
      ]);
      const state = failed.TaskStates!.t!;
      assertEquals(state.Restarts, 1);
      assert(state.Failed);
      assertEquals(state.Events!.find((e) => e.Type === "Terminated")!.ExitCode, 3);
      assertStringIncludes(state.Events!.at(-1)!.DisplayMessage, "Exceeded allowed attempts 1");
      const next = await c.waitAlloc(
        "crash",
        "replacing the failed one",
        (a) => a.PreviousAllocation === failed.ID,
      );
      assertEquals(next.NodeID, c.client.nodeId);
    }),
});

Deno.test({
  name: "Client interpolates ${NOMAD_PORT_x}, ${NOMAD_ALLOC_ID} and ${node.*} in task config",
  ...T,
  fn: () =>
    withCluster({}, async (c) => {
      await c.run(`job "interp" {
        datacenters = ["dc1"]
        group "g" {
          network {
            port "http" {}
          }
          task "t" {
            driver = "mock_driver"
            env {
              GREETING = "hello-\${NOMAD_TASK_NAME}"
            }
            config {
              run_for       = "1h"
              stdout_string = "port=\${NOMAD_PORT_http} alloc=\${NOMAD_ALLOC_ID} dc=\${node.datacenter} g=\${GREETING} u=\${NOMAD_NOPE}\\n"
            }
          }
        }
      }`);
      const alloc = await c.waitAlloc("interp", "running", (a) => a.ClientStatus === "running");
      const port = alloc.AllocatedResources?.Shared.Ports?.find((p) => p.Label === "http")?.Value;
      assert(port !== undefined && port > 0, "a dynamic port was given");
      const want = `port=${port} alloc=${alloc.ID} dc=dc1 g=hello-t u=\${NOMAD_NOPE}\n`;
      let text = "";
      for (let i = 0; i < 50 && text !== want; i++) {
        await new Promise((r) => setTimeout(r, 100));
        text = "";
        try {
          for await (
            const f of c.client.readLogs(alloc.ID, {
              task: "t",
              type: "stdout",
              origin: "start",
              offset: 0,
              follow: false,
            })
          ) text += new TextDecoder().decode(f.Data);
        } catch {
          // No log file yet.
        }
      }
      assertEquals(text, want);
    }),
});

Deno.test({
  name:
    "Client kills a stopped job's raw_exec task with its kill signal, and destroys a purged one",
  ...T,
  fn: () =>
    withCluster({ options: { "driver.raw_exec.enable": "1" } }, async (c) => {
      const job = (id: string) =>
        `job "${id}" {
        datacenters = ["dc1"]
        group "g" {
          task "t" {
            driver       = "raw_exec"
            kill_timeout = "3s"
            config {
              command = "/bin/sh"
              args    = ["-c", "trap 'echo got-int; exit 0' INT; echo started; while true; do sleep 0.1; done"]
            }
          }
        }
      }`;
      await c.run(job("stopme"));
      const a = await c.waitAlloc("stopme", "running", (x) => x.ClientStatus === "running");
      const pid = taskPid(c.client.allocRunners.get(a.ID)?.task("t")?.handle?.DriverState);
      assert(alive(pid), "the task runs");
      const opts = { purge: false, global: false, evalPriority: 50, noShutdownDelay: false };
      await c.server.deregisterJob("stopme", opts, CTX);
      const done = await c.waitAlloc("stopme", "complete", (x) => x.ClientStatus === "complete");
      assertEquals(done.ClientDescription, "All tasks have completed");
      assertEquals(eventTypes(done, "t").slice(-3), ["Killing", "Terminated", "Killed"]);
      assertEquals(
        done.TaskStates!.t!.Events!.at(-3)!.DisplayMessage,
        "Sent interrupt. Waiting 3s before force killing",
      );
      assertEquals(done.TaskStates!.t!.Failed, false);
      assert(!alive(pid), "the task's process is gone");
      const logs = await Deno.readTextFile(
        `${c.dataDir}/alloc/${a.ID}/alloc/logs/t.stdout.0`,
      );
      assertStringIncludes(logs, "got-int", "the task got SIGINT, raw_exec's default kill signal");

      await c.run(job("purgeme"));
      const b = await c.waitAlloc("purgeme", "running", (x) => x.ClientStatus === "running");
      const pid2 = taskPid(c.client.allocRunners.get(b.ID)?.task("t")?.handle?.DriverState);
      await c.server.deregisterJob("purgeme", { ...opts, purge: true }, CTX);
      await c.waitFor("the purged alloc to be gone", (s) => s.alloc(b.ID) === undefined);
      for (let i = 0; i < 100 && c.client.allocRunners.has(b.ID); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      for (let i = 0; i < 100 && alive(pid2); i++) await new Promise((r) => setTimeout(r, 50));
      assert(!alive(pid2), "the purged task's process is gone");
      assert(!c.client.allocRunners.has(b.ID), "the runner is gone");
      await c.waitForPath(`${c.dataDir}/alloc/${b.ID}`, false);
    }),
});
