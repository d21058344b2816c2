/**
 * Date and time functions of go-cty's stdlib: `formatdate` (cty's format spec: `YYYY`, `MMM`,
 * `hh`, `ZZZZZ`, `'literal'`, ...), `timeadd` (Go durations like `1h30m`) and Terraform's
 * `timestamp`. Timestamps are RFC 3339; results keep the input's UTC offset.
 *
 * @module
 */
import { ArgError, type FuncSpec, stringFunc } from "./_functions_api.ts";

/** A parsed RFC 3339 timestamp: the instant in nanoseconds and the UTC offset in minutes. */
interface Instant {
  readonly nanos: bigint;
  readonly offset: number;
  /** Whether the offset was written `Z`. */
  readonly utc: boolean;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** `Date.UTC` without its mapping of years 0-99 to 1900-1999. */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const dt = new Date(0);
  dt.setUTCFullYear(y, mo, d);
  dt.setUTCHours(h, mi, s, 0);
  return dt.getTime();
}

/** Parses an RFC 3339 timestamp. @throws {Error} with cty's wording. */
export function parseTimestamp(s: string): Instant {
  const m = RFC3339.exec(s);
  if (!m) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(s) || /^\d{4}-\d{2}-\d{2}[ t]/.test(s)) {
      throw new Error("not a valid RFC3339 timestamp: missing required time introducer 'T'");
    }
    throw new Error(`not a valid RFC3339 timestamp: cannot use ${JSON.stringify(s)} as year`);
  }
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const days = new Date(utcMs(y, mo, 0, 0, 0, 0)).getUTCDate();
  const bad = (what: string, v: string | undefined) => {
    throw new Error(`not a valid RFC3339 timestamp: cannot use ${JSON.stringify(v)} as ${what}`);
  };
  if (mo < 1 || mo > 12) bad("month", m[2]);
  if (d < 1 || d > days) bad("day of month", m[3]);
  if (h > 23) bad("hour", m[4]);
  if (mi > 59) bad("minute", m[5]);
  if (se > 59) bad("second", m[6]);
  const utc = m[8] === "Z";
  const offset = utc
    ? 0
    : (m[8]!.startsWith("-") ? -1 : 1) * (Number(m[8]!.slice(1, 3)) * 60 + Number(m[8]!.slice(4)));
  const ms = utcMs(y, mo - 1, d, h, mi, se) - offset * 60_000;
  const frac = BigInt((m[7] ?? ".").slice(1).padEnd(9, "0").slice(0, 9) || "0");
  return { nanos: BigInt(ms) * 1_000_000n + frac, offset, utc };
}

/** The wall-clock fields of an instant in its own offset. */
function fields(t: Instant): Date {
  const ms = Number(t.nanos / 1_000_000n - (t.nanos % 1_000_000n < 0n ? 1n : 0n));
  return new Date(ms + t.offset * 60_000);
}

function offsetText(t: Instant, colon: boolean): string {
  const sign = t.offset < 0 ? "-" : "+";
  const a = Math.abs(t.offset);
  const hh = String(Math.floor(a / 60)).padStart(2, "0"), mm = String(a % 60).padStart(2, "0");
  return `${sign}${hh}${colon ? ":" : ""}${mm}`;
}

