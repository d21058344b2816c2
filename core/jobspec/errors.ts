/**
 * Errors of job file parsing: every diagnostic names `file:line:col` and says what is wrong.
 *
 * @module
 */

/** A position in a source file; line and column start at 1. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** One problem in a job file. */
export interface Diagnostic {
  /** Where the problem is, when known. */
  readonly pos?: SourcePos;
  /** A short summary, e.g. `Unsupported block type`. */
  readonly summary: string;
  /** A sentence that says what is wrong and how to fix it. */
  readonly detail?: string;
}

/** Formats a diagnostic as `file:line:col: summary; detail`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.pos ? `${d.pos.file}:${d.pos.line}:${d.pos.col}: ` : "";
  return `${where}${d.summary}${d.detail ? `; ${d.detail}` : ""}`;
}

/** A job file could not be parsed; `diagnostics` lists every problem found. */
export class JobspecError extends Error {
  override readonly name = "JobspecError";
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[], options?: ErrorOptions) {
    super(diagnostics.map(formatDiagnostic).join("\n"), options);
    this.diagnostics = diagnostics;
  }
}
