/**
 * `nomad-ts deployment promote [options] <deployment>`: promotes the canaries of a deployment
 * (of the `-group`s given, else of every group), then follows the evaluation it created and
 * the deployment, as `job run` does; `-detach` prints the evaluation ID instead.
 *
 * @module
 */
import { type Command, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { idLength } from "../format/columns.ts";
import { connect, messageOf } from "./_api.ts";
import { deploymentArg } from "./_deployment_parts.ts";
import { EvalMonitor } from "./_monitor.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  group: { type: "strings" },
  detach: { type: "bool" },
  verbose: { type: "bool" },
} as const;

/** The `deployment promote` command. */
const deploymentPromote: Command = {
  name: "deployment promote",
  help: () =>
    `Usage: ${PROGRAM} deployment promote [options] <deployment id>

  Promotes the canaries of a deployment once they are healthy, which lets the
  rolling update of the remaining allocations go on. Unhealthy canaries can be
  failed with "${PROGRAM} deployment fail", or replaced by submitting a new job
  version or reverting to an older one with "${PROGRAM} job revert".

General Options:

  ${generalOptionsUsage()}

Promote Options:

  -group
    Promote only this group's canaries; repeat for more. Without it, every
    group is promoted.

  -detach
    Print the evaluation ID and return instead of following the evaluation.

  -verbose
    Show full IDs.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(deploymentPromote, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    const length = idLength(flags.verbose);
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      const d = await deploymentArg(deploymentPromote, parsed.args, client, ctx, length);
      if (d === undefined) return 1;
      let u;
      try {
        u = flags.group.length === 0
          ? await client.deployments.promoteAll(d.ID)
          : await client.deployments.promoteGroups(d.ID, flags.group);
      } catch (err) {
        await ctx.ui.error(`Error promoting deployment: ${messageOf(err)}`);
        return 1;
      }
      if (u.EvalID === "") return 0;
      if (flags.detach) {
        await ctx.ui.output(`Evaluation ID: ${u.EvalID}`);
        return 0;
      }
      return await new EvalMonitor(client, ctx, length).monitor(u.EvalID);
    } finally {
      client.close();
    }
  },
};
export default deploymentPromote;
