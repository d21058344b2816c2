/**
 * `nomad-ts job history [options] <job>`: the versions of a job, newest first — version,
 * stability, submit date, tag — with `-p` the diff of each against its predecessor (or
 * `-diff-version`/`-diff-tag`), with `-full` each version's JSON.
 *
 * @module
 */
import type { Job, JobDiff } from "../../structs/mod.ts";
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { columnize } from "../format/columns.ts";
import { formatData, formatJson } from "../format/data.ts";
import { formatJobDiff } from "../format/diff.ts";
import { formatUnixNanoTime } from "../format/time.ts";
import { connect, messageOf, paint, parseUint } from "./_api.ts";
import { jobIDByPrefix } from "./_prefix.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  p: { type: "bool" },
  full: { type: "bool" },
  json: { type: "bool" },
  version: { type: "string" },
  t: { type: "string" },
  "diff-tag": { type: "string" },
  "diff-version": { type: "string" },
} as const;

/**
 * One version as `job history` prints it, with color tags: `Version = 1`, `Stable`,
 * `Submit Date`, the tag, then the diff and the full JSON when asked for.
 *
 * @throws {Error} When `job` is undefined (no such version).
 */
export function formatJobVersion(job: Job | undefined, diff: JobDiff | undefined, full: boolean) {
  if (!job) throw new Error("Error printing job history for non-existing job or job version");
  const basic = [
    `Version|${job.Version ?? 0}`,
    `Stable|${job.Stable ?? false}`,
    `Submit Date|${formatUnixNanoTime(job.SubmitTime ?? 0)}`,
  ];
  if (job.VersionTag) {
    basic.push(`Tag Name|${job.VersionTag.Name}`);
    if (job.VersionTag.Description !== "") {
      basic.push(`Tag Description|${job.VersionTag.Description}`);
    }
  }
  if (diff && diff.Type !== "None") basic.push(`Diff|\n${formatJobDiff(diff, false).trim()}`);
  if (full) basic.push(`Full|JSON Job:\n${formatJson(job)}`);
  return columnize(basic, { glue: " = ", noTrim: true });
}

/** The `job history` command. */
const jobHistory: Command = {
  name: "job history",
  help: () =>
    `Usage: ${PROGRAM} job history [options] <job>

  Lists the versions of a job, newest first, optionally with what changed from
  one version to the next; useful to pick a version for "${PROGRAM} job revert".
  The job may be given by a unique prefix of its ID.

General Options:

  ${generalOptionsUsage()}

History Options:

  -p
    Show what changed in each version compared to the one before it, or to the
    version given by -diff-version or -diff-tag.

  -diff-tag
    Compare against the version with this tag. Cannot be used with
    -diff-version.

  -diff-version
    Compare against this version. Cannot be used with -diff-tag.

  -full
    Show each version's whole job as JSON.

  -version <job version>
    Show only this version.

  -json
    Print the versions as JSON.

  -t
    Format the versions with a Go template (not supported yet).`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(jobHistory, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (parsed.args.length < 1 || parsed.args.length > 2) {
      await ctx.ui.error("This command takes one argument: <job>");
      await ctx.ui.error(commandErrorText(jobHistory));
      return 1;
    }
    const structured = flags.json || flags.t !== "";
    if (structured && (flags.p || flags.full)) {
      await ctx.ui.error("-json and -t are exclusive with -p and -full");
      return 1;
    }
    if ((flags["diff-tag"] !== "" || flags["diff-version"] !== "") && !flags.p) {
      await ctx.ui.error("-diff-tag and -diff-version can only be used with -p");
      return 1;
    }
    if (flags["diff-tag"] !== "" && flags["diff-version"] !== "") {
      await ctx.ui.error("-diff-tag and -diff-version are mutually exclusive");
      return 1;
    }
    let diffVersion: number | undefined;
    try {
      diffVersion = parseUint(flags["diff-version"]);
    } catch (err) {
      await ctx.ui.error(`Error parsing -diff-version: ${messageOf(err)}`);
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      let ref;
      try {
        ref = await jobIDByPrefix(client, parsed.args[0]!.trim());
      } catch (err) {
        await ctx.ui.error(messageOf(err));
        return 1;
      }
      let versions: Job[];
      let diffs: JobDiff[];
      try {
        ({ versions, diffs } = await client.jobs.versions(ref.id, {
          diffs: flags.p,
          ...(flags["diff-tag"] !== "" ? { diffTag: flags["diff-tag"] } : {}),
          ...(diffVersion !== undefined ? { diffVersion } : {}),
        }, { namespace: ref.namespace }));
      } catch (err) {
        await ctx.ui.error(`Error retrieving job versions: ${messageOf(err)}`);
        return 1;
      }
      let only: number | undefined;
      try {
        only = parseUint(flags.version);
      } catch (err) {
        await ctx.ui.error(
          `Error parsing version value ${JSON.stringify(flags.version)}: ${messageOf(err)}`,
        );
        return 1;
      }
      try {
        if (only !== undefined) {
          const i = versions.findLastIndex((v) => v.Version === only);
          const job = i >= 0 ? versions[i] : undefined;
          if (structured) {
            await ctx.ui.output(formatData(flags.json, flags.t, job ?? null));
            return 0;
          }
          await ctx.ui.output(paint(ctx, formatJobVersion(job, diffs[i], flags.full)));
          return 0;
        }
        if (structured) {
          await ctx.ui.output(formatData(flags.json, flags.t, versions));
          return 0;
        }
        for (const [i, v] of versions.entries()) {
          await ctx.ui.output(paint(ctx, formatJobVersion(v, diffs[i], flags.full)));
          if (i !== versions.length - 1) await ctx.ui.output("");
        }
      } catch (err) {
        await ctx.ui.error(messageOf(err));
        return 1;
      }
      return 0;
    } finally {
      client.close();
    }
  },
};
export default jobHistory;
