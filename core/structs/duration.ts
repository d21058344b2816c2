/**
 * Go's `time.Duration` text form, which Nomad uses everywhere a job file or flag names a
 * duration (`"30s"`, `"1h30m"`, `"500ms"`), and nanoseconds, which the API uses.
 *
 * @module
 */

/** Nanoseconds in a second. */
export const SECOND = 1_000_000_000;
/** Nanoseconds in a minute. */
export const MINUTE = 60 * SECOND;
/** Nanoseconds in an hour. */
export const HOUR = 60 * MINUTE;

const UNITS: Record<string, number> = {
  ns: 1,
  us: 1_000,
  "µs": 1_000,
  "μs": 1_000,
  ms: 1_000_000,
  s: SECOND,
  m: MINUTE,
  h: HOUR,
};

/**
 * Parses a Go duration string into nanoseconds.
 *
 * @param text A duration such as `"1h30m"`, `"-1.5s"` or `"0"`.
 * @returns The duration in nanoseconds.
 * @throws {RangeError} When the text is not a Go duration, with Go's own wording.
 *
 * @example
 * ```ts
 * parseDuration("1m30s"); // 90_000_000_000
 * ```
 */
export function parseDuration(text: string): number {
  const bad = () => new RangeError(`time: invalid duration "${text}"`);
  let s = text;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") throw bad();
  let total = 0;
  const part = /^(\d*)(?:\.(\d*))?([a-zµμ]+)/;
  while (s.length > 0) {
    const m = part.exec(s);
    if (!m) {
      if (/^[\d.]+$/.test(s)) throw new RangeError(`time: missing unit in duration "${text}"`);
      throw bad();
    }
    const [whole, int = "", frac, unitName = ""] = m;
    if (int === "" && (frac === undefined || frac === "")) throw bad();
    const unit = UNITS[unitName];
    if (unit === undefined) {
      throw new RangeError(`time: unknown unit "${unitName}" in duration "${text}"`);
    }
    total += Number(int || "0") * unit;
    if (frac) total += Math.round(Number(`0.${frac}`) * unit);
    s = s.slice(whole.length);
  }
  return sign * total;
}

function trimFraction(n: number, digits: number): string {
  return n.toFixed(digits).replace(/\.?0+$/, "");
}

/**
 * Formats nanoseconds the way Go's `Duration.String` does: `"1h30m0s"`, `"1.5s"`, `"500ms"`.
 *
 * @example
 * ```ts
 * formatDuration(90_000_000_000); // "1m30s"
 * ```
 */
export function formatDuration(ns: number): string {
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  let n = Math.abs(ns);
  if (n < 1_000) return `${sign}${n}ns`;
  if (n < 1_000_000) return `${sign}${trimFraction(n / 1_000, 3)}µs`;
  if (n < SECOND) return `${sign}${trimFraction(n / 1_000_000, 6)}ms`;
  let out = "";
  const hours = Math.floor(n / HOUR);
  n -= hours * HOUR;
  const minutes = Math.floor(n / MINUTE);
  n -= minutes * MINUTE;
  if (hours > 0) out += `${hours}h`;
  if (hours > 0 || minutes > 0) out += `${minutes}m`;
  out += `${trimFraction(n / SECOND, 9)}s`;
  return sign + out;
}
