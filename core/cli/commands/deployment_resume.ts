/**
 * `nomad-ts deployment resume [options] <deployment>`: resumes a paused deployment, then
 * follows the evaluation that continues its rolling update (or with `-detach` prints its ID).
 *
 * @module
 */
import { type Command, PROGRAM } from "../command.ts";
import { generalOptionsUsage } from "../meta.ts";
import { goQuote } from "../format/quote.ts";
import { runDeploymentUpdate } from "./_deployment_update.ts";

/** The `deployment resume` command. */
const deploymentResume: Command = {
  name: "deployment resume",
  help: () =>
    `Usage: ${PROGRAM} deployment resume [options] <deployment id>

  Resumes a paused deployment: the placement of the new allocations of its
  rolling update goes on.

General Options:

  ${generalOptionsUsage()}

Resume Options:

  -detach
    Print the evaluation ID and return instead of following the evaluation.

  -verbose
    Show full IDs.`,

  run: (args, ctx) =>
    runDeploymentUpdate(deploymentResume, args, ctx, {
      doing: "resuming",
      update: (client, id) => client.deployments.pause(id, false),
      done: (id) => `Deployment ${goQuote(id)} resumed`,
    }),
};
export default deploymentResume;
