/**
 * `nomad-ts node`: the group of node subcommands. Run alone it prints its help and the list of
 * subcommands (exit 1), as Nomad does.
 *
 * @module
 */
import { type Command, PROGRAM, RUN_RESULT_HELP } from "../command.ts";

/** The `node` command group. */
const node: Command = {
  name: "node",
  help: () =>
    `Usage: ${PROGRAM} node <subcommand> [options] [args]

  Groups the subcommands that work with nodes: the client agents that run the
  allocations. They show nodes and act on them, for example to move the
  workloads off a node.

  Show a node's status:

      $ ${PROGRAM} node status <node-id>

  Keep new allocations off a node that is about to be upgraded or removed:

      $ ${PROGRAM} node eligibility -disable <node-id>

  Drain a node, giving its allocations four hours to move before they are
  stopped:

      $ ${PROGRAM} node drain -enable -deadline 4h <node-id>

  Please see the individual subcommand help for detailed usage information.`,
  run: () => Promise.resolve(RUN_RESULT_HELP),
};
export default node;
