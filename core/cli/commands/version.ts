/**
 * `nomad-ts version`: prints `nomad-ts v<version>` and, when known, `Revision <sha>`.
 *
 * @module
 */
import { type Command, PROGRAM } from "../command.ts";
import { versionText } from "../version.ts";

/** The `version` command. */
const version: Command = {
  name: "version",
  help: () =>
    `Usage: ${PROGRAM} version

  Prints the version of ${PROGRAM} and the git revision it was built from, when
  known. "${PROGRAM} -v" prints the same.`,
  async run(_args, ctx) {
    await ctx.ui.output(await versionText());
    return 0;
  },
};
export default version;
