/**
 * `nomad-ts alloc fs [options] <allocation> [path]` (alias `fs`): the allocation directory as
 * the node's client sees it — a directory listed (`Mode  Size  Modified Time  Name`), a file
 * printed (whole, its end with `-tail`, followed with `-f`), or with `-stat` one line about the
 * path. The path is relative to the allocation directory and defaults to its root.
 *
 * @module
 */
import type { Allocation } from "../../structs/mod.ts";
import type { AllocFileInfo, ApiClient } from "../api/mod.ts";
import {
  type Command,
  commandErrorText,
  type Context,
  parseCommandFlags,
  PROGRAM,
} from "../command.ts";
import type { FlagValues } from "../flags.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { formatList } from "../format/columns.ts";
import { formatIBytes } from "../format/data.ts";
import { formatApiTime } from "../format/time.ts";
import { connect, messageOf } from "./_api.ts";
import { allocFromArgs } from "./_alloc_lookup.ts";
import {
  abortOnInterrupt,
  BYTES_PER_LINE,
  DEFAULT_TAIL_LINES,
  frameData,
  streamChunks,
  TAIL_IDLE_MS,
  tailLines,
  writeChunks,
} from "./_alloc_output.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  verbose: { type: "bool" },
  H: { type: "bool" },
  job: { type: "bool" },
  group: { type: "string" },
  stat: { type: "bool" },
  f: { type: "bool" },
  tail: { type: "bool" },
  n: { type: "int", default: -1 },
  c: { type: "int", default: -1 },
} as const;

type Flags = FlagValues<typeof FLAGS>;

function fileRow(f: AllocFileInfo, machine: boolean, withType: boolean): string {
  const size = machine ? String(f.Size) : formatIBytes(f.Size);
  const name = f.IsDir ? `${f.Name}/` : f.Name;
  const cells = [f.FileMode, size, formatApiTime(f.ModTime)];
  if (withType) cells.push(f.ContentType);
  cells.push(name);
  return cells.join("|");
}

/** The `-stat` table of one path. */
export function formatFileStat(file: AllocFileInfo, machine: boolean): string {
  return formatList(["Mode|Size|Modified Time|Content Type|Name", fileRow(file, machine, true)]);
}

/** The listing of a directory. */
export function formatDirectory(files: readonly AllocFileInfo[], machine: boolean): string {
  return formatList([
    "Mode|Size|Modified Time|Name",
    ...files.map((f) => fileRow(f, machine, false)),
  ]);
}

interface FileTarget {
  readonly client: ApiClient;
  readonly ctx: Context;
  readonly alloc: Allocation;
  readonly path: string;
  readonly file: AllocFileInfo;
  readonly signal: AbortSignal;
}

/** The bytes to print of a file, or the error (with Nomad's wording) that prevents it. */
async function fileChunks(t: FileTarget, flags: Flags): Promise<AsyncIterable<Uint8Array>> {
  const q = { namespace: t.alloc.Namespace, signal: t.signal };
  const stream = (origin: "start" | "end", offset: number) =>
    t.client.allocFS.stream(t.alloc.ID, t.path, { ...q, origin, offset });
  if (!flags.tail) {
    try {
      return flags.f
        ? frameData(await stream("start", 0))
        : streamChunks(await t.client.allocFS.cat(t.alloc.ID, t.path, q));
    } catch (err) {
      throw new Error(`Error reading file: ${messageOf(err)}`, { cause: err });
    }
  }
  let offset = DEFAULT_TAIL_LINES * BYTES_PER_LINE;
  let lines = flags.n;
  if (flags.n !== -1 && flags.c !== -1) throw new Error("Both -n and -c are not allowed");
  if (flags.n < -1 || flags.c < -1) throw new Error("Invalid size is specified");
  if (flags.n !== -1) offset = flags.n * BYTES_PER_LINE;
  else if (flags.c !== -1) offset = flags.c;
  else lines = DEFAULT_TAIL_LINES;
  offset = Math.min(offset, t.file.Size);
  let chunks: AsyncIterable<Uint8Array>;
  try {
    chunks = flags.f ? frameData(await stream("end", offset)) : streamChunks(
      await t.client.allocFS.readAt(t.alloc.ID, t.path, { ...q, offset: t.file.Size - offset }),
    );
  } catch (err) {
    throw new Error(`Error tailing file: ${messageOf(err)}`, { cause: err });
  }
  if (lines === -1) return chunks;
  return tailLines(chunks, lines, { searchLimit: lines * BYTES_PER_LINE, idleMs: TAIL_IDLE_MS });
}

