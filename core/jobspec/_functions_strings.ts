/**
 * String functions, as go-cty's stdlib (and Terraform, for the few Nomad does not have):
 * characters are grapheme clusters, as cty counts them.
 *
 * @module
 */
import {
  ArgError,
  FuncError,
  type FuncSpec,
  graphemes,
  param,
  stringFunc,
} from "./_functions_api.ts";
import { T, type Value } from "./_hcl_types.ts";

const SPACE =
  "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const TRIM_SPACE = new RegExp(`^[${SPACE}]+|[${SPACE}]+$`, "g");
const IS_SPACE = new RegExp(`[${SPACE}]`);

/** Go's `strings.TrimSpace`. */
export function trimSpace(s: string): string {
  return s.replace(TRIM_SPACE, "");
}

function isTitleSeparator(ch: string): boolean {
  if (/^[A-Za-z0-9_]$/.test(ch)) return false;
  if (ch.codePointAt(0)! < 0x80) return true;
  if (/^[\p{L}\p{Nd}]$/u.test(ch)) return false;
  return IS_SPACE.test(ch);
}

function title(s: string): string {
  let prev = " ", out = "";
  for (const ch of s) {
    out += isTitleSeparator(prev) ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

function trimCutset(s: string, cutset: string): string {
  const cut = new Set(cutset);
  const chars = Array.from(s);
  let a = 0, b = chars.length;
  while (a < b && cut.has(chars[a]!)) a++;
  while (b > a && cut.has(chars[b - 1]!)) b--;
  return chars.slice(a, b).join("");
}

/** Go's `strings.Replace(s, sub, rep, -1)`: an empty `sub` matches around every character. */
function replaceAll(s: string, sub: string, rep: string): string {
  if (sub !== "") return s.split(sub).join(rep);
  return rep + Array.from(s, (c) => c + rep).join("");
}

function substr(s: string, offset: number, length: number): string {
  const chars = graphemes(s);
  if (offset < 0) offset = Math.max(0, offset + chars.length);
  else if (length === 0) return "";
  if (offset >= chars.length) return "";
  const rest = chars.slice(offset);
  return (length < 0 ? rest : rest.slice(0, length)).join("");
}

function wholeArg(n: number, index: number, what: string): number {
  if (!Number.isInteger(n)) throw new ArgError(index, `${what} must be a whole number`);
  return n;
}

/** The string functions by name. */
export const STRING_FUNCTIONS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  ["upper", stringFunc(["str"], (s) => s.toUpperCase())],
  ["lower", stringFunc(["str"], (s) => s.toLowerCase())],
  ["title", stringFunc(["str"], title)],
  ["strlen", stringFunc(["str"], (s) => graphemes(s).length)],
  ["strrev", stringFunc(["str"], (s) => graphemes(s).reverse().join(""))],
  ["trimspace", stringFunc(["str"], trimSpace)],
  ["chomp", stringFunc(["str"], (s) => s.replace(/(?:\r\n?|\n)*$/, ""))],
  ["trim", stringFunc(["str", "cutset"], trimCutset)],
  [
    "trimprefix",
    stringFunc(["str", "prefix"], (s, p) => (s.startsWith(p) ? s.slice(p.length) : s)),
  ],
  [
    "trimsuffix",
    stringFunc(["str", "suffix"], (s, x) => (x && s.endsWith(x) ? s.slice(0, -x.length) : s)),
  ],
  ["replace", stringFunc(["str", "substr", "replace"], replaceAll)],
  ["strcontains", stringFunc(["str", "substr"], (s, sub) => s.includes(sub))],
  ["startswith", stringFunc(["str", "prefix"], (s, p) => s.startsWith(p))],
  ["endswith", stringFunc(["str", "suffix"], (s, x) => s.endsWith(x))],
  ["substr", {
    params: [param("str", T.string), param("offset", T.number), param("length", T.number)],
    impl: ([s, o, l]) =>
      substr(s as string, wholeArg(o as number, 1, "offset"), wholeArg(l as number, 2, "length")),
  }],
  ["indent", {
    params: [param("spaces", T.number), param("str", T.string)],
    impl: ([n, s]) =>
      (s as string).replaceAll("\n", "\n" + " ".repeat(Math.max(0, Math.trunc(n as number)))),
  }],
  ["join", {
    params: [param("separator", T.string)],
    varParam: param("lists", T.list(T.string)),
    impl: ([sep, ...lists]) => {
      if (lists.length === 0) throw new FuncError("at least one list is required");
      const items: string[] = [];
      for (const [li, list] of lists.entries()) {
        for (const [ei, x] of (list as Value[]).entries()) {
          if (x === null) {
            throw new ArgError(
              li + 1,
              lists.length > 1
                ? `element ${ei} of list ${li + 1} is null; cannot concatenate null values`
                : `element ${ei} is null; cannot concatenate null values`,
            );
          }
          items.push(x as string);
        }
      }
      return items.join(sep as string);
    },
  }],
  ["split", {
    params: [param("separator", T.string), param("str", T.string)],
    impl: ([sep, s]) => (sep === "" ? Array.from(s as string) : (s as string).split(sep as string)),
  }],
]);
