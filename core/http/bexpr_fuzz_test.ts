import { assert, assertEquals } from "../../tests/assert.ts";
import { evaluateExpression } from "./_bexpr_eval.ts";
import { parseExpression } from "./_bexpr_parser.ts";
import { BexprError, compileFilter, type Filter } from "./bexpr.ts";

// These tests call the parser and evaluator directly: compileFilter() turns any stray
// exception into a BexprError, which would hide the bugs they look for.

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}

const TOKENS = [
  "a",
  "Status",
  "Meta",
  "Tags",
  "Count",
  "TaskGroups",
  "x",
  ".",
  ".0",
  "[",
  "]",
  '"k"',
  "`v`",
  "==",
  "!=",
  "in",
  "not",
  "is",
  "empty",
  "nil",
  "contains",
  "matches",
  "and",
  "or",
  "(",
  ")",
  "{",
  "}",
  "any",
  "all",
  "as",
  ",",
  "_",
  "3",
  "-1.5",
  "0x1",
  "01",
  " ",
  " ",
  " ",
  "\t",
  "\n",
  "é",
  '"/Meta/k"',
  "\\",
  '"("',
  '"',
  "`",
  "-",
  "~",
  "😀",
  "\u0000",
  '"\\u12"',
];

const DATA: unknown[] = [
  {},
  null,
  [],
  "text",
  3,
  { Status: "running", Meta: { k: "v" }, Tags: ["a", "b"], Count: 3, TaskGroups: [{ x: 1 }] },
  { Status: null, Meta: null, Tags: null, Count: 1.5, TaskGroups: null, a: true, x: [[1]] },
  { Status: 7, Meta: [1, "k"], Tags: { a: 1 }, Count: "3", TaskGroups: "x", a: { b: null } },
];

/** Generates a syntactically valid expression over the DATA fields. */
function generate(r: () => number, depth: number): string {
  const roll = r();
  if (depth > 0 && roll < 0.15) return `(${generate(r, depth - 1)})`;
  if (depth > 0 && roll < 0.3) return `not ${generate(r, depth - 1)}`;
  if (depth > 0 && roll < 0.45) {
    return `${generate(r, depth - 1)} ${pick(r, ["and", "or"])} ${generate(r, depth - 1)}`;
  }
  if (depth > 0 && roll < 0.5) {
    return `${pick(r, ["any", "all"])} Tags as t { t ${pick(r, ["==", "!="])} a }`;
  }
  const selector = pick(r, ["Status", "Meta.k", 'Meta["k"]', "Tags", "Count", "a", '"/Meta/k"']);
  const value = pick(r, ["running", '"v"', "3", "`a`", "-1.5", "true"]);
  return pick(r, [
    `${selector} == ${value}`,
    `${selector} != ${value}`,
    `${value} in ${selector}`,
    `${selector} not contains ${value}`,
    `${selector} is empty`,
    `${selector} is not nil`,
    `${selector} matches "^r"`,
  ]);
}

function soup(r: () => number): string {
  const n = 1 + Math.floor(r() * 12);
  return Array.from({ length: n }, () => pick(r, TOKENS)).join(r() < 0.5 ? " " : "");
}

/** A valid expression with a token replaced, dropped, added, or the text cut short. */
function mutate(r: () => number, text: string): string {
  const parts = text.split(" ");
  const at = Math.floor(r() * parts.length);
  const roll = r();
  if (roll < 0.2) return text;
  if (roll < 0.4) parts[at] = pick(r, TOKENS);
  else if (roll < 0.6) parts.splice(at, 1);
  else if (roll < 0.8) parts.splice(at, 0, pick(r, TOKENS));
  else return text.slice(0, Math.floor(r() * text.length));
  return parts.join(" ");
}

/** Runs `fn`; anything thrown must be a BexprError. Returns the result or the error. */
function guarded<T>(what: string, fn: () => T): T | BexprError {
  try {
    return fn();
  } catch (e) {
    if (e instanceof BexprError) return e;
    throw new Error(`${what} threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
}

Deno.test("parsing and evaluating throw nothing but BexprError on token soup", () => {
  const r = rng(1);
  let parsed = 0;
  for (let i = 0; i < 20_000; i++) {
    const text = i % 2 === 0 ? soup(r) : mutate(r, generate(r, 2));
    const filter = guarded(`parse(${JSON.stringify(text)})`, () => parseExpression(text));
    if (filter instanceof BexprError) {
      const pos = filter.position;
      assert(pos === undefined || pos.offset <= new TextEncoder().encode(text).length, text);
      continue;
    }
    parsed++;
    for (const datum of DATA) {
      const result = guarded(
        `eval(${JSON.stringify(text)})`,
        () => evaluateExpression(filter, datum),
      );
      assert(typeof result === "boolean" || result instanceof BexprError);
    }
  }
  assert(parsed > 2_000, `only ${parsed} of the random texts parsed; the generator is too noisy`);
});

Deno.test("parsing throws nothing but BexprError on random characters", () => {
  const r = rng(2);
  for (let i = 0; i < 5_000; i++) {
    const n = Math.floor(r() * 30);
    const text = Array.from({ length: n }, () => String.fromCharCode(Math.floor(r() * 0x3000)))
      .join("");
    guarded(`parse(${JSON.stringify(text)})`, () => parseExpression(text));
  }
});

function outcome(filter: Filter, datum: unknown): boolean | "error" {
  const ast = parseExpression(filter.expression);
  const result = guarded(filter.expression, () => evaluateExpression(ast, datum));
  return result instanceof BexprError ? "error" : result;
}

Deno.test("generated expressions parse, and not/and/or obey boolean logic", () => {
  const r = rng(3);
  for (let i = 0; i < 3_000; i++) {
    const a = generate(r, 3);
    const b = generate(r, 3);
    const fa = compileFilter(a);
    const fb = compileFilter(b);
    const not = compileFilter(`not (${a})`);
    const and = compileFilter(`(${a}) and (${b})`);
    const or = compileFilter(`(${a}) or (${b})`);
    for (const datum of DATA) {
      const va = outcome(fa, datum);
      const vb = outcome(fb, datum);
      if (va === "error") {
        assertEquals(outcome(not, datum), "error", `not (${a})`);
        continue;
      }
      assertEquals(outcome(not, datum), !va, `not (${a})`);
      // Short-circuit: b is only evaluated when a does not decide.
      assertEquals(outcome(and, datum), va === false ? false : vb, `(${a}) and (${b})`);
      assertEquals(outcome(or, datum), va === true ? true : vb, `(${a}) or (${b})`);
    }
  }
});

Deno.test("== and != are complements, and so are in and not in, for every datum", () => {
  const r = rng(4);
  for (let i = 0; i < 2_000; i++) {
    const selector = pick(r, ["Status", "Meta.k", "Tags", "Count", "a", "Meta.zz"]);
    const value = pick(r, ["running", "v", "3", "a", "true", "1.5"]);
    for (const [yes, no] of [["==", "!="], ["in", "not in"]] as const) {
      const text = (op: string) =>
        op.endsWith("in") ? `${value} ${op} ${selector}` : `${selector} ${op} ${value}`;
      const fy = compileFilter(text(yes));
      const fn = compileFilter(text(no));
      for (const datum of DATA) {
        const y = outcome(fy, datum);
        const n = outcome(fn, datum);
        if (y === "error") assertEquals(n, "error", text(no));
        else assertEquals(n, !y, text(no));
      }
    }
  }
});
