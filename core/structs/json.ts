/**
 * JSON as Go's `encoding/json` writes it, which is what Nomad's API and CLI print: `<`, `>`,
 * `&`, U+2028 and U+2029 escaped as `\u` sequences (HTML-safe), lone surrogates replaced.
 *
 * @module
 */

const GO_ESCAPES: Readonly<Record<string, string>> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

function escapeGo(json: string): string {
  // These characters only ever occur inside JSON strings, so escaping the whole text is safe.
  return json.replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!);
}

/** A string as Go's `json.Marshal` writes it. */
export function goJsonString(s: string): string {
  return escapeGo(JSON.stringify(s.toWellFormed()));
}

/**
 * Serializes like Go's `json.Marshal` (no `indent`) or `json.MarshalIndent(v, "", indent)`.
 * Fields whose value is `undefined` are left out, as `omitempty` ones are in Go.
 *
 * @example
 * ```ts
 * goJson({ Op: ">=" }); // '{"Op":"\u003e="}'
 * ```
 */
export function goJson(value: unknown, indent?: string): string {
  return escapeGo(
    JSON.stringify(value, (_k, v) => typeof v === "string" ? v.toWellFormed() : v, indent),
  );
}
