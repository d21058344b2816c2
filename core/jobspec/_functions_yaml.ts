/**
 * `yamlencode` in go-cty-yaml's style (keys sorted, every string double-quoted, multi-line
 * strings as `|` literal blocks, sequences under a key not indented) and `yamldecode` with the
 * YAML 1.2 core schema (the npm `yaml` parser; one document; tags other than the core ones and
 * anchors resolve as that parser does).
 *
 * @module
 */
import { parse as parseYAML } from "yaml";
import { FuncError, type FuncSpec, param } from "./_functions_api.ts";
import { fromJSON } from "./_functions_json.ts";
import { formatNumber, isObject, sortedKeys, T, type Value } from "./_hcl_types.ts";

/** Encodes a value as YAML the way `yamlencode` does. */
export function yamlEncode(v: Value): string {
  return render(v, 0).join("\n") + "\n";
}

function scalar(v: Value): string | null {
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "string") return v.includes("\n") ? null : JSON.stringify(v.toWellFormed());
  if (Array.isArray(v) && v.length === 0) return "[]";
  if (isObject(v) && Object.keys(v).length === 0) return "{}";
  return null;
}

/** A literal block: the indicator line and the content lines at `indent`. */
function literal(s: string, indent: number): string[] {
  const trailing = /\n*$/.exec(s)![0].length;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const body = trailing === 0 ? s : s.slice(0, -1);
  const lead = body.startsWith(" ") ? "2" : "";
  const pad = " ".repeat(indent);
  return [`|${lead}${chomp}`, ...body.split("\n").map((l) => (l === "" ? "" : pad + l))];
}

/**
 * The lines of `v` as a block whose content starts at column `indent`; the first line carries
 * no indentation (the caller puts it after a key or a `- `).
 */
function render(v: Value, indent: number): string[] {
  const s = scalar(v);
  if (s !== null) return [s];
  if (typeof v === "string") return literal(v, indent);
  const pad = " ".repeat(indent);
  const out: string[] = [];
  if (Array.isArray(v)) {
    for (const item of v) {
      const [first, ...rest] = render(item, indent + 2);
      out.push(`${out.length ? pad : ""}- ${first}`, ...rest);
    }
    return out;
  }
  const obj = v as Record<string, Value>;
  for (const k of sortedKeys(obj)) {
    const child = obj[k]!;
    const key = `${out.length ? pad : ""}${JSON.stringify(k)}:`;
    const cs = scalar(child);
    if (cs !== null) out.push(`${key} ${cs}`);
    else if (typeof child === "string") {
      const [indicator, ...lines] = literal(child, indent + 2);
      out.push(`${key} ${indicator}`, ...lines);
    } else if (Array.isArray(child)) {
      const [first, ...rest] = render(child, indent);
      out.push(key, pad + first, ...rest);
    } else {
      const [first, ...rest] = render(child, indent + 2);
      out.push(key, " ".repeat(indent + 2) + first, ...rest);
    }
  }
  return out;
}

/** The YAML functions by name. */
export const YAML_FUNCTIONS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  ["yamlencode", { params: [param("value", T.any, true)], impl: ([v]) => yamlEncode(v!) }],
  ["yamldecode", {
    params: [param("src", T.string)],
    impl: ([src]) => {
      let doc: unknown;
      try {
        doc = parseYAML(src as string, { schema: "core", uniqueKeys: true });
      } catch (err) {
        throw new FuncError((err as Error).message.split("\n")[0]!);
      }
      return fromJSON(JSON.parse(JSON.stringify(doc ?? null)));
    },
  }],
]);
