import { assertEquals } from "../../../tests/assert.ts";
import {
  formatApiTime,
  formatSecondsBetween,
  formatTime,
  formatUnixNanoTime,
  parseApiTime,
  prettyTimeDiff,
  setLocalZoneFromEnv,
} from "./time.ts";

const T = Date.UTC(2024, 10, 30, 11, 41, 28, 600);

Deno.test("formatTime() prints ISO 8601 with the zone's offset, Z for UTC", () => {
  assertEquals(formatTime(T, "Asia/Kolkata"), "2024-11-30T17:11:28+05:30");
  assertEquals(formatTime(T, "America/New_York"), "2024-11-30T06:41:28-05:00");
  assertEquals(formatTime(T, "UTC"), "2024-11-30T11:41:28Z");
  assertEquals(formatTime(Date.UTC(2024, 6, 1), "Europe/London"), "2024-07-01T01:00:00+01:00");
});

Deno.test("formatTime() prints nothing for the epoch, zero and missing times", () => {
  assertEquals(formatTime(0, "UTC"), "");
  assertEquals(formatTime(null, "UTC"), "");
  assertEquals(formatUnixNanoTime(0), "");
});

Deno.test("setLocalZoneFromEnv() reads TZ as Go does", () => {
  try {
    setLocalZoneFromEnv({ TZ: "Asia/Kolkata" });
    assertEquals(formatTime(T), "2024-11-30T17:11:28+05:30");
    setLocalZoneFromEnv({ TZ: "" });
    assertEquals(formatTime(T), "2024-11-30T11:41:28Z");
    setLocalZoneFromEnv({ TZ: "Not/AZone" });
    assertEquals(formatTime(T), "2024-11-30T11:41:28Z");
  } finally {
    setLocalZoneFromEnv({});
  }
});

Deno.test("formatApiTime() keeps the offset the API sent; Go's zero time is empty", () => {
  assertEquals(formatApiTime("2024-11-30T17:43:15.123456789+05:30"), "2024-11-30T17:43:15+05:30");
  assertEquals(formatApiTime("2024-11-30T12:13:15Z"), "2024-11-30T12:13:15Z");
  assertEquals(formatApiTime("0001-01-01T00:00:00Z"), "");
  assertEquals(parseApiTime("0001-01-01T00:00:00Z"), null);
});

Deno.test("prettyTimeDiff() keeps the two largest units, as Nomad's", () => {
  const now = Date.UTC(2024, 10, 30, 12, 0, 0);
  const ago = (s: number) => now - s * 1000;
  assertEquals(prettyTimeDiff(ago(267), now), "4m27s ago");
  assertEquals(prettyTimeDiff(ago(0.4), now), "0s ago");
  assertEquals(prettyTimeDiff(ago(3600), now), "1h ago");
  assertEquals(prettyTimeDiff(ago(22 * 3600 + 12 * 60 + 5), now), "22h12m ago");
  assertEquals(prettyTimeDiff(ago(86400 * 40 + 7200), now), "1mo10d ago");
  assertEquals(prettyTimeDiff(ago(86400 * 400), now), "1y1mo ago");
  assertEquals(prettyTimeDiff(now + 90_000, now), "1m30s from now");
  assertEquals(prettyTimeDiff(null, now), "");
});

Deno.test("formatSecondsBetween() prints Go durations of whole seconds", () => {
  assertEquals(formatSecondsBetween(0, 59_999), "59s");
  assertEquals(formatSecondsBetween(0, 3_600_000 + 5_000), "1h0m5s");
  assertEquals(formatSecondsBetween(1_000, 1_000), "0s");
});
