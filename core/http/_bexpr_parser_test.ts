import { assertEquals, assertThrows } from "../../tests/assert.ts";
import type { Expr } from "./_bexpr_ast.ts";
import { BexprError } from "./_bexpr_error.ts";
import { MAX_NESTING, parseExpression } from "./_bexpr_parser.ts";

/** The tree without offsets and compiled patterns, for comparison. */
function shape(e: Expr): unknown[] {
  switch (e.kind) {
    case "match":
      return [e.selector.type === "pointer" ? "ptr" : "sel", e.selector.path, e.op, e.raw];
    case "and":
    case "or":
      return [e.kind, ...e.operands.map(shape)];
    case "not":
      return ["not", shape(e.operand)];
    case "collection":
      return [e.op, e.selector.path, e.binding, shape(e.inner)];
  }
}

const p = (text: string) => shape(parseExpression(text));

Deno.test("parseExpression() reads every match operator as go-bexpr does", () => {
  assertEquals(p("foo == 3"), ["sel", ["foo"], "==", "3"]);
  assertEquals(p("foo != xyz"), ["sel", ["foo"], "!=", "xyz"]);
  assertEquals(p("list is empty"), ["sel", ["list"], "is empty", null]);
  assertEquals(p("list is not empty"), ["sel", ["list"], "is not empty", null]);
  assertEquals(p("ptr is nil"), ["sel", ["ptr"], "is nil", null]);
  assertEquals(p("ptr is not nil"), ["sel", ["ptr"], "is not nil", null]);
  assertEquals(p("foo in bar"), ["sel", ["bar"], "in", "foo"]);
  assertEquals(p("foo not in bar"), ["sel", ["bar"], "not in", "foo"]);
  assertEquals(p("bar contains foo"), ["sel", ["bar"], "in", "foo"]);
  assertEquals(p("bar not contains foo"), ["sel", ["bar"], "not in", "foo"]);
  assertEquals(p("foo matches bar"), ["sel", ["foo"], "matches", "bar"]);
  assertEquals(p("foo not matches bar"), ["sel", ["foo"], "not matches", "bar"]);
  assertEquals(p("foo==3"), ["sel", ["foo"], "==", "3"]);
});

Deno.test("parseExpression() reads selectors with dots, indices, map keys and JSON pointers", () => {
  assertEquals(p('`environment` in foo.bar["meta"].tags[\t`ENV` ]'), [
    "sel",
    ["foo", "bar", "meta", "tags", "ENV"],
    "in",
    "environment",
  ]);
  assertEquals(p("TaskGroups.0.Name == web"), ["sel", ["TaskGroups", "0", "Name"], "==", "web"]);
  assertEquals(p('foo["abc-def ghi åß∂ƒ"] == 1'), ["sel", ["foo", "abc-def ghi åß∂ƒ"], "==", "1"]);
  assertEquals(p('"/hy-phen/under_score/pi|pe/do.t/ti~1lde" == 3'), [
    "ptr",
    ["hy-phen", "under_score", "pi|pe", "do.t", "ti/lde"],
    "==",
    "3",
  ]);
  assertEquals(p("foo/bar == 3"), ["sel", ["foo/bar"], "==", "3"]);
});

Deno.test("parseExpression() reads quoted, raw, numeric and dotted values", () => {
  assertEquals(p('foo == "a\\tb\\u00e9"'), ["sel", ["foo"], "==", "a\tbé"]);
  assertEquals(p("foo == `a\\tb`"), ["sel", ["foo"], "==", "a\\tb"]);
  assertEquals(p("foo == -0.2"), ["sel", ["foo"], "==", "-0.2"]);
  assertEquals(p("foo == 11.11"), ["sel", ["foo"], "==", "11.11"]);
  assertEquals(p("foo == a.b"), ["sel", ["foo"], "==", "a.b"]);
  assertEquals(p('foo == "/usr/bin"'), ["sel", ["foo"], "==", "/usr/bin"]);
  assertEquals(p('foo == ""'), ["sel", ["foo"], "==", ""]);
});

Deno.test("parseExpression() gives and precedence over or and folds double negation", () => {
  assertEquals(p("x in foo and not str == something or list is empty"), [
    "or",
    ["and", ["sel", ["foo"], "in", "x"], ["not", ["sel", ["str"], "==", "something"]]],
    ["sel", ["list"], "is empty", null],
  ]);
  assertEquals(p("x in foo and not (str == something or list is empty)"), [
    "and",
    ["sel", ["foo"], "in", "x"],
    ["not", ["or", ["sel", ["str"], "==", "something"], ["sel", ["list"], "is empty", null]]],
  ]);
  assertEquals(p("not not foo == 3"), ["sel", ["foo"], "==", "3"]);
  assertEquals(p("not not not foo == 3"), ["not", ["sel", ["foo"], "==", "3"]]);
  assertEquals(p("a == 1 and b == 2 and c == 3"), [
    "and",
    ["sel", ["a"], "==", "1"],
    ["sel", ["b"], "==", "2"],
    ["sel", ["c"], "==", "3"],
  ]);
});

