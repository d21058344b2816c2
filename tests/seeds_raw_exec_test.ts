/**
 * The seeds' first steps with raw_exec, as a user types them: `nomad-ts agent` processes (the
 * dev agent, and an agent from seed 000's configuration file adapted to Linux and loopback)
 * driven by the CLI, tasks checked by their process IDs, every process stopped by its ID.
 *
 * - Seed 004 with raw_exec in place of docker: run, `job plan` of count 1 -> 3 (exit 1, the
 *   `Count: "1" => "3" (forces create)` diff and the `-check-index` hint), `job run
 *   -check-index`, a task's process killed from outside, the allocation replaced, `job status`
 *   showing the failed allocation and its replacement, `job stop` ending every process.
 * - Seed 000's batch job (constraint `attr.kernel.name`, a command printing system
 *   information) on an agent started from its configuration file: completes, `alloc logs`
 *   prints the output.
 * - A failing task restarted per its restart policy, then rescheduled per its reschedule
 *   policy, then left failed.
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { freePort, portsHcl } from "../core/agent/run_testing.ts";
import {
  AgentProcess,
  ALL_PERMISSIONS,
  allExited,
  api,
  cli,
  eventually,
  killLeft,
  taskPids,
} from "./e2e_testing.ts";

/** Seed 004's job with raw_exec; a replaced allocation comes back after Nomad's minimum 5 s. */
const SEED_004 = (count: string) =>
  `job "example" {
  datacenters = ["dc1"]

  group "cache" {
    ${count}
    restart {
      attempts = 0
      mode     = "fail"
    }
    reschedule {
      delay          = "5s"
      delay_function = "constant"
      unlimited      = true
    }

    task "redis" {
      driver = "raw_exec"

      config {
        command = "/bin/sh"
        args    = ["-c", "i=0; while true; do echo redis tick $i; i=$((i+1)); sleep 0.5; done"]
      }

      resources {
        cpu    = 500
        memory = 256
        network {
          mbits = 10
          port "db" {}
        }
      }

      service {
        name = "redis-cache"
        tags = ["global", "cache"]
        port = "db"
      }
    }
  }
}
`;

interface AllocStub {
  ID: string;
  ClientStatus: string;
  DesiredStatus: string;
  /** The replacement of a rescheduled allocation (the list stub has no PreviousAllocation). */
  NextAllocation: string;
  TaskStates?: Record<string, { Restarts: number; Events?: { Type: string }[] | null }> | null;
}

const allocs = (addr: string, job: string) => api<AllocStub[]>(addr, `/v1/job/${job}/allocations`);

/** Starts `agent -dev` on a free port in a fresh directory. */
async function devAgent(prefix: string) {
  const dir = await Deno.makeTempDir({ prefix });
  const port = freePort();
  await Deno.writeTextFile(join(dir, "ports.hcl"), portsHcl(port));
  const agent = new AgentProcess(["-dev", `-config=${join(dir, "ports.hcl")}`], ALL_PERMISSIONS);
  await agent.waitFor("==> Nomad agent started!");
  return { agent, addr: `http://127.0.0.1:${port}`, dir };
}

/** The task processes (the command, not raw_exec's executor) of an allocation. */
async function commandPid(allocId: string): Promise<number | undefined> {
  for (const pid of await taskPids(allocId)) {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    // The executor's child runs the job's command.
    if ((await taskPids(allocId)).includes(ppid)) return pid;
  }
  return undefined;
}

