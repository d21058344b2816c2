/**
 * Job files: HCL2 jobspecs parsed by HashiCorp's HCL library (compiled to WebAssembly) and
 * turned into a {@link Job}, with variables, locals, functions and the runtime interpolations
 * (`${attr.*}`, `${NOMAD_*}`, ...) kept for the client.
 *
 * @module
 */
import type { Job } from "../structs/mod.ts";
import { JobspecError } from "./errors.ts";

export * from "./errors.ts";

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

/**
 * Parses a job file into a job as written (not canonicalized).
 *
 * @throws {JobspecError} listing every problem with its `file:line:col`.
 */
export function parseJob(_source: string, opts: ParseOptions): Promise<Job> {
  return Promise.reject(
    new JobspecError([{ summary: "Job file parsing is not built yet", detail: opts.path }]),
  );
}
