/**
 * `nomad-ts deployment unblock [options] <deployment>`: unblocks a multiregion deployment that
 * waits for its peer regions. Single-region deployments are never blocked, so the server only
 * checks the deployment and nothing follows.
 *
 * @module
 */
import { type Command, PROGRAM } from "../command.ts";
import { generalOptionsUsage } from "../meta.ts";
import { goQuote } from "../format/quote.ts";
import { runDeploymentUpdate } from "./_deployment_update.ts";

/** The `deployment unblock` command. */
const deploymentUnblock: Command = {
  name: "deployment unblock",
  help: () =>
    `Usage: ${PROGRAM} deployment unblock [options] <deployment id>

  Unblocks a multiregion deployment that waits for the deployments of its peer
  regions to complete.

General Options:

  ${generalOptionsUsage()}

Unblock Options:

  -detach
    Print the evaluation ID and return instead of following the evaluation.

  -verbose
    Show full IDs.`,

  run: (args, ctx) =>
    runDeploymentUpdate(deploymentUnblock, args, ctx, {
      doing: "unblocking",
      update: (client, id) => client.deployments.unblock(id),
      done: (id) => `Deployment ${goQuote(id)} unblocked`,
    }),
};
export default deploymentUnblock;
