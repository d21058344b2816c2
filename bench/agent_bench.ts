/**
 * The agent end to end: a `-dev` agent (a real `deno run main.ts agent` process, with the Deno
 * flags of the deno.json `nomad` task) starts one raw_exec job of count 200 (`sleep 600`, small
 * cpu and memory). Measured:
 *
 * - the time from `PUT /v1/jobs` to all 200 allocations running, as the API reports them (the
 *   job summary), against spawning the same 200 `sleep 600` processes directly from Deno in the
 *   same run (the physical limit): the ratio, and the orchestration overhead per task in ms;
 * - the agent process's memory idle and with the 200 tasks running: its private memory (what
 *   the system gets back when it exits, from `/proc/<pid>/smaps_rollup`) against the targets,
 *   and `VmRSS`/`VmHWM`, which also count the Deno executable's code pages every Deno process
 *   shares; the tasks' executors (raw_exec's per-task `/bin/sh`
 *   supervisors, other processes) apart.
 *
 * Targets (issue 4): all running within 3 s, under 1 MB of agent memory per running task, an
 * idle agent under 60 MB. `deno run -A bench/agent_bench.ts [count]` prints the report (part of
 * `deno task bench`).
 */
import { join } from "node:path";
import { freePort } from "../core/agent/run_testing.ts";
import { parseJob } from "../core/jobspec/mod.ts";
import { AgentProcess, alive, api, eventually, ROOT } from "../tests/e2e_testing.ts";

const COUNT = Number(Deno.args[0] ?? 200);
const TARGET_MS = 3_000;
const TARGET_IDLE_MB = 60;
const TARGET_PER_TASK_MB = 1;

/** The `--v8-flags=...` of the deno.json `nomad` task, so the agent runs as users run it. */
async function nomadTaskFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))) as {
    tasks?: Record<string, string>;
  };
  return (config.tasks?.nomad ?? "").split(/\s+/).filter((a) => a.startsWith("--v8-flags="));
}

/**
 * A process's memory in MB: `VmRSS` and `VmHWM`, and its private (unique) memory, what the
 * system gets back when it exits: RSS minus the pages it shares, chiefly the Deno executable's
 * code (some 37 MB of deno 2.9.6's pages, shared by every Deno process on the machine).
 */
async function memory(pid: number): Promise<{ rss: number; hwm: number; own: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const rollup = await Deno.readTextFile(`/proc/${pid}/smaps_rollup`);
  const kb = (text: string, key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1]);
  return {
    rss: kb(status, "VmRSS") / 1024,
    hwm: kb(status, "VmHWM") / 1024,
    own: (kb(rollup, "Private_Clean") + kb(rollup, "Private_Dirty")) / 1024,
  };
}

/** The processes whose parent is `parent` (one read of `/proc`). */
async function children(parent: number): Promise<number[]> {
  const out: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) out.push(Number(e.name));
    } catch {
      // gone
    }
  }
  return out;
}

/** Every process whose environment names one of the job's allocations, with its command. */
async function jobProcesses(jobId: string): Promise<{ pid: number; comm: string }[]> {
  const out: { pid: number; comm: string }[] = [];
  const needle = `NOMAD_JOB_ID=${jobId}\0`;
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const env = await Deno.readTextFile(`/proc/${e.name}/environ`);
      if (!env.includes(needle)) continue;
      const comm = (await Deno.readTextFile(`/proc/${e.name}/comm`)).trim();
      out.push({ pid: Number(e.name), comm });
    } catch {
      // gone, or not ours
    }
  }
  return out;
}

/** Spawns `count` `sleep 600` processes from Deno: the time until all run; kills them. */
async function directSpawn(count: number): Promise<number> {
  const t0 = performance.now();
  const procs: Deno.ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    procs.push(
      new Deno.Command("sleep", { args: ["600"], stdin: "null", stdout: "null", stderr: "null" })
        .spawn(),
    );
  }
  const ms = performance.now() - t0;
  for (const p of procs) p.kill("SIGKILL");
  await Promise.all(procs.map((p) => p.status));
  return ms;
}

const JOB = (count: number) =>
  `job "bench" {
  datacenters = ["dc1"]
  group "g" {
    count = ${count}
    restart {
      attempts = 0
      mode     = "fail"
    }
    task "sleep" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["600"]
      }
      resources {
        cpu    = 10
        memory = 10
      }
    }
  }
}
`;

interface Summary {
  Summary: Record<string, { Running: number; Failed: number; Starting: number }>;
}

const mb = (n: number) => `${n.toFixed(1)} MB`;

