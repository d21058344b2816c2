/**
 * The raw_exec executor: one small process per task that owns the task's process, so the task
 * outlives the agent (Nomad runs an executor per task for the same reason). The driver starts it
 * detached (its own session), with all permissions: it runs an arbitrary host command, which no
 * narrower grant would confine, and Deno gives `/proc/<pid>` only to fully permitted programs.
 *
 * `deno run -A --no-config <this file> <executor dir>` starts the command from `spec.json` in
 * its own session (so signals reach its whole process tree), appends its output to the log files,
 * records pids and start times in `state.json`, heartbeats there, answers `ctl/` requests, and
 * on exit records the exit code and signal, then exits itself.
 *
 * `... <this file> --reap <executor dir>` is for a driver that finds the executor gone: it kills
 * the orphaned task (when its pid still names the process recorded) and records an exit.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { type ChildProcess, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { constants } from "node:os";
import { isAbsolute, join } from "node:path";
import {
  type ControlRequest,
  type ControlResponse,
  type ExecutorExit,
  executorPaths,
  type ExecutorSpec,
  type ExecutorState,
  PROTOCOL_VERSION,
  readJson,
  type StatusValue,
  writeJsonAtomic,
} from "./_protocol.ts";
import { isAlive, readStat, UsageSampler } from "./_procfs.ts";

const SIGNALS = constants.signals as Record<string, number>;

function log(message: string): void {
  console.error(`${new Date().toISOString()} [executor ${Deno.pid}] ${message}`);
}

function lookupBin(spec: ExecutorSpec): string {
  const cmd = spec.command;
  if (isAbsolute(cmd)) return cmd;
  if (cmd.includes("/")) return join(spec.taskDir, cmd);
  const path = spec.env.PATH ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  const dirs = [
    join(spec.taskDir, "local"),
    spec.taskDir,
    ...path.split(":").filter((d) => d !== ""),
  ];
  for (const dir of dirs) {
    const candidate = join(dir, cmd);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here.
    }
  }
  throw new Error(`file "${cmd}" not found in the task directory or on PATH`);
}

function lookupUser(name: string): { uid: number; gid: number } {
  for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
    const [user, , uid, gid] = line.split(":");
    if (user === name) return { uid: Number(uid), gid: Number(gid) };
  }
  throw new Error(`user "${name}" not found in /etc/passwd`);
}

function selfId() {
  return { pid: Deno.pid, startTicks: readStat(Deno.pid)?.startTicks ?? 0 };
}

/** Runs the task described in `dir/spec.json` until it exits. */
async function supervise(dir: string): Promise<void> {
  const paths = executorPaths(dir);
  const spec = readJson<ExecutorSpec>(paths.spec);
  if (spec === null) throw new Error(`no spec.json in ${dir}`);
  mkdirSync(paths.ctl, { recursive: true });
  mkdirSync(paths.res, { recursive: true });
  const state: ExecutorState = {
    version: PROTOCOL_VERSION,
    taskId: spec.taskId,
    executor: selfId(),
    task: null,
    startedAt: Date.now(),
    startError: null,
    exit: null,
    heartbeatAt: Date.now(),
  };
  const save = () => writeJsonAtomic(paths.state, { ...state, heartbeatAt: Date.now() });

  let child: ChildProcess;
  try {
    const bin = lookupBin(spec);
    const out = openSync(spec.stdoutPath, "a");
    const err = openSync(spec.stderrPath, "a");
    child = spawn(bin, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ["ignore", out, err],
      ...(spec.user ? lookupUser(spec.user) : {}),
    });
    closeSync(out);
    closeSync(err);
  } catch (err) {
    state.startError = (err as Error).message;
    save();
    return;
  }

  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  let stopping = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const group = (signal: string) => {
    const pid = state.task?.pid;
    if (pid === undefined) return;
    try {
      Deno.kill(-pid, signal as Deno.Signal);
    } catch {
      // The group is already gone.
    }
  };

  child.on("error", (err) => {
    if (state.task === null) {
      state.startError = err.message;
      save();
      finished();
    } else log(`child error: ${err.message}`);
  });
  child.on("spawn", () => {
    const pid = child.pid ?? 0;
    state.task = { pid, startTicks: readStat(pid)?.startTicks ?? 0 };
    state.startedAt = Date.now();
    save();
  });
  child.on("exit", (code, signal) => {
    clearTimeout(killTimer);
    const signo = signal === null ? 0 : SIGNALS[signal] ?? 0;
    // After a stop, leave no process of the task behind (Nomad kills the process tree too).
    if (stopping) group("SIGKILL");
    state.exit = {
      ExitCode: signal === null ? code ?? 0 : 128 + signo,
      Signal: signo,
      OOMKilled: false,
      Err: null,
      completedAt: Date.now(),
    };
    save();
    finished();
  });

  const sampler = { current: null as UsageSampler | null };
  const handle = async (req: ControlRequest): Promise<unknown> => {
    switch (req.op) {
      case "status": {
        const task = state.task === null ? null : { ...state.task, alive: isAlive(state.task) };
        return { executor: state.executor, task, exit: state.exit } satisfies StatusValue;
      }
      case "stop": {
        if (state.exit !== null || state.task === null) return null;
        const signal = req.signal || "SIGINT";
        if (!(signal in SIGNALS)) throw new Error(`unknown signal ${signal}`);
        stopping = true;
        group(signal);
        clearTimeout(killTimer);
        killTimer = setTimeout(() => group("SIGKILL"), Math.max(0, req.timeoutMs));
        return null;
      }
      case "signal": {
        if (!(req.signal in SIGNALS)) throw new Error(`unknown signal ${req.signal}`);
        if (state.exit !== null || state.task === null) throw new Error("the task is not running");
        Deno.kill(state.task.pid, req.signal as Deno.Signal);
        return null;
      }
      case "kill":
        stopping = true;
        group("SIGKILL");
        return null;
      case "stats":
        if (state.task === null) throw new Error("the task has not started");
        sampler.current ??= new UsageSampler(state.task.pid);
        return sampler.current.sample();
      case "exec": {
        const out = await new Deno.Command(req.command, {
          args: req.args,
          cwd: spec.cwd,
          env: spec.env,
          clearEnv: true,
          stdin: "null",
          signal: AbortSignal.timeout(req.timeoutMs),
        }).output();
        return {
          stdout: Buffer.from(out.stdout).toString("base64"),
          stderr: Buffer.from(out.stderr).toString("base64"),
          exitCode: out.code,
          signal: out.signal === null ? 0 : SIGNALS[out.signal] ?? 0,
        };
      }
    }
  };

  const seen = new Set<string>();
  const poll = () => {
    let names: string[];
    try {
      names = readdirSync(paths.ctl).filter((n) => n.endsWith(".json")).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (seen.has(name)) continue;
      seen.add(name);
      const file = join(paths.ctl, name);
      const req = readJson<ControlRequest>(file);
      rmSync(file, { force: true });
      if (req === null) continue;
      handle(req).then(
        (value): ControlResponse => ({ id: req.id, ok: true, value }),
        (err): ControlResponse => ({ id: req.id, ok: false, error: (err as Error).message }),
      ).then((res) => writeJsonAtomic(join(paths.res, `${req.id}.json`), res));
    }
    if (seen.size > 1000) seen.clear();
  };

  const watcher = Deno.watchFs(paths.ctl, { recursive: false });
  (async () => {
    for await (const _ of watcher) poll();
  })().catch(() => {});
  const pollTimer = setInterval(poll, 250);
  const beat = setInterval(() => state.exit === null && save(), spec.heartbeatMs);
  Deno.addSignalListener(
    "SIGTERM",
    () => void handle({ id: "sigterm", op: "stop", signal: "SIGTERM", timeoutMs: 5_000 }),
  );
  poll();

  await done;
  poll(); // answer what arrived meanwhile
  clearInterval(pollTimer);
  clearInterval(beat);
  watcher.close();
  // Let pending answers be written before exiting.
  await new Promise((r) => setTimeout(r, 50));
}

