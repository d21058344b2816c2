/**
 * Helpers for raw_exec's tests: a host with raw_exec on fresh directories, and process checks.
 *
 * @module
 */
import { join } from "node:path";
import { conformanceTaskConfig } from "../../plugins/conformance.ts";
import { type DriverClient, PluginHost } from "../../plugins/host.ts";
import { sleep, type TaskConfig } from "../../plugins/sdk.ts";
import { rawExecManifest } from "./manifest.ts";

/** A loaded raw_exec and what it started. */
export interface RawExecEnv {
  /** The temporary root. */
  root: string;
  /** The driver. */
  driver: DriverClient;
  /** A task config running `/bin/sh -c script` (or the given raw config). */
  task(raw: Record<string, unknown> | string, env?: Record<string, string>): Promise<TaskConfig>;
  /** Starts a task, remembering it for clean-up. */
  start(config: TaskConfig): ReturnType<DriverClient["startTask"]>;
  /** Replaces the host (an agent restart). */
  restart(): Promise<void>;
}

/** Runs `fn` with raw_exec loaded; afterwards force-destroys its tasks and closes the host. */
export async function withRawExec(
  fn: (env: RawExecEnv) => Promise<void>,
  opts: { config?: Record<string, unknown>; options?: Record<string, string> } = {
    config: { enabled: true },
  },
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "raw-exec-test-" });
  const started: string[] = [];
  const open = async () => {
    const host = new PluginHost({
      dataDir: join(root, "data"),
      allocDir: join(root, "alloc"),
      options: opts.options ?? {},
      onLog: () => {},
    });
    return { host, driver: await host.load(rawExecManifest, { config: opts.config ?? {} }) };
  };
  let current = await open();
  const env: RawExecEnv = {
    root,
    driver: current.driver,
    task: async (raw, extraEnv = {}) => {
      const cfg = await conformanceTaskConfig(
        join(root, "alloc"),
        typeof raw === "string" ? { command: "/bin/sh", args: ["-c", raw] } : raw,
      );
      cfg.Env = { ...cfg.Env, ...extraEnv };
      return cfg;
    },
    async start(config) {
      const res = await env.driver.startTask(config);
      started.push(config.ID);
      return res;
    },
    async restart() {
      await current.host.close();
      current = await open();
      env.driver = current.driver;
    },
  };
  try {
    await fn(env);
  } finally {
    for (const id of started) await env.driver.destroyTask(id, true).catch(() => {});
    await current.host.close();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

/**
 * Whether `pid` runs (exists and is not a zombie). Asks `ps`, because Deno lets only a fully
 * permitted program read `/proc/<pid>`, and `deno task test` grants permissions one by one.
 */
export function alive(pid: number): boolean {
  const out = new Deno.Command("ps", { args: ["-o", "stat=", "-p", String(pid)], stderr: "null" })
    .outputSync();
  const state = new TextDecoder().decode(out.stdout).trim();
  return state !== "" && !state.startsWith("Z") && !state.startsWith("X");
}

/** Waits up to `ms` for `check` to hold. */
export async function eventually(
  ms: number,
  check: () => boolean | Promise<boolean>,
): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(50);
  }
  return await check();
}

/** Reads a file, or "" when it does not exist. */
export function readOr(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}
