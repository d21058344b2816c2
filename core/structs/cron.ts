/**
 * Cron schedules of periodic jobs, with the syntax of the `cronexpr` library Nomad uses:
 *
 * - 5 fields `minute hour day-of-month month day-of-week`, 6 fields add a trailing `year`,
 *   7 fields add a leading `second`; fields past the 7th are ignored;
 * - `*` and `?` (any), values, `a-b` ranges, `*\/n`, `a/n` and `a-b/n` steps, `,` lists;
 *   month and weekday names (`JAN`, `MON`, full names too), `7` is Sunday, case-insensitive;
 * - day of month `L` (last day), `LW` (last weekday), `15W` (weekday nearest the 15th); day of
 *   week `5L` (last Friday), `1#2` (second Monday);
 * - `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@hourly`;
 * - when both day of month and day of week are restricted, a day matching either runs.
 *
 * @module
 */
import { cronDaysOfMonth } from "./_cron_days.ts";
import { nextOffsetChange, offsetAt, resolveTimeZone } from "./_time_zone.ts";

/** A parsed cron expression. Lists are sorted and free of duplicates. */
export interface CronSchedule {
  /** The expression as written. */
  readonly spec: string;
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  /** Days of the month listed (1-31). */
  readonly daysOfMonth: readonly number[];
  /** `L`: the last day of the month. */
  readonly lastDayOfMonth: boolean;
  /** `LW`: the last weekday (Monday to Friday) of the month. */
  readonly lastWorkdayOfMonth: boolean;
  /** `nW`: the weekday nearest these days of the month. */
  readonly workdaysOfMonth: readonly number[];
  /** False when the day-of-month field is `*` or `?`. */
  readonly daysOfMonthRestricted: boolean;
  readonly months: readonly number[];
  /** Days of the week, 0 = Sunday. */
  readonly daysOfWeek: readonly number[];
  /** `d#n`: the n-th (1-5) weekday `d` of the month. */
  readonly nthDaysOfWeek: readonly { readonly weekday: number; readonly nth: number }[];
  /** `dL`: the last weekday `d` of the month. */
  readonly lastDaysOfWeek: readonly number[];
  /** False when the day-of-week field is `*` or `?`. */
  readonly daysOfWeekRestricted: boolean;
  /** Years 1970-2099. */
  readonly years: readonly number[];
}

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly value: string;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTHS = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];
const MONTH_FULL = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const DAY_FULL = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

function nameTable(...lists: string[][]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const list of lists) list.forEach((n, i) => out[n] = i);
  return out;
}

const SECOND_F: Field = { name: "second", min: 0, max: 59, value: "0?[0-9]|[1-5][0-9]" };
const MINUTE_F: Field = { ...SECOND_F, name: "minute" };
const HOUR_F: Field = { name: "hour", min: 0, max: 23, value: "0?[0-9]|1[0-9]|2[0-3]" };
const DOM_F: Field = { name: "day-of-month", min: 1, max: 31, value: "0?[1-9]|[12][0-9]|3[01]" };
const MONTH_F: Field = {
  name: "month",
  min: 1,
  max: 12,
  value: `0?[1-9]|1[012]|${[...MONTHS, ...MONTH_FULL].join("|")}`,
  names: Object.fromEntries(
    Object.entries(nameTable(MONTHS, MONTH_FULL)).map(([k, v]) => [k, v + 1]),
  ),
};
const DOW_F: Field = {
  name: "day-of-week",
  min: 0,
  max: 6,
  value: `0?[0-7]|${[...DAYS, ...DAY_FULL].join("|")}`,
  names: nameTable(DAYS, DAY_FULL),
};
const YEAR_F: Field = { name: "year", min: 1970, max: 2099, value: "19[789][0-9]|20[0-9]{2}" };

const MACROS: ReadonlyArray<readonly [string, string]> = [
  ["@yearly", "0 0 0 1 1 * *"],
  ["@annually", "0 0 0 1 1 * *"],
  ["@monthly", "0 0 0 1 * * *"],
  ["@weekly", "0 0 0 * * 0 *"],
  ["@daily", "0 0 0 * * * *"],
  ["@hourly", "0 0 * * * * *"],
];

type Directive =
  | { kind: "all"; text: string }
  | { kind: "set"; text: string; values: number[] }
  | { kind: "other"; text: string };

function range(first: number, last: number, step: number): number[] {
  const out: number[] = [];
  for (let v = first; v <= last; v += step) out.push(v);
  return out;
}

/** Go's cronexpr reads numbers through a table of 0-59 and the years; others read as 0. */
function stepOf(text: string): number {
  const n = Number(text);
  const known = /^(0?[0-9]|[1-5][0-9]|19[789][0-9]|20[0-9]{2})$/.test(text);
  return known ? n : 0;
}