const dir = await Deno.makeTempDir({ prefix: "agent_bench_" });
const port = freePort();
const addr = `http://127.0.0.1:${port}`;
// A JSON configuration file: the agent parses no HCL, as `agent -dev` alone.
await Deno.writeTextFile(
  join(dir, "ports.json"),
  JSON.stringify({ ports: { http: port, rpc: freePort(), serf: freePort() } }),
);
const v8 = await nomadTaskFlags();
const agent = new AgentProcess(["-dev", `-config=${join(dir, "ports.json")}`], [
  ...v8,
  "--allow-all",
]);
let pids: { pid: number; comm: string }[] = [];
try {
  await agent.waitFor("==> Nomad agent started!");
  await eventually("the dev node to be ready with raw_exec", async () => {
    const nodes = await api<{ Status: string; Drivers: Record<string, { Healthy: boolean }> }[]>(
      addr,
      "/v1/nodes",
    );
    return nodes.some((n) => n.Status === "ready" && n.Drivers?.raw_exec?.Healthy)
      ? true
      : undefined;
  });
  await new Promise((r) => setTimeout(r, 3_000));
  const idle = await memory(agent.child.pid);

  const job = await parseJob(JOB(COUNT), { path: "bench.nomad" });
  const t0 = performance.now();
  await api(addr, "/v1/jobs", { method: "PUT", body: JSON.stringify({ Job: job }) });
  let running = 0;
  for (;;) {
    const s = await api<Summary>(addr, "/v1/job/bench/summary");
    const g = s.Summary.g;
    running = g?.Running ?? 0;
    if (running >= COUNT || (g?.Failed ?? 0) > 0) break;
    if (performance.now() - t0 > 120_000) throw new Error(`only ${running} running after 120 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const agentMs = performance.now() - t0;
  if (running < COUNT) throw new Error(`${COUNT - running} allocations failed; see the agent log`);
  await new Promise((r) => setTimeout(r, 2_000));
  const busy = await memory(agent.child.pid);
  pids = await jobProcesses("bench");
  let executorRss = 0;
  let executors = 0;
  for (const p of pids) {
    if (p.comm !== "sh") continue;
    executors++;
    executorRss += (await memory(p.pid).catch(() => ({ rss: 0 }))).rss;
  }
  const helpers = await children(agent.child.pid);
  const directMs = await directSpawn(COUNT);

  await api(addr, "/v1/job/bench?purge=true", { method: "DELETE" });
  await eventually("the bench tasks to exit", async () => {
    for (const p of pids) if (await alive(p.pid)) return undefined;
    return true;
  }, 60_000);
  await agent.stop("SIGTERM");

  const perTask = (busy.own - idle.own) / COUNT;
  const rows: [string, string, string][] = [
    [
      `${COUNT} raw_exec tasks running (register → API)`,
      `${agentMs.toFixed(0)} ms`,
      `< ${TARGET_MS} ms`,
    ],
    [`${COUNT} processes spawned directly`, `${directMs.toFixed(0)} ms`, "the physical limit"],
    ["ratio agent / direct", `${(agentMs / directMs).toFixed(1)}x`, ""],
    ["orchestration overhead per task", `${((agentMs - directMs) / COUNT).toFixed(2)} ms`, ""],
    ["agent idle: private / VmRSS", `${mb(idle.own)} / ${mb(idle.rss)}`, `< ${TARGET_IDLE_MB} MB`],
    [
      `agent with ${COUNT} tasks: private / VmRSS / VmHWM`,
      `${mb(busy.own)} / ${mb(busy.rss)} / ${mb(busy.hwm)}`,
      "",
    ],
    [
      "agent memory per running task",
      `${(perTask * 1024).toFixed(0)} KB`,
      `< ${TARGET_PER_TASK_MB} MB`,
    ],
    [`executors (${executors} /bin/sh), summed VmRSS`, mb(executorRss), "not the agent's"],
    ["agent's own child processes", String(helpers.length), ""],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(
    `\nagent benchmark (deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs, agent flags: ${
      v8.join(" ") || "none"
    })`,
  );
  for (const [a, b, c] of rows) console.log(`  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  const ok = agentMs < TARGET_MS && perTask < TARGET_PER_TASK_MB && idle.own < TARGET_IDLE_MB;
  console.log(`  targets ${ok ? "met" : "NOT met"}\n`);
} finally {
  for (const p of pids) {
    try {
      Deno.kill(p.pid, "SIGKILL");
    } catch { /* gone */ }
  }
  await agent.cleanup();
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
