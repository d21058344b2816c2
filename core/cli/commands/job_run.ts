/**
 * `nomad-ts job run [options] <path>` (alias `run`). With `-output` it prints the job as
 * parsed, not canonicalized, as `{"Job": ...}` JSON indented like Nomad's `json.MarshalIndent`
 * with four spaces. Submitting needs the server, which comes in a later version.
 *
 * @module
 */
import { goJson, type Job } from "../../structs/mod.ts";
import { type Command, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { VERSION } from "../version.ts";
import { JOB_GETTER_FLAGS, jobFromArgs } from "./_job_getter.ts";

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

  Exit codes: 0 when the job was submitted and placed, 2 when placement ran
  into problems (constraints that no node meets, resources exhausted), 1 for
  any other error.

  A region or namespace set in the job file wins over -region/-namespace and
  their environment variables.

  This version of ${PROGRAM} has no server yet: only -output works, which prints
  the job instead of submitting it.

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
    await ctx.ui.error(
      `Error: submitting a job needs the ${PROGRAM} server, which is not built yet in ` +
        `v${VERSION}; it comes in a later version. Use -output to print the job as JSON.`,
    );
    return 1;
  },
};
export default jobRun;
