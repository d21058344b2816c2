/**
 * `nomad-ts job inspect [options] <job>` (alias `inspect`): prints a registered job as
 * `{"Job": ...}` JSON (the form `job run -json` reads back), the job alone with `-json`, a
 * given `-version`, or the job file it was submitted from with `-hcl`.
 *
 * @module
 */
import type { Job } from "../../structs/mod.ts";
import type { ApiClient } from "../api/mod.ts";
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { formatData, formatJson } from "../format/data.ts";
import { connect, messageOf, parseUint } from "./_api.ts";
import { jobIDByPrefix } from "./_prefix.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  json: { type: "bool" },
  hcl: { type: "bool" },
  "with-vars": { type: "bool" },
  t: { type: "string" },
  version: { type: "string" },
} as const;

/**
 * A job at a version (the current one when `version` is undefined).
 *
 * @throws {Error} `job "x" with version 3 couldn't be found`, or the API's error.
 */
export async function jobAtVersion(
  client: ApiClient,
  namespace: string,
  jobID: string,
  version: number | undefined,
): Promise<Job> {
  const q = namespace !== "" ? { namespace } : {};
  if (version === undefined) return await client.jobs.info(jobID, q);
  const { versions } = await client.jobs.versions(jobID, {}, q);
  const found = versions.find((v) => v.Version === version);
  if (!found) throw new Error(`job "${jobID}" with version ${version} couldn't be found`);
  return found;
}

/** The hint `-with-vars` prints: how to run the job again as it was submitted. */
function withVarsText(
  namespace: string,
  jobID: string,
  variables: string,
  flags: Record<string, string>,
): string {
  const args: string[] = [];
  if (namespace !== "") args.push("-namespace", namespace);
  for (const v of Object.entries(flags).map(([k, v]) => `${k}=${v}`).sort()) args.push("-var", v);
  for (const line of variables.split("\n")) {
    if (line.trim() !== "") args.push("-var", line.trim());
  }
  args.push(jobID);
  return `
To run this job as originally submitted:

$ ${PROGRAM} job inspect -namespace ${namespace} -hcl ${jobID} |
    ${PROGRAM} job run ${args.join(" ")}
`;
}

/** The `job inspect` command. */
const jobInspect: Command = {
  name: "job inspect",
  help: () =>
    `Usage: ${PROGRAM} job inspect [options] <job>
Alias: ${PROGRAM} inspect

  Prints the specification of a registered job as JSON, in the form
  "${PROGRAM} job run -json" accepts. The job may be given by a unique prefix of
  its ID.

General Options:

  ${generalOptionsUsage()}

Inspect Options:

  -version <job version>
    Print this version of the job instead of the current one.

  -json
    Print the job alone rather than wrapped in {"Job": ...}; without a job,
    print every job's list entry. Cannot be used with -hcl.

  -hcl
    Print the job file the version was submitted from. Cannot be used with
    -json.

  -with-vars
    With -hcl, also print the variables it was submitted with.

  -t
    Format the job with a Go template (not supported yet).`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(jobInspect, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (flags.hcl && flags.json) {
      await ctx.ui.error("can only use one of -hcl or -json");
      return 1;
    }
    if (flags["with-vars"] && !flags.hcl) {
      await ctx.ui.error("can only use -with-vars with -hcl");
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      if (parsed.args.length === 0 && (flags.json || flags.t !== "")) {
        try {
          await ctx.ui.output(formatData(flags.json, flags.t, await client.jobs.list()));
        } catch (err) {
          await ctx.ui.error(`Error querying jobs: ${messageOf(err)}`);
          return 1;
        }
        return 0;
      }
      if (parsed.args.length !== 1) {
        await ctx.ui.error("This command takes one argument: <job>");
        await ctx.ui.error(commandErrorText(jobInspect));
        return 1;
      }
      let ref;
      try {
        ref = await jobIDByPrefix(client, parsed.args[0]!.trim());
      } catch (err) {
        await ctx.ui.error(messageOf(err));
        return 1;
      }
      let version: number | undefined;
      try {
        version = parseUint(flags.version);
      } catch (err) {
        await ctx.ui.error(
          `Error parsing version value ${JSON.stringify(flags.version)}: ${messageOf(err)}`,
        );
        return 1;
      }
      if (flags.hcl) {
        try {
          const v = version ??
            (await client.jobs.info(ref.id, ref.namespace ? { namespace: ref.namespace } : {}))
              .Version ??
            0;
          const sub = await client.jobs.submission(ref.id, v, { namespace: ref.namespace });
          if (!sub) throw new Error(`job "${ref.id}" with version ${v} couldn't be found`);
          await ctx.ui.output(sub.Source);
          if (flags["with-vars"]) {
            await ctx.ui.warn(
              withVarsText(ref.namespace, ref.id, sub.Variables ?? "", sub.VariableFlags ?? {}),
            );
          }
        } catch (err) {
          await ctx.ui.error(`Error inspecting job: ${messageOf(err)}`);
          return 1;
        }
        return 0;
      }
      let job: Job;
      try {
        job = await jobAtVersion(client, ref.namespace, ref.id, version);
      } catch (err) {
        await ctx.ui.error(`Error inspecting job: ${messageOf(err)}`);
        return 1;
      }
      if (flags.json || flags.t !== "") {
        try {
          await ctx.ui.output(formatData(flags.json, flags.t, job));
        } catch (err) {
          await ctx.ui.error(messageOf(err));
          return 1;
        }
        return 0;
      }
      await ctx.ui.output(formatJson({ Job: job }));
      return 0;
    } finally {
      client.close();
    }
  },
};
export default jobInspect;
