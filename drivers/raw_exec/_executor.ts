/**
 * raw_exec's executor: a small POSIX `/bin/sh` script, one process per task, that owns the task's
 * process so the task outlives the agent (Nomad runs an executor per task for the same reason).
 * It costs what one idle `dash` costs: about 120 KB private memory (1.8 MB RSS, most of it libc
 * pages shared with every other process).
 *
 * The driver starts it detached (its own session, stdin `/dev/null`, stdout a pipe to the driver,
 * its stderr appended to `executor.out`) with the task's environment (the `LD_*` variables, which
 * Deno will not pass, come as arguments and are exported for the task). The executor:
 *
 * 1. writes the boot ID, its pid and its start time (`/proc/self/stat` field 22) to `pids` and
 *    to the pipe (the boot ID tells a pid of this boot from one of an earlier boot);
 * 2. finds the command (an absolute path; a relative path in the task dir; or a name in
 *    `<task dir>/local`, the task dir, then the task's `PATH`), and refuses with exit 127 (not
 *    found) or 126 (not executable), written to `exit` with the reason;
 * 3. enters the working directory, forks a subshell that appends its own pid and start time to
 *    `pids` and the pipe, points stdout and stderr at the task's log files, then `exec`s
 *    `setsid <command>` (or `setsid setpriv ... <command>` for `user`): the task keeps that pid and
 *    leads its own session and process group, so the driver signals the whole group;
 * 4. waits for it (a foreground command, so SIGINT and SIGQUIT keep their default action in the
 *    task, and a signal sent to the executor itself only runs a no-op trap afterwards: it never
 *    reaches the task) and writes `<exit code> <signal>` to `exit`.
 *
 * The shell reports a task killed by signal N as exit status 128 + N, the same as a task that
 * exited with 128 + N itself; the executor reads such a status as the signal (Signal = N).
 * A signal the agent was started ignoring (under `nohup`, say) stays ignored in the task: a
 * shell cannot restore a signal ignored on entry.
 *
 * `exit` is written once with a single `printf`; a reader takes it only when it ends with a
 * newline. Stopping, signals, stats and orphan reaping are the driver's (`_watch.ts`, `_sh.ts`).
 *
 * @module
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXPORT_ARGS, sh, splitEnv } from "./_sh.ts";

/** A process and its start time in clock ticks since boot (`/proc/<pid>/stat` field 22). */
export interface ProcessId {
  /** The pid. */
  pid: number;
  /** Its start time; with the pid it names one process, even after the pid is reused. */
  startTicks: number;
}

/** How a task ended, as recorded in `exit`. */
export interface ExecutorExit {
  /** The exit code, `128 + signal` when a signal killed it, -1 when unknown. */
  ExitCode: number;
  /** The signal number, or 0. */
  Signal: number;
  /** Always false: raw_exec has no memory limit to be killed for. */
  OOMKilled: boolean;
  /** Why the task could not be run or watched, or `null`. */
  Err: string | null;
  /** When, in Unix milliseconds (the `exit` file's modification time). */
  completedAt: number;
}

/** What the executor runs. */
export interface ExecutorSpec {
  /** The executor directory (`<task dir>/.executor`). */
  dir: string;
  /** Where stdout is appended. */
  stdoutPath: string;
  /** Where stderr is appended. */
  stderrPath: string;
  /** The working directory. */
  cwd: string;
  /** The task directory (for finding relative commands). */
  taskDir: string;
  /** The user to run as, or "". */
  user: string;
  /** The command. */
  command: string;
  /** Its arguments. */
  args: string[];
  /** The task's complete environment (the executor's too). */
  env: Record<string, string>;
}

/** A started executor and its task. */
export interface StartedExecutor {
  /** The executor process, a child of this Worker until the Worker ends. */
  child: Deno.ChildProcess;
  /** The boot ID. */
  boot: string;
  /** The executor. */
  executor: ProcessId;
  /** The task's process (leader of its own session and process group). */
  task: ProcessId;
}

