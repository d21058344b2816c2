import { assertEquals } from "../../tests/assert.ts";
import { assertExprError, run, tmpl } from "./_expr_testing.ts";
import { evalTemplate } from "./expr.ts";

Deno.test("evaluate() does arithmetic on numbers and numeric strings", () => {
  assertEquals(run("1 + 2 * 3 - 4 / 2"), 5);
  assertEquals(run("7 % 3"), 1);
  assertEquals(run("-7 % 3"), -1);
  assertEquals(run('"5" + 1'), 6);
  assertEquals(run("-var.n", { n: 3 }), -3);
  assertEquals(run("1 / 0"), Infinity);
  assertExprError(() => run('1 + "a"'), {
    summary: "Invalid operand",
    detail: "Unsuitable value for right operand: a number is required.",
    offset: 4,
  });
  assertExprError(() => run("[1] * 2"), {
    summary: "Invalid operand",
    detail: "Unsuitable value for left operand: number required.",
    offset: 0,
  });
  assertExprError(() => run("1 + null"), {
    summary: "Operation failed",
    detail: "Error during operation: argument must not be null.",
  });
  assertEquals(run("5 % 0"), 5);
  assertExprError(() => run("0 / 0"), { summary: "Operation failed" });
  assertExprError(() => run("-true"), { summary: "Invalid operand", offset: 1 });
});

Deno.test("evaluate() compares numbers and tests equality without conversion", () => {
  assertEquals(run("1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 4"), false);
  assertEquals(run('"10" > 9'), true);
  assertEquals(run('1 == "1"'), false);
  assertEquals(run("1 == 1.0"), true);
  assertEquals(run('[1, {a = "x"}] == [1, {a = "x"}]'), true);
  assertEquals(run("{a = 1} != {a = 1, b = 2}"), true);
  assertEquals(run("null == null"), true);
  assertEquals(run("var.x == null", { x: null }), true);
});

Deno.test("evaluate() converts the operands of logical operators to bool and evaluates both", () => {
  assertEquals(run('!false && "true"'), true);
  assertEquals(run("false || false"), false);
  assertExprError(() => run("1 && true"), { summary: "Invalid operand", offset: 0 });
  assertExprError(() => run("true || var.missing", {}), {
    summary: "Unsupported attribute",
    offset: 11,
  });
});

Deno.test("evaluate() returns the chosen branch of a conditional, unified with the other", () => {
  assertEquals(run('true ? "a" : "b"'), "a");
  assertEquals(run('"false" ? 1 : 2'), 2);
  assertEquals(run('true ? 1 : "x"'), "1");
  assertEquals(run("false ? [1] : [2]"), [2]);
  assertEquals(run("true ? [1, 2] : []"), [1, 2]);
  assertEquals(run('true ? {a = 1} : {b = "x"}'), { a: "1" });
  assertEquals(run("var.x != null ? var.x.a : 0", { x: null }), 0);
  assertExprError(() => run("true ? 1 : [1]"), {
    summary: "Inconsistent conditional result types",
    detail: "The 'true' value is number, but the 'false' value is tuple.",
    offset: 0,
  });
  assertExprError(() => run("null ? 1 : 2"), { summary: "Null condition", offset: 0 });
  assertExprError(() => run('"maybe" ? 1 : 2'), { summary: "Incorrect condition type", offset: 0 });
});

Deno.test("evaluate() builds tuples and objects with evaluated keys in cty's key order", () => {
  assertEquals(run("[1, var.n, [true]]", { n: "x" }), [1, "x", [true]]);
  const obj = run('{b = 1, "a" = 2, (var.k) = 3, 4 = 5}', { k: "c" }) as Record<string, unknown>;
  assertEquals(obj, { b: 1, a: 2, c: 3, "4": 5 });
  assertEquals(Object.keys(obj), ["4", "a", "b", "c"]);
  assertEquals(run('{"__proto__" = 1}'), JSON.parse('{"__proto__": 1}'));
  assertExprError(() => run("{(null) = 1}"), { summary: "Null value as key", offset: 1 });
  assertExprError(() => run("{(var.l) = 1}", { l: [1] }), {
    summary: "Incorrect key type",
    offset: 1,
  });
});

