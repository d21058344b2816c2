import { assertEquals } from "../../tests/assert.ts";
import type { Expr, TemplatePart } from "./_expr_ast.ts";
import { parseExpression, parseTemplate } from "./_expr_parser.ts";
import { assertExprError } from "./_expr_testing.ts";

/** A compact rendering of a syntax tree, to compare shapes. */
function show(e: Expr): string {
  switch (e.type) {
    case "literal":
      return JSON.stringify(e.value);
    case "traversal":
      return e.root +
        e.steps.map((s) => (s.kind === "attr" ? `.${s.name}` : `[${JSON.stringify(s.key)}]`)).join(
          "",
        );
    case "getattr":
      return `${show(e.target)}.${e.name}`;
    case "index":
      return `${show(e.target)}[${show(e.key)}]`;
    case "splat":
      return `splat(${show(e.source)} => ${show(e.each)})`;
    case "splatitem":
      return "@";
    case "call":
      return `${e.name}(${e.args.map(show).join(", ")}${e.expand ? "..." : ""})`;
    case "tuple":
      return `[${e.items.map(show).join(", ")}]`;
    case "object":
      return `{${e.items.map((i) => `${show(i.key)}=${show(i.value)}`).join(", ")}}`;
    case "for": {
      const vars = e.keyVar ? `${e.keyVar}, ${e.valueVar}` : e.valueVar;
      const body = e.keyExpr ? `${show(e.keyExpr)} => ${show(e.valueExpr)}` : show(e.valueExpr);
      return `for(${vars} in ${show(e.collection)} : ${body}${e.group ? "..." : ""}${
        e.cond ? ` if ${show(e.cond)}` : ""
      })`;
    }
    case "unary":
      return `(${e.op}${show(e.operand)})`;
    case "binary":
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case "conditional":
      return `(${show(e.cond)} ? ${show(e.ifTrue)} : ${show(e.ifFalse)})`;
    case "paren":
      return `(${show(e.expr)})`;
    case "wrap":
      return `\${${show(e.expr)}}`;
    case "template":
      return `tmpl(${e.parts.map(part).join(", ")})`;
  }
}

function part(p: TemplatePart): string {
  switch (p.kind) {
    case "literal":
      return JSON.stringify(p.text);
    case "interp":
      return `\${${show(p.expr)}}`;
    case "if":
      return `if ${show(p.cond)} [${p.then.map(part).join(", ")}] else [${
        p.else.map(part).join(", ")
      }]`;
    case "for":
      return `for ${p.keyVar ? p.keyVar + ", " : ""}${p.valueVar} in ${show(p.collection)} [${
        p.body.map(part).join(", ")
      }]`;
  }
}

const expr = (src: string) => show(parseExpression(src));

Deno.test("parseExpression() applies HCL's operator precedence, left to right within a level", () => {
  assertEquals(expr("a || b && c == d < e + f * g"), "(a || (b && (c == (d < (e + (f * g))))))");
  assertEquals(expr("a - b - c"), "((a - b) - c)");
  assertEquals(expr("a / b % c * d"), "(((a / b) % c) * d)");
  assertEquals(expr("!a == -b"), "((!a) == (-b))");
  assertEquals(expr("-x.y[0] + 1"), "((-x.y[0]) + 1)");
  assertEquals(expr("!!a"), "(!(!a))");
  assertEquals(expr("(a + b) * c"), "(((a + b)) * c)");
});

Deno.test("parseExpression() nests conditionals to the right and below binary operators", () => {
  assertEquals(expr("a ? b : c ? d : e"), "(a ? b : (c ? d : e))");
  assertEquals(expr("a == 1 ? b + 1 : c"), "((a == 1) ? (b + 1) : c)");
});

Deno.test("parseExpression() reads literals: numbers, bools, null and strings", () => {
  assertEquals(expr("1.5e3"), "1500");
  assertEquals(expr("[true, false, null]"), "[true, false, null]");
  assertEquals(expr('"a\\tb"'), 'tmpl("a\\tb")');
  assertEquals(expr('"${x}"'), "${x}");
  assertEquals(expr('""'), "tmpl()");
});

Deno.test("parseExpression() folds attributes, literal indexes and legacy .0 into traversals", () => {
  assertEquals(expr('a.b[0]["c"].1'), 'a.b[0]["c"][1]');
  assertEquals(expr("a.0.1"), "a[0][1]");
  assertEquals(expr("a[b].c"), "a[b].c");
  assertEquals(expr('a["${b}"]'), "a[${b}]");
  assertEquals(expr("f(x).y"), "f(x).y");
});

Deno.test("parseExpression() reads full splats with their traversal and attribute-only splats", () => {
  assertEquals(expr("a[*].b[0].c"), "splat(a => @.b[0].c)");
  assertEquals(expr("a.*.b[0]"), "splat(a => @.b)[0]");
  assertEquals(expr("a[*][*].b"), "splat(a => splat(@ => @.b))");
  assertEquals(expr("(a[*].b)[0]"), "(splat(a => @.b))[0]");
});

Deno.test("parseExpression() reads function calls, trailing commas and ... expansion", () => {
  assertEquals(expr("f()"), "f()");
  assertEquals(expr("f(a,\n b,\n)"), "f(a, b)");
  assertEquals(expr("f(a, b...)"), "f(a, b...)");
  assertExprError(() => parseExpression("f(a b)"), {
    summary: "Missing argument separator",
    offset: 4,
  });
});

