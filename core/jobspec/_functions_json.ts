/**
 * JSON as cty writes and reads it: keys sorted, numbers without exponents, strings escaped as
 * Go's `encoding/json` does (`<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes).
 *
 * @module
 */
import { goJsonString } from "../structs/mod.ts";
import { FuncError, type FuncSpec, param } from "./_functions_api.ts";
import { formatNumber, objectFrom, sortedKeys, T, type Value } from "./_hcl_types.ts";

/** A string as Go's `json.Marshal` writes it. */
export const jsonString: (s: string) => string = goJsonString;

/** Encodes a value as `jsonencode` does. */
export function jsonEncode(v: Value): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return String(v);
    case "number":
      return formatNumber(v);
    case "string":
      return jsonString(v);
  }
  if (Array.isArray(v)) return `[${v.map(jsonEncode).join(",")}]`;
  return `{${sortedKeys(v).map((k) => `${jsonString(k)}:${jsonEncode(v[k]!)}`).join(",")}}`;
}

/** Turns parsed JSON into a value: objects get cty's key order. */
export function fromJSON(x: unknown): Value {
  if (x === null || typeof x !== "object") return x as Value;
  if (Array.isArray(x)) return x.map(fromJSON);
  return objectFrom(Object.entries(x).map(([k, v]) => [k, fromJSON(v)]));
}

/** `jsonencode` and `jsondecode`. */
export const JSON_FUNCTIONS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  ["jsonencode", { params: [param("val", T.any, true)], impl: ([v]) => jsonEncode(v!) }],
  ["jsondecode", {
    params: [param("str", T.string)],
    impl: ([s]) => {
      try {
        return fromJSON(JSON.parse(s as string));
      } catch (err) {
        if (s === "") throw new FuncError("unexpected end of JSON input");
        throw new FuncError((err as Error).message);
      }
    },
  }],
]);
