/**
 * Encoding functions: `base64encode`, `base64decode`, `urlencode` (Go's `url.QueryEscape`) and
 * `csvdecode` (Go's `encoding/csv`, first row as header).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { FuncError, type FuncSpec, stringFunc } from "./_functions_api.ts";
import { objectFrom, type Value } from "./_hcl_types.ts";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64Decode(s: string): string {
  const clean = s.replace(/[\r\n]/g, "");
  if (!BASE64.test(clean)) throw new FuncError(`failed to decode base64 data '${s}'`);
  const bytes = Buffer.from(clean, "base64");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new FuncError("the result of decoding the provided string is not valid UTF-8");
  }
}

function urlEncode(s: string): string {
  return encodeURIComponent(s.toWellFormed())
    .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, "+");
}

/** Splits CSV text into records as Go's `encoding/csv` reader does. */
export function parseCSV(text: string): string[][] {
  const s = text.replace(/\r\n/g, "\n");
  const records: string[][] = [];
  let line = 1, i = 0;
  while (i < s.length) {
    if (s[i] === "\n") {
      i++;
      line++;
      continue;
    }
    const fields: string[] = [];
    const recordLine = line;
    for (;;) {
      let field = "";
      if (s[i] === '"') {
        i++;
        for (;;) {
          if (i >= s.length) {
            throw new FuncError(
              `CSV parse error on line ${recordLine}: extraneous or missing " in quoted-field`,
            );
          }
          if (s[i] === '"') {
            if (s[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            if (i < s.length && s[i] !== "," && s[i] !== "\n") {
              throw new FuncError(
                `CSV parse error on line ${line}: extraneous or missing " in quoted-field`,
              );
            }
            break;
          }
          if (s[i] === "\n") line++;
          field += s[i++];
        }
      } else {
        while (i < s.length && s[i] !== "," && s[i] !== "\n") {
          if (s[i] === '"') {
            throw new FuncError(`CSV parse error on line ${line}: bare " in non-quoted-field`);
          }
          field += s[i++];
        }
      }
      fields.push(field);
      if (s[i] === ",") {
        i++;
        continue;
      }
      break;
    }
    const want = records[0]?.length;
    if (want !== undefined && fields.length !== want) {
      throw new FuncError(`CSV parse error on line ${recordLine}: wrong number of fields`);
    }
    records.push(fields);
  }
  return records;
}

function csvDecode(text: string): Value {
  const [headers, ...rows] = parseCSV(text);
  if (!headers) throw new FuncError("missing header line");
  const seen = new Set<string>();
  for (const h of headers) {
    if (seen.has(h)) throw new FuncError(`duplicate column name ${JSON.stringify(h)}`);
    seen.add(h);
  }
  return rows.map((r) => objectFrom(headers.map((h, i) => [h, r[i]!])));
}

/** The encoding functions by name. */
export const ENCODING_FUNCTIONS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  [
    "base64encode",
    stringFunc(["str"], (s) => Buffer.from(s.toWellFormed(), "utf8").toString("base64")),
  ],
  ["base64decode", stringFunc(["str"], base64Decode)],
  ["urlencode", stringFunc(["str"], urlEncode)],
  ["csvdecode", stringFunc(["str"], csvDecode)],
]);
