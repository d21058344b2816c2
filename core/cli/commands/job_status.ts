/**
 * `nomad-ts job status [options] [job]`: without a job, the job list (`ID  Type  Priority
 * Status  Submit Date`); with one (an ID or a unique prefix), Nomad's status block — the
 * job's fields, `Summary`, `Latest Deployment`, `Allocations` with their ages — or, with
 * `-json`, the summary, allocations, latest deployment and evaluations as JSON.
 *
 * @module
 */
import type { Job } from "../../structs/mod.ts";
import type { ApiClient } from "../api/mod.ts";
import {
  type Command,
  commandErrorText,
  type Context,
  parseCommandFlags,
  PROGRAM,
} from "../command.ts";
import type { FlagValues } from "../flags.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { formatKV, idLength } from "../format/columns.ts";
import { formatData } from "../format/data.ts";
import { isParameterized, nextLaunchText } from "../format/metrics.ts";
import { formatJobList, jobStatusText } from "../format/tables.ts";
import { formatUnixNanoTime } from "../format/time.ts";
import { connect, messageOf, showUiHint } from "./_api.ts";
import { jobIDByPrefix } from "./_prefix.ts";
import {
  outputChildren,
  outputJobInfo,
  outputJobSummary,
  outputParameterizedInfo,
  type StatusView,
} from "./_job_status_parts.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  short: { type: "bool" },
  evals: { type: "bool" },
  "all-allocs": { type: "bool" },
  json: { type: "bool" },
  t: { type: "string" },
  verbose: { type: "bool" },
  ui: { type: "bool" },
} as const;

/** The JSON `job status -json` prints per job. */
async function jobJson(client: ApiClient, id: string, namespace: string, allAllocs: boolean) {
  const q = { namespace };
  const read = async <T>(what: string, f: () => Promise<T>) => {
    try {
      return await f();
    } catch (err) {
      throw new Error(`Error querying ${what}: ${messageOf(err)}`, { cause: err });
    }
  };
  return {
    Summary: await read("job summary", () => client.jobs.summary(id, q)),
    Allocations: await read("job allocations", () => client.jobs.allocations(id, allAllocs, q)),
    LatestDeployment: await read(
      "latest job deployment",
      () => client.jobs.latestDeployment(id, q),
    ),
    Evaluations: await read("job evaluations", () => client.jobs.evaluations(id, q)),
  };
}

async function listJobs(
  client: ApiClient,
  ctx: Context,
  flags: FlagValues<typeof FLAGS>,
): Promise<number> {
  let jobs;
  try {
    jobs = await client.jobs.list();
  } catch (err) {
    await ctx.ui.error(`Error querying jobs: ${messageOf(err)}`);
    return 1;
  }
  if (jobs.length === 0) {
    await ctx.ui.output("No running jobs");
    await showUiHint(client, ctx, "job status", {}, { open: flags.ui });
    return 0;
  }
  if (flags.json || flags.t !== "") {
    try {
      const out = [];
      for (const j of jobs) {
        out.push(await jobJson(client, j.ID, j.Namespace ?? "", flags["all-allocs"]));
      }
      await ctx.ui.output(formatData(flags.json, flags.t, out));
    } catch (err) {
      await ctx.ui.error(messageOf(err));
      return 1;
    }
    return 0;
  }
  await ctx.ui.output(formatJobList(jobs, client.namespace === "*"));
  await showUiHint(client, ctx, "job status", {}, { open: flags.ui });
  return 0;
}

