/**
 * `nomad-ts alloc logs [options] <allocation> [task]` (alias `logs`): a task's stdout or
 * stderr, from the start, or its end with `-tail` (`-n` lines, default 10, or `-c` bytes),
 * and with `-f` what it writes next. `-f` alone follows both streams from their current end,
 * stdout to stdout and stderr to stderr. The task may be left out when the allocation's group
 * has one; `-job` picks a random allocation of a job.
 *
 * @module
 */
import type { Allocation } from "../../structs/mod.ts";
import type { ApiClient, StreamFrame } from "../api/mod.ts";
import {
  type Command,
  commandErrorText,
  type Context,
  parseCommandFlags,
  PROGRAM,
} from "../command.ts";
import type { FlagValues } from "../flags.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { connect, messageOf } from "./_api.ts";
import { allocFromArgs, checkAllocTask, onlyAllocTask } from "./_alloc_lookup.ts";
import {
  abortOnInterrupt,
  BYTES_PER_LINE,
  DEFAULT_TAIL_LINES,
  frameData,
  TAIL_IDLE_MS,
  tailLines,
  writeChunks,
} from "./_alloc_output.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  verbose: { type: "bool" },
  job: { type: "bool" },
  tail: { type: "bool" },
  f: { type: "bool" },
  stderr: { type: "bool" },
  stdout: { type: "bool" },
  n: { type: "int", default: -1 },
  c: { type: "int", default: -1 },
  task: { type: "string" },
  group: { type: "string" },
} as const;

type Flags = FlagValues<typeof FLAGS>;

/** What the log streams need: the allocation, the task and a way to stop. */
interface LogTarget {
  readonly client: ApiClient;
  readonly ctx: Context;
  readonly alloc: Allocation;
  readonly task: string;
  readonly signal: AbortSignal;
}

async function openLog(
  t: LogTarget,
  type: "stdout" | "stderr",
  opts: { follow: boolean; origin: "start" | "end"; offset: number },
): Promise<AsyncIterable<StreamFrame>> {
  return await t.client.allocFS.logs(t.alloc.ID, {
    task: t.task,
    type,
    ...opts,
    namespace: t.alloc.Namespace,
    signal: t.signal,
  });
}

/** One log, from the start or (`-tail`) its end; Nomad's `handleSingleFile`. */
async function singleLog(t: LogTarget, flags: Flags, type: "stdout" | "stderr"): Promise<void> {
  let frames: AsyncIterable<StreamFrame>;
  let lines = flags.n;
  if (!flags.tail) {
    try {
      frames = await openLog(t, type, { follow: flags.f, origin: "start", offset: 0 });
    } catch (err) {
      throw new Error(`error reading file: ${messageOf(err)}`, { cause: err });
    }
  } else {
    let offset = DEFAULT_TAIL_LINES * BYTES_PER_LINE;
    if (flags.n !== -1 && flags.c !== -1) throw new Error("both -n and -c set");
    if (flags.n !== -1) offset = flags.n * BYTES_PER_LINE;
    else if (flags.c !== -1) offset = flags.c;
    else lines = DEFAULT_TAIL_LINES;
    try {
      frames = await openLog(t, type, { follow: flags.f, origin: "end", offset });
    } catch (err) {
      throw new Error(`error tailing file: ${messageOf(err)}`, { cause: err });
    }
  }
  let chunks = frameData(frames);
  if (flags.tail && lines !== -1) {
    chunks = tailLines(chunks, lines, {
      searchLimit: lines * BYTES_PER_LINE,
      idleMs: TAIL_IDLE_MS,
    });
  }
  try {
    await writeChunks(t.ctx, chunks);
  } catch (err) {
    throw new Error(`error following logs: ${messageOf(err)}`, { cause: err });
  }
}

