import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../../tests/assert.ts";
import { conformanceTaskConfig } from "../../plugins/conformance.ts";
import { PluginHost } from "../../plugins/host.ts";
import { sleep, type TaskHandle } from "../../plugins/sdk.ts";
import type { RawExecDriverState } from "./_task.ts";
import { rawExecManifest } from "./manifest.ts";
import { alive, eventually, readOr } from "./raw_exec_testing.ts";

const AGENT = fileURLToPath(new URL("./testdata/agent.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** Starts the stand-in agent and waits for it to say "ready". */
async function startAgent(root: string): Promise<Deno.ChildProcess> {
  const agent = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, AGENT, root],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = agent.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const deadline = Date.now() + 30_000;
  while (!out.includes("ready") && Date.now() < deadline) {
    const { value, done } = await Promise.race([
      reader.read(),
      sleep(1_000).then(() => ({ value: "", done: false })),
    ]);
    if (done) break;
    out += value ?? "";
  }
  reader.releaseLock();
  void agent.stdout.cancel().catch(() => {});
  if (!out.includes("ready")) {
    agent.kill("SIGKILL");
    await agent.status;
    throw new Error(`the agent did not start: ${out}`);
  }
  return agent;
}

Deno.test("raw_exec tasks outlive a kill -9 of the agent and are recovered, never started twice", async () => {
  const root = await Deno.makeTempDir({ prefix: "raw-exec-outlive-" });
  const ticker = await conformanceTaskConfig(join(root, "alloc"), {
    command: "/bin/sh",
    // "start" once, then a tick every 100 ms, for at most two minutes.
    args: [
      "-c",
      "echo start; i=0; while [ $i -lt 1200 ]; do echo tick $i; i=$((i+1)); sleep 0.1; done",
    ],
  });
  const ender = await conformanceTaskConfig(join(root, "alloc"), {
    command: "/bin/sh",
    args: ["-c", "sleep 1; exit 42"],
  });
  await Deno.writeTextFile(join(root, "tasks.json"), JSON.stringify([ticker, ender]));
  let handles: TaskHandle[] = [];
  const host = new PluginHost({
    dataDir: join(root, "data"),
    allocDir: join(root, "alloc"),
    onLog: () => {},
  });
  try {
    const agent = await startAgent(root);
    handles = JSON.parse(await Deno.readTextFile(join(root, "handles.json")));
    agent.kill("SIGKILL");
    assertEquals((await agent.status).signal, "SIGKILL");

    const states = handles.map((h) => h.DriverState as RawExecDriverState);
    const tickerPid = states[0]?.Task?.pid ?? 0;
    assert(alive(tickerPid), "the ticker runs with its agent dead");
    const sizeAtKill = readOr(ticker.StdoutPath).length;
    await sleep(2_000); // the ender exits while no agent runs
    assert(readOr(ticker.StdoutPath).length > sizeAtKill, "the ticker kept writing its log");

    const driver = await host.load(rawExecManifest, { config: { enabled: true } });
    for (const handle of handles) await driver.recoverTask(handle);
    const status = await driver.inspectTask(ticker.ID);
    assertEquals(status.State, "running");
    assertEquals(status.DriverAttributes.pid, String(tickerPid), "the same process, not a new one");
    assertEquals(
      readOr(ticker.StdoutPath).split("\n").filter((l) => l === "start").length,
      1,
      "started once",
    );
    assertEquals((await driver.waitTask(ender.ID, AbortSignal.timeout(10_000))).ExitCode, 42);

    const sizeAtRecovery = readOr(ticker.StdoutPath).length;
    assert(
      await eventually(3_000, () => readOr(ticker.StdoutPath).length > sizeAtRecovery),
      "logs continue",
    );
    await driver.stopTask(ticker.ID, 2_000, "SIGTERM");
    assertEquals((await driver.waitTask(ticker.ID, AbortSignal.timeout(10_000))).Signal, 15);
    assert(
      await eventually(2_000, () => states.every((s) => !alive(s.Executor.pid))),
      "the executors exited",
    );
    for (const h of handles) await driver.destroyTask(h.Config.ID, false);
  } finally {
    await host.close();
    for (const s of handles.map((h) => h.DriverState as RawExecDriverState)) {
      for (const p of [s.Task?.pid, s.Executor.pid]) {
        if (p && alive(p)) Deno.kill(p, "SIGKILL");
      }
    }
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
