import { assertEquals } from "../../tests/assert.ts";
import { assertArgError, assertCallError, run } from "./_expr_testing.ts";

Deno.test("setunion(), setintersection() and setsubtract() unify element types and order sets", () => {
  assertEquals(run('setunion(["b", "a"], ["c", "a"])'), ["a", "b", "c"]);
  assertEquals(run('setunion(["a"], [1])'), ["1", "a"]);
  assertEquals(run('setintersection(["a", "b"], ["b", "c"], ["b", "d"])'), ["b"]);
  assertEquals(run('setsubtract(["a", "b", "c"], ["a", "c"])'), ["b"]);
  assertCallError(
    'setunion(["a"], [[1]])',
    "setunion",
    "given sets must all have compatible element types",
  );
  assertArgError('setunion("a")', "first_set", "set of any single type required");
});

Deno.test("setproduct() gives every combination in order", () => {
  assertEquals(run('setproduct(["a", "b"], [1, 2])'), [["a", 1], ["a", 2], ["b", 1], ["b", 2]]);
  assertEquals(run('setproduct(["a"], [])'), []);
  assertCallError('setproduct(["a"])', "setproduct", "at least two arguments are required");
  assertArgError('setproduct(["a"], "b")', "sets", "a set or a list is required");
});