function parseDirectives(text: string, f: Field, spec: string): Directive[] {
  const entries = text.split(",").filter((e) => e !== "");
  if (entries.length === 0) throw cronError(spec, `${f.name} field: missing directive`);
  const v = `(${f.value})`;
  const toNum = (s: string): number => {
    if (f.names && s in f.names) return f.names[s] as number;
    const n = Number(s);
    return f.name === "day-of-week" && n === 7 ? 0 : n;
  };
  return entries.map((entry): Directive => {
    const s = entry.toLowerCase();
    if (s === "*" || s === "?") return { kind: "all", text: entry };
    if (new RegExp(`^${v}$`).test(s)) return { kind: "set", text: entry, values: [toNum(s)] };
    let m = new RegExp(`^${v}-${v}$`).exec(s);
    if (m) {
      return { kind: "set", text: entry, values: span(f, toNum(m[1]!), toNum(m[2]!), 1) };
    }
    const stepped = (first: number, last: number, stepText: string): Directive => {
      const step = stepOf(stepText);
      if (step < 1 || step > f.max) throw cronError(spec, `invalid interval ${s}`);
      return { kind: "set", text: entry, values: span(f, first, last, step) };
    };
    if ((m = /^\*\/(\d+)$/.exec(s))) return stepped(f.min, f.max, m[1]!);
    if ((m = new RegExp(`^${v}/(\\d+)$`).exec(s))) return stepped(toNum(m[1]!), f.max, m[2]!);
    if ((m = new RegExp(`^${v}-${v}/(\\d+)$`).exec(s))) {
      return stepped(toNum(m[1]!), toNum(m[2]!), m[3]!);
    }
    return { kind: "other", text: entry };
  });
}

/** A range; in the day-of-week field a range ending on 7 (Sunday, read as 0) ends on Saturday. */
function span(f: Field, first: number, last: number, step: number): number[] {
  return range(first, f.name === "day-of-week" && last === 0 ? 6 : last, step);
}

function cronError(spec: string, reason: string): RangeError {
  return new RangeError(`Invalid cron spec ${JSON.stringify(spec)}: ${reason}`);
}

const sorted = (values: Iterable<number>): number[] => [...new Set(values)].sort((a, b) => a - b);

function parseList(text: string, f: Field, spec: string): number[] {
  const values: number[] = [];
  for (const d of parseDirectives(text, f, spec)) {
    if (d.kind === "other") throw cronError(spec, `syntax error in ${f.name} field: '${d.text}'`);
    if (d.kind === "all") return range(f.min, f.max, 1);
    values.push(...d.values);
  }
  if (values.length === 0) throw cronError(spec, `${f.name} field '${text}' matches no value`);
  return sorted(values);
}

/**
 * Parses a cron expression.
 *
 * @param spec The expression, e.g. `"*\/15 * * * *"`, `"0 9 * * MON-FRI"` or `"@daily"`.
 * @returns The schedule, for {@link nextAfter}.
 * @throws {RangeError} `Invalid cron spec "<spec>": <reason>`, the reason worded as cronexpr
 *   words it (`missing field(s)`, `syntax error in minute field: '61'`, `invalid interval *\/0`).
 *
 * @example
 * ```ts
 * const schedule = parseCron("30 2 * * *");
 * nextAfter(schedule, new Date("2024-01-01T00:00:00Z"), "UTC"); // 2024-01-01T02:30:00Z
 * ```
 */
