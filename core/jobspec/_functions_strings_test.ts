import { assertEquals } from "../../tests/assert.ts";
import { assertArgError, assertCallError, run } from "./_expr_testing.ts";

Deno.test("upper(), lower() and title() change case, converting numbers to strings", () => {
  assertEquals(run('upper("héllo")'), "HÉLLO");
  assertEquals(run('lower("ÀB")'), "àb");
  assertEquals(run("upper(5)"), "5");
  assertEquals(run('title("hello world-wide web_x")'), "Hello World-Wide Web_x");
  assertArgError("upper({})", "str", "string required");
});

Deno.test("strlen(), strrev() and reverse() count and reverse grapheme clusters", () => {
  assertEquals(run('strlen("héllo👍🏽")'), 6);
  assertEquals(run('strrev("ab👍🏽c")'), "c👍🏽ba");
  assertEquals(run('reverse("abc")'), "cba");
  assertArgError("reverse([1, 2])", "str", "string required");
});

Deno.test("trim functions remove what cty's trim, trimprefix, trimsuffix, trimspace and chomp do", () => {
  assertEquals(run('trim("?!hello?!", "!?")'), "hello");
  assertEquals(run('trimprefix("helloworld", "hello")'), "world");
  assertEquals(run('trimprefix("helloworld", "x")'), "helloworld");
  assertEquals(run('trimsuffix("helloworld", "world")'), "hello");
  assertEquals(run('trimsuffix("hello", "")'), "hello");
  assertEquals(run('trimspace("\\n\\t hi \\u00a0\\n")'), "hi");
  assertEquals(run('chomp("hello\\r\\n\\n")'), "hello");
  assertEquals(run('chomp("a\\nb")'), "a\nb");
});

Deno.test("substr() takes offsets and lengths in characters, negative offsets from the end", () => {
  assertEquals(run('substr("hello world", 1, 4)'), "ello");
  assertEquals(run('substr("🤔🤷", 0, 1)'), "🤔");
  assertEquals(run('substr("hello world", -5, -1)'), "world");
  assertEquals(run('substr("hello", 10, 2)'), "");
  assertEquals(run('substr("hello", 1, 0)'), "");
  assertArgError('substr("hello", 1.5, 1)', "offset", "offset must be a whole number");
});

Deno.test("indent() indents every line but the first", () => {
  assertEquals(run('indent(2, "a\\nb\\n")'), "a\n  b\n  ");
});

Deno.test("join() joins any number of lists and refuses nulls and no lists", () => {
  assertEquals(run('join(", ", ["a", "b"], ["c"])'), "a, b, c");
  assertEquals(run('join(",", [])'), "");
  assertArgError(
    'join(",", ["a", null])',
    "lists",
    "element 1 is null; cannot concatenate null values",
  );
  assertCallError('join(",")', "join", "at least one list is required");
});

Deno.test("split() splits on a separator, or into characters on an empty one", () => {
  assertEquals(run('split(",", "a,b,,c")'), ["a", "b", "", "c"]);
  assertEquals(run('split(",", "")'), [""]);
  assertEquals(run('split("", "ab")'), ["a", "b"]);
});

Deno.test("replace() replaces substrings literally, as Nomad's replace does", () => {
  assertEquals(run('replace("1 + 2 + 3", "+", "-")'), "1 - 2 - 3");
  assertEquals(run('replace("a/b/", "/b/", "x")'), "ax");
  assertEquals(run('replace("ab", "", "-")'), "-a-b-");
});

Deno.test("strcontains(), startswith() and endswith() test substrings", () => {
  assertEquals(
    run('[strcontains("hello", "ell"), startswith("hello", "he"), endswith("hello", "x")]'),
    [
      true,
      true,
      false,
    ],
  );
});
