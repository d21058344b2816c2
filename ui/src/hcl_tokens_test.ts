import { assert, assertEquals } from "../../tests/assert.ts";
import { type Token, tokenize, tokenLines } from "./hcl_tokens.ts";

const kinds = (tokens: Token[]) =>
  tokens.filter((t) => t.kind !== "space").map((t) => `${t.kind}:${t.text}`);

Deno.test("tokenize() marks blocks, labels, arguments and values", () => {
  assertEquals(kinds(tokenize('job "web" {\n  count = 2\n  enabled = true\n}\n')), [
    "block:job",
    'string:"web"',
    "punct:{",
    "attr:count",
    "op:=",
    "number:2",
    "attr:enabled",
    "op:=",
    "literal:true",
    "punct:}",
  ]);
});

Deno.test("tokenize() scans template sequences inside strings as code", () => {
  assertEquals(kinds(tokenize('  name = "a-${var.n + 1}-b"\n')), [
    "attr:name",
    "op:=",
    'string:"a-',
    "interp:${",
    "ident:var",
    "punct:.",
    "ident:n",
    "op:+",
    "number:1",
    "interp:}",
    'string:-b"',
  ]);
});

Deno.test("tokenize() keeps $${ escapes and nested strings in sequences", () => {
  assertEquals(kinds(tokenize('x = "$${lit}"')), ["attr:x", "op:=", 'string:"$${lit}"']);
  assertEquals(kinds(tokenize('x = "${lower("A}")}"')), [
    "attr:x",
    "op:=",
    'string:"',
    "interp:${",
    "ident:lower",
    "punct:(",
    'string:"A}"',
    "punct:)",
    "interp:}",
    'string:"',
  ]);
});

Deno.test("tokenize() reads the three comment forms", () => {
  assertEquals(kinds(tokenize("# one\n// two\n/* three\n four */\njob {}")), [
    "comment:# one",
    "comment:// two",
    "comment:/* three\n four */",
    "block:job",
    "punct:{",
    "punct:}",
  ]);
});

Deno.test("tokenize() reads a heredoc up to its marker, indented with <<-", () => {
  const src = "data = <<-EOT\n  hello ${NOMAD_ALLOC_ID}\n  EOT\nx = 1\n";
  assertEquals(kinds(tokenize(src)), [
    "attr:data",
    "op:=",
    "heredoc:<<-EOT\n  hello ",
    "interp:${",
    "ident:NOMAD_ALLOC_ID",
    "interp:}",
    "heredoc:\n  EOT",
    "attr:x",
    "op:=",
    "number:1",
  ]);
});

Deno.test("tokenize() ends an unterminated string at the end of its line", () => {
  const tokens = tokenize('a = "open\nb = 2\n');
  assertEquals(kinds(tokens).slice(0, 3), ["attr:a", "op:=", 'string:"open']);
  assertEquals(kinds(tokens).slice(3), ["attr:b", "op:=", "number:2"]);
});

Deno.test("tokenize() gives back every character of any input", () => {
  const samples = [
    'job "x" {\n  group "g" {\n    task "t" {\n      config { args = ["-c", "echo ${NOMAD_PORT_http}"] }\n',
    '"unterminated ${ interp',
    "<<EOF\nno end",
    "/* open comment",
    "a == b ? c : d && !e || f >= 3.5e2",
    "for x in list : x => upper(x) ...",
    "\u00e9\u00e8 \t\r\n ~ ` @",
  ];
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const alphabet = 'abc ={}"$%#/*<-\n\\[]().0123EOF';
  for (let n = 0; n < 300; n++) {
    let s = "";
    for (let i = 0; i < 40; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
    samples.push(s);
  }
  for (const src of samples) {
    const tokens = tokenize(src);
    assertEquals(tokens.map((t) => t.text).join(""), src, JSON.stringify(src));
    assert(tokens.every((t) => t.text.length > 0), `no empty tokens for ${JSON.stringify(src)}`);
  }
});

Deno.test("tokenLines() cuts multi-line tokens at line breaks", () => {
  const lines = tokenLines(tokenize("/* a\nb */ x = 1\n"));
  assertEquals(lines.length, 3);
  assertEquals(lines[0], [{ kind: "comment", text: "/* a" }]);
  assertEquals(lines[1]![0], { kind: "comment", text: "b */" });
  assertEquals(lines[2], []);
});
