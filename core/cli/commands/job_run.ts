/**
 * `nomad-ts job run [options] <path>` (alias `run`): registers the job in the file, then
 * follows its evaluation and then its deployment as Nomad does (`==> ...: Monitoring evaluation
 * "ccb7b29c"`, `==> ...: Monitoring deployment "c8172895"`), or with
 * `-detach` prints `Job registration successful` and the evaluation ID. With `-output` it
 * prints the job as parsed, not canonicalized, as `{"Job": ...}` JSON indented like Nomad's
 * `json.MarshalIndent` with four spaces, without contacting the agent.
 *
 * @module
 */
import { goJson, type Job } from "../../structs/mod.ts";
import type { ApiClient } from "../api/mod.ts";
import { type Command, type Context, parseCommandFlags, PROGRAM } from "../command.ts";
import type { FlagValues } from "../flags.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { idLength } from "../format/columns.ts";
import { isParameterized, nextLaunchText } from "../format/metrics.ts";
import { JOB_GETTER_FLAGS, jobFromArgs } from "./_job_getter.ts";
import { connect, messageOf, paint, parseUint, showUiHint } from "./_api.ts";
import { EvalMonitor } from "./_monitor.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  ...JOB_GETTER_FLAGS,
  "check-index": { type: "string" },
  detach: { type: "bool" },
  "eval-priority": { type: "int" },
  output: { type: "bool" },
  ui: { type: "bool" },
  "policy-override": { type: "bool" },
  "preserve-counts": { type: "bool" },
  "preserve-resources": { type: "bool" },
  "consul-namespace": { type: "string" },
  "vault-namespace": { type: "string" },
  verbose: { type: "bool" },
} as const;

/**
 * The JSON `job run -output` prints: `{"Job": job}` indented with four spaces, escaped as Go's
 * encoder does.
 */
export function jobOutputJson(job: Job): string {
  return goJson({ Job: job }, "    ");
}

/** The `job run` command. */
const jobRun: Command = {
  name: "job run",
  help: () =>
    `Usage: ${PROGRAM} job run [options] <path>
Alias: ${PROGRAM} run

  Submits the job in the file at <path>: registers a new job or updates the
  existing one with the same ID, then follows its evaluation.

  The path "-" reads the job file from stdin; an http or https URL downloads
  it; anything else is a file path.

  Exit codes: 0 when the job was submitted and placed (and its deployment, if
  any, succeeded), 2 when placement ran into problems (constraints that no node
  meets, resources exhausted), 1 for any other error, including a deployment
  that failed.

  A region or namespace set in the job file wins over -region/-namespace and
  their environment variables.

  Periodic, parameterized and multi-region jobs are not followed: their
  registration creates no evaluation to watch. When the evaluation starts a
  deployment, ${PROGRAM} follows the deployment until it succeeds or fails.

General Options:

  ${generalOptionsUsage()}

Run Options:

  -check-index
    Register only if the job's modify index equals this value; 0 means only if
    the job does not exist yet. Usually the index "job plan" printed.

  -detach
    Print the evaluation ID and return instead of following the evaluation.

  -eval-priority
    Priority of the evaluations this submission creates, instead of the job's.

  -json
    Read the file as JSON: either a job, or an object whose "Job" field holds
    one, as -output prints it.

  -hcl2-strict
    Accepted for compatibility with Nomad (default true); not passed on to the
    job file parser yet.

  -output
    Print the JSON that would be sent to the HTTP API, without submitting.

  -ui
    Open the job's page in the web UI.

  -policy-override
    Override soft-mandatory Sentinel policies.

  -preserve-counts
    Keep the current count of each existing group when updating the job.

  -preserve-resources
    Keep the current resources of each existing task when updating the job.

  -consul-namespace
    (Enterprise) Consul namespace for the job's services and Consul reads.

  -vault-namespace
    Store this Vault namespace in the job.

  -var 'key=value'
    Set a variable of the job file; repeat for more.

  -var-file=path
    Read variable values from an HCL or JSON file; repeat for more.

  -verbose
    Print full IDs.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(jobRun, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    const job = await jobFromArgs(jobRun, parsed.args, flags, ctx);
    if (!job) return 1;
    if (flags["consul-namespace"] !== "") job.ConsulNamespace = flags["consul-namespace"];
    if (flags["vault-namespace"] !== "") job.VaultNamespace = flags["vault-namespace"];

    if (flags.output) {
      await ctx.ui.output(jobOutputJson(job));
      return 0;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      return await submit(job, flags, client, ctx);
    } finally {
      client.close();
    }
  },
};

/** Parses `-check-index` as Go's `strconv.ParseUint(s, 10, 64)`; see {@link parseUint}. */
export const parseCheckIndex: (text: string) => number | undefined = parseUint;

const ENFORCE_INDEX = /\((Enforcing job modify index.*)\)/;

async function submit(
  job: Job,
  flags: FlagValues<typeof FLAGS>,
  client: ApiClient,
  ctx: Context,
): Promise<number> {
  if (job.Region) client.setRegion(job.Region);
  if (job.Namespace) client.setNamespace(job.Namespace);
  let enforceIndex: number | undefined;
  try {
    enforceIndex = parseCheckIndex(flags["check-index"]);
  } catch (err) {
    await ctx.ui.error(
      `Error parsing check-index value ${JSON.stringify(flags["check-index"])}: ${messageOf(err)}`,
    );
    return 1;
  }
  let resp;
  try {
    resp = await client.jobs.register(job, {
      ...(enforceIndex !== undefined ? { enforceIndex } : {}),
      policyOverride: flags["policy-override"],
      preserveCounts: flags["preserve-counts"],
      preserveResources: flags["preserve-resources"],
      evalPriority: flags["eval-priority"],
    });
  } catch (err) {
    const m = ENFORCE_INDEX.exec(messageOf(err));
    if (m) {
      await ctx.ui.error(m[1]!);
      await ctx.ui.error("Job not updated");
      return 1;
    }
    await ctx.ui.error(`Error submitting job: ${messageOf(err)}`);
    return 1;
  }
  if (resp.Warnings) {
    await ctx.ui.output(paint(ctx, `[bold][yellow]Job Warnings:\n${resp.Warnings}[reset]\n`));
  }
  const periodic = job.Periodic !== null && job.Periodic !== undefined;
  const parameterized = isParameterized(job);
  const multiregion = (job.Multiregion?.Regions ?? []).length > 0;
  const hintParams = { jobID: job.ID ?? "", namespace: flags.namespace || "default" };
  if (flags.detach || periodic || parameterized || multiregion) {
    await ctx.ui.output("Job registration successful");
    if (periodic && !parameterized) {
      try {
        const next = nextLaunchText(job);
        if (next !== undefined) await ctx.ui.output(`Approximate next launch time: ${next}`);
      } catch (err) {
        await ctx.ui.error(`Error determining next launch time: ${messageOf(err)}`);
      }
    } else if (!parameterized) {
      await ctx.ui.output(`Evaluation ID: ${resp.EvalID}`);
    }
    await showUiHint(client, ctx, "job run", hintParams, { open: flags.ui });
    return 0;
  }
  await showUiHint(client, ctx, "job run", hintParams, { open: flags.ui, blankAfter: true });
  return await new EvalMonitor(client, ctx, idLength(flags.verbose)).monitor(resp.EvalID);
}

export default jobRun;
