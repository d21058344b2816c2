import { assertEquals, assertMatch, assertThrows } from "../../tests/assert.ts";
import { assertArgError, run } from "./_expr_testing.ts";
import { parseGoDuration } from "./_functions_datetime.ts";

const T1 = "2018-01-02T23:12:01Z";
const T2 = "2018-01-02T23:12:01-08:00";

Deno.test("formatdate() formats with cty's verbs and quoted literals", () => {
  assertEquals(run(`formatdate("DD MMM YYYY hh:mm ZZZ", "${T1}")`), "02 Jan 2018 23:12 UTC");
  assertEquals(
    run(`formatdate("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "${T1}")`),
    "Tuesday, 02-Jan-18 23:12:01 UTC",
  );
  assertEquals(
    run(`formatdate("EEE, DD MMM YYYY hh:mm:ss ZZZ", "${T2}")`),
    "Tue, 02 Jan 2018 23:12:01 -0800",
  );
  assertEquals(run(`formatdate("MMMM D, YYYY", "${T1}")`), "January 2, 2018");
  assertEquals(run(`formatdate("H:mmaa HH:mmAA", "${T1}")`), "11:12pm 11:12PM");
  assertEquals(
    run(`formatdate("h'h'mm ''ZZZZZ'' ZZZZ Z", "${T2}")`),
    "23h12 '-08:00' -0800 -08:00",
  );
  assertEquals(run(`formatdate("M/D/YY Z", "2009-11-10T23:00:00.5+00:00")`), "11/10/09 Z");
  assertEquals(run(`formatdate("YYYY-MM-DD", "0045-03-04T00:00:00Z")`), "0045-03-04");
});

Deno.test("formatdate() refuses unknown verbs and timestamps that are not RFC 3339", () => {
  assertArgError(
    `formatdate("YYY", "${T1}")`,
    "format",
    'invalid date format verb "YYY": year must either be "YY" or "YYYY"',
  );
  assertArgError(`formatdate("Q", "${T1}")`, "format", 'invalid date format verb "Q"');
  assertArgError(`formatdate("'abc", "${T1}")`, "format", "unterminated literal '");
  assertArgError(
    'formatdate("YYYY", "2018-01-02")',
    "time",
    "not a valid RFC3339 timestamp: missing required time introducer 'T'",
  );
  assertArgError(
    'formatdate("YYYY", "2018-13-02T00:00:00Z")',
    "time",
    'not a valid RFC3339 timestamp: cannot use "13" as month',
  );
  assertArgError(
    'formatdate("YYYY", "2018-02-30T00:00:00Z")',
    "time",
    'not a valid RFC3339 timestamp: cannot use "30" as day of month',
  );
});

Deno.test("timeadd() adds Go durations, keeping the offset and dropping fractions", () => {
  assertEquals(run('timeadd("2017-11-22T00:00:00Z", "10m")'), "2017-11-22T00:10:00Z");
  assertEquals(run('timeadd("2017-11-22T00:00:00Z", "-1h30m")'), "2017-11-21T22:30:00Z");
  assertEquals(run('timeadd("2017-11-22T00:00:00+01:00", "1.5h")'), "2017-11-22T01:30:00+01:00");
  assertEquals(run('timeadd("2017-11-22T00:00:00.9Z", "100ms")'), "2017-11-22T00:00:01Z");
  assertEquals(run('timeadd("2020-02-28T23:00:00Z", "24h")'), "2020-02-29T23:00:00Z");
  assertArgError(
    'timeadd("2017-11-22T00:00:00Z", "1d")',
    "duration",
    'time: invalid duration "1d"',
  );
  assertArgError('timeadd("nope", "1h")', "timestamp", "not a valid RFC3339 timestamp");
});

Deno.test("parseGoDuration() reads Go's duration syntax", () => {
  assertEquals(parseGoDuration("1h2m3.5s"), 3_723_500_000_000n);
  assertEquals(parseGoDuration("-1.5us"), -1500n);
  assertEquals(parseGoDuration("0"), 0n);
  assertEquals(
    assertThrows(() => parseGoDuration("5")).message,
    'time: missing unit in duration "5"',
  );
  assertThrows(() => parseGoDuration(""));
});

Deno.test("timestamp() gives the current UTC time in whole seconds", () => {
  const ts = run("timestamp()") as string;
  assertMatch(ts, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  const drift = Math.abs(Date.parse(ts) - Date.now());
  assertEquals(drift < 5000, true);
});
