/**
 * `nomad-ts eval list [options]`: the evaluations, newest first (`ID  Priority  Triggered By
 * Job ID  Namespace  Node ID  Status  Placement Failures`), filtered by job, status or a
 * filter expression, one page at a time with `-per-page` and `-page-token`.
 *
 * @module
 */
import type { QueryMeta } from "../api/mod.ts";
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { formatData } from "../format/data.ts";
import { formatEvalList } from "../format/tables.ts";
import { argsWithoutPageToken, connect, messageOf, showUiHint } from "./_api.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  verbose: { type: "bool" },
  json: { type: "bool" },
  t: { type: "string" },
  ui: { type: "bool" },
  "per-page": { type: "int" },
  "page-token": { type: "string" },
  filter: { type: "string" },
  job: { type: "string" },
  status: { type: "string" },
} as const;

/** The `eval list` command. */
const evalList: Command = {
  name: "eval list",
  help: () =>
    `Usage: ${PROGRAM} eval list [options]

  Lists the evaluations, newest first.

General Options:

  ${generalOptionsUsage()}

Eval List Options:

  -verbose
    Show full IDs.

  -per-page
    How many evaluations to show per page.

  -page-token
    Where to start the page (the token the previous page printed).

  -filter
    Show only the evaluations that match this filter expression.

  -job
    Show only the evaluations of this job ID.

  -status
    Show only the evaluations with this status.

  -json
    Print the evaluations as JSON.

  -t
    Format the evaluations with a Go template (not supported yet).

  -ui
    Open the evaluations page of the web UI.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(evalList, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (parsed.args.length !== 0) {
      await ctx.ui.error("This command takes no arguments");
      await ctx.ui.error(commandErrorText(evalList));
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      const params: Record<string, string> = {};
      if (flags.job !== "") params.job = flags.job;
      if (flags.status !== "") params.status = flags.status;
      let meta: QueryMeta | undefined;
      let evals;
      try {
        evals = await client.evaluations.list({
          filter: flags.filter,
          perPage: flags["per-page"],
          nextToken: flags["page-token"],
          params,
          onMeta: (m) => (meta = m),
        });
      } catch (err) {
        await ctx.ui.error(`Error querying evaluations: ${messageOf(err)}`);
        return 1;
      }
      if (flags.json || flags.t !== "") {
        try {
          await ctx.ui.output(formatData(flags.json, flags.t, evals));
        } catch (err) {
          await ctx.ui.error(messageOf(err));
          return 1;
        }
        return 0;
      }
      if (evals.length === 0) {
        await ctx.ui.output("No evals found");
        return 0;
      }
      await ctx.ui.output(formatEvalList(evals, flags.verbose));
      if (meta && meta.nextToken !== "") {
        await ctx.ui.output(`
Results have been paginated. To get the next page run:

${argsWithoutPageToken([PROGRAM, "eval", "list", ...args])} -page-token ${meta.nextToken}`);
      }
      await showUiHint(client, ctx, "eval list", {}, { open: flags.ui });
      return 0;
    } finally {
      client.close();
    }
  },
};
export default evalList;