Deno.test("evaluate() runs tuple for expressions over lists and objects in key order", () => {
  assertEquals(run("[for s in var.l : upper(s)]", { l: ["a", "b"] }), ["A", "B"]);
  assertEquals(run("[for i, s in var.l : i]", { l: ["a", "b"] }), [0, 1]);
  assertEquals(run("[for k, v in var.m : k]", { m: { b: 1, a: 2 } }), ["a", "b"]);
  assertEquals(run("[for v in var.m : v]", { m: { b: 1, a: 2 } }), [2, 1]);
  assertEquals(run("[for n in [1, 2, 3, 4] : n * n if n % 2 == 0]"), [4, 16]);
  assertExprError(() => run("[for x in null : x]"), {
    summary: "Iteration over null value",
    offset: 10,
  });
  assertExprError(() => run('[for x in "ab" : x]'), {
    summary: "Iteration over non-iterable value",
    detail: "A value of type string cannot be used as the collection in a 'for' expression.",
  });
  assertExprError(() => run("[for x in [1] : x if null]"), {
    summary: "Invalid 'for' condition",
    offset: 21,
  });
  assertExprError(() => run("[for x in [1] : x if x]"), { summary: "Invalid 'for' condition" });
});

Deno.test("evaluate() groups by key in object for expressions and refuses duplicates otherwise", () => {
  const people = [{ n: "a", t: "x" }, { n: "b", t: "y" }, { n: "c", t: "x" }];
  assertEquals(run("{for p in var.p : p.t => p.n...}", { p: people }), { x: ["a", "c"], y: ["b"] });
  assertEquals(run("{for p in var.p : p.n => p.t}", { p: people }), { a: "x", b: "y", c: "x" });
  assertEquals(run("{for i, v in [5, 6] : i => v}"), { "0": 5, "1": 6 });
  assertExprError(() => run("{for p in var.p : p.t => p.n}", { p: people }), {
    summary: "Duplicate object key",
    detail: "Two different items produced the key \"x\" in this 'for' expression.",
    offset: 18,
  });
  assertExprError(() => run("{for x in [1] : null => x}"), {
    summary: "Invalid object key",
    offset: 16,
  });
});

Deno.test("evaluate() maps splats over lists, wraps single values and gives [] for null", () => {
  const vars = { l: [{ a: { b: 1 } }, { a: { b: 2 } }], o: { a: 3 }, n: null };
  assertEquals(run("var.l[*].a.b", vars), [1, 2]);
  assertEquals(run("var.l.*.a", vars), [{ b: 1 }, { b: 2 }]);
  assertEquals(run("var.l.*.a[1]", vars), { b: 2 });
  assertEquals(run("var.o[*].a", vars), [3]);
  assertEquals(run("var.n[*].a", vars), []);
  assertEquals(run("[[1, 2], [3]][*][0]"), [1, 3]);
});

Deno.test("evaluate() reads attributes and indexes with HCL's errors at the step", () => {
  const vars = { o: { a: [10, 20] }, s: "str", n: null };
  assertEquals(run('var.o.a[1] + var.o["a"][0] + var.o.a.0', vars), 40);
  assertEquals(run('var.o.a["1"]', vars), 20);
  assertEquals(run("[1, 2][var.i]", { i: 1 }), 2);
  assertExprError(() => run("var.o.b", vars), {
    summary: "Unsupported attribute",
    detail: 'This object does not have an attribute named "b".',
    offset: 5,
  });
  assertExprError(() => run("var.s.x", vars), {
    summary: "Unsupported attribute",
    detail: "Can't access attributes on a primitive-typed value (string).",
  });
  assertExprError(() => run("var.n.x", vars), {
    summary: "Attempt to get attribute from null value",
    offset: 5,
  });
  assertExprError(() => run("var.n[0]", vars), {
    summary: "Attempt to index null value",
    offset: 5,
  });
  assertExprError(() => run("var.o.a[2]", vars), { summary: "Invalid index", offset: 7 });
  assertExprError(() => run("var.o.a[-1]", vars), {
    detail: "a negative number is not a valid index",
  });
  assertExprError(() => run("var.o.a[0.5]", vars), { detail: "not a whole number" });
  assertExprError(() => run('var.o["z"]', vars), { summary: "Invalid index", offset: 5 });
  assertExprError(() => run("var.s[0]", vars), { detail: "This value does not have any indices." });
  assertExprError(() => run("[{a = 1}].a"), {
    detail: "Can't access attributes on a list of objects.",
  });
});

