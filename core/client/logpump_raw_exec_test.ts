// The log design end to end: raw_exec appends a task's output to the pump's staging files;
// the agent (plugin host and pump) goes away and comes back while the task keeps logging.
import { join } from "node:path";
import { assert, assertEquals } from "../../tests/assert.ts";
import { conformanceTaskConfig } from "../../plugins/conformance.ts";
import { PluginHost } from "../../plugins/host.ts";
import { rawExecManifest } from "../../drivers/raw_exec/manifest.ts";
import { sleep } from "../structs/sleep.ts";
import { listLogFiles } from "./logrotate.ts";
import { type LogPumpOptions, taskLogPaths, TaskLogPump } from "./logpump.ts";

async function logText(dir: string, task: string): Promise<string> {
  let out = "";
  for (const f of await listLogFiles(dir, task, "stdout")) out += await Deno.readTextFile(f.path);
  return out;
}

async function eventually(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(20);
  }
  return false;
}

Deno.test("a raw_exec task keeps logging into rotated files across an agent restart", async () => {
  const root = await Deno.makeTempDir({ prefix: "logpump-raw-exec-" });
  const hostOpts = { dataDir: join(root, "data"), allocDir: join(root, "alloc"), onLog: () => {} };
  let host = new PluginHost(hostOpts);
  let pump: TaskLogPump | null = null;
  try {
    const cfg = await conformanceTaskConfig(join(root, "alloc"), {
      command: "/bin/sh",
      args: ["-c", 'i=0; while [ $i -lt 3000 ]; do echo "tick $i"; i=$((i+1)); sleep 0.005; done'],
    });
    const paths = taskLogPaths(cfg.TaskDir.LogDir, cfg.Name);
    cfg.StdoutPath = paths.stdoutPath;
    cfg.StderrPath = paths.stderrPath;
    const opts: LogPumpOptions = {
      logDir: cfg.TaskDir.LogDir,
      task: cfg.Name,
      maxFiles: 1000,
      maxFileSizeMB: 256 / (1024 * 1024), // 256-byte files, so the task rotates often
      pollIntervalMs: 20,
    };
    pump = await TaskLogPump.start(opts);
    let driver = await host.load(rawExecManifest, { config: { enabled: true } });
    const { handle } = await driver.startTask(cfg);
    assert(
      await eventually(
        10_000,
        async () => (await logText(opts.logDir, cfg.Name)).includes("tick 20\n"),
      ),
    );

    await pump.stop({ drain: false }); // the agent goes away...
    await host.close();
    pump = null;
    const sizeAtStop = (await Deno.stat(paths.stdoutPath)).size;
    await sleep(300);
    assert((await Deno.stat(paths.stdoutPath)).size > sizeAtStop, "the task kept writing");

    host = new PluginHost(hostOpts); // ...and comes back
    driver = await host.load(rawExecManifest, { config: { enabled: true } });
    await driver.recoverTask(handle);
    pump = await TaskLogPump.start(opts);
    await sleep(200);
    await driver.stopTask(cfg.ID, 2_000, "SIGTERM");
    await driver.waitTask(cfg.ID, AbortSignal.timeout(10_000));
    await driver.destroyTask(cfg.ID, false);
    await pump.stop();
    pump = null;

    const lines = (await logText(opts.logDir, cfg.Name)).trimEnd().split("\n");
    assert(lines.length > 40, `only ${lines.length} lines`);
    assertEquals(lines, lines.map((_, i) => `tick ${i}`), "every line once, in order");
    const files = await listLogFiles(opts.logDir, cfg.Name, "stdout");
    assert(
      files.length > 2 && files.every((f) => f.size <= 256),
      `rotated into ${files.length} files`,
    );
  } finally {
    await pump?.stop({ drain: false });
    await host.close();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
