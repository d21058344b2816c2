/**
 * `nomad-ts job plan [options] <path>` (alias `plan`): a dry run of submitting the job. Prints
 * the annotated diff against the registered job, the scheduler's dry-run result, and the job
 * modify index to pass to `job run -check-index`. Exit codes are Nomad's: 0 when no
 * allocations would be created or destroyed, 1 when some would, 255 on errors.
 *
 * @module
 */
import type { Job } from "../../structs/mod.ts";
import type { ApiClient, JobPlanResponse } from "../api/mod.ts";
import { type Command, type Context, parseCommandFlags, PROGRAM } from "../command.ts";
import type { FlagValues } from "../flags.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { formatData } from "../format/data.ts";
import { formatJobDiff } from "../format/diff.ts";
import { formatDryRun, planExitCode } from "../format/metrics.ts";
import { formatList } from "../format/columns.ts";
import { goQuote } from "../format/quote.ts";
import { JOB_GETTER_FLAGS, jobFromArgs } from "./_job_getter.ts";
import { connect, messageOf, paint } from "./_api.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  ...JOB_GETTER_FLAGS,
  diff: { type: "bool", default: true },
  "policy-override": { type: "bool" },
  verbose: { type: "bool" },
  "json-output": { type: "bool" },
  t: { type: "string" },
  "vault-namespace": { type: "string" },
} as const;

/** The exit code of a plan that could not be made. */
const PLAN_ERROR = 255;

/**
 * The lines after a plan that tell how to submit it with version verification, with color
 * tags: `Job Modify Index: 254` and the `job run -check-index 254 <path>` command.
 *
 * @param args Flags to repeat in the command (`-var="a=1" `), each followed by a space.
 */
export function formatJobModifyIndex(index: number, args: string, path: string): string {
  return `[reset][bold]Job Modify Index: ${index}[reset]
To submit the job with version verification run:

${PROGRAM} job run -check-index ${index} ${args}${path}

When running the job with the check-index flag, the job will only be run if the
job modify index given matches the server-side version. If the index has
changed, another user has modified the job and the plan's results are
potentially invalid.`;
}

/**
 * Prints the diff (unless `-diff=false`), the dry run, warnings and preemptions of a plan.
 *
 * @returns The plan's exit code.
 */
export async function outputPlannedJob(
  ctx: Context,
  job: Job,
  resp: JobPlanResponse,
  opts: { diff: boolean; verbose: boolean },
): Promise<number> {
  if (opts.diff && resp.Diff) {
    await ctx.ui.output(`${paint(ctx, formatJobDiff(resp.Diff, opts.verbose).trim())}\n`);
  }
  await ctx.ui.output(paint(ctx, "[bold]Scheduler dry-run:[reset]"));
  await ctx.ui.output(paint(ctx, formatDryRun(resp, job)));
  await ctx.ui.output("");
  if (resp.Warnings) {
    await ctx.ui.output(paint(ctx, `[bold][yellow]Job Warnings:\n${resp.Warnings}[reset]\n`));
  }
  const preempted = resp.Annotations?.PreemptedAllocs ?? [];
  if (preempted.length > 0) {
    await ctx.ui.output(paint(ctx, "[bold][yellow]Preemptions:\n[reset]"));
    await ctx.ui.output(formatPreemptions(preempted));
  }
  return planExitCode(resp);
}

interface Preempted {
  ID: string;
  JobID: string;
  TaskGroup: string;
  Namespace: string;
  JobType?: string;
  Job?: { Type?: string | null } | null;
}

/** The allocations a plan would preempt: a list below ten, counts per job or type above. */
export function formatPreemptions(allocs: readonly Preempted[]): string {
  const THRESHOLD = 10;
  if (allocs.length < THRESHOLD) {
    return formatList([
      "Alloc ID|Job ID|Task Group",
      ...allocs.map((a) => `${a.ID}|${a.JobID}|${a.TaskGroup}`),
    ]);
  }
  const byType = new Map<string, Map<string, { id: string; ns: string; n: number }>>();
  for (const a of allocs) {
    const type = a.JobType ?? a.Job?.Type ?? "";
    const jobs = byType.get(type) ?? new Map();
    const key = `${a.Namespace}\x00${a.JobID}`;
    const entry = jobs.get(key) ?? { id: a.JobID, ns: a.Namespace, n: 0 };
    entry.n++;
    jobs.set(key, entry);
    byType.set(type, jobs);
  }
  const jobCount = [...byType.values()].reduce((n, m) => n + m.size, 0);
  if (jobCount < THRESHOLD) {
    const rows = ["Job ID|Namespace|Job Type|Preemptions"];
    for (const [type, jobs] of byType) {
      for (const j of jobs.values()) rows.push(`${j.id}|${j.ns}|${type}|${j.n}`);
    }
    return formatList(rows);
  }
  const rows = ["Job Type|Preemptions"];
  for (const [type, jobs] of byType) {
    rows.push(`${type}|${[...jobs.values()].reduce((n, j) => n + j.n, 0)}`);
  }
  return formatList(rows);
}