/** Formats an instant as Go's `time.RFC3339` (whole seconds). */
export function formatRFC3339(t: Instant): string {
  const f = fields(t);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const date = `${p(f.getUTCFullYear(), 4)}-${p(f.getUTCMonth() + 1)}-${p(f.getUTCDate())}`;
  const time = `${p(f.getUTCHours())}:${p(f.getUTCMinutes())}:${p(f.getUTCSeconds())}`;
  return `${date}T${time}${t.utc || t.offset === 0 ? "Z" : offsetText(t, true)}`;
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function formatDate(format: string, ts: string): string {
  let t: Instant;
  try {
    t = parseTimestamp(ts);
  } catch (err) {
    throw new ArgError(1, (err as Error).message);
  }
  const f = fields(t);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const h12 = f.getUTCHours() % 12 === 0 ? 12 : f.getUTCHours() % 12;
  let out = "";
  for (let i = 0; i < format.length;) {
    const c = format[i]!;
    if (c === "'") {
      const end = format.indexOf("'", i + 1);
      if (end < 0) throw new ArgError(0, "unterminated literal '");
      out += end === i + 1 ? "'" : format.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      out += c;
      i++;
      continue;
    }
    let n = 1;
    while (format[i + n] === c) n++;
    const tok = c.repeat(n);
    i += n;
    const verb = (choices: Record<number, () => string>, hint: string) => {
      const fn = choices[n];
      if (!fn) throw new ArgError(0, `invalid date format verb ${JSON.stringify(tok)}: ${hint}`);
      return fn();
    };
    switch (c) {
      case "Y":
        out += verb(
          { 2: () => p(f.getUTCFullYear() % 100), 4: () => p(f.getUTCFullYear(), 4) },
          'year must either be "YY" or "YYYY"',
        );
        break;
      case "M": {
        const mo = f.getUTCMonth();
        out += verb({
          1: () => String(mo + 1),
          2: () => p(mo + 1),
          3: () => MONTHS[mo]!.slice(0, 3),
          4: () => MONTHS[mo]!,
        }, 'month must be "M", "MM", "MMM", or "MMMM"');
        break;
      }
      case "D":
        out += verb(
          { 1: () => String(f.getUTCDate()), 2: () => p(f.getUTCDate()) },
          'day of month must either be "D" or "DD"',
        );
        break;
      case "E":
        out += verb(
          { 3: () => DAYS[f.getUTCDay()]!.slice(0, 3), 4: () => DAYS[f.getUTCDay()]! },
          'day of week must either be "EEE" or "EEEE"',
        );
        break;
      case "h":
        out += verb(
          { 1: () => String(f.getUTCHours()), 2: () => p(f.getUTCHours()) },
          '24-hour must either be "h" or "hh"',
        );
        break;
      case "H":
        out += verb(
          { 1: () => String(h12), 2: () => p(h12) },
          '12-hour must either be "H" or "HH"',
        );
        break;
      case "A":
      case "a": {
        const am = f.getUTCHours() < 12 ? "AM" : "PM";
        out += verb({ 2: () => (c === "A" ? am : am.toLowerCase()) }, "must be two letters");
        break;
      }
      case "m":
        out += verb(
          { 1: () => String(f.getUTCMinutes()), 2: () => p(f.getUTCMinutes()) },
          'minute must either be "m" or "mm"',
        );
        break;
      case "s":
        out += verb(
          { 1: () => String(f.getUTCSeconds()), 2: () => p(f.getUTCSeconds()) },
          'second must either be "s" or "ss"',
        );
        break;
      case "Z":
        out += verb({
          1: () => (t.offset === 0 ? "Z" : offsetText(t, true)),
          3: () => (t.offset === 0 ? "UTC" : offsetText(t, false)),
          4: () => offsetText(t, false),
          5: () => offsetText(t, true),
        }, "timezone must be Z, ZZZZ, or ZZZZZ");
        break;
      default:
        throw new ArgError(0, `invalid date format verb ${JSON.stringify(tok)}: unsupported verb`);
    }
  }
  return out;
}

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  "µs": 1_000n,
  "μs": 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Parses a Go duration (`1h30m`, `-1.5s`) into nanoseconds. @throws {Error} as Go does. */
export function parseGoDuration(s: string): bigint {
  const fail = () => new Error(`time: invalid duration ${JSON.stringify(s)}`);
  let rest = s, neg = false;
  if (rest[0] === "-" || rest[0] === "+") {
    neg = rest[0] === "-";
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  if (rest === "") throw fail();
  let total = 0n;
  while (rest !== "") {
    const m = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!m || (m[1] === "" && (m[2] ?? "") === "")) {
      if (/^[\d.]+$/.test(rest)) {
        throw new Error(`time: missing unit in duration ${JSON.stringify(s)}`);
      }
      throw fail();
    }
    const unit = UNITS[m[3]!]!;
    const frac = m[2] ?? "";
    total += BigInt(m[1] || "0") * unit +
      (frac ? (BigInt(frac) * unit) / 10n ** BigInt(frac.length) : 0n);
    rest = rest.slice(m[0].length);
  }
  return neg ? -total : total;
}

function timeAdd(ts: string, duration: string): string {
  let t: Instant;
  try {
    t = parseTimestamp(ts);
  } catch (err) {
    throw new ArgError(0, (err as Error).message);
  }
  let d: bigint;
  try {
    d = parseGoDuration(duration);
  } catch (err) {
    throw new ArgError(1, (err as Error).message);
  }
  return formatRFC3339({ ...t, nanos: t.nanos + d });
}

/** The date and time functions by name. */
export const DATETIME_FUNCTIONS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  ["formatdate", stringFunc(["format", "time"], formatDate)],
  ["timeadd", stringFunc(["timestamp", "duration"], timeAdd)],
  ["timestamp", {
    params: [],
    impl: () => formatRFC3339({ nanos: BigInt(Date.now()) * 1_000_000n, offset: 0, utc: true }),
  }],
]);
