import { assertEquals } from "../../tests/assert.ts";
import { type Token, tokenize } from "./_expr_lexer.ts";
import { assertExprError } from "./_expr_testing.ts";

const kinds = (toks: Token[]) => toks.map((t) => (t.type === "lit" ? `lit:${t.value}` : t.type));

Deno.test("tokenize() scans identifiers with dashes, numbers with exponents and every operator", () => {
  const toks = tokenize(
    "a-b 1.5e3 12 ... => == != <= >= && || ( ) [ ] , . : ? = ! * / % + - < >",
    "expression",
  );
  assertEquals(
    kinds(toks),
    [
      "ident",
      "number",
      "number",
      "...",
      "=>",
      "==",
      "!=",
      "<=",
      ">=",
      "&&",
      "||",
      "(",
      ")",
      "[",
      "]",
      ",",
      ".",
      ":",
      "?",
      "=",
      "!",
      "*",
      "/",
      "%",
      "+",
      "-",
      "<",
      ">",
      "eof",
    ],
  );
  assertEquals(toks[0]!.value, "a-b");
  assertEquals(toks[1]!.value, "1.5e3");
  assertEquals([toks[2]!.start, toks[2]!.end], [10, 12]);
});

Deno.test("tokenize() skips comments but keeps the newline after a line comment", () => {
  const toks = tokenize("a # c1\nb // c2\r\nc /* c3\n */ d", "expression");
  assertEquals(kinds(toks), ["ident", "newline", "ident", "newline", "ident", "ident", "eof"]);
  assertExprError(() => tokenize("a /* open", "expression"), {
    summary: "Unterminated comment",
    offset: 2,
  });
});

Deno.test("tokenize() decodes escapes in quoted strings", () => {
  const toks = tokenize(String.raw`"a\"b\\c\n\t\r\u00e9\U0001F600"`, "expression");
  assertEquals(kinds(toks), ["oquote", 'lit:a"b\\c\n\t\ré😀', "cquote", "eof"]);
  assertExprError(() => tokenize(String.raw`"a\qb"`, "expression"), {
    summary: "Invalid escape sequence",
    detail: 'The symbol "q" is not a valid escape sequence selector.',
    offset: 2,
  });
  assertExprError(() => tokenize(String.raw`"\u12"`, "expression"), {
    summary: "Invalid escape sequence",
    offset: 1,
  });
  assertExprError(() => tokenize('"a\nb"', "expression"), {
    summary: "Invalid multi-line string",
    offset: 2,
  });
});

Deno.test("tokenize() treats $${ and %%{ as literal text and a lone $ or % as itself", () => {
  assertEquals(kinds(tokenize("$${x} %%{y} $$ 5% $", "template")), [
    "lit:${x} %{y} $$ 5% $",
    "eof",
  ]);
  assertEquals(kinds(tokenize("$$${x}", "template")), ["lit:$${x}", "eof"]);
  assertEquals(kinds(tokenize("a\\n", "template")), ["lit:a\\n", "eof"]);
});

Deno.test("tokenize() switches to expression mode inside ${ } and %{ } with strip markers", () => {
  const toks = tokenize("a ${~ x ~} b %{ if y }c%{~ endif }", "template");
  assertEquals(kinds(toks), [
    "lit:a ",
    "interp",
    "ident",
    "seqend",
    "lit: b ",
    "control",
    "ident",
    "ident",
    "seqend",
    "lit:c",
    "control",
    "ident",
    "seqend",
    "eof",
  ]);
  assertEquals(toks[1]!.strip, true);
  assertEquals(toks[3]!.strip, true);
  assertEquals(toks[5]!.strip, false);
  assertEquals(toks[10]!.strip, true);
});

Deno.test("tokenize() matches braces of objects inside an interpolation", () => {
  const toks = tokenize('${ {a = "}"}.a }x', "template");
  assertEquals(kinds(toks), [
    "interp",
    "{",
    "ident",
    "=",
    "oquote",
    "lit:}",
    "cquote",
    "}",
    ".",
    "ident",
    "seqend",
    "lit:x",
    "eof",
  ]);
});

Deno.test("tokenize() nests templates inside interpolations inside quoted strings", () => {
  const toks = tokenize('"a${"b${c}"}"', "expression");
  assertEquals(kinds(toks), [
    "oquote",
    "lit:a",
    "interp",
    "oquote",
    "lit:b",
    "interp",
    "ident",
    "seqend",
    "cquote",
    "seqend",
    "cquote",
    "eof",
  ]);
});

Deno.test("tokenize() reads heredocs and strips the indentation of <<- ones", () => {
  const plain = tokenize("<<EOT\n  a ${x}\n  b\nEOT\n", "expression");
  assertEquals(kinds(plain), [
    "oheredoc",
    "lit:  a ",
    "interp",
    "ident",
    "seqend",
    "lit:\n  b\n",
    "cheredoc",
    "newline",
    "eof",
  ]);
  const flush = tokenize("<<-EOT\n    a\n      b\n    EOT", "expression");
  assertEquals(kinds(flush), ["oheredoc", "lit:a\n  b\n", "cheredoc", "eof"]);
});

Deno.test("tokenize() refuses characters the language does not use", () => {
  assertExprError(() => tokenize("a $ b", "expression"), {
    summary: "Invalid character",
    detail: 'The character "$" is not used within the language.',
    offset: 2,
  });
  assertExprError(() => tokenize("a ~ b", "expression"), {
    summary: "Invalid character",
    offset: 2,
  });
});
