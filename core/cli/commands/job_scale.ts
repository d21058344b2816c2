/**
 * `nomad-ts job scale [options] <job> [<group>] <count>`: sets the count of a job's group and
 * follows the `job-scaling` evaluation (unless `-detach`, or the job is periodic,
 * parameterized or multiregion, which print a summary instead).
 *
 * @module
 */
import type { ApiClient, TaskGroupScaleStatus } from "../api/mod.ts";
import { type Command, type Context, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { idLength } from "../format/columns.ts";
import { isParameterized, nextLaunchText } from "../format/metrics.ts";
import { connect, messageOf, paint, parseUint } from "./_api.ts";
import { EvalMonitor } from "./_monitor.ts";
import { jobIDByPrefix } from "./_prefix.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  "check-index": { type: "string" },
  detach: { type: "bool" },
  verbose: { type: "bool" },
} as const;

/**
 * The group to scale (Nomad's `performGroupCheck`): the one given, or the job's only group.
 *
 * @throws {Error} `Group name required` or `Group x not found within job`.
 */
export function groupToScale(groups: Record<string, TaskGroupScaleStatus>, group: string) {
  const names = Object.keys(groups);
  if (names.length > 1 && group === "") throw new Error("Group name required");
  if (names.length === 1 && group === "") return names[0]!;
  if (names.includes(group)) return group;
  throw new Error(`Group ${group} not found within job`);
}

/** Go's `strconv.Atoi` of a count, with its error text. */
function atoi(text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) {
    throw new Error(`strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw new Error(`strconv.Atoi: parsing ${JSON.stringify(text)}: value out of range`);
  }
  return n;
}

async function afterScale(
  client: ApiClient,
  ctx: Context,
  opts: { jobID: string; namespace: string; evalID: string; detach: boolean },
): Promise<number | undefined> {
  let job;
  try {
    job = await client.jobs.info(opts.jobID, { namespace: opts.namespace });
  } catch (err) {
    await ctx.ui.error(`Error looking up job: ${messageOf(err)}`);
    return 1;
  }
  const periodic = job.Periodic !== null && job.Periodic !== undefined;
  const parameterized = isParameterized(job);
  const multiregion = (job.Multiregion ?? null) !== null;
  if (!opts.detach && !periodic && !parameterized && !multiregion) return undefined;
  await ctx.ui.output("Job scale successful");
  if (periodic && !parameterized) {
    try {
      const next = nextLaunchText(job);
      if (next !== undefined) await ctx.ui.output(`Approximate next launch time: ${next}`);
    } catch (err) {
      await ctx.ui.error(`Error determining next launch time: ${messageOf(err)}`);
    }
  } else if (!parameterized) {
    await ctx.ui.output(`Evaluation ID: ${opts.evalID}`);
  }
  return 0;
}

/** The `job scale` command. */
const jobScale: Command = {
  name: "job scale",
  help: () =>
    `Usage: ${PROGRAM} job scale [options] <job> [<group>] <count>

  Perform a scaling action by altering the count within a job group.

  Upon successful job submission, this command will immediately
  enter an interactive monitor. This is useful to watch Nomad's
  internals make scheduling decisions and place the submitted work
  onto nodes. The monitor will end once job placement is done. It
  is safe to exit the monitor early using ctrl+c.

  When ACLs are enabled, this command requires a token with the
  'read-job-scaling' and either the 'scale-job' or 'submit-job' capabilities
  for the job's namespace. The 'list-jobs' capability is required to run the
  command with a job prefix instead of the exact job ID. The 'read-job'
  capability is required to monitor the resulting evaluation when -detach is
  not used.

General Options:

  ${generalOptionsUsage()}

Scale Options:

  -check-index
    If set, the job is only scaled if the passed job modify index matches the
    server side version. Ignored if value of zero is passed. If a non-zero value
    is passed, it ensures that the job is being updated from a known state.

  -detach
    Return immediately instead of entering monitor mode. After job scaling,
    the evaluation ID will be printed to the screen, which can be used to
    examine the evaluation using the eval-status command.

  -verbose
    Display full information.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(jobScale, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    const rest = parsed.args;
    if (rest.length < 2 || rest.length > 3) {
      await ctx.ui.error("Command requires at least two arguments and no more than three");
      return 1;
    }
    let checkIndex: number;
    try {
      checkIndex = parseUint(flags["check-index"]) ?? 0;
    } catch {
      // What Go's flag package says of a bad uint64 flag.
      await ctx.ui.error(
        `invalid value ${JSON.stringify(flags["check-index"])} for flag -check-index: parse error`,
      );
      await ctx.ui.output(jobScale.help());
      return 1;
    }
    let count: number;
    try {
      count = atoi(rest.length === 3 ? rest[2]! : rest[1]!);
    } catch (err) {
      await ctx.ui.error(`Failed to convert count string to int: ${messageOf(err)}`);
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      let ref;
      try {
        ref = await jobIDByPrefix(client, rest[0]!.trim());
      } catch (err) {
        await ctx.ui.error(messageOf(err));
        return 1;
      }
      const namespace = { namespace: ref.namespace };
      let group = rest.length === 3 ? rest[1]! : "";
      try {
        const status = await client.jobs.scaleStatus(ref.id, namespace);
        try {
          group = groupToScale(status.TaskGroups ?? {}, group);
        } catch (err) {
          await ctx.ui.error(messageOf(err));
          return 1;
        }
      } catch (err) {
        await ctx.ui.error(`Error querying job: ${messageOf(err)}`);
        return 1;
      }
      let resp;
      try {
        resp = await client.jobs.scale(ref.id, {
          Count: count,
          Target: { Job: ref.id, Group: group },
          Message: "submitted using the Nomad CLI",
          PolicyOverride: false,
          JobModifyIndex: checkIndex,
        }, namespace);
      } catch (err) {
        await ctx.ui.error(`Error submitting scaling request: ${messageOf(err)}`);
        return 1;
      }
      if (resp.Warnings) {
        await ctx.ui.output(paint(ctx, `[bold][yellow]Job Warnings:\n${resp.Warnings}[reset]\n`));
      }
      const done = await afterScale(client, ctx, {
        jobID: ref.id,
        namespace: ref.namespace,
        evalID: resp.EvalID,
        detach: flags.detach,
      });
      if (done !== undefined) return done;
      return await new EvalMonitor(client, ctx, idLength(flags.verbose)).monitor(resp.EvalID);
    } finally {
      client.close();
    }
  },
};
export default jobScale;