Deno.test("parseExpression() reads tuples and objects with = or : and newline separators", () => {
  assertEquals(expr("[1, [2], \n 3,]"), "[1, [2], 3]");
  assertEquals(expr('{a = 1, "b" : 2\n (c) = 3\n d.e = 4}'), '{"a"=1, tmpl("b")=2, (c)=3, d.e=4}');
  assertEquals(expr("{\n}"), "{}");
  assertExprError(() => parseExpression("{a = 1 b = 2}"), {
    summary: "Missing attribute separator",
    offset: 7,
  });
  assertExprError(() => parseExpression("{a 1}"), {
    summary: "Missing key/value separator",
    offset: 3,
  });
  assertExprError(() => parseExpression("[1 2]"), { summary: "Missing item separator", offset: 3 });
});

Deno.test("parseExpression() reads tuple and object for expressions with if and grouping", () => {
  assertEquals(expr("[for s in l : upper(s)]"), "for(s in l : upper(s))");
  assertEquals(expr("[for i, s in l : s if i > 0]"), "for(i, s in l : s if (i > 0))");
  assertEquals(expr("{for k, v in m : v => k...}"), "for(k, v in m : v => k...)");
  assertEquals(
    expr("{\n for k, v in m :\n k => v\n if v != null\n}"),
    "for(k, v in m : k => v if (v != null))",
  );
  assertEquals(expr("[for]"), "[for]");
  assertEquals(expr("{a = {\n for k in m : k => 1\n }\n}"), '{"a"=for(k in m : k => 1)}');
  assertExprError(() => parseExpression("[for x l : x]"), {
    summary: "Invalid 'for' expression",
    offset: 7,
  });
  assertExprError(() => parseExpression("[for x in l x]"), {
    summary: "Invalid 'for' expression",
    offset: 12,
  });
  assertExprError(() => parseExpression("{for x in l : x}"), {
    summary: "Invalid 'for' expression",
    offset: 15,
  });
});

Deno.test("parseExpression() reports unbalanced and missing parts where they are", () => {
  assertExprError(() => parseExpression("(a"), { summary: "Unbalanced parentheses", offset: 2 });
  assertExprError(() => parseExpression("a ? b"), {
    summary: "Missing false expression in conditional",
    offset: 5,
  });
  assertExprError(() => parseExpression("a[0"), {
    summary: "Missing close bracket on index",
    offset: 3,
  });
  assertExprError(() => parseExpression("a."), { summary: "Invalid attribute name", offset: 2 });
  assertExprError(() => parseExpression("a b"), {
    summary: "Extra characters after expression",
    offset: 2,
  });
  assertExprError(() => parseExpression("1 + )"), { summary: "Invalid expression", offset: 4 });
  assertExprError(() => parseExpression('"abc'), {
    summary: "Unterminated template string",
    offset: 0,
  });
});

Deno.test("parseTemplate() gives a wrap for exactly one interpolation and a template otherwise", () => {
  assertEquals(show(parseTemplate("${x}")), "${x}");
  assertEquals(show(parseTemplate("a${x}")), 'tmpl("a", ${x})');
  assertEquals(show(parseTemplate("${x}${y}")), "tmpl(${x}, ${y})");
  assertEquals(show(parseTemplate("")), "tmpl()");
});

Deno.test("parseTemplate() nests if/else and for directives", () => {
  assertEquals(
    show(parseTemplate("%{ if a }A%{ else }B%{ endif }!")),
    'tmpl(if a ["A"] else ["B"], "!")',
  );
  assertEquals(
    show(parseTemplate("%{for k, v in m}${k}=%{if v}y%{endif};%{endfor}")),
    'tmpl(for k, v in m [${k}, "=", if v ["y"] else [], ";"])',
  );
});

Deno.test("parseTemplate() applies strip markers to the literal next to them", () => {
  assertEquals(show(parseTemplate("a \n ${~ x ~} \n b")), 'tmpl("a", ${x}, "b")');
  assertEquals(
    show(parseTemplate("list:\n%{ for x in l ~}\n- ${x}\n%{ endfor ~}\nend")),
    'tmpl("list:\\n", for x in l ["- ", ${x}, "\\n"], "end")',
  );
  assertEquals(show(parseTemplate("  ${~x}")), "${x}");
});

Deno.test("parseTemplate() reports unbalanced and unknown directives", () => {
  assertExprError(() => parseTemplate("%{ if a }x"), {
    summary: "Unterminated template if directive",
    offset: 0,
  });
  assertExprError(() => parseTemplate("x%{ endif }"), {
    summary: "Unexpected endif directive",
    offset: 1,
  });
  assertExprError(() => parseTemplate("%{ for x in l }%{ endif }"), {
    summary: "Unexpected endif directive",
    offset: 15,
  });
  assertExprError(() => parseTemplate("%{ while x }"), {
    summary: "Invalid template directive",
    offset: 3,
  });
  assertExprError(() => parseTemplate("${ a b }"), {
    summary: "Extra characters after interpolation expression",
    offset: 5,
  });
  assertExprError(() => parseTemplate("${ a "), {
    summary: "Unterminated template interpolation",
    offset: 5,
  });
});

Deno.test("parseExpression() records the source range of every node", () => {
  const e = parseExpression("  foo.bar[0] + baz(1)");
  assertEquals([e.start, e.end], [2, 21]);
  if (e.type !== "binary") throw new Error("expected a binary expression");
  assertEquals([e.left.start, e.left.end], [2, 12]);
  assertEquals([e.right.start, e.right.end], [15, 21]);
});