/** `$0` of every executor, so that `ps` shows what it is. */
export const EXECUTOR_NAME = "raw_exec-executor";

const SCRIPT = `exec 2>>"$1/executor.out" </dev/null
set -f
IFS=' 	
'
dir=$1 out=$2 err=$3 cwd=$4 tdir=$5 user=$6
shift 6
${EXPORT_ARGS}
trap : HUP INT QUIT TERM USR1 USR2 ALRM PIPE
fail() { printf '%s 0 %s\\n' "$1" "$2" >"$dir/exit"; printf '%s\\n' "$2" >&2; exit "$1"; }
ticks() { set -- \${1##*") "}; T=\${20}; }
tool() {
  for d in /usr/bin /bin /usr/sbin /sbin; do if [ -x "$d/$1" ]; then t=$d/$1; return 0; fi; done
  fail 127 "$1 not found in /usr/bin, /bin, /usr/sbin or /sbin: $2"
}
read -r boot </proc/sys/kernel/random/boot_id || fail 1 "cannot read the boot ID"
read -r st </proc/self/stat || fail 1 "cannot read /proc/self/stat"
ticks "$st"
printf '%s\\n%s %s\\n' "$boot" $$ "$T" >"$dir/pids"
printf '%s\\n%s %s\\n' "$boot" $$ "$T"
case $1 in
/*) bin=$1 ;;
*/*) bin=$tdir/$1 ;;
*) bin=
  IFS=:
  for d in "$tdir/local" "$tdir" \${PATH-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}; do
    if [ -n "$d" ] && [ -f "$d/$1" ]; then bin=$d/$1; break; fi
  done
  IFS=' 	
' ;;
esac
[ -n "$bin" ] || fail 127 "file \\"$1\\" not found in the task directory or on PATH"
[ -f "$bin" ] || fail 127 "file \\"$bin\\" not found"
[ -x "$bin" ] || fail 126 "file \\"$bin\\" is not executable"
shift
tool setsid "raw_exec needs it to give the task its own process group"
ss=$t
if [ -n "$user" ]; then
  tool id "raw_exec needs it to look up user \\"$user\\""
  gid=$("$t" -g -- "$user" 2>/dev/null) || fail 1 "user \\"$user\\" not found"
  tool setpriv "raw_exec needs it to run the task as user \\"$user\\""
  set -- "$t" --reuid="$user" --regid="$gid" --init-groups -- "$bin" "$@"
else
  set -- "$bin" "$@"
fi
cd -- "$cwd" 2>/dev/null || fail 1 "cannot change to the working directory \\"$cwd\\""
true 2>/dev/null >>"$out" || fail 1 "cannot open the stdout log \\"$out\\""
true 2>/dev/null >>"$err" || fail 1 "cannot open the stderr log \\"$err\\""
(
  read -r st </proc/self/stat && ticks "$st" &&
    printf '%s %s\\n' "\${st%% *}" "$T" >>"$dir/pids" && printf '%s %s\\n' "\${st%% *}" "$T" ||
    exit 125
  exec >>"$out" 2>>"$err"
  exec "$ss" "$@"
)
rc=$?
sig=0
if [ "$rc" -gt 128 ] && [ "$rc" -lt 193 ]; then sig=$((rc - 128)); fi
printf '%s %s\\n' "$rc" "$sig" >"$dir/exit"
`;

/** The files of an executor directory. */
export function executorFiles(dir: string) {
  return {
    dir,
    pids: join(dir, "pids"),
    exit: join(dir, "exit"),
    log: join(dir, "executor.out"),
  };
}

/** What `pids` records (each `null` until written). */
export interface PidsRecord {
  /** The boot ID (`/proc/sys/kernel/random/boot_id`) when the executor started. */
  boot: string | null;
  /** The executor. */
  executor: ProcessId | null;
  /** The task's process. */
  task: ProcessId | null;
}