export function parseCron(spec: string): CronSchedule {
  let line = spec;
  for (const [macro, expansion] of MACROS) line = line.replaceAll(macro, expansion);
  const fields = line.match(/[^\t\n\f\r ]+/g) ?? [];
  if (fields.length < 5) throw cronError(spec, "missing field(s)");
  const count = Math.min(fields.length, 7);
  const at = (i: number): string => fields[count === 7 ? i : i - 1] as string;

  const dom = { days: [] as number[], last: false, lastWork: false, work: [] as number[] };
  let domRestricted = true;
  for (const d of parseDirectives(at(3), DOM_F, spec)) {
    if (d.kind === "all") domRestricted = false;
    else if (d.kind === "set") dom.days.push(...d.values);
    else {
      const s = d.text.toLowerCase();
      const w = new RegExp(`^(${DOM_F.value})w$`).exec(s);
      if (s === "l") dom.last = true;
      else if (s === "lw") dom.lastWork = true;
      else if (w) dom.work.push(Number(w[1]));
      else throw cronError(spec, `syntax error in day-of-month field: '${d.text}'`);
    }
  }

  const dow = {
    days: [] as number[],
    nth: [] as { weekday: number; nth: number }[],
    last: [] as number[],
  };
  let dowRestricted = true;
  for (const d of parseDirectives(at(5), DOW_F, spec)) {
    if (d.kind === "all") dowRestricted = false;
    else if (d.kind === "set") dow.days.push(...d.values);
    else {
      const s = d.text.toLowerCase();
      const weekday = (t: string) => (DOW_F.names?.[t] ?? Number(t)) % 7;
      const last = new RegExp(`^(${DOW_F.value})l$`).exec(s);
      const nth = new RegExp(`^(${DOW_F.value})#([1-5])$`).exec(s);
      if (last) dow.last.push(weekday(last[1]!));
      else if (nth) dow.nth.push({ weekday: weekday(nth[1]!), nth: Number(nth[2]) });
      else throw cronError(spec, `syntax error in day-of-week field: '${d.text}'`);
    }
  }

  return {
    spec,
    seconds: count === 7 ? parseList(at(0), SECOND_F, spec) : [0],
    minutes: parseList(at(1), MINUTE_F, spec),
    hours: parseList(at(2), HOUR_F, spec),
    daysOfMonth: sorted(dom.days),
    lastDayOfMonth: dom.last,
    lastWorkdayOfMonth: dom.lastWork,
    workdaysOfMonth: sorted(dom.work),
    daysOfMonthRestricted: domRestricted,
    months: parseList(at(4), MONTH_F, spec),
    daysOfWeek: sorted(dow.days),
    nthDaysOfWeek: dow.nth,
    lastDaysOfWeek: sorted(dow.last),
    daysOfWeekRestricted: dowRestricted,
    years: count >= 6 ? parseList(at(6), YEAR_F, spec) : range(YEAR_F.min, YEAR_F.max, 1),
  };
}

/** The first value of a sorted list that is >= v. */
function atLeast(list: readonly number[], v: number): number | undefined {
  return list.find((x) => x >= v);
}

/** The earliest wall-clock time (ms "as if UTC") >= `wall` the schedule matches, if any. */
function nextWall(s: CronSchedule, wall: number): number | null {
  let t = new Date(Math.ceil(wall / 1000) * 1000);
  const set = (y: number, mo: number, d = 1, h = 0, mi = 0, sec = 0) => {
    t = new Date(Date.UTC(y, mo, d, h, mi, sec));
  };
  for (;;) {
    const y = t.getUTCFullYear(), mo = t.getUTCMonth(), d = t.getUTCDate();
    const h = t.getUTCHours(), mi = t.getUTCMinutes(), sec = t.getUTCSeconds();
    const year = atLeast(s.years, y);
    if (year === undefined) return null;
    if (year !== y) {
      set(year, 0);
      continue;
    }
    const month = atLeast(s.months, mo + 1);
    if (month === undefined) set(y + 1, 0);
    else if (month !== mo + 1) set(y, month - 1);
    else {
      const day = atLeast(cronDaysOfMonth(s, y, mo + 1), d);
      if (day === undefined) set(y, mo + 1);
      else if (day !== d) set(y, mo, day);
      else {
        const hour = atLeast(s.hours, h);
        if (hour === undefined) set(y, mo, d + 1);
        else if (hour !== h) set(y, mo, d, hour);
        else {
          const minute = atLeast(s.minutes, mi);
          if (minute === undefined) set(y, mo, d, h + 1);
          else if (minute !== mi) set(y, mo, d, h, minute);
          else {
            const second = atLeast(s.seconds, sec);
            if (second === undefined) set(y, mo, d, h, mi + 1);
            else return Date.UTC(y, mo, d, h, mi, second);
          }
        }
      }
    }
  }
}

/**
 * The first instant strictly after `after` (at whole-second precision) at which the schedule
 * fires, reading its fields on the wall clock of `timeZone`.
 *
 * Daylight-saving changes: a wall-clock time skipped by a spring-forward change does not fire
 * that day; one that occurs twice in a fall-back change fires both times, as in Nomad.
 *
 * @param schedule A schedule from {@link parseCron}.
 * @param after The instant to search from, e.g. the last launch or now.
 * @param timeZone An IANA zone (`"Europe/Paris"`), `"UTC"` (the default), `""` or `"Local"`.
 * @returns The next launch time, or `null` when the schedule never fires again (before 2100).
 * @throws {RangeError} `unknown time zone <name>` for a zone that does not exist.
 */
export function nextAfter(schedule: CronSchedule, after: Date, timeZone = "UTC"): Date | null {
  const zone = resolveTimeZone(timeZone);
  // Walk stretches of time with one UTC offset: in each, the first instant whose wall-clock
  // time matches is the wall-clock match shifted back by that offset.
  let from = Math.floor(after.getTime() / 1000) * 1000 + 1000;
  for (;;) {
    const offset = offsetAt(from, zone);
    const wall = nextWall(schedule, from + offset);
    if (wall === null) return null;
    const candidate = wall - offset;
    const change = nextOffsetChange(from, candidate, offset, zone);
    if (change === null) return new Date(candidate);
    from = change;
  }
}
