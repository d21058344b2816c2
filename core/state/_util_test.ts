import { assertEquals } from "../../tests/assert.ts";
import { deepEqual, nanosToTime, timeToNanos } from "./_util.ts";

Deno.test("nanosToTime() formats like Go's RFC 3339 with trimmed nanoseconds", () => {
  assertEquals(nanosToTime(0), "0001-01-01T00:00:00Z");
  assertEquals(nanosToTime(1e9), "1970-01-01T00:00:01Z");
  assertEquals(nanosToTime(1_500_000_000), "1970-01-01T00:00:01.5Z");
  assertEquals(nanosToTime(1_000_000_123), "1970-01-01T00:00:01.000000123Z");
});

Deno.test("timeToNanos() reads RFC 3339 with fractions and offsets", () => {
  assertEquals(timeToNanos("0001-01-01T00:00:00Z"), 0);
  assertEquals(timeToNanos("1970-01-01T00:00:01.000000123Z"), 1_000_000_123);
  assertEquals(timeToNanos("1970-01-01T01:00:02+01:00"), 2e9);
  assertEquals(timeToNanos("not a time"), 0);
});

Deno.test("deepEqual() tells null from empty and ignores undefined properties", () => {
  assertEquals(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), true);
  assertEquals(deepEqual({ a: null }, { a: [] }), false);
  assertEquals(deepEqual({ a: 1, b: undefined }, { a: 1 }), true);
  assertEquals(deepEqual([1, 2], [2, 1]), false);
  assertEquals(deepEqual({ a: 1 }, { a: 1, c: 2 }), false);
});
