/**
 * Decodes a configuration tree against the schema of config.ts: every key must be one of the
 * block's keys and every value must fit its field's Go kind, with the weak conversions HCL 1
 * applies (`"3"` for a number, `"true"` for a bool). Problems are collected, each at
 * `file:line:col`, so one run reports them all.
 *
 * @module
 */
import { type Kind, parseDuration, type StructSpec, zero } from "../structs/mod.ts";
import type { SourcePos } from "../jobspec/mod.ts";
import { type ConfigNode, plainValue } from "./_config_tree.ts";
import { IGNORED_BLOCKS } from "./config.ts";

/** Where decoding problems and warnings go: `file:line:col: message` lines. */
export interface DecodeReport {
  readonly errors: string[];
  readonly warnings: string[];
}

function at(pos: SourcePos): string {
  return `${pos.file}:${pos.line}:${pos.col}`;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest known key, when one is close enough to be a typo. */
function suggest(key: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = levenshtein(key.toLowerCase(), k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  const limit = key.length <= 3 ? 1 : Math.max(2, Math.floor(key.length / 3));
  return bestDistance <= limit ? best : undefined;
}

function describe(node: ConfigNode): string {
  if (node.t === "list") return "a list";
  if (node.t === "object") return "a block";
  return node.value === null ? "null" : JSON.stringify(node.value);
}

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

class Decoder {
  readonly report: DecodeReport;

  constructor(report: DecodeReport) {
    this.report = report;
  }

  error(pos: SourcePos, message: string): undefined {
    this.report.errors.push(`${at(pos)}: ${message}`);
    return undefined;
  }

  /** Decodes a block (or repeated blocks, merged in order) into a new struct. */
  struct<T>(spec: StructSpec<T>, node: ConfigNode, path: string, label?: string): T | undefined {
    const out = zero(spec) as Record<string, unknown>;
    const byHcl = new Map<string, [string, Kind]>();
    for (const [name, f] of Object.entries(spec.fields)) {
      if (f.hcl?.label) out[name] = label ?? "";
      else if (f.hcl) byHcl.set(f.hcl.name, [name, f.kind]);
    }
    const bodies = node.t === "list" ? node.items : [node];
    for (const body of bodies) {
      if (body.t !== "object") {
        return this.error(
          body.pos,
          `${path || "the configuration"} must be a block, got ${describe(body)}`,
        );
      }
      for (const e of body.entries) {
        const where = path === "" ? e.key : `${path}.${e.key}`;
        if (path === "" && e.key === "server_join") {
          this.report.warnings.push(
            `${at(e.pos)}: a server_join block at the top level is ignored, as Nomad ignores it; ` +
              `put it inside the server block (or the client block)`,
          );
          continue;
        }
        const found = byHcl.get(e.key);
        if (!found) {
          const hint = suggest(e.key, byHcl.keys());
          this.error(
            e.pos,
            `unexpected key "${e.key}"${path ? ` in the ${path} block` : ""}` +
              (hint ? `; did you mean "${hint}"?` : ""),
          );
          continue;
        }
        if (path === "" && e.key in IGNORED_BLOCKS) {
          this.report.warnings.push(
            `${at(e.pos)}: the ${e.key} block is accepted but ignored: ${IGNORED_BLOCKS[e.key]}`,
          );
        }
        const [name, kind] = found;
        const value = this.value(kind, e.value, where, out[name]);
        if (value !== undefined) out[name] = value;
      }
    }
    return out as T;
  }

  value(kind: Kind, node: ConfigNode, path: string, current: unknown): unknown {
    switch (kind.k) {
      case "nullable":
        return this.value(kind.of, node, path, current);
      case "struct":
        return this.struct(kind.spec, node, path);
      case "any":
        return plainValue(node);
      case "map":
        return this.map(kind.of, node, path, current as Record<string, unknown> | null);
      case "list":
        return kind.of.k === "struct"
          ? this.labeled(kind.of.spec, node, path, (current as unknown[] | null) ?? [])
          : this.list(kind.of, node, path);
      default:
        return this.scalar(kind, node, path);
    }
  }

  scalar(kind: Kind, node: ConfigNode, path: string): unknown {
    if (node.t !== "scalar") {
      return this.error(node.pos, `${path} must be a single value, got ${describe(node)}`);
    }
    const v = node.value;
    const bad = (what: string) =>
      this.error(node.pos, `${path} must be ${what}, got ${describe(node)}`);
    switch (kind.k) {
      case "string":
        return typeof v === "string"
          ? v
          : typeof v === "number" || typeof v === "boolean"
          ? String(v)
          : bad("a string");
      case "int": {
        const n = typeof v === "number"
          ? v
          : typeof v === "string" && /^\s*[-+]?\d+\s*$/.test(v)
          ? Number(v)
          : NaN;
        return Number.isInteger(n) ? n : bad("a whole number");
      }
      case "float": {
        const n = typeof v === "number"
          ? v
          : typeof v === "string" && v.trim() !== ""
          ? Number(v)
          : NaN;
        return Number.isFinite(n) ? n : bad("a number");
      }
      case "bool":
        if (typeof v === "boolean") return v;
        if (typeof v === "string" && TRUE.has(v)) return true;
        if (typeof v === "string" && FALSE.has(v)) return false;
        return bad("true or false");
      case "duration":
        if (typeof v !== "string") return bad('a duration such as "30s"');
        try {
          return parseDuration(v);
        } catch (err) {
          return this.error(
            node.pos,
            `${path} must be a duration such as "30s": ${(err as Error).message}`,
          );
        }
      default:
        return bad(kind.k);
    }
  }

  list(of: Kind, node: ConfigNode, path: string): unknown[] | undefined {
    const items = node.t === "list"
      ? node.items
      : node.t === "scalar" && node.value !== null
      ? [node]
      : null;
    if (items === null) {
      return this.error(node.pos, `${path} must be a list, got ${describe(node)}`);
    }
    const out: unknown[] = [];
    items.forEach((item, i) => {
      const v = this.scalar(of, item, `${path}[${i}]`);
      if (v !== undefined) out.push(v);
    });
    return out;
  }

  map(of: Kind, node: ConfigNode, path: string, current: Record<string, unknown> | null) {
    if (of.k === "any") return plainValue(node);
    const bodies = node.t === "list" ? node.items : [node];
    const out: Record<string, unknown> = { ...current };
    for (const body of bodies) {
      if (body.t !== "object") {
        return this.error(body.pos, `${path} must be a map, got ${describe(body)}`);
      }
      for (const e of body.entries) {
        const v = this.scalar(of, e.value, `${path}.${e.key}`);
        if (v !== undefined) out[e.key] = v;
      }
    }
    return out;
  }

  /** Labeled blocks (`plugin "docker" { ... }`): one struct per label, in file order. */
  labeled(spec: StructSpec<unknown>, node: ConfigNode, path: string, current: unknown[]) {
    const out = [...current];
    const bodies = node.t === "list" ? node.items : [node];
    for (const body of bodies) {
      if (body.t !== "object") {
        return this.error(
          body.pos,
          `${path} must be a labeled block such as ${path} "name" { ... }`,
        );
      }
      for (const e of body.entries) {
        const v = this.struct(spec, e.value, `${path} "${e.key}"`, e.key);
        if (v !== undefined) out.push(v);
      }
    }
    return out;
  }
}

/**
 * Decodes a file's tree into a struct of `spec`; problems and warnings go to `report`.
 *
 * @returns the decoded struct, with zero values where the file is silent.
 */
export function decodeTree<T>(spec: StructSpec<T>, root: ConfigNode, report: DecodeReport): T {
  const d = new Decoder(report);
  return d.struct(spec, root, "") ?? zero(spec);
}
