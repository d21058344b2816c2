/**
 * `format` and `formatlist`: cty's printf, with Go's verbs `%v %#v %t %b %d %o %x %X %e %E %f
 * %g %G %s %q %%`, flags `+ - # 0 space`, widths, precisions and `%[n]` argument indexes.
 *
 * @module
 */
import { ArgError, FuncError, type FuncSpec, graphemes, param } from "./_functions_api.ts";
import { jsonEncode } from "./_functions_json.ts";
import { ConversionError, convert, T, type Value } from "./_hcl_types.ts";

interface Verb {
  raw: string;
  offset: number;
  argNum: number;
  mode: string;
  flags: string;
  width: number;
  prec: number;
}

const VERB = /^%([ +\-#0]*)(?:\[(\d+)\])?(\d*)(?:\.(\d*))?([A-Za-z%]?)/;

/** Formats `args` with a cty format string. @throws {Error} with cty's message. */
export function format(fmt: string, args: readonly Value[]): string {
  let out = "", next = 1, maxUsed = 0, i = 0;
  while (i < fmt.length) {
    const pct = fmt.indexOf("%", i);
    if (pct < 0) {
      out += fmt.slice(i);
      break;
    }
    out += fmt.slice(i, pct);
    const m = VERB.exec(fmt.slice(pct))!;
    if (m[0] === "%%") {
      out += "%";
      i = pct + 2;
      continue;
    }
    if (!m[5] || m[5] === "%" || (m[4] === "" && m[0].includes("."))) {
      throw new Error(`invalid format string starting at offset ${pct}`);
    }
    const argNum = m[2] ? Number(m[2]) : next;
    next = argNum + 1;
    maxUsed = Math.max(maxUsed, argNum);
    const verb: Verb = {
      raw: m[0],
      offset: pct,
      argNum,
      mode: m[5],
      flags: m[1]!,
      width: m[3] ? Number(m[3]) : -1,
      prec: m[4] !== undefined ? Number(m[4]) : -1,
    };
    if (argNum > args.length) {
      throw new Error(
        `not enough arguments for ${
          JSON.stringify(verb.raw)
        } at ${pct}: need index ${argNum} but have ${args.length} total`,
      );
    }
    out += formatVerb(verb, args[argNum - 1]!);
    i = pct + m[0].length;
  }
  if (args.length > maxUsed) {
    throw new Error(
      maxUsed === 0
        ? "too many arguments; no verbs in format string"
        : `too many arguments; only ${maxUsed} used by format string`,
    );
  }
  return out;
}

function formatVerb(v: Verb, arg: Value): string {
  const where = `${JSON.stringify(v.raw)} at ${v.offset}`;
  if (v.mode !== "v" && arg === null) {
    throw new Error(`unsupported value for ${where}: null value cannot be formatted`);
  }
  const as = (t: typeof T.string | typeof T.number | typeof T.bool): Value => {
    try {
      return convert(arg, t);
    } catch (err) {
      if (err instanceof ConversionError) {
        throw new Error(`unsupported value for ${where}: ${err.message}`);
      }
      throw err;
    }
  };
  switch (v.mode) {
    case "v":
      if (!v.flags.includes("#") && typeof arg === "string") return pad(v, arg);
      if (!v.flags.includes("#") && typeof arg === "number") {
        return pad(v, goFloat(arg, "g", -1, ""));
      }
      return pad(v, jsonEncode(arg));
    case "t":
      return as(T.bool) ? "true" : "false";
    case "b":
    case "d":
    case "o":
    case "x":
    case "X": {
      const n = as(T.number) as number;
      if (!Number.isInteger(n)) {
        throw new Error(`unsupported value for ${where}: an integer is required`);
      }
      return padNumber(v, goInt(n, v));
    }
    case "e":
    case "E":
    case "f":
    case "F":
    case "g":
    case "G":
      return padNumber(v, goFloat(as(T.number) as number, v.mode, v.prec, v.flags));
    case "s":
    case "q": {
      let s = as(T.string) as string;
      if (v.prec > 0) s = graphemes(s).slice(0, v.prec).join("");
      return pad(v, v.mode === "q" ? jsonEncode(s) : s);
    }
  }
  throw new Error(
    `unsupported format verb ${JSON.stringify(v.mode)} in ${
      JSON.stringify(v.raw)
    } at offset ${v.offset}`,
  );
}

/** Pads to the width in grapheme clusters, as cty does for `%v`, `%s` and `%q`. */
function pad(v: Verb, s: string): string {
  const n = v.width - graphemes(s).length;
  if (n <= 0) return s;
  if (v.flags.includes("-")) return s + " ".repeat(n);
  return (v.flags.includes("0") ? "0" : " ").repeat(n) + s;
}

/** Pads a formatted number as Go's fmt does: zeros go after the sign. */
function padNumber(v: Verb, s: string): string {
  const n = v.width - s.length;
  if (n <= 0) return s;
  if (v.flags.includes("-")) return s + " ".repeat(n);
  const zeroOk = v.flags.includes("0") && !(v.prec >= 0 && "bdoxX".includes(v.mode)) &&
    /\d/.test(s);
  if (!zeroOk) return " ".repeat(n) + s;
  const sign = /^[+\- ]/.test(s) ? s[0]! : "";
  return sign + "0".repeat(n) + s.slice(sign.length);
}

function goInt(n: number, v: Verb): string {
  const big = BigInt(n);
  const neg = big < 0n;
  const base = { b: 2, d: 10, o: 8, x: 16, X: 16 }[v.mode as "b"]!;
  let digits = (neg ? -big : big).toString(base);
  if (v.mode === "X") digits = digits.toUpperCase();
  if (v.prec >= 0) digits = v.prec === 0 && big === 0n ? "" : digits.padStart(v.prec, "0");
  let prefix = "";
  if (v.flags.includes("#")) {
    prefix = {
      b: "0b",
      o: digits.startsWith("0") ? "" : "0",
      x: "0x",
      X: "0X",
      d: "",
    }[v.mode as "b"]!;
  }
  return signOf(neg, v.flags) + prefix + digits;
}

function signOf(neg: boolean, flags: string): string {
  return neg ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "";
}

/** Formats a number as Go's `fmt` formats a `big.Float` with `%e`, `%f` or `%g`. */
export function goFloat(x: number, mode: string, prec: number, flags: string): string {
  const neg = x < 0 || Object.is(x, -0);
  const sign = signOf(neg, flags);
  const a = Math.abs(x);
  if (!Number.isFinite(a)) return (neg ? "-" : "+") + "Inf";
  const upper = mode === "E" || mode === "G";
  switch (mode.toLowerCase()) {
    case "e":
      return sign + expForm(a.toExponential(prec < 0 ? 6 : prec), upper);
    case "f":
      return sign + fixed(a, prec < 0 ? 6 : prec);
  }
  // %g: shortest digits, or `prec` significant digits with trailing zeros dropped.
  const [mant, expText] = (prec < 0 ? a.toExponential() : a.toExponential(Math.max(prec, 1) - 1))
    .split("e") as [string, string];
  const digits = mant.replace(".", "").replace(/0+$/, "") || "0";
  const exp = Number(expText);
  let eprec = prec < 0 ? 6 : Math.max(prec, 1);
  if (prec >= 0 && eprec > digits.length && digits.length >= exp + 1) eprec = digits.length;
  if (exp < -4 || exp >= eprec) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return sign + expForm(`${m}e${exp >= 0 ? "+" : ""}${exp}`, upper);
  }
  return sign + fixed(a, Math.max(digits.length - (exp + 1), 0));
}

function expForm(s: string, upper: boolean): string {
  const [m, e] = s.split("e") as [string, string];
  const sign = e.startsWith("-") ? "-" : "+";
  const digits = e.replace(/^[+-]/, "").padStart(2, "0");
  return `${m}${upper ? "E" : "e"}${sign}${digits}`;
}

function fixed(a: number, prec: number): string {
  if (a < 1e21) return a.toFixed(Math.min(prec, 100));
  const int = BigInt(a).toString();
  return prec > 0 ? `${int}.${"0".repeat(prec)}` : int;
}

function formatList(fmt: string, args: readonly Value[]): Value {
  if (args.length === 0) return [format(fmt, [])];
  let n = -1, chooser = -1;
  for (const [i, a] of args.entries()) {
    if (!Array.isArray(a)) continue;
    if (n === -1) {
      n = a.length;
      chooser = i;
    } else if (a.length !== n) {
      throw new ArgError(
        i + 1,
        `argument ${i + 1} has length ${a.length}, which is inconsistent with argument ${
          chooser + 1
        } of length ${n}`,
      );
    }
  }
  if (n === 0) return [];
  const out: string[] = [];
  for (let k = 0; k < Math.max(n, 1); k++) {
    const row = args.map((a) => (Array.isArray(a) ? a[k]! : a));
    try {
      out.push(format(fmt, row));
    } catch (err) {
      throw new FuncError(`error on format iteration ${k}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** `format` and `formatlist`. */
export const FORMAT_FUNCTIONS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  ["format", {
    params: [param("format", T.string)],
    varParam: param("args", T.any, true),
    impl: ([fmt, ...args]) => format(fmt as string, args),
  }],
  ["formatlist", {
    params: [param("format", T.string)],
    varParam: param("args", T.any, true),
    impl: ([fmt, ...args]) => formatList(fmt as string, args),
  }],
]);
