/**
 * `nomad-ts agent`: the server and client agent. Not built yet: it says so and exits 1, so
 * scripts (and `deno task dev`, which runs `agent -dev`) fail clearly instead of hanging.
 *
 * @module
 */
import { type Command, PROGRAM } from "../command.ts";
import { VERSION } from "../version.ts";

/** The `agent` command. */
const agent: Command = {
  name: "agent",
  help: () =>
    `Usage: ${PROGRAM} agent [options]

  Starts a ${PROGRAM} agent: a server, a client or both ("-dev" runs both in
  one process, for development).

  The agent is not built yet in ${PROGRAM} v${VERSION}; it comes in a later
  version.`,
  async run(_args, ctx) {
    await ctx.ui.error(
      `Error: the ${PROGRAM} agent is not built yet in v${VERSION}, so no server or client ` +
        `(nor "agent -dev") can start; it comes in a later version.`,
    );
    return 1;
  },
};
export default agent;
