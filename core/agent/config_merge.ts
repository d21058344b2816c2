/**
 * Merging configurations the way Nomad's `Config.Merge` does: the later one wins wherever it
 * sets something (a non-empty string, a non-zero number, a `true`, a set pointer), blocks merge
 * key by key, maps merge, labeled blocks (`plugin "x"`, `host_volume "x"`) merge by label, a few
 * lists (`servers`, `retry_join`, the loaded files) are concatenated and other lists replaced.
 *
 * As in Nomad, a later `false` or `0` cannot undo an earlier `true` or number.
 *
 * @module
 */
import type { Kind, StructSpec } from "../structs/mod.ts";
import { APPENDED_LISTS, type Config, ConfigSpec } from "./config.ts";

function mergeKind(kind: Kind, a: unknown, b: unknown, path: string): unknown {
  switch (kind.k) {
    case "string":
      return b !== "" && b !== undefined ? b : a;
    case "int":
    case "float":
    case "duration":
      return b !== 0 && b !== undefined ? b : a;
    case "bool":
      return b === true ? true : a;
    case "any":
      return b !== null && b !== undefined ? b : a;
    case "nullable":
      if (b === null || b === undefined) return a;
      if (a === null || a === undefined) return b;
      return mergeKind(kind.of, a, b, path);
    case "struct":
      return mergeStruct(
        kind.spec,
        a as Record<string, unknown>,
        b as Record<string, unknown>,
        path,
      );
    case "map":
      if (b === null || b === undefined) return a;
      return { ...(a as Record<string, unknown> | null), ...(b as Record<string, unknown>) };
    case "list": {
      const left = (a as unknown[] | null) ?? null;
      const right = (b as unknown[] | null) ?? null;
      if (kind.of.k === "struct") return mergeLabeled(kind.of.spec, left, right, path);
      if (APPENDED_LISTS.has(path)) {
        return left === null && right === null ? null : [...left ?? [], ...right ?? []];
      }
      return right !== null && right.length > 0 ? right : left;
    }
    default:
      return b ?? a;
  }
}

function mergeLabeled(
  spec: StructSpec<unknown>,
  a: unknown[] | null,
  b: unknown[] | null,
  path: string,
): unknown[] | null {
  if (b === null || b.length === 0) return a;
  const out = [...a ?? []] as Record<string, unknown>[];
  for (const item of b as Record<string, unknown>[]) {
    const i = out.findIndex((x) => x.Name === item.Name);
    if (i === -1) out.push(item);
    else out[i] = mergeStruct(spec, out[i]!, item, path) ?? item;
  }
  return out;
}

function mergeStruct(
  spec: StructSpec<unknown>,
  a: Record<string, unknown> | null,
  b: Record<string, unknown> | null,
  path: string,
): Record<string, unknown> | null {
  if (b === null || b === undefined) return a;
  if (a === null || a === undefined) return b;
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(spec.fields)) {
    out[name] = mergeKind(f.kind, a[name], b[name], path === "" ? name : `${path}.${name}`);
  }
  return out;
}

/**
 * Merges `over` onto `base` and returns a new configuration; neither argument is changed.
 *
 * @example
 * ```ts
 * const merged = mergeConfig(defaultConfig(), fileConfig);
 * ```
 */
export function mergeConfig(base: Config, over: Config): Config {
  return mergeStruct(
    ConfigSpec as StructSpec<unknown>,
    base as unknown as Record<string, unknown>,
    over as unknown as Record<string, unknown>,
    "",
  ) as unknown as Config;
}