/** Kills the orphaned task of a dead executor, if it still runs, and records an exit. */
function reap(dir: string): void {
  const paths = executorPaths(dir);
  const state = readJson<ExecutorState>(paths.state);
  if (state === null || state.exit !== null) return;
  if (isAlive(state.executor)) return; // not dead after all
  let err = "the task's executor died, so its exit code is unknown";
  const exit: ExecutorExit = {
    ExitCode: -1,
    Signal: 0,
    OOMKilled: false,
    Err: err,
    completedAt: Date.now(),
  };
  if (state.task !== null && isAlive(state.task)) {
    try {
      Deno.kill(-state.task.pid, "SIGKILL");
    } catch {
      Deno.kill(state.task.pid, "SIGKILL");
    }
    err = "the task's executor died; the task was killed so that it is not left unsupervised";
    Object.assign(exit, { ExitCode: 128 + SIGNALS.SIGKILL!, Signal: SIGNALS.SIGKILL!, Err: err });
  }
  writeJsonAtomic(paths.state, { ...state, exit });
}

if (import.meta.main) {
  const [first, second] = Deno.args;
  try {
    if (first === "--reap" && second) reap(second);
    else if (first && existsSync(first)) await supervise(first);
    else throw new Error("usage: _executor.ts <executor dir> | --reap <executor dir>");
  } catch (err) {
    log(`failed: ${(err as Error).stack ?? err}`);
    Deno.exit(1);
  }
  Deno.exit(0);
}
