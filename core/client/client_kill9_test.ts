// The promise, end to end: kill -9 an agent (a client in its own process, over HTTP)
// while its tasks run, start it again: every task still runs, none was started twice, logs
// continue, and the exit code of a task that ended meanwhile is reported.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../../tests/assert.ts";
import { testApi } from "../http/routes/_testing.ts";
import { parseJob } from "../jobspec/mod.ts";
import { CTX, waitFor } from "../server/server_testing.ts";
import type { Allocation } from "../structs/mod.ts";
import { alive, eventTypes } from "./client_testing.ts";

const AGENT = fileURLToPath(new URL("./testdata/client_agent.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

async function startAgent(server: string, dataDir: string): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, AGENT, server, dataDir],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const deadline = Date.now() + 30_000;
  while (!out.includes("ready") && Date.now() < deadline) {
    const timer = new AbortController();
    const next = await Promise.race([
      reader.read(),
      new Promise<{ value: string; done: boolean }>((r) => {
        const t = setTimeout(() => r({ value: "", done: false }), 1_000);
        timer.signal.addEventListener("abort", () => clearTimeout(t));
      }),
    ]);
    timer.abort();
    if (next.done) break;
    out += next.value ?? "";
  }
  reader.releaseLock();
  void child.stdout.cancel().catch(() => {});
  if (!out.includes("ready")) {
    child.kill("SIGKILL");
    await child.status;
    throw new Error(`the agent did not start: ${out}`);
  }
  return child;
}

function job(id: string, script: string): string {
  return `job "${id}" {
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
}

function readOr(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

Deno.test({
  name: "Tasks outlive a kill -9 of the agent; the next agent re-attaches and reports exits",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const api = await testApi({ scheduling: true });
    const http = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, api.app.fetch);
    const server = `127.0.0.1:${http.addr.port}`;
    const dataDir = await Deno.makeTempDir({ prefix: "nomad-ts-kill9-" });
    const agents: Deno.ChildProcess[] = [];
    let tickerPid = 0;
    const alloc = (jobId: string, probe: (a: Allocation) => boolean, what: string) =>
      waitFor(api.state, `${jobId} ${what}`, (s) => s.allocsByJob("default", jobId).find(probe));
    try {
      agents.push(await startAgent(server, dataDir));
      await waitFor(api.state, "a ready node", (s) => s.nodes().some((n) => n.Status === "ready"));
      for (
        const [id, script] of [
          [
            "ticker",
            "echo start $$; i=0; while [ $i -lt 3000 ]; do echo tick $i; i=$((i+1)); sleep 0.1; done",
          ],
          ["ender", "echo start; sleep 2; exit 7"],
        ]
      ) {
        await api.server.registerJob(
          { Job: await parseJob(job(id!, script!), { path: "j.hcl" }) },
          CTX,
        );
      }
      const ticker = await alloc("ticker", (a) => a.ClientStatus === "running", "running");
      await alloc("ender", (a) => a.ClientStatus === "running", "running");
      const log = join(dataDir, "alloc", ticker.ID, "alloc", "logs", "t.stdout.0");
      for (let i = 0; i < 50 && !readOr(log).startsWith("start "); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      tickerPid = Number(/^start (\d+)/.exec(readOr(log))?.[1] ?? 0);
      assert(alive(tickerPid), `the ticker runs (pid ${tickerPid})`);

      agents[0]!.kill("SIGKILL");
      assertEquals((await agents[0]!.status).signal, "SIGKILL");
      assert(alive(tickerPid), "the ticker outlives the agent");
      const sizeAtKill = readOr(log).length;
      await new Promise((r) => setTimeout(r, 2_500)); // the ender exits while no agent runs

      agents.push(await startAgent(server, dataDir));
      const failed = await alloc("ender", (a) => a.ClientStatus === "failed", "failed");
      const ev = failed.TaskStates!.t!.Events!;
      assertEquals(eventTypes(failed, "t"), [
        "Received",
        "Task Setup",
        "Started",
        "Terminated",
        "Not Restarting",
      ]);
      assertEquals(ev[3]!.ExitCode, 7, "the exit code of the run that ended meanwhile");
      assert(alive(tickerPid), "the ticker still runs");
      await new Promise((r) => setTimeout(r, 800));
      const text = readOr(log);
      assert(text.length > sizeAtKill, "the ticker's log continues");
      assertEquals(text.split("\n").filter((l) => l.startsWith("start")).length, 1, "started once");
      const now = api.state.snapshot().alloc(ticker.ID)!;
      assertEquals(now.ClientStatus, "running");
      assertEquals(eventTypes(now, "t"), ["Received", "Task Setup", "Started"]);

      const opts = { purge: true, global: false, evalPriority: 50, noShutdownDelay: false };
      await api.server.deregisterJob("ticker", opts, CTX);
      for (let i = 0; i < 100 && alive(tickerPid); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert(!alive(tickerPid), "a purged job's task is killed by the new agent");
    } finally {
      for (const a of agents) {
        try {
          a.kill("SIGKILL");
        } catch {
          // Already gone.
        }
        await a.status;
      }
      if (tickerPid > 0 && alive(tickerPid)) Deno.kill(tickerPid, "SIGKILL");
      await http.shutdown();
      await api.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
