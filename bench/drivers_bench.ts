/**
 * raw_exec at scale: 200 `sleep 600` tasks started at once through the raw_exec `DriverClient`
 * (plugin host in this process, driver in its Worker), measured until every task's process is
 * `sleep` itself; then the memory of their executors (sum of `/proc/<pid>/status` VmRSS, and
 * the proportional share, Pss, which counts shared libc pages once) and of this process. The
 * physical limit, in the same run: 200 `sleep 600` spawned directly from Deno. Everything
 * started is stopped by pid.
 *
 * `deno run -A bench/drivers_bench.ts [tasks]` prints the report; `deno task bench` also runs a
 * Deno.bench case (start and stop 20 tasks).
 *
 * `/proc` is read with `cat`, because Deno reads `/proc` only with all permissions and
 * `deno task bench` grants them one by one.
 *
 * @module
 */
import { join } from "node:path";
import { conformanceTaskConfig } from "../plugins/conformance.ts";
import { type DriverClient, PluginHost } from "../plugins/host.ts";
import type { TaskConfig } from "../plugins/sdk.ts";
import { rawExecManifest } from "../drivers/raw_exec/manifest.ts";

/** Runs `argv` and returns its stdout (whatever its exit status). */
async function output(argv: string[]): Promise<string> {
  const [cmd, ...args] = argv;
  const res = await new Deno.Command(cmd!, { args, stderr: "null" }).output();
  return new TextDecoder().decode(res.stdout);
}

/** The command name (`/proc/<pid>/stat` field 2) of each live pid, with one `cat`. */
async function comms(pids: readonly number[]): Promise<Map<number, string>> {
  const text = await output(["cat", ...pids.map((p) => `/proc/${p}/stat`)]);
  const out = new Map<number, string>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    out.set(Number.parseInt(line, 10), line.slice(line.indexOf("(") + 1, line.lastIndexOf(")")));
  }
  return out;
}

/** The sum of `field` (in kB) over `/proc/<pid>/<file>` of `pids`, and how many had it. */
async function sumKb(pids: readonly number[], file: string, field: string) {
  const text = await output(["grep", "-H", `^${field}:`, ...pids.map((p) => `/proc/${p}/${file}`)]);
  let kb = 0, count = 0;
  for (const m of text.matchAll(/:\s+(\d+) kB$/gm)) {
    kb += Number(m[1]);
    count++;
  }
  return { kb, count, each: count === 0 ? 0 : kb / count };
}

interface Direct {
  ms: number;
  pids: number[];
  stop(): Promise<void>;
}

