/**
 * Column alignment as Nomad's CLI does it with `ryanuber/columnize`: each input line is split on
 * `|`, every column is padded to its widest cell (counted in Unicode code points), the last
 * cell of a line is never padded, and cells are joined with two spaces (`formatList`) or
 * `" = "` (`formatKV`). Empty cells become `<none>` in both, as Nomad configures it.
 *
 * @example
 * ```ts
 * formatKV(["ID|example", "Priority|50"]);
 * // "ID       = example\nPriority = 50"
 * formatList(["ID|Type", "example|service"]);
 * // "ID       Type\nexample  service"
 * ```
 *
 * @module
 */

/** How {@link columnize} splits and joins; the defaults are columnize's. */
export interface ColumnConfig {
  /** What separates the cells of an input line. Default `"|"`. */
  readonly delim?: string;
  /** What joins the cells of an output line. Default two spaces. */
  readonly glue?: string;
  /** What starts every output line. Default none. */
  readonly prefix?: string;
  /** What replaces an empty cell. Default none (the cell stays empty). */
  readonly empty?: string;
  /** Keep the spaces around cells instead of trimming them. */
  readonly noTrim?: boolean;
}

/** The number of characters Nomad shows of an ID unless `-verbose` is given. */
export const SHORT_ID = 8;
/** The length of a full UUID, which `-verbose` shows. */
export const FULL_ID = 36;

function runeLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function cellsOf(line: string, c: Required<ColumnConfig>): string[] {
  return line.split(c.delim).map((field) => {
    const value = c.noTrim ? field : field.trim();
    return value === "" && c.empty !== "" ? c.empty : value;
  });
}

/**
 * Aligns `lines` in columns, exactly as `columnize.Format` does.
 *
 * @param lines One string per output line, cells separated by the delimiter.
 * @param config The delimiter, glue, prefix, empty-cell text and trimming.
 * @returns The aligned text, without a trailing newline.
 */
export function columnize(lines: readonly string[], config: ColumnConfig = {}): string {
  const c: Required<ColumnConfig> = {
    delim: config.delim || "|",
    glue: config.glue || "  ",
    prefix: config.prefix ?? "",
    empty: config.empty ?? "",
    noTrim: config.noTrim ?? false,
  };
  const rows = lines.map((line) => cellsOf(line, c));
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, runeLength(cell));
    });
  }
  const out = rows.map((row) => {
    let text = c.prefix;
    row.forEach((cell, i) => {
      if (i === row.length - 1) text += cell;
      else text += cell + " ".repeat(Math.max(0, widths[i]! - runeLength(cell))) + c.glue;
    });
    return text;
  });
  return out.join("\n");
}

/** Aligns `key|value` lines as `key = value`, with `<none>` for empty values (Nomad's `formatKV`). */
export function formatKV(lines: readonly string[]): string {
  return columnize(lines, { glue: " = ", empty: "<none>" });
}

/** Aligns `|`-separated rows in columns, with `<none>` for empty cells (Nomad's `formatList`). */
export function formatList(lines: readonly string[]): string {
  return columnize(lines, { empty: "<none>" });
}

/** Aligns rows like {@link formatList} but leaves empty cells empty. */
export function formatListWithSpaces(lines: readonly string[]): string {
  return columnize(lines);
}

/**
 * The first `length` bytes of `s` (IDs are ASCII), or `s` when shorter: Nomad's `limit`, used to
 * show IDs in 8 characters unless `-verbose` is given.
 */
export function limit(s: string, length: number): string {
  return s.length < length ? s : s.slice(0, length);
}

/** The ID length a command shows: {@link FULL_ID} with `-verbose`, {@link SHORT_ID} without. */
export function idLength(verbose: boolean): number {
  return verbose ? FULL_ID : SHORT_ID;
}
