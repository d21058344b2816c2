import { assertEquals } from "../../tests/assert.ts";
import { assertArgError, assertCallError, assertExprError, run } from "./_expr_testing.ts";

Deno.test("try() returns the first argument that evaluates without error", () => {
  assertEquals(run('try(var.m.missing, "fallback")', { m: {} }), "fallback");
  assertEquals(run("try(var.m.a, 0)", { m: { a: 5 } }), 5);
  assertEquals(run("try(nope(), upper(1), 2)"), "1");
  assertEquals(run("try(jsondecode(var.s).x, null)", { s: "{" }), null);
  const e = assertCallError(
    "try(var.m.a, [1][3])",
    "try",
    "no expression succeeded:\n- Unsupported attribute\n",
    {},
  );
  assertEquals(e.detail.includes("At least one expression must produce a successful result"), true);
  assertCallError("try()", "try", "at least one argument is required");
});

Deno.test("try() does not hide syntax errors, which fail before evaluation", () => {
  assertExprError(() => run("try(1 +, 2)"), { summary: "Invalid expression", offset: 7 });
});

Deno.test("can() tells whether its argument evaluates without error", () => {
  assertEquals(run('[can(var.m.a), can(var.m.b), can(regex("[", "x"))]', { m: { a: null } }), [
    true,
    false,
    false,
  ]);
  assertExprError(() => run("can(1, 2)"), { summary: "Too many function arguments" });
});

Deno.test("convert() converts to a type expression given as second argument", () => {
  assertEquals(run('convert("5", number)'), 5);
  assertEquals(run("convert([1, 2], list(string))"), ["1", "2"]);
  assertEquals(run('convert({a = "1"}, object({a = number, b = optional(bool)}))'), {
    a: 1,
    b: null,
  });
  assertArgError("convert([1], string)", "value", "string required");
  assertExprError(() => run("convert(1, strin)"), {
    summary: "Invalid type specification",
    offset: 11,
  });
});

Deno.test("tostring(), tonumber() and tobool() convert primitives with Terraform's messages", () => {
  assertEquals(run('[tostring(5), tonumber("1.5"), tobool("true"), tostring(null)]'), [
    "5",
    1.5,
    true,
    null,
  ]);
  assertArgError(
    'tonumber("x")',
    "v",
    'cannot convert "x" to number; given string must be a decimal representation of a number',
  );
  assertArgError(
    'tobool("yes")',
    "v",
    'cannot convert "yes" to bool; only the strings "true" or "false" are allowed',
  );
  assertArgError("tostring([1])", "v", "cannot convert tuple to string");
});

Deno.test("tolist(), toset() and tomap() convert structural values", () => {
  assertEquals(run('tolist([1, "a"])'), ["1", "a"]);
  assertEquals(run('toset(["b", "a", "b"])'), ["a", "b"]);
  assertEquals(run('tomap({a = "foo", b = true})'), { a: "foo", b: "true" });
  assertArgError(
    "tomap({a = 1, b = true})",
    "v",
    "cannot convert object to map of any single type",
  );
  assertArgError("tolist([1, [2]])", "v", "cannot convert tuple to list of any single type");
  assertExprError(() => run("tomap({a = 1}).b"), {
    summary: "Missing map element",
    detail: 'This map does not have an element with the key "b".',
  });
});