async function show(
  ctx: Context,
  client: ApiClient,
  alloc: Allocation,
  path: string,
  flags: Flags,
) {
  const q = { namespace: alloc.Namespace };
  let file: AllocFileInfo;
  try {
    file = await client.allocFS.stat(alloc.ID, path, q);
  } catch (err) {
    await ctx.ui.error(messageOf(err));
    return 1;
  }
  if (flags.stat) {
    await ctx.ui.output(formatFileStat(file, flags.H));
    return 0;
  }
  if (file.IsDir) {
    let files: AllocFileInfo[];
    try {
      files = await client.allocFS.list(alloc.ID, path, q);
    } catch (err) {
      await ctx.ui.error(`Error listing alloc dir: ${messageOf(err)}`);
      return 1;
    }
    await ctx.ui.output(formatDirectory(files, flags.H));
    return 0;
  }
  const controller = new AbortController();
  const stopListening = flags.f ? abortOnInterrupt(controller) : () => {};
  try {
    let chunks: AsyncIterable<Uint8Array>;
    try {
      chunks = await fileChunks(
        { client, ctx, alloc, path, file, signal: controller.signal },
        flags,
      );
    } catch (err) {
      await ctx.ui.error(messageOf(err));
      return 1;
    }
    try {
      await writeChunks(ctx, chunks);
    } catch (err) {
      await ctx.ui.error(`error tailing file: ${messageOf(err)}`);
      return 1;
    }
    return 0;
  } finally {
    stopListening();
  }
}

/** The `alloc fs` command. */
const allocFs: Command = {
  name: "alloc fs",
  help: () =>
    `Usage: ${PROGRAM} alloc fs [options] <allocation> <path>
Alias: ${PROGRAM} fs

  Lists a directory of an allocation or prints one of its files. The path is
  relative to the allocation directory; without it, the directory itself is
  listed.

General Options:

  ${generalOptionsUsage()}

FS Specific Options:

  -H
    Print sizes in bytes, for scripts.

  -verbose
    Show full IDs.

  -job <job-id>
    Take the first argument as a job ID (or prefix) and use a random
    allocation of that job, a running one when there is one.

  -group <group-name>
    With -job, pick the allocation among those of this task group.

  -stat
    Print what the path is (mode, size, time, content type) instead of its
    content.

  -f
    Keep printing what is written to the file.

  -tail
    Print the end of the file: the last 10 lines unless -n or -c says
    otherwise.

  -n
    With -tail, how many lines to print (best effort).

  -c
    With -tail, how many bytes to print.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(allocFs, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (parsed.args.length < 1) {
      await ctx.ui.error(flags.job ? "A job ID is required" : "An allocation ID is required");
      await ctx.ui.error(commandErrorText(allocFs));
      return 1;
    }
    if (parsed.args.length > 2) {
      await ctx.ui.error("This command takes one or two arguments: <allocation> [<path>]");
      await ctx.ui.error(commandErrorText(allocFs));
      return 1;
    }
    const path = parsed.args[1] ?? "/";
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      const alloc = await allocFromArgs(client, ctx, parsed.args[0]!, flags);
      if (typeof alloc === "number") return alloc;
      return await show(ctx, client, alloc, path, flags);
    } finally {
      client.close();
    }
  },
};
export default allocFs;
