import { assertEquals } from "../../tests/assert.ts";
import { assertArgError, assertCallError, run } from "./_expr_testing.ts";

Deno.test("abs(), ceil(), floor() and signum() work on numbers and numeric strings", () => {
  assertEquals(
    run('[abs(-12.4), abs("3"), ceil(4.1), ceil(-0.5), floor(-4.1), signum(-3), signum(0)]'),
    [
      12.4,
      3,
      5,
      0,
      -5,
      -1,
      0,
    ],
  );
  assertArgError('abs("x")', "num", "a number is required");
});

Deno.test("log() and pow() compute logarithms and powers", () => {
  assertEquals(run("log(16, 2)"), 4);
  assertEquals(run("pow(3, 2)"), 9);
  assertEquals(run("pow(4, 0.5)"), 2);
});

Deno.test("max() and min() take numbers and need at least one", () => {
  assertEquals(run('max(12, 54, "3")'), 54);
  assertEquals(run("min([12, 54, 3]...)"), 3);
  assertCallError("max()", "max", "must pass at least one number");
});

Deno.test("parseint() parses in bases 2 to 62 like Go's big.Int", () => {
  assertEquals(
    run(
      '[parseint("100", 10), parseint("FF", 16), parseint("-10", 16), parseint("1011111011101111", 2)]',
    ),
    [
      100,
      255,
      -16,
      48879,
    ],
  );
  assertEquals(run('parseint("zz", 36)'), 1295);
  assertEquals(run('parseint("Z", 62)'), 61);
  assertArgError('parseint("12", 2)', "number", 'cannot parse "12" as a base 2 integer');
  assertArgError(
    'parseint("1", 1)',
    "base",
    "base must be a whole number between 2 and 62 inclusive",
  );
  assertArgError("parseint(12, 10)", "number", "first argument must be a string, not number");
});

Deno.test("range() counts up or down with a step and caps at 1024 values", () => {
  assertEquals(run("range(3)"), [0, 1, 2]);
  assertEquals(run("range(-3)"), [0, -1, -2]);
  assertEquals(run("range(1, 4)"), [1, 2, 3]);
  assertEquals(run("range(4, 1)"), [4, 3, 2]);
  assertEquals(run("range(0, 1, 0.25)"), [0, 0.25, 0.5, 0.75]);
  assertEquals(run("range(0)"), []);
  assertArgError("range(1, 2, 0)", "params", "step must not be zero");
  assertArgError(
    "range(5, 1, 1)",
    "params",
    "end must be greater than start when step is positive",
  );
  assertCallError("range()", "range", "must have one, two, or three arguments");
  assertCallError("range(2000)", "range", "more than 1024 values were generated");
});
