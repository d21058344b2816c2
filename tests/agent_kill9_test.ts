/**
 * Tasks outlive the agent, twenty times in a row: an agent (server and client, state under
 * its `data_dir`, started from a configuration file as in production) is killed with SIGKILL
 * while raw_exec tasks run, and started again. After every restart each task still runs as
 * the same process, none was started twice, its log goes on, and the agent serves it again;
 * a task that ended while the agent was down is reported with its own exit code.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { freePort, portsHcl } from "../core/agent/run_testing.ts";
import {
  AgentProcess,
  alive,
  ALL_PERMISSIONS,
  allExited,
  api,
  cli,
  eventually,
  killLeft,
  taskPids,
} from "./e2e_testing.ts";

const CYCLES = 20;
/** The cycle during whose downtime the `ender` task exits 7. */
const END_AT = 7;

const CONFIG = (dataDir: string, port: number) =>
  `data_dir  = "${dataDir}"
bind_addr = "127.0.0.1"
advertise {
  http = "127.0.0.1"
  rpc  = "127.0.0.1"
  serf = "127.0.0.1"
}
${portsHcl(port).trimEnd()}
server {
  enabled          = true
  bootstrap_expect = 1
}
client {
  enabled = true
  options = {
    "driver.raw_exec.enable" = "1"
  }
}
`;

/** Every task notes its start in `starts` (one line per start) and prints ticks. */
const JOB = (dir: string) =>
  `job "k9" {
  datacenters = ["dc1"]
  group "long" {
    count = 2
    restart {
      attempts = 0
      mode     = "fail"
    }
    task "tick" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo $NOMAD_ALLOC_ID >> ${dir}/starts; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"]
      }
    }
  }
  group "ender" {
    restart {
      attempts = 0
      mode     = "fail"
    }
    reschedule {
      attempts  = 0
      unlimited = false
    }
    task "e" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo $NOMAD_ALLOC_ID >> ${dir}/starts; while [ ! -f ${dir}/end ]; do sleep 0.1; done; echo ending; exit 7"]
      }
    }
  }
}
`;

interface Alloc {
  ID: string;
  TaskGroup: string;
  ClientStatus: string;
  TaskStates: Record<string, { State: string; Events: { Type: string; ExitCode: number }[] }>;
}

/** The task's shells (raw_exec's executor and the command), not their short-lived `sleep`s. */
async function shells(allocId: string): Promise<number[]> {
  const out: number[] = [];
  for (const pid of await taskPids(allocId)) {
    const comm = await Deno.readTextFile(`/proc/${pid}/comm`).catch(() => "");
    if (comm.trim() === "sh") out.push(pid);
  }
  return out;
}

/** The number of `tick` lines of a task's stdout, through the agent's logs API. */
async function ticks(addr: string, allocId: string): Promise<number> {
  const res = await fetch(
    `${addr}/v1/client/fs/logs/${allocId}?task=tick&type=stdout&plain=true&origin=start`,
    { signal: AbortSignal.timeout(10_000) },
  );
  if (!res.ok) throw new Error(`logs: ${res.status} ${await res.text()}`);
  return (await res.text()).split("\n").filter((l) => l.startsWith("tick ")).length;
}

Deno.test({
  name: `kill -9 of the agent ${CYCLES} times while tasks run: none restarted, logs go on`,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "agent_kill9_" });
    const port = freePort();
    const addr = `http://127.0.0.1:${port}`;
    await Deno.writeTextFile(join(dir, "agent.hcl"), CONFIG(join(dir, "data"), port));
    await Deno.writeTextFile(join(dir, "k9.nomad"), JOB(dir));
    const start = async () => {
      const agent = new AgentProcess([`-config=${join(dir, "agent.hcl")}`], ALL_PERMISSIONS);
      await agent.waitFor("==> Nomad agent started!");
      return agent;
    };
    let agent = await start();
    const pids = new Set<number>();
    try {
      const run = await cli(addr, dir, "job", "run", "-detach", "k9.nomad");
      assertEquals(run.code, 0, run.stdout + run.stderr);
      const allocs = await eventually("three running allocations", async () => {
        const all = await api<Alloc[]>(addr, "/v1/job/k9/allocations");
        return all.filter((a) => a.ClientStatus === "running").length === 3 ? all : undefined;
      });
      const long = allocs.filter((a) => a.TaskGroup === "long").map((a) => a.ID);
      const ender = allocs.find((a) => a.TaskGroup === "ender")!.ID;
      const procs = new Map<string, number[]>();
      for (const a of allocs) {
        const p = await shells(a.ID);
        assertEquals(p.length, 2, `the executor and the command of ${a.ID}`);
        procs.set(a.ID, p);
        for (const pid of p) pids.add(pid);
      }
      let seen = new Map<string, number>();
      for (const id of long) seen.set(id, await ticks(addr, id));

      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        agent.child.kill("SIGKILL");
        await agent.cleanup();
        if (cycle === END_AT) {
          await Deno.writeTextFile(join(dir, "end"), "");
          await eventually("the ender task to exit", async () => {
            for (const pid of procs.get(ender)!) if (await alive(pid)) return undefined;
            return true;
          });
        }
        await new Promise((r) => setTimeout(r, 300)); // the tasks print while nobody listens
        agent = await start();

        for (const id of long) {
          for (const pid of procs.get(id)!) assert(await alive(pid), `cycle ${cycle}: ${pid} runs`);
          assertEquals(await shells(id), procs.get(id), `cycle ${cycle}: the same processes`);
        }
        const now = await eventually(`cycle ${cycle}: the logs to go on`, async () => {
          const counts = new Map<string, number>();
          for (const id of long) {
            const n = await ticks(addr, id);
            if (n <= seen.get(id)!) return undefined;
            counts.set(id, n);
          }
          return counts;
        });
        seen = now;
        const all = await api<Alloc[]>(addr, "/v1/job/k9/allocations");
        assertEquals(all.length, 3, `cycle ${cycle}: no allocation was added`);
        for (const a of all) {
          const want = a.ID === ender && cycle >= END_AT ? "failed" : "running";
          if (a.ClientStatus !== want) {
            await eventually(`cycle ${cycle}: ${a.TaskGroup} ${want}`, async () => {
              const x = await api<Alloc>(addr, `/v1/allocation/${a.ID}`);
              return x.ClientStatus === want ? true : undefined;
            });
          }
        }
      }

      const starts = (await Deno.readTextFile(join(dir, "starts"))).trim().split("\n");
      assertEquals(starts.length, 3, "every task started exactly once");
      const ended = await api<Alloc>(addr, `/v1/allocation/${ender}`);
      const events = ended.TaskStates.e!.Events;
      assertEquals(events.filter((e) => e.Type === "Started").length, 1);
      assertEquals(events.find((e) => e.Type === "Terminated")?.ExitCode, 7);
      const logs = await cli(addr, dir, "alloc", "logs", ender.slice(0, 8));
      assertStringIncludes(logs.stdout, "ending");
      for (const id of long) {
        const a = await api<Alloc>(addr, `/v1/allocation/${id}`);
        assertEquals(a.TaskStates.tick!.Events.filter((e) => e.Type === "Started").length, 1);
      }

      const stop = await cli(addr, dir, "job", "stop", "-detach", "k9");
      assertEquals(stop.code, 0, stop.stdout + stop.stderr);
      await allExited(pids, "every task process to exit");
      assertEquals((await agent.stop("SIGTERM")).code, 0, agent.stderr);
    } finally {
      await agent.cleanup();
      await killLeft(pids);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