/** The physical limit: `n` `sleep 600` spawned straight from Deno (optionally detached). */
function spawnDirect(n: number, detached: boolean): Direct {
  const start = performance.now();
  const children = Array.from({ length: n }, () =>
    new Deno.Command("sleep", {
      args: ["600"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
      detached,
    }).spawn());
  const ms = performance.now() - start;
  return {
    ms,
    pids: children.map((c) => c.pid),
    async stop() {
      for (const c of children) c.kill("SIGKILL");
      await Promise.all(children.map((c) => c.status));
    },
  };
}

interface Fleet {
  root: string;
  host: PluginHost;
  driver: DriverClient;
  configs: TaskConfig[];
}

async function fleet(n: number): Promise<Fleet> {
  const root = await Deno.makeTempDir({ prefix: "nomad_drivers_bench_" });
  const host = new PluginHost({
    dataDir: join(root, "data"),
    allocDir: join(root, "alloc"),
    onLog: () => {},
  });
  const driver = await host.load(rawExecManifest, { config: { enabled: true } });
  const configs: TaskConfig[] = [];
  for (let i = 0; i < n; i++) {
    configs.push(
      await conformanceTaskConfig(join(root, "alloc"), { command: "sleep", args: ["600"] }),
    );
  }
  return { root, host, driver, configs };
}

/** Starts every task at once; resolves when each task's process is `sleep` (ms, pids). */
async function startAll(f: Fleet) {
  const start = performance.now();
  const handles = await Promise.all(f.configs.map((c) => f.driver.startTask(c)));
  const startedMs = performance.now() - start;
  const attrs = await Promise.all(f.configs.map((c) => f.driver.inspectTask(c.ID)));
  const tasks = attrs.map((s) => Number(s.DriverAttributes.pid));
  const executors = attrs.map((s) => Number(s.DriverAttributes.executor_pid));
  for (;;) {
    const names = await comms(tasks);
    if (tasks.every((p) => names.get(p) === "sleep")) break;
    if (performance.now() - start > 60_000) throw new Error("Cannot benchmark: tasks not running");
    await new Promise((r) => setTimeout(r, 2));
  }
  return { startedMs, runningMs: performance.now() - start, tasks, executors, handles };
}

async function stopAll(f: Fleet): Promise<number> {
  const start = performance.now();
  await Promise.all(f.configs.map((c) => f.driver.stopTask(c.ID, 5_000, "SIGTERM")));
  const ms = performance.now() - start;
  for (const c of f.configs) await f.driver.destroyTask(c.ID, true);
  return ms;
}

/**
 * After a failed run: kills every task the driver started (`destroyTask` with force kills its
 * process group) and, should the driver be gone, the pids seen (still ours: never stopped).
 */
async function cleanUp(f: Fleet, pids: readonly number[]): Promise<void> {
  for (const c of f.configs) await f.driver.destroyTask(c.ID, true).catch(() => {});
  const names = await comms(pids);
  for (const pid of pids) {
    if (names.get(pid) !== "sleep" && names.get(pid) !== "sh") continue;
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
}

async function close(f: Fleet): Promise<void> {
  await f.host.close();
  await Deno.remove(f.root, { recursive: true }).catch(() => {});
}

let small: Fleet | undefined;
globalThis.addEventListener("unload", () => {
  if (small) Deno.removeSync(small.root, { recursive: true });
});
Deno.bench("raw_exec: start 20 sleep tasks through the DriverClient, then stop them", {
  n: 5,
  warmup: 1,
}, async () => {
  small ??= await fleet(20);
  small.configs = await Promise.all(
    small.configs.map(() =>
      conformanceTaskConfig(join(small!.root, "alloc"), { command: "sleep", args: ["600"] })
    ),
  );
  let pids: number[] = [];
  try {
    const r = await startAll(small);
    pids = [...r.tasks, ...r.executors];
    await stopAll(small);
  } catch (err) {
    await cleanUp(small, pids);
    await close(small);
    small = undefined;
    throw err;
  }
});

async function report(n: number): Promise<void> {
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const before = Deno.memoryUsage().rss;
  const f = await fleet(n);
  await new Promise((r) => setTimeout(r, 500));
  const idle = Deno.memoryUsage().rss;
  let pids: number[] = [];
  let stopped = false;
  try {
    const r = await startAll(f);
    pids = [...r.tasks, ...r.executors];
    await new Promise((r) => setTimeout(r, 1_000));
    const loaded = Deno.memoryUsage().rss;
    const exRss = await sumKb(r.executors, "status", "VmRSS");
    const exPss = await sumKb(r.executors, "smaps_rollup", "Pss");
    const exAnon = await sumKb(r.executors, "status", "RssAnon");
    const taskRss = await sumKb(r.tasks, "status", "VmRSS");
    const stopMs = await stopAll(f);
    stopped = true;

    const limits = [];
    for (const detached of [false, true]) {
      const direct = spawnDirect(n, detached);
      const names = await comms(direct.pids);
      const ok = direct.pids.every((p) => names.get(p) === "sleep");
      const rss = await sumKb(direct.pids, "status", "VmRSS");
      await direct.stop();
      limits.push({ detached, ms: direct.ms, ok, rss });
    }
    const limit = limits[0]!;
    const lines = [
      `raw_exec, ${n} × "sleep 600" started at once through the DriverClient (2-core machine):`,
      `  all startTask calls returned    ${r.startedMs.toFixed(0)} ms`,
      `  all tasks running (comm=sleep)  ${r.runningMs.toFixed(0)} ms` +
      `  (${(r.runningMs / n).toFixed(2)} ms/task)`,
      ...limits.map((l) =>
        `  physical limit: ${n} sleep spawned ${l.detached ? "detached " : ""}from Deno: ` +
        `${l.ms.toFixed(0)} ms (${(l.ms / n).toFixed(2)} ms/task${l.ok ? "" : ", not all running"})`
      ),
      `  ratio ${(r.runningMs / limit.ms).toFixed(1)}×, overhead ${
        ((r.runningMs - limit.ms) / n).toFixed(2)
      } ms/task`,
      `  executors: VmRSS sum ${mb(exRss.kb * 1024)} MB (${exRss.each.toFixed(0)} KB each), ` +
      `Pss sum ${mb(exPss.kb * 1024)} MB (${exPss.each.toFixed(0)} KB each), ` +
      `private (RssAnon) ${exAnon.each.toFixed(0)} KB each`,
      `  VmRSS of each task: ${taskRss.each.toFixed(0)} KB; of a direct sleep: ${
        limit.rss.each.toFixed(0)
      } KB`,
      `  this process: RSS ${mb(before)} MB before the host, ${mb(idle)} MB with raw_exec idle, ` +
      `${mb(loaded)} MB with ${n} tasks (${((loaded - idle) / n / 1024).toFixed(0)} KB/task)`,
      `  stopTask(SIGTERM) of all ${stopMs.toFixed(0)} ms`,
    ];
    console.log(lines.join("\n"));
  } finally {
    if (!stopped) await cleanUp(f, pids);
    await close(f);
  }
}

if (import.meta.main) {
  await report(Number(Deno.args[0] ?? 200));
}