function parsePids(text: string): PidsRecord {
  const [boot, ...lines] = text.split("\n").slice(0, -1); // whole lines only
  const ids: ProcessId[] = [];
  for (const line of lines) {
    const m = /^(\d+) (\d+)$/.exec(line);
    if (m === null) break;
    ids.push({ pid: Number(m[1]), startTicks: Number(m[2]) });
  }
  return {
    boot: boot !== undefined && /^[0-9a-f-]{36}$/.test(boot) ? boot : null,
    executor: ids[0] ?? null,
    task: ids[1] ?? null,
  };
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") return null;
    throw err;
  }
}

/** What `pids` in `dir` records. */
export function readPids(dir: string): PidsRecord {
  return parsePids(readOrNull(executorFiles(dir).pids) ?? "");
}

/** The recorded exit, or `null` while there is none (or it is half written). */
export function readExit(dir: string): ExecutorExit | null {
  const path = executorFiles(dir).exit;
  const text = readOrNull(path);
  const m = text === null ? null : /^(-?\d+) (\d+)(?: ([\s\S]*))?\n$/.exec(text);
  if (m === null) return null;
  let completedAt = Date.now();
  try {
    completedAt = statSync(path).mtimeMs;
  } catch {
    // Removed meanwhile: now will do.
  }
  return {
    ExitCode: Number(m[1]),
    Signal: Number(m[2]),
    OOMKilled: false,
    Err: m[3] ?? null,
    completedAt,
  };
}

/** Records an exit the driver decided (the executor died); whole, by rename. */
export function writeExit(dir: string, exit: ExecutorExit): void {
  const path = executorFiles(dir).exit;
  const tmp = `${path}.${Math.random().toString(36).slice(2)}.tmp`;
  const err = exit.Err === null ? "" : ` ${exit.Err}`;
  writeFileSync(tmp, `${exit.ExitCode} ${exit.Signal}${err}\n`);
  renameSync(tmp, path);
}

/**
 * Starts the executor for `spec` and waits until it has started the task.
 *
 * @throws {Error} When the command cannot be started (not found, not executable, bad user or
 * working directory), the executor dies first, or `timeoutMs` passes.
 */
export async function startExecutor(
  spec: ExecutorSpec,
  timeoutMs: number,
): Promise<StartedExecutor> {
  mkdirSync(spec.dir, { recursive: true });
  const { env, exports } = splitEnv(spec.env);
  const child = new Deno.Command("/bin/sh", {
    args: [
      "-c",
      SCRIPT,
      EXECUTOR_NAME,
      spec.dir,
      spec.stdoutPath,
      spec.stderrPath,
      spec.cwd,
      spec.taskDir,
      spec.user,
      String(exports.length),
      ...exports,
      spec.command,
      ...spec.args,
    ],
    env,
    clearEnv: true,
    detached: true,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  child.unref();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    while (parsePids(text).task === null) {
      const r = await Promise.race([reader.read(), timedOut]);
      if (r === "timeout") {
        const { executor } = parsePids(text);
        if (executor) void sh('kill -s KILL -- "$1"', [String(executor.pid)]);
        throw new Error(`failed to create executor: no answer within ${timeoutMs} ms`);
      }
      if (r.done) break;
      text += r.value;
    }
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
  const { boot, executor, task } = parsePids(text);
  if (boot !== null && executor !== null && task !== null) {
    return { child, boot, executor, task };
  }
  await Promise.race([child.status, new Promise((r) => setTimeout(r, 5_000))]);
  const exit = readExit(spec.dir);
  if (exit?.Err) throw new Error(`failed to launch command with executor: ${exit.Err}`);
  let log = readOrNull(executorFiles(spec.dir).log) ?? "";
  log = log.trim().split("\n").slice(-5).join("\n");
  throw new Error(
    `failed to create executor: it exited before starting the task${log ? `: ${log}` : ""}`,
  );
}
