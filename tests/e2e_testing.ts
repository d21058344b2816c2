/**
 * Helpers of the end-to-end tests: `nomad-ts agent` as a real process (`deno run main.ts agent
 * ...`) whose output is collected as it comes and which is stopped by its process ID, the CLI
 * as a process, JSON calls to the API, and bounded polling.
 *
 * @module
 */
import { join } from "node:path";

/** The repository root. */
export const ROOT = new URL("..", import.meta.url).pathname;

/** The permissions of the deno.json `nomad` task. */
export const TASK_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env",
  "--allow-run",
  "--allow-sys",
];

/**
 * All permissions: a client reads `/proc` (CPU, memory, routes, task statistics), which Deno
 * allows only with `--allow-all`.
 */
export const ALL_PERMISSIONS = ["--allow-all"];

/** A running agent process whose output is collected as it comes. */
export class AgentProcess {
  readonly child: Deno.ChildProcess;
  stdout = "";
  stderr = "";
  readonly #done: Promise<void>;

  constructor(args: string[], permissions: readonly string[] = TASK_PERMISSIONS) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...permissions, "main.ts", "agent", ...args],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const drain = async (stream: ReadableStream<Uint8Array>, into: "stdout" | "stderr") => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) this[into] += decoder.decode(chunk, { stream: true });
    };
    this.#done = Promise.all([
      drain(this.child.stdout, "stdout"),
      drain(this.child.stderr, "stderr"),
    ]).then(() => {});
  }

  /** Waits until stdout contains `text`. */
  async waitFor(text: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stdout.includes(text)) {
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out waiting for "${text}"; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends a signal to the process (by its ID) and waits for it to exit. */
  async stop(signal: Deno.Signal, timeoutMs = 20_000): Promise<Deno.CommandStatus> {
    this.child.kill(signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        try {
          this.child.kill("SIGKILL");
        } catch { /* already gone */ }
        reject(
          new Error(`agent ${this.child.pid} did not exit within ${timeoutMs} ms of ${signal}`),
        );
      }, timeoutMs);
    });
    try {
      const status = await Promise.race([this.child.status, timeout]);
      await this.#done;
      return status;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process if it still runs (test cleanup). */
  async cleanup(): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await this.child.status;
    await this.#done;
  }
}

/** What a CLI run printed. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI (`deno run main.ts ...`) against the agent at `addr`, for at most 60 s. */
export async function cli(addr: string, cwd: string, ...args: string[]): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...TASK_PERMISSIONS, join(ROOT, "main.ts"), ...args],
    cwd,
    stdin: "null",
    env: { NOMAD_ADDR: addr, NO_COLOR: "1" },
    signal: AbortSignal.timeout(60_000),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A JSON call to the API; throws with the status and body when it fails. */
export async function api<T>(addr: string, path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${addr}${path}`, { signal: AbortSignal.timeout(30_000), ...init });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * Calls `probe` every 100 ms until it returns something other than `undefined`, for at most
 * `timeoutMs`; throws naming `what` (and the last error) when time runs out.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The IDs of the processes whose environment holds `NOMAD_ALLOC_ID=<allocId>` (Linux). */
export async function taskPids(allocId: string): Promise<number[]> {
  const pids: number[] = [];
  const needle = `NOMAD_ALLOC_ID=${allocId}\0`;
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const env = await Deno.readTextFile(`/proc/${entry.name}/environ`);
      if (env.includes(needle)) pids.push(Number(entry.name));
    } catch {
      // gone, or not ours
    }
  }
  return pids.sort((a, b) => a - b);
}

/** Whether process `pid` exists (and is not a zombie). */
export async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** Waits until no process of `pids` is alive (`what` names the wait in a timeout's error). */
export async function allExited(
  pids: Iterable<number>,
  what = "every task to exit",
  timeoutMs = 30_000,
): Promise<void> {
  await eventually(what, async () => {
    for (const p of pids) if (await alive(p)) return undefined;
    return true;
  }, timeoutMs);
}

/** Kills with SIGKILL every process of `pids` still alive: a test's clean-up by pid. */
export async function killLeft(pids: Iterable<number>): Promise<void> {
  for (const p of pids) if (await alive(p)) Deno.kill(p, "SIGKILL");
}
