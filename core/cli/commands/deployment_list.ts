/**
 * `nomad-ts deployment list [options]`: the deployments, newest first, as Nomad's table (`ID`,
 * `Job ID`, `Job Version`, `Status`, `Description`), or as JSON with `-json`.
 *
 * @module
 */
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { idLength } from "../format/columns.ts";
import { formatData } from "../format/data.ts";
import { connect, messageOf } from "./_api.ts";
import { formatDeployments } from "./_deployment_parts.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  verbose: { type: "bool" },
  json: { type: "bool" },
  filter: { type: "string" },
  t: { type: "string" },
} as const;

/** The `deployment list` command. */
const deploymentList: Command = {
  name: "deployment list",
  help: () =>
    `Usage: ${PROGRAM} deployment list [options]

  Lists the deployments the cluster tracks, newest first.

General Options:

  ${generalOptionsUsage()}

List Options:

  -json
    Print the deployments as JSON.

  -filter
    Only deployments that match this filter expression.

  -t
    Format the deployments with a Go template (not supported yet).

  -verbose
    Show full IDs.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(deploymentList, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (parsed.args.length !== 0) {
      await ctx.ui.error("This command takes no arguments");
      await ctx.ui.error(commandErrorText(deploymentList));
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      let deploys;
      try {
        deploys = await client.deployments.list({ filter: flags.filter });
      } catch (err) {
        await ctx.ui.error(`Error retrieving deployments: ${messageOf(err)}`);
        return 1;
      }
      if (flags.json || flags.t !== "") {
        try {
          await ctx.ui.output(formatData(flags.json, flags.t, deploys));
        } catch (err) {
          await ctx.ui.error(messageOf(err));
          return 1;
        }
        return 0;
      }
      await ctx.ui.output(formatDeployments(deploys, idLength(flags.verbose)));
      return 0;
    } finally {
      client.close();
    }
  },
};
export default deploymentList;
