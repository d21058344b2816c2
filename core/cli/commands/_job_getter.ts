/**
 * Reading a job for `job run`, `job validate` and (later) `job plan`, as Nomad's `JobGetter`
 * does: from a file, an http(s) URL or stdin (`-`), parsed as HCL2 with variables, or as JSON
 * with `-json` (the job itself or `{"Job": ...}`, as `job run -output` prints it).
 *
 * @module
 */
import { basename, resolve } from "node:path";
import { decode, type Job, JobSpec } from "../../structs/mod.ts";
import { type Command, commandErrorText, type Context } from "../command.ts";

/** The flags of every command that reads a job file. */
export const JOB_GETTER_FLAGS = {
  json: { type: "bool" },
  "hcl2-strict": { type: "bool", default: true },
  var: { type: "strings" },
  "var-file": { type: "strings" },
} as const;

/** How to read a job. */
export interface JobGetterOptions {
  /** Parse the file as JSON rather than HCL2. */
  readonly json: boolean;
  /** `-var name=value` flags, in order. */
  readonly vars: readonly string[];
  /** `-var-file` paths, in order. */
  readonly varFiles: readonly string[];
}

/** A job could not be read or parsed; the message is what follows `Error getting job struct: `. */
export class JobGetError extends Error {
  override readonly name = "JobGetError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * Checks that the options go together, as Nomad does before reading the file.
 *
 * @returns The problem (printed after `Invalid job options: `), or `undefined`.
 */
export function checkJobGetterOptions(opts: JobGetterOptions): string | undefined {
  if (opts.json && (opts.vars.length > 0 || opts.varFiles.length > 0)) {
    return "cannot use variables with JSON files.";
  }
  return undefined;
}

async function readStream(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

function describeReadError(err: unknown, path: string): string {
  if (err instanceof Deno.errors.NotFound) return `open ${path}: no such file or directory`;
  if (err instanceof Deno.errors.PermissionDenied) return `open ${path}: permission denied`;
  if (err instanceof Deno.errors.IsADirectory) return `read ${path}: is a directory`;
  return err instanceof Error ? err.message : String(err);
}

async function readSource(jpath: string, ctx: Context): Promise<string> {
  if (jpath === "-") {
    if (!ctx.stdin) throw new JobGetError("Error reading the job from stdin: there is no stdin");
    return await readStream(ctx.stdin);
  }
  if (jpath === "") throw new JobGetError("Error jobfile path has to be specified.");
  if (/^https?:\/\//i.test(jpath)) {
    try {
      const res = await fetch(jpath);
      if (!res.ok) {
        await res.body?.cancel();
        throw new Error(`bad response code: ${res.status}`);
      }
      return await res.text();
    } catch (err) {
      throw new JobGetError(
        `Error getting jobfile from ${JSON.stringify(jpath)}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  const path = resolve(ctx.cwd, jpath);
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    throw new JobGetError(
      `Error getting jobfile from ${JSON.stringify(jpath)}: ${describeReadError(err, path)}`,
      { cause: err },
    );
  }
}

function parseJsonJob(source: string): Job {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (err) {
    throw new JobGetError(`Failed to parse JSON job: ${(err as Error).message}`, { cause: err });
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const nestedKey = Object.keys(value).find((k) => k.toLowerCase() === "job");
    const nested = nestedKey === undefined
      ? undefined
      : (value as Record<string, unknown>)[nestedKey];
    if (nested !== undefined && nested !== null) value = nested;
  }
  const { value: job, problems } = decode(JobSpec, value);
  if (problems.length > 0) {
    const list = problems.map((p) => p.path ? `${p.path}: ${p.message}` : p.message);
    throw new JobGetError(`Failed to parse JSON job: ${list.join("; ")}`);
  }
  return job;
}

/**
 * Reads and parses the job at `jpath` (a file relative to the working directory, an http(s)
 * URL, or `-` for stdin). HCL2 files are parsed with their variables (`-var`, `-var-file`,
 * `NOMAD_VAR_*` from the environment) and with file functions allowed, as Nomad does; the job
 * comes back as written, not canonicalized.
 *
 * @throws {JobGetError} With Nomad's wording: `Error parsing job file from <path>:` followed
 * by every diagnostic for a parse error, `Error getting jobfile from ...` for a read error.
 */
export async function getJob(jpath: string, opts: JobGetterOptions, ctx: Context): Promise<Job> {
  const source = await readSource(jpath, ctx);
  if (opts.json) return parseJsonJob(source);
  // The parser (HCL compiled to WebAssembly) loads only when a job file is parsed.
  const { parseJob } = await import("../../jobspec/mod.ts");
  try {
    return await parseJob(source, {
      path: jpath === "-" ? "stdin" : basename(jpath),
      vars: opts.vars,
      varFiles: opts.varFiles,
      env: ctx.env,
      allowFS: true,
    });
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    throw new JobGetError(`Error parsing job file from ${jpath}:\n${err.message}`, { cause: err });
  }
}

/**
 * The common start of `job run`, `job validate` and `job plan`: checks there is one path and
 * that the options go together, then reads the job. Prints Nomad's message and returns
 * `undefined` when any of that fails (the command then exits 1).
 */
export async function jobFromArgs(
  command: Command,
  args: readonly string[],
  flags: {
    readonly json: boolean;
    readonly var: readonly string[];
    readonly "var-file": readonly string[];
  },
  ctx: Context,
): Promise<Job | undefined> {
  if (args.length !== 1) {
    await ctx.ui.error("This command takes one argument: <path>");
    await ctx.ui.error(commandErrorText(command));
    return undefined;
  }
  const opts = { json: flags.json, vars: flags.var, varFiles: flags["var-file"] };
  const invalid = checkJobGetterOptions(opts);
  if (invalid) {
    await ctx.ui.error(`Invalid job options: ${invalid}`);
    return undefined;
  }
  try {
    return await getJob(args[0]!, opts, ctx);
  } catch (err) {
    await ctx.ui.error(`Error getting job struct: ${(err as Error).message}`);
    return undefined;
  }
}
