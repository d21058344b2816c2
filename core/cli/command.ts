/**
 * The contract of a CLI command and what it is given to run: a {@link Ui} to print with, the
 * environment and working directory, and stdin. Commands return an exit code; they never exit
 * the process themselves.
 *
 * @module
 */
import { FlagError, type FlagSpec, type ParsedFlags, parseFlags } from "./flags.ts";
import type { Ui } from "./ui.ts";

/** The command name users type, in messages and help. */
export const PROGRAM = "nomad-ts";

/**
 * A command returns this to have its help printed to stderr with exit code 1 (groups such as
 * `job` do, when run without a subcommand). The value is mitchellh/cli's.
 */
export const RUN_RESULT_HELP = -18511;

/** What a command may use while it runs. */
export interface Context {
  readonly ui: Ui;
  /** The process environment (`NOMAD_ADDR`, `NOMAD_VAR_*`, ...). */
  readonly env: Readonly<Record<string, string>>;
  /** The directory relative paths are resolved against. */
  readonly cwd: string;
  /** Standard input, for commands that read a job from `-`; absent when there is none. */
  readonly stdin?: ReadableStream<Uint8Array>;
}

/** One command of the CLI, e.g. `job init`. */
export interface Command {
  /** The full name, e.g. `"job init"` (also for the alias `init`). */
  readonly name: string;
  /** The help text: a `Usage:` line, a description and the options; no trailing newline. */
  help(): string;
  /**
   * Runs the command.
   *
   * @param args The arguments after the command name.
   * @returns The exit code, or {@link RUN_RESULT_HELP}.
   */
  run(args: string[], ctx: Context): Promise<number>;
}

/** A command module: its default export is the command. */
export interface CommandModule {
  readonly default: Command;
}

/** The hint Nomad prints after a usage error: `For additional help try 'nomad-ts job run -help'`. */
export function commandErrorText(cmd: Command): string {
  return `For additional help try '${PROGRAM} ${cmd.name} -help'`;
}

/**
 * Parses a command's flags and, on a flag error, prints what Go's `flag` package prints for a
 * Nomad command: the message on stderr, then the command's help on stdout.
 *
 * @returns The parsed flags, or `null` when the command should exit with code 1.
 */
export async function parseCommandFlags<const S extends FlagSpec>(
  cmd: Command,
  spec: S,
  args: readonly string[],
  ui: Ui,
): Promise<ParsedFlags<S> | null> {
  try {
    return parseFlags(spec, args);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    if (!err.help) await ui.error(err.message);
    await ui.output(cmd.help());
    return null;
  }
}
