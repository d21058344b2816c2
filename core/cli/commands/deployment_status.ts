/**
 * `nomad-ts deployment status [options] <deployment>`: a deployment's job, version, status and
 * the progress of each group (`Deployed`), as Nomad prints it; with `-monitor`, followed until
 * it ends (redrawn in place on a terminal). Without an argument it lists the deployments.
 *
 * @module
 */
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { idLength, limit } from "../format/columns.ts";
import { formatData } from "../format/data.ts";
import { goQuote } from "../format/quote.ts";
import { formatTime, now } from "../format/time.ts";
import { connect, messageOf, paint, showUiHint } from "./_api.ts";
import { formatDeployment, formatDeployments, getDeployment } from "./_deployment_parts.ts";
import { monitorDeployment } from "./_deployment_monitor.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  verbose: { type: "bool" },
  json: { type: "bool" },
  monitor: { type: "bool" },
  wait: { type: "duration", default: "2s" },
  ui: { type: "bool" },
  t: { type: "string" },
} as const;

/** The `deployment status` command. */
const deploymentStatus: Command = {
  name: "deployment status",
  help: () =>
    `Usage: ${PROGRAM} deployment status [options] <deployment id>

  Shows the status of a deployment: how many allocations each task group wants,
  and how many are placed, healthy and unhealthy. The deployment may be given
  by a prefix of its ID; without one, the deployments are listed.

General Options:

  ${generalOptionsUsage()}

Status Options:

  -verbose
    Show full IDs (and, with -monitor, the deployment's allocations).

  -json
    Print the deployment as JSON.

  -monitor
    Follow the deployment until it ends.

  -wait
    How long each poll of -monitor may wait for a change. Defaults to 2s.

  -ui
    Open the job's deployments in the web UI.

  -t
    Format the deployment with a Go template (not supported yet).`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(deploymentStatus, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (flags.monitor && (flags.json || flags.t !== "")) {
      await ctx.ui.error("The monitor flag cannot be used with the '-json' or '-t' flags");
      return 1;
    }
    if (parsed.args.length > 1) {
      await ctx.ui.error("This command takes one argument: <deployment id>");
      await ctx.ui.error(commandErrorText(deploymentStatus));
      return 1;
    }
    const length = idLength(flags.verbose);
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      if (parsed.args.length === 0) {
        try {
          await ctx.ui.output(formatDeployments(await client.deployments.list(), length));
        } catch (err) {
          await ctx.ui.error(`Error retrieving deployments: ${messageOf(err)}`);
          return 1;
        }
        return 0;
      }
      let match;
      try {
        match = await getDeployment(client, parsed.args[0]!);
      } catch (err) {
        await ctx.ui.error(`Error retrieving deployment: ${messageOf(err)}`);
        return 1;
      }
      if (match.possible !== undefined) {
        await ctx.ui.error(
          `Prefix matched multiple deployments\n\n${formatDeployments(match.possible, length)}`,
        );
        return 1;
      }
      const d = match.deployment;
      if (flags.json || flags.t !== "") {
        try {
          await ctx.ui.output(formatData(flags.json, flags.t, d));
        } catch (err) {
          await ctx.ui.error(messageOf(err));
          return 1;
        }
        return 0;
      }
      const hint = { jobID: d.JobID };
      if (flags.monitor) {
        let index = 0;
        try {
          await client.deployments.info(d.ID, { onMeta: (m) => index = m.lastIndex });
        } catch (err) {
          await ctx.ui.error(`Error retrieving deployment: ${messageOf(err)}`);
        }
        await ctx.ui.output(
          `${formatTime(now())}: Monitoring deployment ${goQuote(limit(d.ID, length))}`,
        );
        await monitorDeployment(client, ctx, d.ID, {
          index,
          waitNs: flags.wait,
          verbose: flags.verbose,
        });
        await showUiHint(client, ctx, "deployment status", hint, {
          open: flags.ui,
          blankAfter: true,
        });
        return 0;
      }
      await ctx.ui.output(paint(ctx, formatDeployment(d, length)));
      await showUiHint(client, ctx, "deployment status", hint, { open: flags.ui });
      return 0;
    } finally {
      client.close();
    }
  },
};
export default deploymentStatus;
