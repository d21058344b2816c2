/**
 * Job files: HCL2 jobspecs parsed by HashiCorp's HCL library (compiled to WebAssembly) and
 * turned into a {@link Job}, with variables, locals, functions and the runtime interpolations
 * (`${attr.*}`, `${NOMAD_*}`, ...) kept for the client.
 *
 * @module
 */
import { dirname } from "node:path";
import type { Job } from "../structs/mod.ts";
import { JobspecError } from "./errors.ts";
import { type BlockEntry, bodyOf, checkLabels, Ctx, entries } from "./_decode.ts";
import { parseAndScan } from "./_hcl.ts";
import { decodeJob, DECODERS } from "./_job.ts";
import { assignValues, declareVariables, evaluateLocals, variableValues } from "./_variables.ts";

export * from "./errors.ts";
/**
 * The HCL library with positions, for other HCL file formats (the agent configuration): the
 * library's JSON of a native-syntax file and the scanner's items (kind, name, labels, `line:col`
 * of every attribute and block). Throws {@link JobspecError} for syntax errors.
 */
export { parseAndScan as parseHclDocument } from "./_hcl.ts";
export type { HclJson } from "./_hcl.ts";
export type { Pos as ScanPos, ScannedAttribute, ScannedBlock, ScannedItem } from "./_scan.ts";

/** Inputs of {@link parseJob} besides the source text. */
export interface ParseOptions {
  /** The file name used in diagnostics; its directory is the base of `file()`. */
  readonly path: string;
  /** `-var name=value` flags, in command-line order. */
  readonly vars?: readonly string[];
  /** `-var-file` paths, in command-line order. */
  readonly varFiles?: readonly string[];
  /** The environment, for `NOMAD_VAR_<name>`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Allows functions that read files (`file`, `fileexists`, ...). */
  readonly allowFS?: boolean;
}

const TOP_LEVEL = new Set(["job", "variable", "variables", "locals"]);

function fail(ctx: Ctx): void {
  if (ctx.diags.length > 0) throw new JobspecError(ctx.diags);
}

/**
 * Parses a job file into a job as written (not canonicalized), as `nomad job run -output` shows
 * it.
 *
 * @throws {JobspecError} listing every problem with its `file:line:col`.
 *
 * @example
 * ```ts
 * const job = await parseJob('job "web" {\n  group "g" {\n    task "t" { driver = "raw_exec" }\n  }\n}\n', { path: "web.nomad.hcl" });
 * job.ID; // "web"
 * ```
 */
export async function parseJob(source: string, opts: ParseOptions): Promise<Job> {
  const { json, items } = await parseAndScan(opts.path, source);
  const scope = { variables: {}, baseDir: dirname(opts.path), allowFS: opts.allowFS ?? false };
  const ctx = new Ctx(opts.path, scope, DECODERS);
  const top = entries({ items, json }, ctx);
  for (const e of top) {
    if (e.item.kind === "attribute") {
      ctx.error(
        e.item.pos,
        "Unsupported argument",
        `An argument named "${e.item.name}" is not expected here.`,
      );
    } else if (!TOP_LEVEL.has(e.item.name)) {
      ctx.error(
        e.item.pos,
        "Unsupported block type",
        `Blocks of type "${e.item.name}" are not expected here.`,
      );
    }
  }
  const vars = declareVariables(top, ctx);
  await assignValues(vars, {
    env: opts.env ?? {},
    varFiles: opts.varFiles ?? [],
    vars: opts.vars ?? [],
  }, ctx);
  const withVars = ctx.withVariables({ var: variableValues(vars, ctx) });
  fail(ctx);
  const withLocals = withVars.withVariables({ local: evaluateLocals(top, withVars) });
  fail(ctx);
  const jobs = top.filter((e): e is BlockEntry => e.item.kind === "block" && e.item.name === "job");
  const first = jobs[0];
  if (!first) {
    ctx.error(undefined, "Missing job block", "A job block is required");
    fail(ctx);
    throw new Error("unreachable");
  }
  for (const extra of jobs.slice(1)) {
    ctx.error(
      extra.item.pos,
      "Duplicate job block",
      `Only one block of type "job" is allowed. Previous definition was at ${opts.path}:${first.item.pos.line},${first.item.pos.col}.`,
    );
  }
  checkLabels(first, 1);
  const job = decodeJob(first.item.labels[0] ?? "", bodyOf(first), withLocals);
  fail(ctx);
  return job;
}
