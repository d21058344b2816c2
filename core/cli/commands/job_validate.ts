/**
 * `nomad-ts job validate [options] <path>` (alias `validate`): parses a job file and checks the
 * job. With no agent to ask (nomad-ts has no server yet), it validates locally, as Nomad does
 * when it cannot reach one: canonical defaults, then every validation rule.
 *
 * @module
 */
import { type Command, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { JOB_GETTER_FLAGS, jobFromArgs } from "./_job_getter.ts";
import { validateLocal } from "./_validate_local.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  ...JOB_GETTER_FLAGS,
  "vault-namespace": { type: "string" },
} as const;

/**
 * Formats problems as Go's go-multierror does, which is how Nomad prints validation errors:
 * `1 error occurred:` or `N errors occurred:`, one tab-indented `* problem` per line, and a
 * blank line.
 */
export function formatMultiError(problems: readonly string[]): string {
  const head = problems.length === 1 ? "1 error occurred:" : `${problems.length} errors occurred:`;
  return `${head}\n\t${problems.map((p) => `* ${p}`).join("\n\t")}\n\n`;
}

/** The `job validate` command. */
const jobValidate: Command = {
  name: "job validate",
  help: () =>
    `Usage: ${PROGRAM} job validate [options] <path>
Alias: ${PROGRAM} validate

  Checks that a job file parses and that the job it describes is valid,
  catching syntax mistakes and invalid settings before submitting it.

  The path "-" reads the job file from stdin; an http or https URL downloads
  it; anything else is a file path.

  Without an agent to ask, the job is validated locally and task driver
  settings are not checked.

General Options:

  ${generalOptionsUsage()}

Validate Options:

  -json
    Read the file as JSON: either a job, or an object whose "Job" field holds
    one, as "${PROGRAM} job run -output" prints it.

  -hcl2-strict
    Accepted for compatibility with Nomad (default true); not passed on to the
    job file parser yet.

  -vault-namespace
    Store this Vault namespace in the job.

  -var 'key=value'
    Set a variable of the job file; repeat for more.

  -var-file=path
    Read variable values from an HCL or JSON file; repeat for more.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(jobValidate, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    const job = await jobFromArgs(jobValidate, parsed.args, flags, ctx);
    if (!job) return 1;
    if (flags["vault-namespace"] !== "") job.VaultNamespace = flags["vault-namespace"];

    await ctx.ui.output(ctx.ui.colorize(
      "[bold][yellow]Driver configuration not validated since connection to Nomad agent " +
        "couldn't be established.[reset]\n",
    ));
    const problems = validateLocal(job);
    if (problems.length > 0) {
      await ctx.ui.error(ctx.ui.colorize("[bold][red]Job validation errors:[reset]"));
      await ctx.ui.error(formatMultiError(problems));
      return 1;
    }
    await ctx.ui.output(ctx.ui.colorize("[bold][green]Job validation successful[reset]"));
    return 0;
  },
};
export default jobValidate;
