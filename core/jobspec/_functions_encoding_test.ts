import { assertEquals } from "../../tests/assert.ts";
import { assertCallError, run } from "./_expr_testing.ts";

Deno.test("base64encode() and base64decode() round-trip UTF-8 text", () => {
  assertEquals(run('base64encode("Hello World")'), "SGVsbG8gV29ybGQ=");
  assertEquals(run('base64decode("SGVsbG8gV29ybGQ=")'), "Hello World");
  assertEquals(run('base64decode(base64encode("héllo👍"))'), "héllo👍");
  assertCallError('base64decode("a")', "base64decode", "failed to decode base64 data 'a'");
  assertCallError(
    'base64decode("/w==")',
    "base64decode",
    "the result of decoding the provided string is not valid UTF-8",
  );
});

Deno.test("urlencode() escapes as Go's url.QueryEscape", () => {
  assertEquals(run('urlencode("Hello World!")'), "Hello+World%21");
  assertEquals(run('urlencode("a/b?c=d&e=é~_.-*")'), "a%2Fb%3Fc%3Dd%26e%3D%C3%A9~_.-%2A");
});

Deno.test("csvdecode() reads a header row and gives one object per record", () => {
  assertEquals(run('csvdecode("a,b,c\\n1,2,3\\n4,5,6\\n")'), [
    { a: "1", b: "2", c: "3" },
    { a: "4", b: "5", c: "6" },
  ]);
  assertEquals(run('csvdecode("a,b\\n\\"x,\\"\\"y\\"\\"\\",z\\r\\n")'), [{ a: 'x,"y"', b: "z" }]);
  assertEquals(run('csvdecode("a,b\\n")'), []);
  assertCallError('csvdecode("")', "csvdecode", "missing header line");
  assertCallError(
    'csvdecode("a,b\\n1\\n")',
    "csvdecode",
    "CSV parse error on line 2: wrong number of fields",
  );
  assertCallError(
    'csvdecode("a\\nx\\"y\\n")',
    "csvdecode",
    'CSV parse error on line 2: bare " in non-quoted-field',
  );
  assertCallError('csvdecode("a,a\\n1,2")', "csvdecode", 'duplicate column name "a"');
});

Deno.test("jsonencode() writes cty's JSON: sorted keys, Go's HTML escapes, plain numbers", () => {
  assertEquals(
    run('jsonencode({b = [1, 2.5, true], a = null, c = "<&>\\n"})'),
    '{"a":null,"b":[1,2.5,true],"c":"\\u003c\\u0026\\u003e\\n"}',
  );
  assertEquals(run("jsonencode(1e21)"), "1000000000000000000000");
  assertEquals(run("jsonencode(null)"), "null");
});

Deno.test("jsondecode() reads JSON into values and reports bad input", () => {
  assertEquals(run('jsondecode("{\\"b\\":[1,\\"x\\"],\\"a\\":{\\"c\\":null}}")'), {
    a: { c: null },
    b: [1, "x"],
  });
  assertEquals(run('jsondecode("true")'), true);
  assertCallError('jsondecode("")', "jsondecode", "unexpected end of JSON input");
  assertCallError('jsondecode("{")', "jsondecode", "");
});

Deno.test("yamlencode() writes go-cty-yaml's style", () => {
  assertEquals(run('yamlencode({a = "b", c = "d"})'), '"a": "b"\n"c": "d"\n');
  assertEquals(
    run('yamlencode({foo = [1, {a = "b", c = "d"}, 3], bar = "baz"})'),
    '"bar": "baz"\n"foo":\n- 1\n- "a": "b"\n  "c": "d"\n- 3\n',
  );
  assertEquals(
    run("yamlencode({a = {b = [[1, 2]], e = {}}, l = []})"),
    '"a":\n  "b":\n  - - 1\n    - 2\n  "e": {}\n"l": []\n',
  );
  assertEquals(
    run('yamlencode({s = "x\\ny\\n", t = "x\\ny", n = null, b = true})'),
    '"b": true\n"n": null\n"s": |\n  x\n  y\n"t": |-\n  x\n  y\n',
  );
  assertEquals(run('yamlencode("plain")'), '"plain"\n');
});

Deno.test("yamldecode() reads YAML 1.2 core documents", () => {
  assertEquals(run('yamldecode("a: 1\\nb: [x, yes]\\nc:\\n  - d: ~\\n")'), {
    a: 1,
    b: ["x", "yes"],
    c: [{ d: null }],
  });
  assertEquals(run('yamldecode("")'), null);
  assertEquals(run('yamldecode(yamlencode({a = [1, "x\\ny"]}))'), { a: [1, "x\ny"] });
  assertCallError('yamldecode("a: [1")', "yamldecode", "");
  assertCallError('yamldecode("a: 1\\na: 2")', "yamldecode", "");
});