/** The block of the job's own fields, as Nomad's `job status` starts. */
export function jobBasics(job: Job): string {
  const periodic = job.Periodic !== null && job.Periodic !== undefined;
  const parameterized = isParameterized(job);
  const basic = [
    `ID|${job.ID}`,
    `Name|${job.Name}`,
    `Submit Date|${formatUnixNanoTime(job.SubmitTime ?? 0)}`,
    `Type|${job.Type}`,
    `Priority|${job.Priority}`,
    `Datacenters|${(job.Datacenters ?? []).join(",")}`,
    `Namespace|${job.Namespace}`,
    `Node Pool|${job.NodePool ?? ""}`,
    `Status|${jobStatusText(job.Status ?? "", job.Stop)}`,
    `Periodic|${periodic}`,
    `Parameterized|${parameterized}`,
  ];
  if (job.DispatchIdempotencyToken) {
    basic.push(`Idempotency Token|${job.DispatchIdempotencyToken}`);
  }
  if (periodic && !parameterized) {
    if (job.Stop) {
      basic.push("Next Periodic Launch|none (job stopped)");
    } else {
      try {
        const next = nextLaunchText(job);
        if (next !== undefined) basic.push(`Next Periodic Launch|${next}`);
      } catch {
        // Nomad leaves the line out when the next launch cannot be computed.
      }
    }
  }
  return formatKV(basic);
}

async function showJob(
  client: ApiClient,
  ctx: Context,
  prefix: string,
  flags: FlagValues<typeof FLAGS>,
): Promise<number> {
  let job: Job;
  try {
    const ref = await jobIDByPrefix(client, prefix);
    try {
      job = await client.jobs.info(ref.id, { namespace: ref.namespace });
    } catch (err) {
      await ctx.ui.error(`Error querying job: ${messageOf(err)}`);
      return 1;
    }
  } catch (err) {
    await ctx.ui.error(messageOf(err));
    return 1;
  }
  const id = job.ID ?? "";
  const namespace = job.Namespace ?? "";
  if (flags.json || flags.t !== "") {
    try {
      const out = [await jobJson(client, id, namespace, flags["all-allocs"])];
      await ctx.ui.output(formatData(flags.json, flags.t, out));
    } catch (err) {
      await ctx.ui.error(messageOf(err));
      return 1;
    }
    return 0;
  }
  await ctx.ui.output(jobBasics(job));
  const hint = () =>
    showUiHint(client, ctx, "job status single", { jobID: id, namespace }, { open: flags.ui });
  if (flags.short) {
    await hint();
    return 0;
  }
  const view: StatusView = {
    client,
    ctx,
    length: idLength(flags.verbose),
    verbose: flags.verbose,
    evals: flags.evals,
    allAllocs: flags["all-allocs"],
  };
  try {
    if (job.Periodic && !isParameterized(job)) {
      await outputJobSummary(view, job);
      await outputChildren(view, job, "periodic");
    } else if (isParameterized(job)) {
      await outputParameterizedInfo(view, job);
    } else {
      await outputJobInfo(view, job);
    }
  } catch (err) {
    await ctx.ui.error(messageOf(err));
    return 1;
  }
  await hint();
  return 0;
}

/** The `job status` command. */
const jobStatus: Command = {
  name: "job status",
  help: () =>
    `Usage: ${PROGRAM} job status [options] <job>

  Shows the status of a job: its settings, allocation counts per task group,
  latest deployment and allocations. Without a job, lists every job.

  The job may be given by a unique prefix of its ID.

General Options:

  ${generalOptionsUsage()}

Status Options:

  -all-allocs
    Include the allocations of older instances of a job with the same ID.

  -evals
    Show the job's evaluations too.

  -json
    Print the status as JSON.

  -short
    Show only the job's own settings.

  -t
    Format the status with a Go template (not supported yet).

  -ui
    Open the job's page in the web UI.

  -verbose
    Show full IDs and times.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(jobStatus, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (parsed.args.length > 1) {
      await ctx.ui.error("This command takes either no arguments or one: <job>");
      await ctx.ui.error(commandErrorText(jobStatus));
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      if (parsed.args.length === 0) return await listJobs(client, ctx, flags);
      return await showJob(client, ctx, parsed.args[0]!.trim(), flags);
    } finally {
      client.close();
    }
  },
};
export default jobStatus;