Deno.test({
  name: "seed 004 with raw_exec: run, plan 1 -> 3, run -check-index, a killed task replaced, stop",
  sanitizeResources: false,
  async fn() {
    const { agent, addr, dir } = await devAgent("seed004_");
    const pids = new Set<number>();
    try {
      await Deno.writeTextFile(join(dir, "example.nomad"), SEED_004(""));
      const run1 = await cli(addr, dir, "job", "run", "example.nomad");
      assertEquals(run1.code, 0, run1.stdout + run1.stderr);
      assertMatch(
        run1.stdout,
        /Allocation "[0-9a-f]{8}" created: node "[0-9a-f]{8}", group "cache"/,
      );
      const first = (await allocs(addr, "example")).find((a) => a.ClientStatus === "running");
      assert(first, "the allocation runs once job run returns");
      const logs = await eventually("the task's output in alloc logs", async () => {
        const out = await cli(addr, dir, "alloc", "logs", first.ID.slice(0, 8));
        return out.stdout.includes("redis tick 1\n") ? out.stdout : undefined;
      });
      assert(logs.startsWith("redis tick 0\n"), logs);

      await Deno.writeTextFile(join(dir, "example.nomad"), SEED_004("count = 3"));
      const plan = await cli(addr, dir, "job", "plan", "example.nomad");
      assertEquals(plan.code, 1, "plan exits 1 when allocations would be created");
      assertStringIncludes(plan.stdout, '+/- Job: "example"');
      assertStringIncludes(plan.stdout, '+/- Task Group: "cache" (2 create, 1 in-place update)');
      assertStringIncludes(plan.stdout, '  +/- Count: "1" => "3" (forces create)');
      assertStringIncludes(plan.stdout, '      Task: "redis"');
      assertStringIncludes(plan.stdout, "- All tasks successfully allocated.");
      const index = /Job Modify Index: (\d+)/.exec(plan.stdout)?.[1];
      assert(index, plan.stdout);
      assertStringIncludes(plan.stdout, `job run -check-index ${index} example.nomad`);

      const run2 = await cli(
        addr,
        dir,
        ...["job", "run", "-detach", "-check-index", index, "example.nomad"],
      );
      assertEquals(run2.code, 0, run2.stdout + run2.stderr);
      const three = await eventually("three running allocations", async () => {
        const running = (await allocs(addr, "example")).filter((a) => a.ClientStatus === "running");
        return running.length === 3 ? running.map((a) => a.ID) : undefined;
      });
      assert(three.includes(first.ID), "the first allocation is updated in place, not replaced");
      for (const id of three) for (const pid of await taskPids(id)) pids.add(pid);

      const victim = three[1]!;
      const pid = await commandPid(victim);
      assert(pid !== undefined, "the victim's command process");
      Deno.kill(pid, "SIGKILL");
      const replacement = await eventually("the killed allocation to be replaced", async () => {
        const all = await allocs(addr, "example");
        const failed = all.find((a) => a.ID === victim && a.ClientStatus === "failed");
        const next = all.find((a) => a.ID === failed?.NextAllocation);
        return failed && next?.ClientStatus === "running" ? next.ID : undefined;
      }, 30_000);
      for (const p of await taskPids(replacement)) pids.add(p);
      const events = (await api<AllocStub>(addr, `/v1/allocation/${victim}`))
        .TaskStates?.redis?.Events?.map((e) => e.Type);
      assertEquals(events?.slice(-2), ["Terminated", "Not Restarting"]);

      const status = await cli(addr, dir, "job", "status", "example");
      assertEquals(status.code, 0, status.stderr);
      assertMatch(status.stdout, /cache\s+0\s+0\s+3\s+1\s+0\s+0\s+0/);
      assertMatch(status.stdout, new RegExp(`${victim.slice(0, 8)} .* stop\\s+failed`));
      assertMatch(status.stdout, new RegExp(`${replacement.slice(0, 8)} .* run\\s+running`));

      const stop = await cli(addr, dir, "job", "stop", "example");
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

/** Seed 000's agent configuration on Linux and loopback (tests bind nothing else). */
const SEED_000_CONFIG = (dataDir: string, port: number) =>
  `datacenter = "dc1"
data_dir   = "${dataDir}"
bind_addr  = "127.0.0.1"

advertise {
  http = "{{ GetInterfaceIP \\"lo\\" }}"
  rpc  = "{{ GetInterfaceIP \\"lo\\" }}"
  serf = "{{ GetInterfaceIP \\"lo\\" }}"
}

${portsHcl(port).trimEnd()}

server {
  enabled          = true
  bootstrap_expect = 1
}

client {
  enabled           = true
  network_interface = "lo"
  meta {
    subject = "server1"
    purpose = "test,sample"
  }
  options = {
    driver.raw_exec.enable = "1"
  }
}
`;

const SEED_000_JOB = `job "test" {
  datacenters = ["dc1"]
  type        = "batch"

  constraint {
    attribute = "\${attr.kernel.name}"
    value     = "linux"
  }

  group "linux" {
    count = 1
    task "systeminfo" {
      driver = "raw_exec"
      config {
        command = "/bin/uname"
        args    = ["-a"]
      }
    }
  }
}
`;

Deno.test({
  name: "seed 000 on Linux: an agent from its config file runs the batch job; alloc logs prints it",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "seed000_" });
    const port = freePort();
    await Deno.writeTextFile(join(dir, "nomad.hcl"), SEED_000_CONFIG(join(dir, "data"), port));
    await Deno.writeTextFile(join(dir, "test.nomad"), SEED_000_JOB);
    const agent = new AgentProcess([`-config=${join(dir, "nomad.hcl")}`], ALL_PERMISSIONS);
    const addr = `http://127.0.0.1:${port}`;
    try {
      await agent.waitFor("==> Nomad agent started!");
      assertStringIncludes(agent.stdout, `Advertise Addrs: HTTP: 127.0.0.1:${port}`);
      await eventually("the node to be ready", async () => {
        const nodes = await api<{ Status: string }[]>(addr, "/v1/nodes");
        return nodes.some((n) => n.Status === "ready") ? true : undefined;
      });
      const run = await cli(addr, dir, "job", "run", "test.nomad");
      assertEquals(run.code, 0, run.stdout + run.stderr);
      const done = await eventually("the batch allocation to complete", async () => {
        const a = (await allocs(addr, "test"))[0];
        return a?.ClientStatus === "complete" ? a : undefined;
      });
      const uname = new TextDecoder().decode(
        (await new Deno.Command("/bin/uname", { args: ["-a"] }).output()).stdout,
      );
      const logs = await cli(addr, dir, "alloc", "logs", done.ID.slice(0, 8));
      assertEquals(logs.code, 0, logs.stderr);
      assertEquals(logs.stdout, uname);
      const status = await cli(addr, dir, "job", "status", "test");
      assertMatch(status.stdout, /Status\s+= dead/);
      assertMatch(status.stdout, /linux\s+0\s+0\s+0\s+0\s+1\s+0\s+0/);
      const node = await cli(addr, dir, "node", "status", "-self", "-verbose");
      assertMatch(node.stdout, /purpose\s+= test,sample/);
      assertEquals((await agent.stop("SIGINT")).code, 0, agent.stderr);
    } finally {
      await agent.cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const FLAKY = `job "flaky" {
  datacenters = ["dc1"]
  group "g" {
    restart {
      attempts = 2
      interval = "1m"
      delay    = "1s"
      mode     = "fail"
    }
    reschedule {
      attempts       = 1
      interval       = "1h"
      delay          = "5s"
      delay_function = "constant"
      unlimited      = false
    }
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo attempt; exit 3"]
      }
    }
  }
}
`;

Deno.test({
  name: "a failing task is restarted per its restart policy, then rescheduled, then left failed",
  sanitizeResources: false,
  async fn() {
    const { agent, addr, dir } = await devAgent("flaky_");
    try {
      await Deno.writeTextFile(join(dir, "flaky.nomad"), FLAKY);
      const run = await cli(addr, dir, "job", "run", "-detach", "flaky.nomad");
      assertEquals(run.code, 0, run.stdout + run.stderr);
      const [a, b] = await eventually(
        "two failed allocations, the second the first's replacement",
        async () => {
          const all = await allocs(addr, "flaky");
          const first = all.find((x) => x.NextAllocation !== "");
          const second = all.find((x) => x.ID === first?.NextAllocation);
          return first?.ClientStatus === "failed" && second?.ClientStatus === "failed"
            ? [first, second]
            : undefined;
        },
        40_000,
      );
      assertEquals(b!.NextAllocation, "", "the second allocation is not rescheduled");
      for (const alloc of [a!, b!]) {
        const full = await api<AllocStub>(addr, `/v1/allocation/${alloc.ID}`);
        assertEquals(full.TaskStates?.t?.Restarts, 2);
        // As Nomad, a task state keeps its last 10 events: "Received" has gone.
        assertEquals(full.TaskStates?.t?.Events?.map((e) => e.Type), [
          "Task Setup",
          "Started",
          "Terminated",
          "Restarting",
          "Started",
          "Terminated",
          "Restarting",
          "Started",
          "Terminated",
          "Not Restarting",
        ]);
      }
      const status = await cli(addr, dir, "alloc", "status", a!.ID.slice(0, 8));
      assertStringIncludes(status.stdout, "Exit Code: 3");
      assertStringIncludes(
        status.stdout,
        'Exceeded allowed attempts 2 in interval 1m0s and mode is "fail"',
      );
      // The reschedule policy allows one attempt: nothing replaces the second allocation.
      await new Promise((r) => setTimeout(r, 7_000));
      assertEquals((await allocs(addr, "flaky")).length, 2);
      assertEquals((await agent.stop("SIGTERM")).code, 0, agent.stderr);
    } finally {
      await agent.cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