Deno.test("evaluate() calls functions with arity checks, argument conversion and ... expansion", () => {
  assertEquals(run('upper("a")'), "A");
  assertEquals(run("max(var.l...)", { l: [1, 5, 3] }), 5);
  assertEquals(run('join("-", ["a"], [1, true])'), "a-1-true");
  assertExprError(() => run("nope(1)"), {
    summary: "Call to unknown function",
    detail: 'There is no function named "nope".',
    offset: 0,
  });
  assertExprError(() => run('upper("a", "b")'), {
    summary: "Too many function arguments",
    detail: 'Function "upper" expects only 1 argument(s).',
    offset: 11,
  });
  assertExprError(() => run("upper()"), { summary: "Not enough function arguments", offset: 6 });
  assertExprError(() => run("upper([1])"), {
    summary: "Invalid function argument",
    detail: 'Invalid value for "str" parameter: string required.',
    offset: 6,
  });
  assertExprError(() => run("upper(null)"), {
    detail: 'Invalid value for "str" parameter: argument must not be null.',
  });
  assertExprError(() => run("max(1...)"), {
    summary: "Invalid expanding argument value",
    offset: 4,
  });
  assertExprError(() => run("max(null...)"), { detail: "must not be null" });
});

Deno.test("evaluate() converts interpolated values to strings the way cty does", () => {
  assertEquals(
    tmpl("${1.50}|${10}|${true}|${1e21}|${0.000001}|${-0.5}"),
    "1.5|10|true|1000000000000000000000|0.000001|-0.5",
  );
  assertEquals(tmpl("${var.n}", { n: 5 }), 5);
  assertEquals(tmpl("x${var.n}", { n: 5 }), "x5");
  assertExprError(() => tmpl("a${var.l}", { l: [1] }), {
    summary: "Invalid template interpolation value",
    detail: "Cannot include the given value in a string template: string required.",
    offset: 3,
  });
  assertExprError(() => tmpl("a${null}"), {
    summary: "Invalid template interpolation value",
    detail: "The expression result is null.",
  });
});

Deno.test("evaluate() runs if and for template directives", () => {
  assertEquals(tmpl("%{ if var.on }on%{ else }off%{ endif }", { on: true }), "on");
  assertEquals(tmpl("%{ if var.on }on%{ endif }", { on: false }), "");
  assertEquals(
    tmpl("%{ for k, v in var.m }${k}=${v};%{ endfor }", { m: { b: 2, a: 1 } }),
    "a=1;b=2;",
  );
  assertEquals(tmpl('%{for i, x in ["a", "b"]}${i}${x}%{endfor}'), "0a1b");
  assertEquals(
    tmpl("hosts:\n%{ for h in var.h ~}\n  - ${h}\n%{ endfor ~}\n", { h: ["a", "b"] }),
    "hosts:\n- a\n- b\n",
  );
  assertExprError(() => tmpl("%{ if 3 }x%{ endif }"), {
    summary: "Incorrect condition type",
    offset: 6,
  });
  assertExprError(() => tmpl("%{ for x in 3 }x%{ endfor }"), {
    summary: "Iteration over non-iterable value",
    offset: 12,
  });
});

Deno.test("evaluate() keeps references to unknown roots as their own ${...} text", () => {
  assertEquals(tmpl("${attr.kernel.name}"), "${attr.kernel.name}");
  assertEquals(tmpl("${ node.unique.id }"), "${ node.unique.id }");
  assertEquals(tmpl('${meta["a.b"]}-x'), '${meta["a.b"]}-x');
  assertEquals(tmpl("${upper(env.HOME)}"), "${ENV.HOME}");
  assertEquals(tmpl('${attr.os == "linux" ? "l" : "o"}'), "o");
  assertExprError(() => tmpl("${var.x}", {}), { summary: "Unsupported attribute", offset: 5 });
  assertEquals(
    evalTemplate("${var.x}/${local.y}", { variables: {}, baseDir: ".", allowFS: false }),
    "${var.x}/${local.y}",
  );
  assertEquals(tmpl("${[for x in [1] : NOMAD_ALLOC_INDEX]}"), ["${NOMAD_ALLOC_INDEX}"]);
  assertEquals(tmpl("${[for x in [1] : x]}"), [1]);
});
