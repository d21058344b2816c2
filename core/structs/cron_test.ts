import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { nextAfter, parseCron } from "./cron.ts";

/** The next `n` launches (ISO strings) of `spec` after `from`. */
function launches(spec: string, from: string, n: number, zone = "UTC"): (string | null)[] {
  const schedule = parseCron(spec);
  const out: (string | null)[] = [];
  let at: Date | null = new Date(from);
  for (let i = 0; i < n && at !== null; i++) {
    at = nextAfter(schedule, at, zone);
    out.push(at === null ? null : at.toISOString().replace(".000Z", "Z"));
  }
  return out;
}

Deno.test("parseCron() reads 5 fields as minute to day of week, a 6th as the year, 7 with seconds", () => {
  const five = parseCron("30 2 1 6 *");
  assertEquals([five.seconds, five.minutes, five.hours, five.daysOfMonth, five.months], [
    [0],
    [30],
    [2],
    [1],
    [6],
  ]);
  assertEquals(five.years.length, 130);
  assertEquals(parseCron("0 0 1 1 * 2030").years, [2030]);
  const seven = parseCron("15 30 2 * * * 2031-2033");
  assertEquals([seven.seconds, seven.minutes, seven.years], [[15], [30], [2031, 2032, 2033]]);
  assertEquals(parseCron("0 0 * * * * * ignored extra").seconds, [0]);
});

Deno.test("parseCron() reads names, ranges, steps and lists", () => {
  const s = parseCron("5/20 10-16/3 * jan,MAR-May mon-FRI");
  assertEquals(s.minutes, [5, 25, 45]);
  assertEquals(s.hours, [10, 13, 16]);
  assertEquals(s.months, [1, 3, 4, 5]);
  assertEquals(s.daysOfWeek, [1, 2, 3, 4, 5]);
  assertEquals(parseCron("*/15 * * * *").minutes, [0, 15, 30, 45]);
  assertEquals(parseCron("0 0 * * 7").daysOfWeek, [0]);
  assertEquals(parseCron("0 0 * * sunday,saturday").daysOfWeek, [0, 6]);
  // cronexpr reads a day-of-week range ending on 7 (Sunday) as ending on Saturday.
  assertEquals(parseCron("0 0 * * 5-7").daysOfWeek, [5, 6]);
  assertEquals(parseCron("0 0 ? * *").daysOfMonthRestricted, false);
});

Deno.test("parseCron() expands @daily style macros", () => {
  assertEquals(parseCron("@daily").hours, [0]);
  assertEquals(parseCron("@hourly").hours.length, 24);
  assertEquals(parseCron("@weekly").daysOfWeek, [0]);
  assertEquals([parseCron("@yearly").months, parseCron("@annually").daysOfMonth], [[1], [1]]);
  assertEquals(parseCron("@monthly").daysOfMonth, [1]);
});

Deno.test("parseCron() rejects malformed expressions with cronexpr's reasons", () => {
  const bad: [string, string][] = [
    ["* * * *", "missing field(s)"],
    ["@every 5m", "missing field(s)"],
    ["60 * * * *", "syntax error in minute field: '60'"],
    ["* 24 * * *", "syntax error in hour field: '24'"],
    ["* * 0 * *", "syntax error in day-of-month field: '0'"],
    ["* * * Foo *", "syntax error in month field: 'Foo'"],
    ["* * * * 8", "syntax error in day-of-week field: '8'"],
    ["*/0 * * * *", "invalid interval */0"],
    ["*/60 * * * *", "invalid interval */60"],
    ["0 0 * * * 1969", "syntax error in year field: '1969'"],
    [", * * * *", "minute field: missing directive"],
    ["30-10 * * * *", "minute field '30-10' matches no value"],
  ];
  for (const [spec, reason] of bad) {
    assertThrows(
      () => parseCron(spec),
      RangeError,
      `Invalid cron spec ${JSON.stringify(spec)}: ${reason}`,
    );
  }
});

Deno.test("nextAfter() finds the next launch strictly after the given second", () => {
  assertEquals(launches("*/15 * * * *", "2024-01-01T00:07:00Z", 3), [
    "2024-01-01T00:15:00Z",
    "2024-01-01T00:30:00Z",
    "2024-01-01T00:45:00Z",
  ]);
  assertEquals(launches("0 * * * *", "2024-01-01T00:00:00Z", 1), ["2024-01-01T01:00:00Z"]);
  assertEquals(launches("0 * * * *", "2023-12-31T23:59:59.900Z", 1), ["2024-01-01T00:00:00Z"]);
  assertEquals(launches("10 * * * * * *", "2024-01-01T00:00:05Z", 2), [
    "2024-01-01T00:00:10Z",
    "2024-01-01T00:01:10Z",
  ]);
});

Deno.test("nextAfter() runs on a day matching either day of month or day of week", () => {
  assertEquals(launches("0 0 13 * 5", "2024-09-01T00:00:00Z", 4), [
    "2024-09-06T00:00:00Z",
    "2024-09-13T00:00:00Z",
    "2024-09-20T00:00:00Z",
    "2024-09-27T00:00:00Z",
  ]);
  assertEquals(launches("0 0 * * 1", "2024-09-01T00:00:00Z", 1), ["2024-09-02T00:00:00Z"]);
  assertEquals(launches("0 0 10 * ?", "2024-09-01T00:00:00Z", 1), ["2024-09-10T00:00:00Z"]);
});

