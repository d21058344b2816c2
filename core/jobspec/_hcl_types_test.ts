import { assertEquals, assertThrows } from "../../tests/assert.ts";
import {
  ConversionError,
  convert,
  formatNumber,
  type HclType,
  isMapValue,
  T,
  typeOf,
  typeString,
  unifyTypes,
} from "./_hcl_types.ts";
import { assertExprError } from "./_expr_testing.ts";
import { parseTypeExpression } from "./expr.ts";

const ty = (src: string) => parseTypeExpression(src);
const fails = (v: Parameters<typeof convert>[0], t: HclType, message: string) =>
  assertEquals(assertThrows(() => convert(v, t), ConversionError).message, message);

Deno.test("convert() turns primitives into each other as cty does", () => {
  assertEquals(convert("5", T.number), 5);
  assertEquals(convert("-1.5e2", T.number), -150);
  assertEquals(convert(5, T.string), "5");
  assertEquals(convert(0.1, T.string), "0.1");
  assertEquals(convert(true, T.string), "true");
  assertEquals(convert("true", T.bool), true);
  assertEquals(convert("0", T.bool), false);
  assertEquals(convert(null, T.number), null);
  assertEquals(convert([1, "a"], T.any), [1, "a"]);
  fails("abc", T.number, "a number is required");
  fails("", T.number, "a number is required");
  fails("yes", T.bool, "a bool is required");
  fails("True", T.bool, 'a bool is required; to convert from string, use lowercase "true"');
  fails(1, T.bool, "bool required");
  fails(true, T.number, "number required");
  fails([1], T.string, "string required");
  fails({}, T.number, "number required");
});

Deno.test("convert() turns tuples into lists and sets, unifying element types for any", () => {
  assertEquals(convert([1, "2"], T.list(T.string)), ["1", "2"]);
  assertEquals(convert([1, "a"], T.list(T.any)), ["1", "a"]);
  assertEquals(convert(["b", "a", "b"], T.set(T.string)), ["a", "b"]);
  assertEquals(convert([3, 1, 3], T.set(T.number)), [1, 3]);
  assertEquals(convert([], T.list(T.number)), []);
  fails([1, [2]], T.list(T.any), "all list elements must have the same type");
  fails([1, [2]], T.set(T.any), "all set elements must have the same type");
  fails(["a", [1]], T.list(T.string), "element 1: string required");
  fails(["a"], T.list(T.number), "a number is required");
  fails("a", T.list(T.string), "list of string required");
});

Deno.test("convert() turns objects into maps and object types, checking attributes", () => {
  const m = convert({ b: 1, a: "x" }, T.map(T.string));
  assertEquals(m, { a: "x", b: "1" });
  assertEquals(isMapValue(m), true);
  fails({ a: 1, b: [1] }, T.map(T.any), "all map elements must have the same type");
  fails({ a: [1] }, T.map(T.string), 'element "a": string required');
  const obj = ty("object({name = string, port = optional(number)})");
  assertEquals(convert({ name: "web", port: "80", extra: true }, obj), { name: "web", port: 80 });
  assertEquals(convert({ name: "web" }, obj), { name: "web", port: null });
  fails({ port: 1 }, obj, 'attribute "name" is required');
  fails({}, ty("object({a = string, b = string})"), 'attributes "a" and "b" are required');
  fails(
    {},
    ty("object({a = string, b = string, c = string})"),
    'attributes "a", "b", and "c" are required',
  );
  fails({ name: [1] }, obj, 'attribute "name": string required');
  fails([1], obj, "object required");
});

Deno.test("convert() checks tuple types element by element", () => {
  const t = ty("tuple([string, number])");
  assertEquals(convert([1, "2"], t), ["1", 2]);
  fails([1], t, "tuple required");
  fails([[1], 2], t, "tuple required");
});

Deno.test("unifyTypes() finds the common type of conditional branches", () => {
  assertEquals(unifyTypes([T.number, T.string]), T.string);
  assertEquals(unifyTypes([T.number, T.any]), T.number);
  assertEquals(unifyTypes([T.number, T.bool]), null);
  assertEquals(unifyTypes([typeOf([1]), typeOf(["a"])]), { kind: "tuple", elements: [T.string] });
  assertEquals(unifyTypes([typeOf([1]), typeOf([])]), T.list(T.number));
  assertEquals(unifyTypes([typeOf([1]), typeOf([[2]])]), null);
  assertEquals(unifyTypes([typeOf({ a: 1 }), typeOf({ b: "x" })]), T.map(T.string));
  assertEquals(unifyTypes([typeOf({ a: 1 }), typeOf({ a: [1] })]), null);
  assertEquals(unifyTypes([typeOf({ a: 1 }), typeOf([1])]), null);
  assertEquals(unifyTypes([T.list(T.string), typeOf(["a", 1])]), T.list(T.string));
});

Deno.test("formatNumber() writes numbers as cty does, without exponents", () => {
  assertEquals(formatNumber(1.5), "1.5");
  assertEquals(formatNumber(-0), "0");
  assertEquals(formatNumber(1e21), "1000000000000000000000");
  assertEquals(formatNumber(1.5e22), "15000000000000000000000");
  assertEquals(formatNumber(1.25e-7), "0.000000125");
  assertEquals(formatNumber(-2e-7), "-0.0000002");
});

Deno.test("parseTypeExpression() reads every type constructor", () => {
  assertEquals(typeString(ty("string")), "string");
  assertEquals(typeString(ty("list(map(number))")), "list(map(number))");
  assertEquals(typeString(ty("set(bool)")), "set(bool)");
  assertEquals(typeString(ty("tuple([string, any])")), "tuple([string, any])");
  assertEquals(
    typeString(ty("object({b = list(string), a = optional(number)})")),
    "object({a=optional(number), b=list(string)})",
  );
  assertEquals(ty("any"), T.any);
});

Deno.test("parseTypeExpression() refuses malformed types with HCL's messages", () => {
  const bad = (src: string, detail: string, offset?: number) =>
    assertExprError(() => ty(src), {
      summary: "Invalid type specification",
      detail,
      ...(offset === undefined ? {} : { offset }),
    });
  bad("list", "The list type constructor requires one argument specifying the element type.");
  bad("list(string, number)", "The list type constructor requires one argument", 13);
  bad("strin", 'The keyword "strin" is not a valid type specification.');
  bad("string(1)", 'Primitive type keyword "string" does not expect arguments.');
  bad("foo(string)", 'Keyword "foo" is not a valid type constructor.');
  bad(
    "optional(string)",
    'Keyword "optional" is valid only as a modifier for object type attributes.',
  );
  bad('object({"a" = string})', "Object constructor map keys must be attribute names.", 8);
  bad("tuple(string)", "Tuple type constructor requires a list of element types.");
  bad('"string"', "A type specification is either a primitive type keyword");
  assertExprError(() => parseTypeExpression("any", { exact: true }), {
    detail:
      'The keyword "any" cannot be used in this type specification: an exact type is required.',
  });
  assertExprError(() => parseTypeExpression("object({a = optional(string)})", { exact: true }), {
    detail: "Optional attribute modifier is only for type constraints, not for exact types.",
  });
});