/** The `job plan` command. */
const jobPlan: Command = {
  name: "job plan",
  help: () =>
    `Usage: ${PROGRAM} job plan [options] <path>
Alias: ${PROGRAM} plan

  Runs the scheduler on the job in the file at <path> without changing the
  cluster: shows what would change compared to the registered job, and
  whether everything could be placed.

  The path "-" reads the job file from stdin; an http or https URL downloads
  it; anything else is a file path.

  The plan prints the job's modify index; "${PROGRAM} job run -check-index <index>"
  then submits the job only if nobody changed it since the plan.

  A region or namespace set in the job file wins over -region/-namespace and
  their environment variables.

  Exit codes: 0 when no allocations would be created or destroyed, 1 when some
  would, 255 when the plan could not be made.

General Options:

  ${generalOptionsUsage()}

Plan Options:

  -diff
    Show the diff between the registered job and this one. Default true.

  -json
    Read the file as JSON: a job, or an object whose "Job" field holds one.

  -hcl2-strict
    Accepted for compatibility with Nomad (default true).

  -policy-override
    Override soft-mandatory Sentinel policies.

  -vault-namespace
    Store this Vault namespace in the job before planning.

  -var 'key=value'
    Set a variable of the job file; repeat for more.

  -var-file=path
    Read variable values from an HCL or JSON file; repeat for more.

  -verbose
    Show the contents of added and removed groups and tasks too.

  -json-output
    Print the plan result as JSON (separate from -json, which is about input).

  -t
    Format the plan result with a Go template (not supported yet).`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(jobPlan, FLAGS, args, ctx.ui);
    if (!parsed) return PLAN_ERROR;
    const { flags } = parsed;
    if (flags["json-output"] && flags.t !== "") {
      await ctx.ui.error("Both -json-output and -t formatting are not allowed");
      return PLAN_ERROR;
    }
    const job = await jobFromArgs(jobPlan, parsed.args, flags, ctx);
    if (!job) return PLAN_ERROR;
    const client = await connect(flags, ctx);
    if (!client) return PLAN_ERROR;
    try {
      if (job.Region) client.setRegion(job.Region);
      if (job.Namespace) client.setNamespace(job.Namespace);
      if (flags["vault-namespace"] !== "") job.VaultNamespace = flags["vault-namespace"];
      if ((job.Multiregion?.Regions ?? []).length > 0) {
        return await multiregionPlan(client, job, flags, ctx);
      }
      let resp: JobPlanResponse;
      try {
        resp = await client.jobs.plan(job, {
          diff: true,
          policyOverride: flags["policy-override"],
        });
      } catch (err) {
        await ctx.ui.error(`Error during plan: ${messageOf(err)}`);
        return PLAN_ERROR;
      }
      if (flags["json-output"] || flags.t !== "") {
        try {
          await ctx.ui.output(formatData(flags["json-output"], flags.t, resp));
        } catch (err) {
          await ctx.ui.error(messageOf(err));
          return PLAN_ERROR;
        }
        return planExitCode(resp);
      }
      let runArgs = "";
      for (const v of flags.var) runArgs += `-var=${goQuote(v)} `;
      for (const f of flags["var-file"]) runArgs += `-var-file=${goQuote(f)} `;
      if (flags.namespace !== "") runArgs += `-namespace=${goQuote(flags.namespace)} `;
      if (!flags["hcl2-strict"]) runArgs += "-hcl2-strict=false ";
      const code = await outputPlannedJob(ctx, job, resp, flags);
      await ctx.ui.output(
        paint(ctx, formatJobModifyIndex(resp.JobModifyIndex, runArgs, parsed.args[0]!)),
      );
      return code;
    } finally {
      client.close();
    }
  },
};

async function multiregionPlan(
  client: ApiClient,
  job: Job,
  flags: FlagValues<typeof FLAGS>,
  ctx: Context,
): Promise<number> {
  const plans = new Map<string, JobPlanResponse>();
  let failed = false;
  for (const region of job.Multiregion?.Regions ?? []) {
    client.setRegion(region.Name);
    try {
      plans.set(
        region.Name,
        await client.jobs.plan(job, {
          diff: true,
          policyOverride: flags["policy-override"],
        }),
      );
    } catch (err) {
      await ctx.ui.error(`Error during plan for region ${goQuote(region.Name)}: ${messageOf(err)}`);
      failed = true;
    }
  }
  if (failed) return PLAN_ERROR;
  let code = 0;
  if (flags["json-output"] || flags.t !== "") {
    try {
      await ctx.ui.output(formatData(flags["json-output"], flags.t, Object.fromEntries(plans)));
    } catch (err) {
      await ctx.ui.error(messageOf(err));
      return PLAN_ERROR;
    }
    for (const resp of plans.values()) code = Math.max(code, planExitCode(resp));
    return code;
  }
  for (const [region, resp] of plans) {
    await ctx.ui.output(paint(ctx, `[bold]Region: ${goQuote(region)}[reset]`));
    code = Math.max(code, await outputPlannedJob(ctx, job, resp, flags));
  }
  return code;
}

export default jobPlan;
