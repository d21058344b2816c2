import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { compileGoRegexp } from "./_bexpr_regexp.ts";

Deno.test("compileGoRegexp() applies leading Go flags without the i and u flags", () => {
  const re = compileGoRegexp("(?i)^WEB-[a-c]+\\d$");
  assertEquals(re.flags, "");
  assert(re.test("web-ABc1"));
  assert(re.test("WeB-b2"));
  assert(!re.test("web-d3"));
  assert(compileGoRegexp("(?s)a.b").test("a\nb"));
  assert(!compileGoRegexp("a.b").test("a\nb"));
  assert(compileGoRegexp("(?m)^b$").test("a\nb\nc"));
  assert(compileGoRegexp("(?i)é").test("É"));
});

Deno.test("compileGoRegexp() uses the u flag only where a pattern needs it", () => {
  assertEquals(compileGoRegexp("^[a-z]+$").flags, "");
  assertEquals(compileGoRegexp("^\\pL+$").flags, "u");
  assertEquals(compileGoRegexp("^\\x{1F600}$").flags, "u");
  assert(compileGoRegexp("^\\x{1F600}$").test("😀"));
  assert(compileGoRegexp("^.$").test("😀"), "a surrogate pair is one character, as a rune");
  assert(compileGoRegexp("^a.c$").test("a😀c"));
});

Deno.test("compileGoRegexp() rewrites RE2-only syntax", () => {
  assert(compileGoRegexp("(?P<name>ab)c").test("abc"));
  assert(compileGoRegexp("ab\\z").test("ab"));
  assert(!compileGoRegexp("ab\\z").test("ab\n"));
  assert(compileGoRegexp("\\Aab").test("abc"));
  assert(compileGoRegexp("\\Q1+1=2\\E").test("x1+1=2"));
  assert(compileGoRegexp("^\\pL+$").test("héllo"));
  assert(compileGoRegexp("^\\p{Greek}+$").test("αβγ"));
  assert(compileGoRegexp("^[[:alpha:]]+[[:digit:]]$").test("abc1"));
  assert(compileGoRegexp("^\\x{e9}$").test("é"));
  assert(compileGoRegexp("a\\-b\\_c").test("a-b_c"));
  assert(compileGoRegexp("^[\\-a]+$").test("-a-"));
  assert(compileGoRegexp("^{x}$").test("{x}"));
  assert(compileGoRegexp("^a{2}$").test("aa"));
  assert(compileGoRegexp("^[]a]+$").test("]a"));
  assert(compileGoRegexp("^.$").test("😀"));
});

Deno.test("compileGoRegexp() keeps Go's ASCII-only \\s", () => {
  assert(compileGoRegexp("^\\s$").test(" "));
  assert(!compileGoRegexp("^\\s$").test("\u00a0"));
  assert(compileGoRegexp("^\\S$").test("\u00a0"));
});

Deno.test("compileGoRegexp() refuses what RE2 refuses", () => {
  assertThrows(() => compileGoRegexp("(a)\\1"), Error, "invalid escape sequence: `\\1`");
  assertThrows(() => compileGoRegexp("a(?=b)"), Error, "invalid or unsupported Perl syntax");
  assertThrows(() => compileGoRegexp("(?<!a)b"), Error, "invalid or unsupported Perl syntax");
  assertThrows(() => compileGoRegexp("(?U)a+"), Error, "ungreedy");
  assertThrows(() => compileGoRegexp("a(?i)b"), Error, "only supported at the start");
  assertThrows(() => compileGoRegexp("(ab"), Error, "error parsing regexp");
  assertThrows(() => compileGoRegexp("[a"), Error, "missing closing ]");
  assertThrows(() => compileGoRegexp("a\\"), Error, "trailing backslash");
});

Deno.test({
  name: "compileGoRegexp() output falls back to V8's linear engine instead of stalling",
  // Run in a child process: the fallback needs a V8 flag given at startup.
  fn: async () => {
    const module = new URL("./_bexpr_regexp.ts", import.meta.url).href;
    const code = `
      import { compileGoRegexp } from ${JSON.stringify(module)};
      const evil = "a".repeat(40) + "!";
      for (const p of ["(a+)+$", "(?i)(A+)+$", "(a|aa)+\\\\z", "^(.+)+x$"]) {
        if (compileGoRegexp(p).test(evil)) throw new Error(p);
      }
      console.log("done");
    `;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        "--v8-flags=--enable-experimental-regexp-engine-on-excessive-backtracks",
        code,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(20_000),
    });
    const start = performance.now();
    const out = await child.output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(new TextDecoder().decode(out.stdout).trim(), "done", stderr);
    assert(performance.now() - start < 15_000, "the patterns did not stall");
  },
});
