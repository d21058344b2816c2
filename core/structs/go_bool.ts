/**
 * Go's `strconv.ParseBool`, which Nomad uses for query parameters, client options, constraint
 * targets and flags: `1 t T TRUE true True` and `0 f F FALSE false False`.
 *
 * @module
 */

const TRUE_WORDS = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE_WORDS = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** The boolean `text` spells, or `undefined` when it spells none (or is absent). */
export function parseGoBool(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return undefined;
}
