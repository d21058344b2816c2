/**
 * Go's `%q` verb for strings (`strconv.Quote`), which Nomad's CLI uses around names and
 * values: double quotes, `\"` and `\\`, the C escapes `\a \b \f \n \r \t \v`, `\x..` for other
 * control bytes, and printable Unicode kept as is.
 *
 * @module
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
};

/**
 * Quotes `s` as Go's `strconv.Quote` does.
 *
 * @example
 * ```ts
 * goQuote('say "hi"\n'); // "\"say \\\"hi\\\"\\n\""
 * ```
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const escaped = ESCAPES[ch];
    if (escaped !== undefined) {
      out += escaped;
      continue;
    }
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code >= 0x80 && code < 0xa0) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}
