import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { formatDuration, HOUR, MINUTE, parseDuration, SECOND } from "./duration.ts";

Deno.test("parseDuration() reads Go durations", () => {
  assertEquals(parseDuration("30s"), 30 * SECOND);
  assertEquals(parseDuration("1h30m"), HOUR + 30 * MINUTE);
  assertEquals(parseDuration("1.5s"), 1_500_000_000);
  assertEquals(parseDuration("500ms"), 500_000_000);
  assertEquals(parseDuration("-2m"), -2 * MINUTE);
  assertEquals(parseDuration("0"), 0);
  assertEquals(parseDuration("10us"), 10_000);
  assertEquals(parseDuration("24h"), 86_400 * SECOND);
});

Deno.test("parseDuration() rejects text Go rejects, with Go's message", () => {
  assertThrows(() => parseDuration("10"), RangeError, 'missing unit in duration "10"');
  assertThrows(() => parseDuration("5 minutes"), RangeError, 'invalid duration "5 minutes"');
  assertThrows(() => parseDuration("3d"), RangeError, 'unknown unit "d"');
  assertThrows(() => parseDuration(""), RangeError, "invalid duration");
});

Deno.test("formatDuration() writes what Go's Duration.String writes", () => {
  assertEquals(formatDuration(0), "0s");
  assertEquals(formatDuration(90 * SECOND), "1m30s");
  assertEquals(formatDuration(HOUR), "1h0m0s");
  assertEquals(formatDuration(1_500_000_000), "1.5s");
  assertEquals(formatDuration(500_000_000), "500ms");
  assertEquals(formatDuration(-5 * SECOND), "-5s");
  assertEquals(formatDuration(1_500), "1.5µs");
});
