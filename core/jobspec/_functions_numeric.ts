/**
 * Numeric functions of go-cty's stdlib: `abs`, `ceil`, `floor`, `log`, `pow`, `signum`, `max`,
 * `min`, `parseint` and `range`.
 *
 * @module
 */
import { ArgError, FuncError, type FuncSpec, param } from "./_functions_api.ts";
import { T, typeOf, type Value } from "./_hcl_types.ts";

const num = (name: string) => param(name, T.number);

function unary(fn: (n: number) => number): FuncSpec {
  return { params: [num("num")], impl: ([n]) => fn(n as number) + 0 };
}

function extreme(pick: (...n: number[]) => number): FuncSpec {
  return {
    params: [],
    varParam: num("numbers"),
    impl: (args) => {
      if (args.length === 0) throw new FuncError("must pass at least one number");
      return pick(...(args as number[]));
    },
  };
}

const DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Go's `big.Int.SetString(s, base)` for bases 2 to 62. */
function parseInt(v: Value, baseValue: Value): number {
  if (typeof v !== "string") {
    throw new ArgError(0, `first argument must be a string, not ${typeOf(v).kind}`);
  }
  const base = baseValue as number;
  if (!Number.isInteger(base) || base < 2 || base > 62) {
    throw new ArgError(1, "base must be a whole number between 2 and 62 inclusive");
  }
  const neg = v.startsWith("-");
  const body = v.startsWith("-") || v.startsWith("+") ? v.slice(1) : v;
  let n = 0n;
  for (const ch of body) {
    let d = DIGITS.indexOf(base <= 36 ? ch.toLowerCase() : ch);
    if (base <= 36 && d >= 36) d = -1;
    if (d < 0 || d >= base) n = -1n;
    if (n < 0n) break;
    n = n * BigInt(base) + BigInt(d);
  }
  if (body === "" || n < 0n) {
    throw new ArgError(0, `cannot parse ${JSON.stringify(v)} as a base ${base} integer`);
  }
  return Number(neg ? -n : n);
}

function range(args: Value[]): Value {
  const [a, b, c] = args as number[];
  let start: number, end: number, step: number;
  switch (args.length) {
    case 1:
      [start, end, step] = [0, a!, a! < 0 ? -1 : 1];
      break;
    case 2:
      [start, end, step] = [a!, b!, b! < a! ? -1 : 1];
      break;
    case 3:
      [start, end, step] = [a!, b!, c!];
      break;
    default:
      throw new FuncError("must have one, two, or three arguments");
  }
  if (step === 0) throw new ArgError(2, "step must not be zero");
  const down = step < 0;
  if (down && end > start) {
    throw new ArgError(1, "end must be less than start when step is negative");
  }
  if (!down && end < start) {
    throw new ArgError(1, "end must be greater than start when step is positive");
  }
  const out: number[] = [];
  for (let x = start; down ? x > end : x < end; x += step) {
    if (out.length >= 1024) {
      throw new FuncError(
        "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step",
      );
    }
    out.push(x);
  }
  return out;
}

/** The numeric functions by name. */
export const NUMERIC_FUNCTIONS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  ["abs", unary(Math.abs)],
  ["ceil", unary(Math.ceil)],
  ["floor", unary(Math.floor)],
  ["signum", unary((n) => (n > 0 ? 1 : n < 0 ? -1 : 0))],
  ["log", {
    params: [num("num"), num("base")],
    impl: ([n, b]) => Math.log(n as number) / Math.log(b as number),
  }],
  ["pow", {
    params: [num("num"), num("power")],
    impl: ([n, p]) => Math.pow(n as number, p as number),
  }],
  ["max", extreme(Math.max)],
  ["min", extreme(Math.min)],
  ["parseint", { params: [param("number"), num("base")], impl: ([v, b]) => parseInt(v!, b!) }],
  ["range", { params: [], varParam: num("params"), impl: range }],
]);
