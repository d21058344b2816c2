/**
 * Times as Nomad's CLI prints them: ISO 8601 in the local time zone (`formatTime`,
 * `2024-11-30T17:11:28+05:30`, `Z` when the offset is zero), relative ages such as `4m27s ago`
 * (`prettyTimeDiff`), and the local zone chosen the way Go chooses it: from `TZ` when set
 * (empty means UTC), otherwise the system's zone.
 *
 * Times arrive from the API in three shapes: Unix nanoseconds (`SubmitTime`, `CreateTime`),
 * RFC 3339 strings (`WaitUntil`, `Timestamp`; Go's zero time is `0001-01-01T00:00:00Z`) and
 * `Date`s. Every function here takes epoch milliseconds; {@link nanosToMillis} and
 * {@link parseApiTime} convert.
 *
 * @module
 */

let localZone: string | undefined;

/**
 * Sets the zone {@link formatTime} prints in, from a process environment as Go reads it: `TZ`
 * unset uses the system zone, `TZ=""` or an unknown zone UTC, anything else that zone.
 */
export function setLocalZoneFromEnv(env: Readonly<Record<string, string | undefined>>): void {
  const tz = env.TZ;
  if (tz === undefined) {
    localZone = undefined;
    return;
  }
  const name = tz.startsWith(":") ? tz.slice(1) : tz;
  if (name === "" || name === "UTC") {
    localZone = "UTC";
    return;
  }
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    localZone = name;
  } catch {
    localZone = "UTC";
  }
}

/** The current time in epoch milliseconds (a seam: tests replace `Date.now`). */
export function now(): number {
  return Date.now();
}

/** Unix nanoseconds (as the API sends them) in epoch milliseconds. */
export function nanosToMillis(ns: number): number {
  return ns / 1e6;
}

/** An RFC 3339 time from the API in epoch milliseconds; Go's zero time and junk give `null`. */
export function parseApiTime(text: string | null | undefined): number | null {
  if (!text) return null;
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || ms <= -62135596800000) return null;
  return ms;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The offset of `zone` from UTC at `ms`, in minutes. */
function offsetMinutes(ms: number, zone: string | undefined): number {
  if (zone === undefined) return -new Date(ms).getTimezoneOffset();
  if (zone === "UTC") return 0;
  let f = offsetFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
    offsetFormats.set(zone, f);
  }
  const name = f.formatToParts(new Date(ms)).find((p) => p.type === "timeZoneName")?.value ?? "";
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === "-" ? -minutes : minutes;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

function formatWithOffset(ms: number, offset: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000 + offset * 60_000);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const clock = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const abs = Math.abs(offset);
  const tz = offset === 0
    ? "Z"
    : `${offset < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return `${date}T${clock}${tz}`;
}

/**
 * Formats a time like Nomad's `formatTime`: `2006-01-02T15:04:05Z07:00` in the local zone, or
 * `""` for times at or before the Unix epoch (Nomad shows nothing rather than 1970).
 *
 * @param ms Epoch milliseconds, or `null` for "no time".
 * @param zone An IANA zone; the local zone (see {@link setLocalZoneFromEnv}) by default.
 */
export function formatTime(ms: number | null, zone: string | undefined = localZone): string {
  if (ms === null || Math.floor(ms / 1000) < 1) return "";
  return formatWithOffset(ms, offsetMinutes(ms, zone));
}

/**
 * Formats an RFC 3339 time from the API like {@link formatTime}, keeping the offset the text
 * carries, as Go does with a decoded `time.Time`; Go's zero time gives `""`.
 */
export function formatApiTime(text: string | null | undefined): string {
  const ms = parseApiTime(text);
  if (ms === null || Math.floor(ms / 1000) < 1) return "";
  const m = /(Z|[+-]\d{2}:\d{2})$/i.exec(text!.trim());
  if (!m || m[1]!.toUpperCase() === "Z") return formatWithOffset(ms, 0);
  const sign = m[1]!.startsWith("-") ? -1 : 1;
  const offset = sign * (Number(m[1]!.slice(1, 3)) * 60 + Number(m[1]!.slice(4, 6)));
  return formatWithOffset(ms, offset);
}

/** {@link formatTime} of Unix nanoseconds, Nomad's `formatUnixNanoTime`. */
export function formatUnixNanoTime(ns: number): string {
  return formatTime(nanosToMillis(ns));
}

/**
 * A relative age the way Nomad's `prettyTimeDiff` prints it: both times rounded to the second,
 * the two largest non-zero units of years (`y`), months of 30 days (`mo`), days (`d`), hours
 * (`h`), minutes (`m`) and seconds (`s`), then `ago` or `from now`: `4m27s ago`, `22h12m ago`,
 * `0s ago`. A missing or zero `first` gives `""`.
 *
 * @param first The time described, in epoch milliseconds.
 * @param second The reference time, usually {@link now}.
 */
export function prettyTimeDiff(first: number | null, second: number): string {
  if (first === null || first === 0) return "";
  const a = Math.round(first / 1000);
  const b = Math.round(second / 1000);
  const suffix = b >= a ? "ago" : "from now";
  let u = Math.abs(b - a);
  const parts: string[] = [];
  const secs = u % 60;
  if (secs > 0) parts.unshift(`${secs}s`);
  u = Math.floor(u / 60);
  if (u > 0) {
    const units: [number, string][] = [[60, "m"], [24, "h"], [30, "d"], [12, "mo"]];
    for (const [size, name] of units) {
      if (u === 0) break;
      const v = u % size;
      if (v > 0) parts.unshift(`${v}${name}`);
      u = Math.floor(u / size);
    }
    if (u > 0) parts.unshift(`${u}y`);
  }
  if (parts.length === 0) return `0s ${suffix}`;
  return `${parts.slice(0, 2).join("")} ${suffix}`;
}

/**
 * Go's `Duration.String` of the whole seconds between two times, as Nomad's
 * `formatTimeDifference(first, second, time.Second)` prints "time until next launch".
 */
export function formatSecondsBetween(first: number, second: number): string {
  const secs = Math.floor(second / 1000) - Math.floor(first / 1000);
  if (secs === 0) return "0s";
  const sign = secs < 0 ? "-" : "";
  let s = Math.abs(secs);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${sign}${h > 0 ? `${h}h` : ""}${h > 0 || m > 0 ? `${m}m` : ""}${s}s`;
}