Deno.test("nextAfter() skips months too short for the day and handles month ends", () => {
  assertEquals(launches("0 0 31 * *", "2024-01-31T10:00:00Z", 2), [
    "2024-03-31T00:00:00Z",
    "2024-05-31T00:00:00Z",
  ]);
  assertEquals(launches("0 0 L * *", "2024-01-31T10:00:00Z", 3), [
    "2024-02-29T00:00:00Z",
    "2024-03-31T00:00:00Z",
    "2024-04-30T00:00:00Z",
  ]);
  assertEquals(launches("0 0 29 2 *", "2024-03-01T00:00:00Z", 1), ["2028-02-29T00:00:00Z"]);
  // LW: the last weekday; 15W: the weekday nearest the 15th (2024-06-15 is a Saturday).
  assertEquals(launches("0 0 LW * *", "2024-08-01T00:00:00Z", 1), ["2024-08-30T00:00:00Z"]);
  assertEquals(launches("0 0 15W * *", "2024-06-01T00:00:00Z", 1), ["2024-06-14T00:00:00Z"]);
});

Deno.test("nextAfter() finds the n-th and the last weekday of a month", () => {
  assertEquals(launches("0 9 * * 1#2", "2024-07-01T00:00:00Z", 2), [
    "2024-07-08T09:00:00Z",
    "2024-08-12T09:00:00Z",
  ]);
  assertEquals(launches("0 9 * * 5L", "2024-07-01T00:00:00Z", 2), [
    "2024-07-26T09:00:00Z",
    "2024-08-30T09:00:00Z",
  ]);
  assertEquals(launches("0 0 * * 1#5", "2024-01-01T00:00:00Z", 1), ["2024-01-29T00:00:00Z"]);
});

Deno.test("nextAfter() returns null when the schedule never fires again", () => {
  assertEquals(launches("0 0 1 1 * 2030", "2024-01-01T00:00:00Z", 2), [
    "2030-01-01T00:00:00Z",
    null,
  ]);
  assertEquals(launches("0 0 30 2 *", "2024-01-01T00:00:00Z", 1), [null]);
});

Deno.test("nextAfter() reads the schedule on the wall clock of an IANA time zone", () => {
  assertEquals(launches("0 9 * * *", "2024-01-14T12:00:00Z", 1, "Asia/Tokyo"), [
    "2024-01-15T00:00:00Z",
  ]);
  assertEquals(launches("0 9 * * *", "2024-07-01T12:00:00Z", 1, "Europe/Paris"), [
    "2024-07-02T07:00:00Z",
  ]);
  assertEquals(launches("0 9 * * *", "2024-01-01T12:00:00Z", 1, "Europe/Paris"), [
    "2024-01-02T08:00:00Z",
  ]);
  // Across several offset changes, and never in a zone with DST.
  assertEquals(launches("0 0 1 1 *", "2024-02-01T00:00:00Z", 2, "America/New_York"), [
    "2025-01-01T05:00:00Z",
    "2026-01-01T05:00:00Z",
  ]);
  assertEquals(launches("0 0 30 2 *", "2024-01-01T00:00:00Z", 1, "Europe/Paris"), [null]);
});

Deno.test("nextAfter() skips times a spring-forward change removes", () => {
  // 2024-03-10 02:30 does not exist in New York.
  assertEquals(launches("30 2 * * *", "2024-03-09T12:00:00Z", 2, "America/New_York"), [
    "2024-03-11T06:30:00Z",
    "2024-03-12T06:30:00Z",
  ]);
  // Every 30 minutes keeps its pace across the gap (01:30 CET, then 03:00 CEST).
  assertEquals(launches("*/30 * * * *", "2024-03-31T00:15:00Z", 3, "Europe/Paris"), [
    "2024-03-31T00:30:00Z",
    "2024-03-31T01:00:00Z",
    "2024-03-31T01:30:00Z",
  ]);
});

Deno.test("nextAfter() fires twice at times a fall-back change repeats", () => {
  assertEquals(launches("30 1 * * *", "2024-11-02T12:00:00Z", 3, "America/New_York"), [
    "2024-11-03T05:30:00Z",
    "2024-11-03T06:30:00Z",
    "2024-11-04T06:30:00Z",
  ]);
  // From inside the repeated hour, the second 01:30 is next.
  assertEquals(launches("30 1 * * *", "2024-11-03T05:45:00Z", 1, "America/New_York"), [
    "2024-11-03T06:30:00Z",
  ]);
});

Deno.test("nextAfter() accepts UTC aliases and rejects unknown zones", () => {
  const s = parseCron("0 0 * * *");
  const from = new Date("2024-01-01T12:00:00Z");
  assertEquals(nextAfter(s, from, "")?.toISOString(), "2024-01-02T00:00:00.000Z");
  assertEquals(nextAfter(s, from)?.toISOString(), "2024-01-02T00:00:00.000Z");
  assertThrows(
    () => nextAfter(s, from, "Mars/Olympus"),
    RangeError,
    "unknown time zone Mars/Olympus",
  );
});

Deno.test("nextAfter() stays fast for an every-second schedule in a zone with DST", () => {
  const s = parseCron("* * * * * * *");
  let at: Date | null = new Date("2024-03-31T00:59:00Z");
  const started = performance.now();
  for (let i = 0; i < 500 && at !== null; i++) at = nextAfter(s, at, "Europe/Paris");
  assertEquals(at?.toISOString(), "2024-03-31T01:07:20.000Z");
  assertEquals(performance.now() - started < 2000, true);
});
