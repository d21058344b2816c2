import { assertEquals } from "../../tests/assert.ts";
import { assertArgError, assertCallError, run } from "./_expr_testing.ts";
import { goFloat } from "./_functions_format.ts";

Deno.test("format() formats strings with %s, %q, widths, precision and %%", () => {
  assertEquals(run('format("Hello, %s!", "Ander")'), "Hello, Ander!");
  assertEquals(
    run('format("[%5s][%-5s][%.2s][%05s]", "ab", "ab", "abc", "ab")'),
    "[   ab][ab   ][ab][000ab]",
  );
  assertEquals(run('format("%q", "a\\"b<")'), '"a\\"b\\u003c"');
  assertEquals(run('format("100%%")'), "100%");
  assertEquals(run('format("%s", 12)'), "12");
});

Deno.test("format() formats numbers with Go's integer and float verbs", () => {
  assertEquals(
    run('format("%d|%5d|%-5d|%05d|%+d|% d", 42, 42, 42, -42, 42, 42)'),
    "42|   42|42   |-0042|+42| 42",
  );
  assertEquals(
    run('format("%b %o %x %X %#x %#o", 5, 8, 255, 255, 255, 8)'),
    "101 10 ff FF 0xff 010",
  );
  assertEquals(
    run('format("%f|%.2f|%8.3f|%e|%E|%.1e", 3.14159, 3.14159, 3.14159, 1234.5, 0.000123, 1234.5)'),
    "3.141590|3.14|   3.142|1.234500e+03|1.230000E-04|1.2e+03",
  );
  assertEquals(
    run('format("%g|%g|%g|%.3g|%G", 100000, 1000000, 0.0001, 3.14159, 1e-7)'),
    "100000|1e+06|0.0001|3.14|1E-07",
  );
  assertEquals(run('format("%d", "12")'), "12");
  assertCallError(
    'format("%d", 1.5)',
    "format",
    'unsupported value for "%d" at 0: an integer is required',
  );
  assertCallError(
    'format("%d", "x")',
    "format",
    'unsupported value for "%d" at 0: a number is required',
  );
});

Deno.test("format() prints %v by type and %#v as JSON, %t as a bool", () => {
  assertEquals(
    run('format("%v|%v|%v|%v|%v", "s", 1.5, true, [1, "a"], {b = 1})'),
    's|1.5|true|[1,"a"]|{"b":1}',
  );
  assertEquals(run('format("%#v|%v", "s", null)'), '"s"|null');
  assertEquals(run('format("%t %t", true, "false")'), "true false");
  assertCallError(
    'format("%s", null)',
    "format",
    'unsupported value for "%s" at 0: null value cannot be formatted',
  );
});

Deno.test("format() picks arguments by [n] and checks their count", () => {
  assertEquals(run('format("%[2]s %[1]s %s", "a", "b")'), "b a b");
  assertCallError(
    'format("%s %s", "a")',
    "format",
    'not enough arguments for "%s" at 3: need index 2 but have 1 total',
  );
  assertCallError('format("x", "a")', "format", "too many arguments; no verbs in format string");
  assertCallError(
    'format("%s", "a", "b")',
    "format",
    "too many arguments; only 1 used by format string",
  );
  assertCallError('format("%y", 1)', "format", 'unsupported format verb "y"');
  assertCallError('format("%.s", 1)', "format", "invalid format string starting at offset 0");
});

Deno.test("formatlist() formats element-wise, repeating non-list arguments", () => {
  assertEquals(run('formatlist("Hello, %s!", ["Valentina", "Ander"])'), [
    "Hello, Valentina!",
    "Hello, Ander!",
  ]);
  assertEquals(run('formatlist("%s=%d", ["a", "b"], 1)'), ["a=1", "b=1"]);
  assertEquals(run('formatlist("%s", [])'), []);
  assertEquals(run('formatlist("x")'), ["x"]);
  assertArgError(
    'formatlist("%s%s", ["a"], ["b", "c"])',
    "args",
    "argument 2 has length 2, which is inconsistent with argument 1 of length 1",
  );
  assertCallError('formatlist("%d", ["x"])', "formatlist", "error on format iteration 0");
});

Deno.test("goFloat() follows Go's %g choice between exponent and decimal forms", () => {
  assertEquals(goFloat(123456789, "g", -1, ""), "1.23456789e+08");
  assertEquals(goFloat(0.00001234, "g", -1, ""), "1.234e-05");
  assertEquals(goFloat(1, "g", 3, ""), "1");
  assertEquals(goFloat(-2.5, "f", 1, "+"), "-2.5");
  assertEquals(goFloat(1e22, "f", 0, ""), "10000000000000000000000");
});
