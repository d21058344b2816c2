/**
 * The `nomad-ts` command line: {@link run} takes the arguments and the process's streams and
 * returns the exit code, dispatching Nomad's command tree the way mitchellh/cli does for Nomad:
 *
 * - `-v`, `-version`, `--version` before any command print the version (exit 0);
 * - `-h`, `-help`, `--help` anywhere before `--` print help to stdout (exit 0): the top-level
 *   list without a command, the command's help with one;
 * - the command is the longest known name the leading words form (`job init`), aliases such as
 *   `init` and `run` included;
 * - an unknown command, or none, prints the top-level help to stderr with exit code 127;
 * - flags before the command are refused with exit code 1;
 * - a group run without a subcommand prints its help to stderr with exit code 1.
 *
 * Command bodies are imported only when they run. Only `main.ts` exits the process.
 *
 * @example
 * ```ts
 * const code = await run(["version"], {
 *   stdout: Deno.stdout,
 *   stderr: Deno.stderr,
 *   env: Deno.env.toObject(),
 *   cwd: Deno.cwd(),
 * });
 * ```
 *
 * @module
 */
import { hasCommand, loadCommand, longestCommand } from "./catalog.ts";
import { RUN_RESULT_HELP } from "./command.ts";
import { commandHelp, rootHelp } from "./help.ts";
import { useColor } from "./meta.ts";
import { Ui, type Writer } from "./ui.ts";

export type { Command, Context } from "./command.ts";
export type { Writer } from "./ui.ts";
export type { ClientConfig } from "./meta.ts";
export { CLIENT_FLAGS, clientConfig, envClientConfig } from "./meta.ts";
export { FlagError, parseFlags } from "./flags.ts";

/** The process around the CLI: its streams, environment and working directory. */
export interface CliIO {
  readonly stdout: Writer;
  readonly stderr: Writer;
  /** Standard input, for `job run -` and `job validate -`. */
  readonly stdin?: ReadableStream<Uint8Array>;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Whether stdout is a terminal, which turns color on unless `-no-color` says otherwise. */
  readonly stdoutIsTerminal?: boolean;
}

/** How the arguments split into the command and its arguments, as mitchellh/cli reads them. */
export interface Invocation {
  /** The command name (`"job init"`), the first non-flag word when unknown, or `""`. */
  readonly command: string;
  /** The arguments after the command name. */
  readonly args: string[];
  readonly help: boolean;
  readonly version: boolean;
  /** Flags given before the command, which are an error. */
  readonly topFlags: string[];
}

const HELP_FLAGS = new Set(["-h", "-help", "--help"]);
const VERSION_FLAGS = new Set(["-v", "-version", "--version"]);

/** Whether an argument can be part of a command name: not empty, no flag, no space. */
function isWord(arg: string): boolean {
  return arg !== "" && !arg.startsWith("-") && !arg.includes(" ");
}

/** Splits the command line into the command, its arguments and the global flags. */
export function parseInvocation(argv: readonly string[]): Invocation {
  let command = "";
  let args: string[] = [];
  let help = false;
  let version = false;
  const topFlags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") break;
    if (HELP_FLAGS.has(arg)) {
      help = true;
      continue;
    }
    if (command !== "") continue;
    if (VERSION_FLAGS.has(arg)) {
      version = true;
      continue;
    }
    if (arg.startsWith("-")) {
      topFlags.push(arg);
      continue;
    }
    if (arg === "") continue;
    if (arg.includes(" ")) break; // an argument with a space is never a command
    let end = i;
    while (end < argv.length && isWord(argv[end]!)) end++;
    command = longestCommand(argv.slice(i, end)) ?? arg;
    i += command.split(" ").length - 1;
    args = argv.slice(i + 1);
  }
  return { command, args, help, version, topFlags };
}

/**
 * Runs the `nomad-ts` command line.
 *
 * @param argv The arguments, without the program name (`Deno.args`).
 * @param io The streams, environment and working directory to use.
 * @returns The exit code.
 */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const ui = new Ui(io.stdout, io.stderr, {
    color: useColor(argv, io.env, io.stdoutIsTerminal ?? false),
    terminal: io.stdoutIsTerminal ?? false,
  });
  try {
    return await dispatch(argv, io, ui);
  } catch (err) {
    await ui.error(`Error executing CLI: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

async function dispatch(argv: readonly string[], io: CliIO, ui: Ui): Promise<number> {
  const inv = parseInvocation(argv);
  if (inv.version) {
    const { versionText } = await import("./version.ts");
    await ui.rawOutput(`${await versionText()}\n`);
    return 0;
  }
  if (inv.help && inv.command === "") {
    await ui.rawOutput(`${rootHelp()}\n`);
    return 0;
  }
  if (!hasCommand(inv.command)) {
    await ui.rawError(`${rootHelp()}\n`);
    return 127;
  }
  const cmd = await loadCommand(inv.command);
  if (inv.help) {
    await ui.rawOutput(commandHelp(cmd, inv.command));
    return 0;
  }
  if (inv.topFlags.length > 0) {
    await ui.rawError(
      "Invalid flags before the subcommand. If these flags are for\n" +
        "the subcommand, please put them after the subcommand.\n\n" +
        commandHelp(cmd, inv.command),
    );
    return 1;
  }
  const ctx = {
    ui,
    env: io.env,
    cwd: io.cwd,
    ...(io.stdin ? { stdin: io.stdin } : {}),
  };
  const code = await cmd.run([...inv.args], ctx);
  if (code === RUN_RESULT_HELP) {
    await ui.rawError(commandHelp(cmd, inv.command));
    return 1;
  }
  return code;
}
