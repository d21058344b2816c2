/**
 * `nomad-ts eval status [options] <evaluation>`: an evaluation's fields, related evaluations,
 * plan annotations, placed allocations and placement failures, as Nomad prints them. The
 * evaluation may be given by a prefix of its ID (at least two characters).
 *
 * @module
 */
import type { AllocationListStub, ApiClient, ApiEvaluation } from "../api/mod.ts";
import { sanitizeUUIDPrefix } from "../api/mod.ts";
import {
  type Command,
  commandErrorText,
  type Context,
  parseCommandFlags,
  PROGRAM,
} from "../command.ts";
import type { FlagValues } from "../flags.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { formatKV, idLength, limit } from "../format/columns.ts";
import { formatData } from "../format/data.ts";
import { failedGroupHeading, formatAllocMetrics, sortedFailedGroups } from "../format/metrics.ts";
import { goQuote } from "../format/quote.ts";
import {
  evalFailureStatus,
  formatAllocListStubs,
  formatEvalList,
  formatPlanAnnotations,
  formatPreemptedAllocListStubs,
  formatRelatedEvalStubs,
} from "../format/tables.ts";
import {
  formatApiTime,
  formatUnixNanoTime,
  nanosToMillis,
  now,
  parseApiTime,
  prettyTimeDiff,
} from "../format/time.ts";
import { connect, messageOf, paint, showUiHint } from "./_api.ts";
import { EvalMonitor } from "./_monitor.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  monitor: { type: "bool" },
  verbose: { type: "bool" },
  json: { type: "bool" },
  t: { type: "string" },
  ui: { type: "bool" },
} as const;

function triggerDetails(e: ApiEvaluation): [string, string] {
  if (e.TriggeredBy === "node-update") return ["Node ID", e.NodeID];
  if (e.TriggeredBy === "max-plan-attempts") return ["Previous Eval", e.PreviousEval];
  return ["", ""];
}

/** The text of `eval status`, with color tags. */
export function formatEvalStatus(
  e: ApiEvaluation,
  placed: readonly AllocationListStub[],
  verbose: boolean,
): string {
  const length = idLength(verbose);
  const failure = evalFailureStatus(e);
  const [noun, subject] = triggerDetails(e);
  const time = (ns: number) =>
    verbose ? formatUnixNanoTime(ns) : prettyTimeDiff(ns ? nanosToMillis(ns) : null, now());
  const basic = [
    `ID|${limit(e.ID, length)}`,
    `Create Time|${time(e.CreateTime ?? 0)}`,
    `Modify Time|${time(e.ModifyTime ?? 0)}`,
    `Status|${e.Status}`,
    `Status Description|${e.StatusDescription || e.Status}`,
    `Type|${e.Type}`,
    `TriggeredBy|${e.TriggeredBy}`,
    `Job ID|${e.JobID}`,
    `Namespace|${e.Namespace}`,
  ];
  if (noun !== "" && subject) basic.push(`${noun}|${subject}`);
  basic.push(`Priority|${e.Priority}`, `Placement Failures|${failure.text}`);
  if (parseApiTime(e.WaitUntil) !== null) basic.push(`Wait Until|${formatApiTime(e.WaitUntil)}`);
  if (e.QuotaLimitReached) basic.push(`Quota Limit Reached|${e.QuotaLimitReached}`);
  basic.push(
    `Previous Eval|${limit(e.PreviousEval ?? "", length)}`,
    `Next Eval|${limit(e.NextEval ?? "", length)}`,
    `Blocked Eval|${limit(e.BlockedEval ?? "", length)}`,
  );
  const out = [formatKV(basic)];
  if ((e.RelatedEvals ?? []).length > 0) {
    out.push("\n[bold]Related Evaluations[reset]", formatRelatedEvalStubs(e.RelatedEvals!, length));
  }
  const annotations = e.PlanAnnotations;
  if (annotations) {
    if (Object.keys(annotations.DesiredTGUpdates ?? {}).length > 0) {
      out.push(
        "\n[bold]Plan Annotations[reset]",
        formatPlanAnnotations(annotations.DesiredTGUpdates, verbose),
      );
    }
    const preempted = (annotations.PreemptedAllocs ?? []) as unknown as AllocationListStub[];
    if (preempted.length > 0) {
      out.push(
        "\n[bold]Preempted Allocations[reset]",
        formatPreemptedAllocListStubs(preempted, length),
      );
    }
  }
  if (placed.length > 0) {
    out.push("\n[bold]Placed Allocations[reset]", formatAllocListStubs(placed, false, length));
  }
  if (failure.has) {
    out.push("\n[bold]Failed Placements[reset]");
    for (const tg of sortedFailedGroups(e.FailedTGAllocs)) {
      const metrics = e.FailedTGAllocs![tg]!;
      out.push(failedGroupHeading(tg, metrics), formatAllocMetrics(metrics, false, "  "));
    }
    if (e.BlockedEval) {
      out.push(
        `\nEvaluation ${
          goQuote(limit(e.BlockedEval, length))
        } waiting for additional capacity to place remainder`,
      );
    }
    if ((e.MissingNonNodeResources ?? []).length > 0) {
      out.push("\n[bold]Missing Resources[reset]");
      for (const r of e.MissingNonNodeResources!) out.push(`  ${r}`);
    }
  }
  return out.join("\n");
}

