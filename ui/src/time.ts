/**
 * Times as the UI shows them: relative (`4m27s ago`, `in 12s`) with the exact time for a
 * tooltip. The API sends times two ways: integers of nanoseconds since the epoch (`SubmitTime`,
 * task event `Time`, `CreateTime`) and RFC 3339 strings (`StartedAt`, node events), where Go's
 * zero time (`0001-01-01T00:00:00Z`) means "never".
 *
 * @module
 */

const NS_PER_MS = 1_000_000;

/**
 * Milliseconds since the epoch of an API time, or `undefined` for a missing or zero time.
 *
 * @example
 * ```ts
 * toMillis(1795453830316000000); // 1795453830316
 * toMillis("2026-11-23T17:10:30.414Z"); // 1795453830414
 * toMillis("0001-01-01T00:00:00Z"); // undefined
 * ```
 */
export function toMillis(value: number | string | null | undefined): number | undefined {
  if (value === null || value === undefined || value === "" || value === 0) return undefined;
  if (typeof value === "number") return value > 0 ? Math.round(value / NS_PER_MS) : undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || ms <= 0) return undefined;
  return ms;
}

/**
 * A span of milliseconds in at most two units, Go-style: `450ms`, `12s`, `4m27s`, `3h5m`,
 * `2d4h`.
 */
export function shortDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)}ms`;
  const s = Math.floor(abs / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
}

/**
 * How long ago (or how far ahead) `then` is from `now`: `4m27s ago`, `in 12s`; anything under
 * a second is `just now`.
 *
 * @example
 * ```ts
 * relativeTime(Date.now() - 267_000, Date.now()); // "4m27s ago"
 * ```
 */
export function relativeTime(then: number, now: number): string {
  const delta = now - then;
  if (Math.abs(delta) < 1000) return "just now";
  return delta > 0 ? `${shortDuration(delta)} ago` : `in ${shortDuration(delta)}`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * The exact time in UTC, to the millisecond: `2026-11-23 17:10:30.414 UTC`.
 */
export function exactTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.` +
    `${pad(d.getUTCMilliseconds(), 3)} UTC`;
}

/** A Go duration in nanoseconds, as Go prints it (`15s`, `1m30s`, `500ms`, `0s`). */
export function goDuration(ns: number): string {
  if (ns === 0) return "0s";
  const ms = ns / NS_PER_MS;
  if (Math.abs(ms) < 1000) return `${ms}ms`;
  const neg = ns < 0 ? "-" : "";
  let s = Math.abs(ns) / 1e9;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const sec = `${Number(s.toFixed(9))}s`;
  if (h > 0) return `${neg}${h}h${m}m${sec}`;
  if (m > 0) return `${neg}${m}m${sec}`;
  return `${neg}${sec}`;
}
