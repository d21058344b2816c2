import { assertEquals } from "../../tests/assert.ts";
import { exactTime, goDuration, relativeTime, shortDuration, toMillis } from "./time.ts";

Deno.test("toMillis() reads nanosecond integers and RFC 3339 strings", () => {
  assertEquals(toMillis(1795453830316000000), 1795453830316);
  assertEquals(toMillis("2026-11-23T17:10:30.414Z"), Date.UTC(2026, 10, 23, 17, 10, 30, 414));
});

Deno.test("toMillis() treats Go's zero time, zero and null as never", () => {
  assertEquals(toMillis("0001-01-01T00:00:00Z"), undefined);
  assertEquals(toMillis(0), undefined);
  assertEquals(toMillis(null), undefined);
  assertEquals(toMillis("not a time"), undefined);
});

Deno.test("relativeTime() prints two units like Nomad's CLI: 4m27s ago", () => {
  const now = Date.UTC(2026, 0, 1);
  assertEquals(relativeTime(now - 267_000, now), "4m27s ago");
  assertEquals(relativeTime(now - 12_400, now), "12s ago");
  assertEquals(relativeTime(now - 3 * 3600_000 - 5 * 60_000 - 7_000, now), "3h5m ago");
  assertEquals(relativeTime(now - 50 * 3600_000, now), "2d2h ago");
  assertEquals(relativeTime(now - 120_000, now), "2m ago");
});

Deno.test("relativeTime() says just now under a second and 'in' for the future", () => {
  const now = 1_000_000;
  assertEquals(relativeTime(now - 300, now), "just now");
  assertEquals(relativeTime(now + 12_000, now), "in 12s");
});

Deno.test("shortDuration() keeps milliseconds under a second", () => {
  assertEquals(shortDuration(450), "450ms");
  assertEquals(shortDuration(24 * 3600_000), "1d");
});

Deno.test("exactTime() gives the UTC time to the millisecond", () => {
  assertEquals(exactTime(Date.UTC(2026, 10, 23, 17, 10, 30, 4)), "2026-11-23 17:10:30.004 UTC");
});

Deno.test("goDuration() prints nanoseconds as Go's time.Duration does", () => {
  assertEquals(goDuration(15_000_000_000), "15s");
  assertEquals(goDuration(1_800_000_000_000), "30m0s");
  assertEquals(goDuration(90_000_000_000), "1m30s");
  assertEquals(goDuration(500_000_000), "500ms");
  assertEquals(goDuration(0), "0s");
  assertEquals(goDuration(3_600_000_000_000), "1h0m0s");
});