Deno.test("parseExpression() accepts whitespace of every kind between tokens", () => {
  assertEquals(p("\t\r\n  foo \t\r\n not \t\r\n in \t\r\n x \t\r\n"), [
    "sel",
    ["x"],
    "not in",
    "foo",
  ]);
  assertEquals(p("\t\r\n ( \t\r\n foo \t\r\n == \t\r\n x \t\r\n ) \t\r\n"), [
    "sel",
    ["foo"],
    "==",
    "x",
  ]);
});

Deno.test("parseExpression() reads keywords as selectors where the grammar allows", () => {
  assertEquals(p("not == 3"), ["sel", ["not"], "==", "3"]);
  assertEquals(p("not in tags"), ["sel", ["tags"], "in", "not"]);
  assertEquals(p("any == 1"), ["sel", ["any"], "==", "1"]);
  assertEquals(p("notes == 1"), ["sel", ["notes"], "==", "1"]);
  assertEquals(p("not(a == 1)"), ["not", ["sel", ["a"], "==", "1"]]);
});

Deno.test("parseExpression() reads any/all with each binding form", () => {
  assertEquals(p('all group.tasks as t { t.name == "hello" }'), [
    "all",
    ["group", "tasks"],
    { default: "t" },
    ["sel", ["t", "name"], "==", "hello"],
  ]);
  assertEquals(p("any m as k, v { k == v }"), [
    "any",
    ["m"],
    { index: "k", value: "v" },
    ["sel", ["k"], "==", "v"],
  ]);
  assertEquals(p("any m as k, _ { k == a }")[2], { index: "k" });
  assertEquals(p("any m as _, v { v == a }")[2], { value: "v" });
  assertEquals(p("a == 1 and any m as v {v == b}")[0], "and");
});

Deno.test("parseExpression() reports go-bexpr's errors with their positions", () => {
  const cases: Array<[string, string]> = [
    ['foo == "12x', '1:12 (11): rule "string": Unterminated string literal'],
    ["foo == `12x", '1:12 (11): rule "string": Unterminated string literal'],
    ["foo == 3x", '1:9 (8): rule "number": Invalid number literal'],
    ["foo == 01", '1:9 (8): rule "number": Invalid number literal'],
    ["foo[3] == abc", '1:5 (4): rule "index": Invalid index'],
    ['x in foo["abc"', '1:15 (14): rule "index": Unclosed index expression'],
    ['foo["abc" == 3', '1:11 (10): rule "index": Unclosed index expression'],
    ["x in 32", '1:6 (5): rule "match": Invalid selector'],
    ["(foo == 4", '1:10 (9): rule "grouping": Unmatched parentheses'],
    ["32 == 32", '1:4 (3): no match found, expected: "in", "not" or [ \\t\\r\\n]'],
    ["x in foo abc", '1:10 (9): no match found, expected: "and", "or", [ \\t\\r\\n] or EOF'],
    ["all as t { t.name == x }", '1:8 (7): no match found, expected: "as" or [ \\t\\r\\n]'],
    ['foo == "a\\qb"', '1:8 (7): rule "string": invalid syntax'],
    [
      "any m as k, k { k == 1 }",
      '1:10 (9): rule "collection": "k" cannot be used as a ' +
      "placeholder for both the index and the value",
    ],
  ];
  for (const [input, message] of cases) {
    const err = assertThrows(() => parseExpression(input), BexprError);
    assertEquals(err.message, message, input);
  }
});

Deno.test("parseExpression() counts lines, characters and UTF-8 bytes in positions", () => {
  const err = assertThrows(() => parseExpression('a == "é"\nand b == 3x'), BexprError);
  assertEquals((err as BexprError).position, { line: 2, column: 11, offset: 20 });
});

Deno.test("parseExpression() lists what it expected at the end of the input", () => {
  const err = assertThrows(() => parseExpression("Status =="), BexprError);
  assertEquals(
    err.message,
    '1:10 (9): no match found, expected: "-", "0", "\\"", "`", [ \\t\\r\\n], [1-9] or [a-zA-Z]',
  );
  assertThrows(() => parseExpression(""), BexprError, "1:1 (0): no match found");
});

Deno.test("parseExpression() refuses nesting deeper than MAX_NESTING instead of overflowing", () => {
  const ok = "(".repeat(MAX_NESTING) + "a == 1" + ")".repeat(MAX_NESTING);
  assertEquals(shape(parseExpression(ok)), ["sel", ["a"], "==", "1"]);
  const deep = "(".repeat(MAX_NESTING + 1) + "a == 1" + ")".repeat(MAX_NESTING + 1);
  assertThrows(() => parseExpression(deep), BexprError, "nests more than");
  const long = Array.from({ length: 20_000 }, (_, i) => `a == ${i}`).join(" or ");
  const tree = parseExpression(long);
  assertEquals(tree.kind === "or" && tree.operands.length, 20_000);
});

Deno.test("parseExpression() reports a bad regular expression at the pattern", () => {
  assertThrows(
    () => parseExpression('Name matches "(web"'),
    BexprError,
    '1:14 (13): rule "match": failed to compile regular expression "(web"',
  );
  assertThrows(() => parseExpression('Name matches "(a)\\\\1"'), BexprError, "invalid escape");
});
