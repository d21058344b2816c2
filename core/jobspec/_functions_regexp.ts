/**
 * Regular-expression functions: Nomad's `regex_replace` and Terraform's `regex`/`regexall`.
 * Patterns use Go's RE2 syntax, translated to JavaScript: `(?P<name>...)`, leading `(?i)`-style
 * flags, `\A`, `\z`, `\pL` and POSIX classes like `[[:alpha:]]`. RE2's lookarounds-free syntax
 * is otherwise a subset of JavaScript's.
 *
 * @module
 */
import { ArgError, type FuncSpec, param } from "./_functions_api.ts";
import { objectFrom, T, type Value } from "./_hcl_types.ts";

const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};
const SYNTAX = new Set("^$\\.*+?()[]{}|/");

/**
 * Compiles an RE2 pattern as a JavaScript RegExp (flags `u` plus `g` when `global`).
 *
 * @throws {Error} with the reason when the pattern is invalid.
 */
export function compileRE2(pattern: string, global: boolean): RegExp {
  let flags = "u" + (global ? "g" : "");
  let src = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    if (lead[1]!.includes("U")) throw new Error("ungreedy mode (?U) is not supported");
    flags += [...new Set(lead[1])].join("");
    src = src.slice(lead[0].length);
  }
  let out = "", inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === "\\") {
      const n = src[i + 1] ?? "";
      i++;
      if (n === "A" && !inClass) out += "^";
      else if (n === "z" && !inClass) out += "$(?![\\s\\S])";
      else if ((n === "p" || n === "P") && /[A-Za-z]/.test(src[i + 1] ?? "")) {
        out += `\\${n}{${src[i + 1]}}`;
        i++;
      } else if (/[A-Za-z0-9]/.test(n) || SYNTAX.has(n) || (inClass && n === "-")) out += "\\" + n;
      else out += n;
      continue;
    }
    if (inClass && c === "[" && src[i + 1] === ":") {
      const m = /^\[:(\^?)([a-z]+):\]/.exec(src.slice(i));
      const cls = m && POSIX[m[2]!];
      if (cls && !m[1]) {
        out += cls;
        i += m[0].length - 1;
        continue;
      }
    }
    if (!inClass && src.startsWith("(?P<", i)) {
      out += "(?<";
      i += 3;
      continue;
    }
    if (c === "[" && !inClass) {
      inClass = true;
      out += c;
      if (src[i + 1] === "^") out += src[++i];
      if (src[i + 1] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (c === "]" && inClass) inClass = false;
    else if (inClass && c === "[") {
      out += "\\[";
      continue;
    }
    out += c;
  }
  return new RegExp(out, flags);
}

function compileArg(pattern: string, global: boolean, index: number): RegExp {
  try {
    return compileRE2(pattern, global);
  } catch (err) {
    throw new ArgError(index, `invalid regular expression pattern: ${(err as Error).message}`);
  }
}

/** Every match of a global regexp, skipping empty matches right after a match, as Go does. */
export function allMatches(re: RegExp, s: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  let prevEnd = -1;
  for (;;) {
    const m = re.exec(s);
    if (!m) break;
    const end = m.index + m[0].length;
    if (m[0] === "") {
      re.lastIndex = m.index + (s.codePointAt(m.index)! > 0xffff ? 2 : 1);
      if (m.index === prevEnd) {
        if (m.index >= s.length) break;
        continue;
      }
    }
    out.push(m);
    prevEnd = end;
    if (m.index >= s.length) break;
  }
  return out;
}

/** Expands Go's replacement template (`$1`, `${1}`, `$name`, `${name}`, `$$`) for a match. */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(
    /\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g,
    (_all, d, braced, bare) => {
      if (d === "$") return "$";
      const name = (braced ?? bare) as string;
      if (/^\d+$/.test(name)) return m[Number(name)] ?? "";
      return m.groups?.[name] ?? "";
    },
  );
}

function groupNames(re: RegExp): { named: boolean; unnamed: boolean; count: number } {
  const count = new RegExp(`${re.source}|`, re.flags.replace("g", "")).exec("")!.length - 1;
  const names = /\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g;
  const named = [...re.source.matchAll(names)].length;
  return { named: named > 0, unnamed: count > named, count };
}

function matchResult(re: RegExp, m: RegExpExecArray): Value {
  const g = groupNames(re);
  if (g.named && g.unnamed) {
    throw new ArgError(0, "pattern must use either named or unnamed capture groups, not both");
  }
  if (g.count === 0) return m[0];
  if (g.named) return objectFrom(Object.entries(m.groups ?? {}).map(([k, v]) => [k, v ?? null]));
  return m.slice(1).map((x) => x ?? null);
}

/** The regular-expression functions by name. */
export const REGEXP_FUNCTIONS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  ["regex_replace", {
    params: [param("str", T.string), param("substr", T.string), param("replace", T.string)],
    impl: ([s, pattern, rep]) => {
      const re = compileArg(pattern as string, true, 1);
      const str = s as string;
      let out = "", last = 0;
      for (const m of allMatches(re, str)) {
        out += str.slice(last, m.index) + expand(rep as string, m);
        last = m.index + m[0].length;
      }
      return out + str.slice(last);
    },
  }],
  ["regex", {
    params: [param("pattern", T.string), param("string", T.string)],
    impl: ([pattern, s]) => {
      const re = compileArg(pattern as string, false, 0);
      const m = re.exec(s as string);
      if (!m) throw new ArgError(1, "pattern did not match any part of the given string");
      return matchResult(re, m);
    },
  }],
  ["regexall", {
    params: [param("pattern", T.string), param("string", T.string)],
    impl: ([pattern, s]) => {
      const re = compileArg(pattern as string, true, 0);
      return allMatches(re, s as string).map((m) => matchResult(re, m));
    },
  }],
]);
