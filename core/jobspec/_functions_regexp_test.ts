import { assertEquals } from "../../tests/assert.ts";
import { assertArgError, run } from "./_expr_testing.ts";
import { compileRE2 } from "./_functions_regexp.ts";

Deno.test("compileRE2() translates Go's regexp syntax to JavaScript", () => {
  assertEquals(compileRE2("(?P<year>\\d{4})", false).exec("in 2024")?.groups?.year, "2024");
  assertEquals(compileRE2("(?i)abc", false).test("ABC"), true);
  assertEquals(compileRE2("\\Aab\\z", false).test("ab"), true);
  assertEquals(compileRE2("\\Aab\\z", false).test("ab\n"), false);
  assertEquals(compileRE2("[[:alpha:]]+[[:digit:]]", false).exec("--ab1")?.[0], "ab1");
  assertEquals(compileRE2("\\pL+", false).exec("1é2")?.[0], "é");
  assertEquals(compileRE2("a\\-b\\#", false).test("a-b#"), true);
});

Deno.test("regex_replace() replaces matches with Go's $1 and ${name} expansion", () => {
  assertEquals(run('regex_replace("hello world", "o", "0")'), "hell0 w0rld");
  assertEquals(
    run('regex_replace("2024-01-31", "(\\\\d+)-(\\\\d+)-(\\\\d+)", "$3/$2/$1")'),
    "31/01/2024",
  );
  assertEquals(run('regex_replace("ab", "(?P<x>a)", "<${x}>")'), "<a>b");
  assertEquals(run('regex_replace("ab", "(a)", "$1x")'), "b");
  assertEquals(run('regex_replace("cost", "o", "$$")'), "c$st");
  assertEquals(run('regex_replace("abc", "b*", "-")'), "-a-c-");
  assertArgError('regex_replace("a", "(", "")', "substr", "invalid regular expression pattern");
});

Deno.test("regex() returns the match, the captures or the named captures", () => {
  assertEquals(run('regex("[a-z]+", "53453453.345345aaabbbccc23454")'), "aaabbbccc");
  assertEquals(run('regex("(\\\\d\\\\d\\\\d\\\\d)-(\\\\d\\\\d)", "2019-02-01")'), ["2019", "02"]);
  assertEquals(run('regex("(?P<y>\\\\d+)-(?P<m>\\\\d+)", "2019-02")'), { m: "02", y: "2019" });
  assertArgError(
    'regex("z", "abc")',
    "string",
    "pattern did not match any part of the given string",
  );
  assertArgError(
    'regex("(?P<a>x)(y)", "xy")',
    "pattern",
    "pattern must use either named or unnamed capture groups",
  );
});

Deno.test("regexall() returns every match, or an empty list", () => {
  assertEquals(run('regexall("[a-z]+", "1234abcd5678efgh9")'), ["abcd", "efgh"]);
  assertEquals(run('regexall("(\\\\d)(\\\\w)", "1a2b")'), [["1", "a"], ["2", "b"]]);
  assertEquals(run('length(regexall("z", "abc"))'), 0);
});
