/**
 * Small formatting helpers of the pages: sizes, CPU, IDs, counts, and the colour class of a
 * status (Nomad's palette: running green, pending grey, failed red, complete pale green, lost
 * dark).
 *
 * @module
 */

/** A byte count in binary units: `512 B`, `1.5 KiB`, `300 MiB`, `23.5 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let n = bytes;
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  const text = i === 0 || n >= 100 ? String(Math.round(n)) : String(Number(n.toFixed(1)));
  return `${text} ${units[i]}`;
}

/** Megabytes as Nomad's resource figures give them (`300 MiB`, `23.5 GiB`). */
export function formatMB(mb: number): string {
  return formatBytes(mb * 1024 * 1024);
}

/** CPU in MHz: `100 MHz`, `5.2 GHz`. */
export function formatMHz(mhz: number): string {
  return mhz >= 1000 ? `${Number((mhz / 1000).toFixed(2))} GHz` : `${Math.round(mhz)} MHz`;
}

/** A job's status as Nomad's UI words it: a dead job that was stopped is "stopped". */
export function jobStatus(job: { Status: string; Stop: boolean }): string {
  return job.Stop && job.Status === "dead" ? "stopped" : job.Status;
}

/** The first 8 characters of an ID, as Nomad's UI and CLI show IDs. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** `1 allocation`, `3 allocations`. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nouns}`;
}

/**
 * The CSS class of a status word, one per colour of Nomad's palette: `running`, `pending`,
 * `failed`, `complete`, `lost`, `unknown`, `info`, `warning`, or `neutral`.
 */
export function statusClass(status: string): string {
  switch (status.toLowerCase()) {
    case "running":
    case "ready":
    case "alive":
    case "eligible":
    case "successful":
    case "healthy":
      return "running";
    case "pending":
    case "queued":
    case "starting":
    case "initializing":
    case "blocked":
      return "pending";
    case "failed":
    case "down":
    case "unhealthy":
    case "canceled":
    case "ineligible":
      return "failed";
    case "complete":
    case "completed":
    case "dead":
    case "stopped":
      return "complete";
    case "lost":
    case "left":
      return "lost";
    case "unknown":
    case "disconnected":
      return "unknown";
    case "draining":
    case "paused":
      return "warning";
    default:
      return "neutral";
  }
}

/** The status words of a job summary, in the order Nomad's bars show them. */
export const SUMMARY_KEYS = [
  "Queued",
  "Starting",
  "Running",
  "Complete",
  "Failed",
  "Lost",
  "Unknown",
] as const;

/** A status word of a job summary. */
export type SummaryKey = typeof SUMMARY_KEYS[number];

/** Counts per summary status, summed over a job's groups. */
export function sumSummary(
  groups:
    | Readonly<Record<string, Readonly<Partial<Record<SummaryKey, number>>>>>
    | null
    | undefined,
): Record<SummaryKey, number> {
  const out = { Queued: 0, Starting: 0, Running: 0, Complete: 0, Failed: 0, Lost: 0, Unknown: 0 };
  for (const g of Object.values(groups ?? {})) {
    for (const k of SUMMARY_KEYS) out[k] += g[k] ?? 0;
  }
  return out;
}