/** Both logs from their current end, until interrupted; Nomad's `tailMultipleFiles`. */
async function followBoth(t: LogTarget): Promise<void> {
  const open = async (type: "stdout" | "stderr") => {
    try {
      return await openLog(t, type, { follow: true, origin: "end", offset: 0 });
    } catch (err) {
      throw new Error(`failed to setup ${type} log tailing: ${messageOf(err)}`, { cause: err });
    }
  };
  const stdout = await open("stdout");
  const stderr = await open("stderr");
  const pump = async (frames: AsyncIterable<StreamFrame>, type: "stdout" | "stderr") => {
    try {
      await writeChunks(t.ctx, frameData(frames), type);
    } catch (err) {
      throw new Error(`received an error from ${type} log stream: ${messageOf(err)}`, {
        cause: err,
      });
    }
  };
  await Promise.all([pump(stdout, "stdout"), pump(stderr, "stderr")]);
}

async function resolveTask(ctx: Context, alloc: Allocation, flags: Flags, args: string[]) {
  try {
    if (flags.task !== "") {
      checkAllocTask(alloc, flags.task);
      return flags.task;
    }
    if (args.length >= 2) {
      if (args[1] === "") {
        await ctx.ui.error("Task name required");
        return undefined;
      }
      return args[1]!;
    }
    return onlyAllocTask(alloc);
  } catch (err) {
    await ctx.ui.error(`Failed to validate task: ${messageOf(err)}`);
    return undefined;
  }
}

async function run(ctx: Context, client: ApiClient, flags: Flags, args: string[]) {
  const alloc = await allocFromArgs(client, ctx, args[0]!, flags);
  if (typeof alloc === "number") return alloc;
  const task = await resolveTask(ctx, alloc, flags, args);
  if (task === undefined) return 1;
  const controller = new AbortController();
  const stopListening = flags.f ? abortOnInterrupt(controller) : () => {};
  const target: LogTarget = { client, ctx, alloc, task, signal: controller.signal };
  try {
    const explicit = flags.stderr || flags.stdout || flags.tail || flags.n > 0 || flags.c > 0;
    if (flags.f && !explicit) {
      try {
        await followBoth(target);
      } catch (err) {
        controller.abort();
        await ctx.ui.error(`Failed to tail stdout and stderr files: ${messageOf(err)}`);
        return 1;
      }
      return 0;
    }
    if (flags.stderr && flags.stdout) {
      await ctx.ui.error("Unable to support both stdout and stderr");
      return 1;
    }
    const type = flags.stderr ? "stderr" : "stdout";
    try {
      await singleLog(target, flags, type);
    } catch (err) {
      await ctx.ui.error(`Failed to read ${type} file: ${messageOf(err)}`);
      return 1;
    }
    return 0;
  } finally {
    stopListening();
  }
}

/** The `alloc logs` command. */
const allocLogs: Command = {
  name: "alloc logs",
  help: () =>
    `Usage: ${PROGRAM} alloc logs [options] <allocation> <task>
Alias: ${PROGRAM} logs

  Prints what a task wrote to stdout or stderr. The task may be left out when
  the allocation's group has only one.

General Options:

  ${generalOptionsUsage()}

Logs Specific Options:

  -stdout
    Print stdout (the default, except with -f alone, which follows both).

  -stderr
    Print stderr.

  -verbose
    Show full IDs.

  -task <task-name>
    The task whose logs to print; wins over the <task> argument.

  -job
    Take the first argument as a job ID (or prefix) and use a random
    allocation of that job, a running one when there is one.

  -group <group-name>
    With -job, pick the allocation among those of this task group.

  -f
    Keep printing what the task writes. With no other option than -job and
    -task, follows stdout and stderr both, from their current end.

  -tail
    Print the end of the log instead of the start: the last 10 lines unless
    -n or -c says otherwise.

  -n
    With -tail, how many lines to print (best effort).

  -c
    With -tail, how many bytes to print.

  -no-color applies to nomad-ts's own output only; color codes in the task's
  logs are printed as they are.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(allocLogs, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (parsed.args.length < 1) {
      await ctx.ui.error(flags.job ? "A job ID is required" : "An allocation ID is required");
      await ctx.ui.error(commandErrorText(allocLogs));
      return 1;
    }
    if (parsed.args.length > 2) {
      await ctx.ui.error("This command takes one or two arguments");
      await ctx.ui.error(commandErrorText(allocLogs));
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      return await run(ctx, client, flags, parsed.args);
    } finally {
      client.close();
    }
  },
};
export default allocLogs;
