/**
 * `nomad-ts job stop [options] <job>...` (alias `stop`): stops (deregisters) jobs and follows
 * the evaluations that wind their allocations down. A job named by a prefix rather than its
 * exact ID is stopped only after a `y` on stdin (unless `-yes`), as in Nomad; so is one region
 * of a multi-region job without `-global`.
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
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { idLength } from "../format/columns.ts";
import { goQuote } from "../format/quote.ts";
import { ask, connect, messageOf } from "./_api.ts";
import { EvalMonitor } from "./_monitor.ts";
import { jobIDByPrefix } from "./_prefix.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  detach: { type: "bool" },
  verbose: { type: "bool" },
  global: { type: "bool" },
  "no-shutdown-delay": { type: "bool" },
  yes: { type: "bool" },
  purge: { type: "bool" },
  "eval-priority": { type: "int" },
} as const;

type StopFlags = {
  detach: boolean;
  verbose: boolean;
  global: boolean;
  "no-shutdown-delay": boolean;
  yes: boolean;
  purge: boolean;
  "eval-priority": number;
};

/**
 * Asks a yes/no question and reads the answer as Nomad does: only an exact `y` confirms.
 *
 * @returns Whether to go on, and the exit code when not.
 */
async function confirm(ctx: Context, question: string): Promise<[boolean, number]> {
  let answer: string;
  try {
    answer = await ask(ctx, question);
  } catch (err) {
    await ctx.ui.error(`Failed to parse answer: ${messageOf(err)}`);
    return [false, 1];
  }
  const lower = answer.toLowerCase();
  if (answer === "" || lower.startsWith("n")) {
    await ctx.ui.output("Cancelling job stop");
    return [false, 0];
  }
  if (lower.startsWith("y") && answer.length > 1) {
    await ctx.ui.output("For confirmation, an exact ‘y’ is required.");
    return [false, 0];
  }
  if (answer !== "y") {
    await ctx.ui.output("No confirmation detected. For confirmation, an exact 'y' is required.");
    return [false, 1];
  }
  return [true, 0];
}

async function stopOne(
  client: ApiClient,
  ctx: Context,
  jobID: string,
  flags: StopFlags,
  single: boolean,
): Promise<number> {
  let job: Job;
  try {
    const ref = await jobIDByPrefix(client, jobID);
    try {
      job = await client.jobs.info(ref.id, { namespace: ref.namespace });
    } catch (err) {
      await ctx.ui.error(`Error querying job ${goQuote(ref.id)}: ${messageOf(err)}`);
      return 1;
    }
    job.Namespace = ref.namespace;
  } catch (err) {
    await ctx.ui.error(messageOf(err));
    return 1;
  }
  const id = job.ID ?? "";
  if (single && jobID !== id && !flags.yes) {
    const [ok, code] = await confirm(
      ctx,
      `Are you sure you want to stop job ${goQuote(id)}? [y/N]`,
    );
    if (!ok) return code;
  }
  const multiregion = (job.Multiregion?.Regions ?? []).length > 0;
  if (single && multiregion && !flags.global && !flags.yes) {
    const [ok, code] = await confirm(
      ctx,
      `Are you sure you want to stop multi-region job ${goQuote(id)} in a single region? [y/N]`,
    );
    if (!ok) return code;
  }
  let evalID: string;
  try {
    evalID = await client.jobs.deregister(id, {
      purge: flags.purge,
      global: flags.global,
      evalPriority: flags["eval-priority"],
      noShutdownDelay: flags["no-shutdown-delay"],
    }, { namespace: job.Namespace ?? "" });
  } catch (err) {
    await ctx.ui.error(`Error deregistering job with id ${jobID} err: ${messageOf(err)}`);
    return 1;
  }
  if (evalID === "") return 0;
  if (flags.detach) {
    await ctx.ui.output(evalID);
    return 0;
  }
  return await new EvalMonitor(client, ctx, idLength(flags.verbose)).monitor(evalID);
}

/** The `job stop` command. */
const jobStop: Command = {
  name: "job stop",
  help: () =>
    `Usage: ${PROGRAM} job stop [options] <job>...
Alias: ${PROGRAM} stop

  Stops the given jobs: their allocations are told to shut down, and the
  evaluation that does it is followed until it finishes. Leaving the monitor
  early with ctrl+c does not stop the stopping.

  A job may be given by a unique prefix of its ID; then the command asks for
  confirmation first, unless -yes is given.

General Options:

  ${generalOptionsUsage()}

Stop Options:

  -detach
    Print the evaluation ID and return instead of following the evaluation.

  -eval-priority
    Priority of the evaluations the stop creates, instead of the job's.

  -global
    Stop a multi-region job in all its regions, not only this one.

  -no-shutdown-delay
    Ignore the shutdown_delay of groups and tasks: tasks stop right after their
    services are deregistered.

  -purge
    Remove the job from the cluster state now instead of leaving it stopped
    until garbage collection.

  -yes
    Answer yes to the questions.

  -verbose
    Show full IDs.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(jobStop, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (parsed.args.length < 1) {
      await ctx.ui.error("This command takes at least one argument: <job>");
      await ctx.ui.error(commandErrorText(jobStop));
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      const ids = parsed.args.map((a) => a.trim());
      let result = 0;
      for (const id of ids) {
        const code = await stopOne(client, ctx, id, flags, ids.length === 1);
        if (code !== 0 && result === 0) result = code;
      }
      return result;
    } finally {
      client.close();
    }
  },
};
export default jobStop;
