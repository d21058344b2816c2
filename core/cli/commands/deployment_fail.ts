/**
 * `nomad-ts deployment fail [options] <deployment>`: marks a deployment failed, which stops
 * its rolling update and, with `auto_revert`, rolls the job back to its latest stable version
 * (`Deployment "..." failed. Auto-reverted to job version 0.`); then follows the evaluation it
 * created, or with `-detach` prints its ID.
 *
 * @module
 */
import { type Command, PROGRAM } from "../command.ts";
import { generalOptionsUsage } from "../meta.ts";
import { goQuote } from "../format/quote.ts";
import { runDeploymentUpdate } from "./_deployment_update.ts";

/** The `deployment fail` command. */
const deploymentFail: Command = {
  name: "deployment fail",
  help: () =>
    `Usage: ${PROGRAM} deployment fail [options] <deployment id>

  Marks a deployment as failed. This stops the placement of new allocations of
  its rolling update and, when the job has auto_revert, rolls the job back to
  its latest stable version.

General Options:

  ${generalOptionsUsage()}

Fail Options:

  -detach
    Print the evaluation ID and return instead of following the evaluation.

  -verbose
    Show full IDs.`,

  run: (args, ctx) =>
    runDeploymentUpdate(deploymentFail, args, ctx, {
      doing: "failing",
      update: (client, id) => client.deployments.fail(id),
      done: (id, u) => {
        const reverted = u.RevertedJobVersion ?? null;
        return reverted === null
          ? `Deployment ${goQuote(id)} failed`
          : `Deployment ${goQuote(id)} failed. Auto-reverted to job version ${reverted}.`;
      },
    }),
};
export default deploymentFail;
