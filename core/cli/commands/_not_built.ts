/**
 * Stand-ins for the commands of Nomad's tree that nomad-ts does not have yet: a group prints
 * its help and subcommands (as Nomad's groups do), a leaf says in one line that it comes in a
 * later version and exits 1.
 *
 * @module
 */
import { type Command, PROGRAM, RUN_RESULT_HELP } from "../command.ts";
import { VERSION } from "../version.ts";

/** The one-line error of a command that is not built yet. */
export function notBuiltMessage(name: string): string {
  return `Error: "${PROGRAM} ${name}" is not built yet in ${PROGRAM} v${VERSION}; ` +
    `it comes in a later version.`;
}

function sentence(synopsis: string): string {
  return synopsis.endsWith(".") ? synopsis : `${synopsis}.`;
}

/** A command of Nomad's tree that has no body in this version. */
export function notBuiltCommand(name: string, synopsis: string): Command {
  return {
    name,
    help: () =>
      `Usage: ${PROGRAM} ${name} [options] [args]

  ${sentence(synopsis)}

  This command is not built yet in ${PROGRAM} v${VERSION}; it comes in a later
  version. Its options will be Nomad's.`,
    run: async (_args, ctx) => {
      await ctx.ui.error(notBuiltMessage(name));
      return 1;
    },
  };
}

/** A command that only groups subcommands; running it prints its help and the subcommands. */
export function groupCommand(name: string, synopsis: string): Command {
  return {
    name,
    help: () =>
      `Usage: ${PROGRAM} ${name} <subcommand> [options] [args]

  ${sentence(synopsis)}

  Please see the individual subcommand help for detailed usage information.`,
    run: () => Promise.resolve(RUN_RESULT_HELP),
  };
}
