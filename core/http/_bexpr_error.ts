/**
 * The one error type of the filter language, for both parsing and evaluation.
 *
 * @module
 */

/** Where in the expression a parse error was found. */
export interface BexprPosition {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, in characters. */
  readonly column: number;
  /** 0-based offset, in UTF-8 bytes (as go-bexpr reports it). */
  readonly offset: number;
}

/**
 * A filter expression is malformed or cannot be evaluated against a datum.
 *
 * Parse errors read like go-bexpr's, `line:column (offset): message`, and carry `position`;
 * evaluation errors name the selector instead.
 */
export class BexprError extends Error {
  override readonly name = "BexprError";
  /** Where the parser stopped; absent for evaluation errors. */
  readonly position: BexprPosition | undefined;

  constructor(message: string, position?: BexprPosition, options?: ErrorOptions) {
    super(
      position === undefined
        ? message
        : `${position.line}:${position.column} (${position.offset}): ${message}`,
      options,
    );
    this.position = position;
  }
}

const encoder = new TextEncoder();

/** The position of the UTF-16 index `index` in `source`. */
export function positionAt(source: string, index: number): BexprPosition {
  const before = source.slice(0, index);
  const lastNewline = before.lastIndexOf("\n");
  let line = 1;
  for (let i = before.indexOf("\n"); i !== -1; i = before.indexOf("\n", i + 1)) line++;
  const column = [...before.slice(lastNewline + 1)].length + 1;
  return { line, column, offset: encoder.encode(before).length };
}
