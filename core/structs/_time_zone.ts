/**
 * IANA time zones through `Intl`: the wall-clock time and UTC offset of an instant, and where
 * the offset next changes. Wall-clock times are held as milliseconds "as if UTC"
 * (`Date.UTC(y, m, d, h, mi, s)`).
 *
 * @module
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone Go calls `Local`: the one this process runs in. */
function localZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * Resolves a zone name the way Go's `time.LoadLocation` accepts it: `""` and `"UTC"` are UTC,
 * `"Local"` is the process's zone, anything else must be an IANA name.
 *
 * @throws {RangeError} `unknown time zone <name>` when the zone does not exist.
 */
export function resolveTimeZone(name: string): string {
  if (name === "" || name === "UTC") return "UTC";
  if (name === "Local") return localZone();
  if (!formatters.has(name)) {
    try {
      formatters.set(
        name,
        new Intl.DateTimeFormat("en-US", {
          timeZone: name,
          hourCycle: "h23",
          year: "numeric",
          month: "numeric",
          day: "numeric",
          hour: "numeric",
          minute: "numeric",
          second: "numeric",
        }),
      );
    } catch {
      throw new RangeError(`unknown time zone ${name}`);
    }
  }
  return name;
}

/** The wall-clock time (ms "as if UTC") of an instant in a resolved zone. */
export function wallOf(instant: number, zone: string): number {
  if (zone === "UTC") return instant;
  resolveTimeZone(zone);
  const format = formatters.get(zone) as Intl.DateTimeFormat;
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(new Date(instant))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const ms = ((instant % 1000) + 1000) % 1000;
  return Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
    ms,
  );
}

/** The UTC offset, in ms, of a zone at an instant. */
export function offsetAt(instant: number, zone: string): number {
  return wallOf(instant, zone) - instant;
}

const WEEK = 7 * 24 * 60 * 60 * 1000;

/**
 * The first whole second in `(from, to]` at which the zone's UTC offset is no longer `offset`,
 * or `null` if it holds. Probes weekly, then bisects: offset changes less than a week apart
 * are assumed not to happen.
 */
export function nextOffsetChange(
  from: number,
  to: number,
  offset: number,
  zone: string,
): number | null {
  if (zone === "UTC") return null;
  let lo = from;
  let hi = Math.min(from + WEEK, to);
  while (offsetAt(hi, zone) === offset) {
    if (hi >= to) return null;
    lo = hi;
    hi = Math.min(hi + WEEK, to);
  }
  while (hi - lo > 1000) {
    const mid: number = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(mid, zone) === offset) lo = mid;
    else hi = mid;
  }
  return hi;
}
