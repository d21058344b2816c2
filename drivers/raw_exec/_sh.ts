/**
 * One-shot `/bin/sh` runs: the driver's only way to signal processes and read `/proc`. Its Worker
 * may run `/bin/sh` and nothing else; in Deno 2.9 `Deno.kill` needs `run` on every program and
 * reading anything under `/proc` needs all permissions, so both go through the shell: `kill` is a
 * shell builtin, and `cat` reads `/proc`. Concurrent requests share one shell run. Also here:
 * passing `LD_*` variables, which Deno refuses to pass to a program under a scoped `run`.
 *
 * @module
 */
import { constants } from "node:os";

const SIGNALS = constants.signals as Record<string, number>;

/** The name every helper shell runs under (`$0`), so that `ps` shows what it is. */
const NAME = "raw_exec-helper";

/**
 * Runs `script` with `/bin/sh -c`, an environment of only the system `PATH`, and `args` as
 * `$1...`.
 *
 * @returns Its stdout (whatever its exit status: `cat` of a vanished process fails harmlessly).
 */
export async function sh(script: string, args: readonly string[] = []): Promise<string> {
  const out = await new Deno.Command("/bin/sh", {
    args: ["-c", script, NAME, ...args],
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout);
}

/**
 * The number of a signal name such as `"SIGTERM"`.
 *
 * @throws {Error} `unknown signal <name>` for a name Linux does not have.
 */
export function signalNumber(name: string): number {
  const n = Object.hasOwn(SIGNALS, name) ? SIGNALS[name] : undefined;
  if (n === undefined || !name.startsWith("SIG")) throw new Error(`unknown signal ${name}`);
  return n;
}

interface Pending {
  target: number;
  signo: number;
  resolve: (delivered: boolean) => void;
}

const KILL_SCRIPT =
  'while [ $# -gt 1 ]; do if kill -s "$1" -- "$2" 2>/dev/null; then echo 1; else echo 0; fi; shift 2; done';

/** Sends signals through the shell's `kill`, every request of the same tick in one run. */
export class Signaller {
  #queue: Pending[] = [];

  /**
   * Sends signal `signo` to `target`: a pid, or a process group as a negative pid.
   *
   * @returns Whether it was delivered (false: no such process or group).
   */
  send(target: number, signo: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.#queue.length === 0) setTimeout(() => void this.#flush(), 0);
      this.#queue.push({ target, signo, resolve });
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    let lines: string[] = [];
    try {
      lines = (await sh(KILL_SCRIPT, batch.flatMap((p) => [String(p.signo), String(p.target)])))
        .split("\n");
    } catch {
      // The shell could not run: nothing was delivered.
    }
    batch.forEach((p, i) => p.resolve(lines[i] === "1"));
  }
}

/**
 * Deno refuses to pass these variables to a program unless `run` is granted for every program
 * ("Requires --allow-run permissions to spawn subprocess with LD_PRELOAD environment variable").
 */
const LOADER_VAR = /^(LD_|DYLD_)/;
const SH_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Splits an environment for a `/bin/sh` Deno may start: what Deno passes itself, and the
 * dynamic loader's variables (`LD_*`), which it refuses to pass, as `NAME=value` words for the
 * shell to export ({@linkcode EXPORT_ARGS}). A loader variable whose name the shell cannot
 * export is dropped.
 */
export function splitEnv(env: Record<string, string>): {
  env: Record<string, string>;
  exports: string[];
} {
  const out: Record<string, string> = {};
  const exports: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!LOADER_VAR.test(name)) out[name] = value;
    else if (SH_NAME.test(name)) exports.push(`${name}=${value}`);
  }
  return { env: out, exports };
}

/**
 * Shell code that exports the words of {@linkcode splitEnv} given as `<count> <word>...` at the
 * start of `"$@"`, and shifts them off. Exported, they reach the shell's children only.
 */
export const EXPORT_ARGS =
  'n=$1; shift; while [ "$n" -gt 0 ]; do export "$1"; shift; n=$((n - 1)); done';