async function show(
  ctx: Context,
  id: string,
  flags: FlagValues<typeof FLAGS>,
  client: ApiClient,
): Promise<number> {
  const prefix = sanitizeUUIDPrefix(id);
  let evals;
  try {
    evals = await client.evaluations.prefixList(prefix);
  } catch (err) {
    await ctx.ui.error(`Error querying evaluation: ${messageOf(err)}`);
    return 1;
  }
  if (evals.length === 0) {
    await ctx.ui.error(`No evaluation(s) with prefix or id ${goQuote(prefix)} found`);
    return 1;
  }
  if (evals.length > 1) {
    await ctx.ui.error(
      `Prefix matched multiple evaluations\n\n${formatEvalList(evals, flags.verbose)}`,
    );
    return 1;
  }
  const length = idLength(flags.verbose);
  if (flags.monitor) return await new EvalMonitor(client, ctx, length).monitor(evals[0]!.ID);
  let e: ApiEvaluation;
  try {
    e = await client.evaluations.info(evals[0]!.ID);
  } catch (err) {
    await ctx.ui.error(`Error querying evaluation: ${messageOf(err)}`);
    return 1;
  }
  if (flags.json || flags.t !== "") {
    try {
      await ctx.ui.output(formatData(flags.json, flags.t, e));
    } catch (err) {
      await ctx.ui.error(messageOf(err));
      return 1;
    }
    return 0;
  }
  let placed;
  try {
    placed = await client.evaluations.allocations(e.ID);
  } catch (err) {
    await ctx.ui.error(`Error querying related allocations: ${messageOf(err)}`);
    return 1;
  }
  await ctx.ui.output(paint(ctx, formatEvalStatus(e, placed, flags.verbose)));
  await showUiHint(client, ctx, "eval status", { evalID: e.ID }, { open: flags.ui });
  return 0;
}

/** The `eval status` command. */
const evalStatus: Command = {
  name: "eval status",
  help: () =>
    `Usage: ${PROGRAM} eval status [options] <evaluation>

  Shows an evaluation: its status, what triggered it, what it placed, and why
  it could not place allocations. The evaluation may be given by a prefix of
  its ID.

General Options:

  ${generalOptionsUsage()}

Eval Status Options:

  -monitor
    Follow an evaluation that has not finished yet.

  -verbose
    Show full IDs, exact times and every plan annotation column.

  -json
    Print the evaluation as JSON (without its placed allocations).

  -t
    Format the evaluation with a Go template (not supported yet).

  -ui
    Open the evaluation in the web UI.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(evalStatus, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      if (parsed.args.length !== 1) {
        await ctx.ui.error("This command takes one argument");
        await ctx.ui.error(commandErrorText(evalStatus));
        return 1;
      }
      const id = parsed.args[0]!;
      if (id.length === 1) {
        await ctx.ui.error("Identifier must contain at least two characters.");
        return 1;
      }
      if (flags.json && flags.t !== "") {
        await ctx.ui.error("Both json and template formatting are not allowed");
        return 1;
      }
      return await show(ctx, id, flags, client);
    } finally {
      client.close();
    }
  },
};
export default evalStatus;
