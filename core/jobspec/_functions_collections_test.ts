import { assertEquals } from "../../tests/assert.ts";
import { assertArgError, assertCallError, run } from "./_expr_testing.ts";

Deno.test("length() counts lists and maps, and refuses strings and objects as cty does", () => {
  assertEquals(run("length([1, 2, 3])"), 3);
  assertEquals(run("length([])"), 0);
  assertEquals(run("length(tomap({a = 1, b = 2}))"), 2);
  assertCallError('length("abc")', "length", "collection must be a list, a map or a tuple");
  assertCallError("length({a = 1})", "length", "collection must be a list, a map or a tuple");
});

Deno.test("element() wraps around and refuses negative indexes and empty lists", () => {
  assertEquals(run('element(["a", "b", "c"], 1)'), "b");
  assertEquals(run('element(["a", "b", "c"], 5)'), "c");
  assertCallError(
    'element(["a"], -1)',
    "element",
    "cannot use element function with a negative index",
  );
  assertCallError("element([], 0)", "element", "cannot use element function with an empty list");
  assertCallError('element("s", 0)', "element", "cannot read elements from string");
});

Deno.test("index() reads an element by key, as cty's index does", () => {
  assertEquals(run('index(["a", "b"], 1)'), "b");
  assertEquals(run('index(tomap({a = "x"}), "a")'), "x");
  assertCallError('index(["a", "b"], "b")', "index", "key for tuple must be number");
  assertCallError('index(["a"], 3)', "index", "key must be between 0 and 1 inclusive");
  assertCallError('index(tomap({a = "x"}), "z")', "index", "invalid index");
});

Deno.test("contains(), distinct() and compact() compare values with cty's equality", () => {
  assertEquals(run('contains(["a", "b"], "b")'), true);
  assertEquals(run('contains(["1"], 1)'), false);
  assertEquals(run("contains([{a = 1}], {a = 1})"), true);
  assertCallError('contains("ab", "a")', "contains", "argument must be list, tuple, or set");
  assertEquals(run('distinct(["a", "b", "a", "c"])'), ["a", "b", "c"]);
  assertEquals(run('distinct([1, "1"])'), ["1"]);
  assertEquals(run('compact(["a", "", null, "b"])'), ["a", "b"]);
});

Deno.test("keys(), values(), lookup() and merge() work on maps and objects in key order", () => {
  assertEquals(run("keys({b = 1, a = 2})"), ["a", "b"]);
  assertEquals(run("values({b = 1, a = 2})"), [2, 1]);
  assertArgError("keys([1])", "inputMap", "must have map or object type");
  assertCallError("values(1)", "values", "values() requires a map as the first argument");
  assertEquals(run('lookup({a = "x"}, "a")'), "x");
  assertEquals(run('lookup({a = "x"}, "b", "d")'), "d");
  assertArgError('lookup({a = "x"}, "b")', "inputMap", 'the given object has no attribute "b"');
  assertCallError('lookup(tomap({a = "x"}), "b")', "lookup", 'lookup failed to find key "b"');
  assertEquals(run("merge({a = 1, b = 2}, null, {b = 3, c = 4})"), { a: 1, b: 3, c: 4 });
  assertEquals(run("merge()"), {});
  assertEquals(run("merge(null)"), null);
  assertCallError("merge([1])", "merge", 'arguments must be maps or objects, got "tuple"');
});

Deno.test("concat(), flatten() and slice() rearrange sequences", () => {
  assertEquals(run('concat(["a"], [], ["b", 1])'), ["a", "b", 1]);
  assertArgError('concat(["a"], "b")', "seqs", "all arguments must be lists or tuples; got string");
  assertEquals(run("flatten([[1, [2]], [], [[[3]]], 4])"), [1, 2, 3, 4]);
  assertCallError('flatten("a")', "flatten", "can only flatten lists, sets and tuples");
  assertEquals(run('slice(["a", "b", "c", "d"], 1, 3)'), ["b", "c"]);
  assertArgError(
    "slice([1], 2, 2)",
    "start_index",
    "start index must not be greater than the length of the list",
  );
  assertArgError(
    "slice([1, 2], 1, 0)",
    "start_index",
    "start index must not be greater than end index",
  );
  assertArgError(
    "slice([1], 0, 5)",
    "end_index",
    "end index must not be greater than the length of the list",
  );
});

Deno.test("chunklist() splits into fixed-size chunks; zero keeps one chunk", () => {
  assertEquals(run('chunklist(["a", "b", "c", "d", "e"], 2)'), [["a", "b"], ["c", "d"], ["e"]]);
  assertEquals(run("chunklist([1, 2], 0)"), [[1, 2]]);
  assertEquals(run("chunklist([], 3)"), []);
  assertCallError("chunklist([1], -1)", "chunklist", "the size argument must be positive");
});

Deno.test("zipmap() pairs keys with values and checks the counts", () => {
  assertEquals(run('zipmap(["a", "b"], [1, "x"])'), { a: 1, b: "x" });
  assertCallError(
    'zipmap(["a"], [1, 2])',
    "zipmap",
    "number of keys (1) does not match number of values (2)",
  );
  assertArgError('zipmap(["a"], "x")', "values", "values argument must be a list or tuple value");
});

Deno.test("coalesce() keeps the first non-null (empty strings count) and coalescelist() the first non-empty", () => {
  assertEquals(run('coalesce(null, "", "b")'), "");
  assertEquals(run('coalesce(null, 1, "b")'), "1");
  assertCallError("coalesce(null, null)", "coalesce", "no non-null arguments");
  assertCallError("coalesce(1, [1])", "coalesce", "all arguments must have the same type");
  assertEquals(run('coalescelist([], ["a"], ["b"])'), ["a"]);
  assertCallError("coalescelist([], [])", "coalescelist", "no non-null arguments");
  assertCallError(
    'coalescelist("a")',
    "coalescelist",
    "coalescelist arguments must be lists or tuples",
  );
});

Deno.test("sort() sorts strings lexically, converting numbers", () => {
  assertEquals(run('sort(["e", "d", "a", "x"])'), ["a", "d", "e", "x"]);
  assertEquals(run("sort([10, 9, 1])"), ["1", "10", "9"]);
  assertArgError('sort(["a", null])', "list", "given list element 1 is null");
});

Deno.test("sum(), alltrue(), anytrue(), one() and transpose() follow Terraform", () => {
  assertEquals(run('sum([1, 2.5, "3"])'), 6.5);
  assertArgError("sum([])", "list", "cannot sum an empty list");
  assertEquals(run('[alltrue([true, "true"]), alltrue([]), anytrue([false, true]), anytrue([])]'), [
    true,
    true,
    true,
    false,
  ]);
  assertEquals(run("[one([]), one([5])]"), [null, 5]);
  assertArgError(
    "one([1, 2])",
    "list",
    "must be a list, set, or tuple value with either zero or one elements",
  );
  assertEquals(run('transpose({a = ["1", "2"], b = ["2", "3"]})'), {
    "1": ["a"],
    "2": ["a", "b"],
    "3": ["b"],
  });
});
