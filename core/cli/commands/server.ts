/**
 * `nomad-ts server`: the group of server subcommands. Run alone it prints its help and the list
 * of subcommands (exit 1), as Nomad does.
 *
 * @module
 */
import { type Command, PROGRAM, RUN_RESULT_HELP } from "../command.ts";

/** The `server` command group. */
const server: Command = {
  name: "server",
  help: () =>
    `Usage: ${PROGRAM} server <subcommand> [options] [args]

  Groups the subcommands that work with Nomad servers: listing them, joining a
  server to a cluster and forcing a failed server out.

  List the servers:

      $ ${PROGRAM} server members

  Join this server to another one:

      $ ${PROGRAM} server join "IP:Port"

  Force a failed server out of the cluster:

      $ ${PROGRAM} server force-leave <name>

  Please see the individual subcommand help for detailed usage information.`,
  run: () => Promise.resolve(RUN_RESULT_HELP),
};
export default server;
