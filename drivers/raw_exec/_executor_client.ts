/**
 * The driver's side of the executor: starting one (detached, so it outlives the agent), sending
 * it requests, and running the reaper when one died. Runs in the driver's Worker, which may run
 * only the Deno executable.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sleep } from "../../plugins/sdk.ts";
import {
  type ControlRequest,
  type ControlResponse,
  executorPaths,
  type ExecutorSpec,
  type ExecutorState,
  readJson,
  writeJsonAtomic,
} from "./_protocol.ts";

/** The executor script. */
export const EXECUTOR_SCRIPT = fileURLToPath(new URL("./_executor.ts", import.meta.url));

function executorArgs(...rest: string[]): string[] {
  // -A: see _executor.ts for why the executor holds every permission.
  return ["run", "-A", "--no-config", "--no-lock", "--quiet", EXECUTOR_SCRIPT, ...rest];
}

/**
 * Writes `spec.json` and starts the executor in its own session; its output goes to
 * `executor.out`. The executor is not waited for: it outlives the Worker and the agent.
 */
export function startExecutor(deno: string, dir: string, spec: ExecutorSpec): ChildProcess {
  const paths = executorPaths(dir);
  mkdirSync(dir, { recursive: true });
  mkdirSync(paths.ctl, { recursive: true });
  mkdirSync(paths.res, { recursive: true });
  writeJsonAtomic(paths.spec, spec);
  const out = openSync(paths.out, "a");
  try {
    const child = spawn(deno, executorArgs(dir), {
      detached: true,
      stdio: ["ignore", out, out],
      env: {},
    });
    child.unref();
    return child;
  } finally {
    closeSync(out);
  }
}

/** Starts the reaper for a dead executor's directory and waits (up to 20 s) for it to finish. */
export async function reapExecutor(deno: string, dir: string): Promise<void> {
  const child = spawn(deno, executorArgs("--reap", dir), { stdio: "ignore", env: {} });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, 20_000);
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.on("error", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

let counter = 0;

/** Distributes `Omit` over a union, so each request keeps its own fields. */
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

/**
 * Sends a request to the executor in `dir` and waits for its answer.
 *
 * @throws {Error} The executor's error, or one saying it did not answer within `timeoutMs`.
 */
export async function request(
  dir: string,
  req: WithoutId<ControlRequest>,
  timeoutMs: number,
): Promise<unknown> {
  const paths = executorPaths(dir);
  const id = `${Date.now().toString(36).padStart(10, "0")}-${(counter++).toString(36)}-${
    Math.random().toString(36).slice(2, 8)
  }`;
  const resPath = join(paths.res, `${id}.json`);
  writeJsonAtomic(join(paths.ctl, `${id}.json`), { ...req, id });
  const deadline = Date.now() + timeoutMs;
  let pause = 5;
  while (Date.now() < deadline) {
    const res = readJson<ControlResponse>(resPath);
    if (res !== null) {
      rmSync(resPath, { force: true });
      if (res.ok) return res.value;
      throw new Error(res.error);
    }
    await sleep(pause);
    pause = Math.min(50, pause * 2);
  }
  rmSync(join(paths.ctl, `${id}.json`), { force: true });
  throw new Error(`the executor did not answer "${req.op}" within ${timeoutMs} ms`);
}

/**
 * Waits until the executor in `dir` has started the task (its state names the task's pid).
 *
 * @throws {Error} When the command could not be started, the executor died first, or
 * `timeoutMs` passed.
 */
export async function awaitExecutorStart(
  child: ChildProcess,
  dir: string,
  id: string,
  timeoutMs: number,
): Promise<ExecutorState> {
  const paths = executorPaths(dir);
  let exited = false;
  child.on("exit", () => (exited = true));
  child.on("error", () => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = readJson<ExecutorState>(paths.state);
    if (state?.startError) {
      throw new Error(`failed to launch command with executor: ${state.startError}`);
    }
    if (state?.task) return state;
    if (exited && readJson<ExecutorState>(paths.state) === null) {
      let out = "";
      try {
        out = Deno.readTextFileSync(paths.out).trim().split("\n").slice(-5).join("\n");
      } catch {
        // No output.
      }
      throw new Error(
        `failed to create executor for task "${id}": it exited before starting the task${
          out ? `: ${out}` : ""
        }`,
      );
    }
    await sleep(10);
  }
  throw new Error(`failed to create executor for task "${id}": no answer within ${timeoutMs} ms`);
}
