/**
 * Core ID lists in the kernel's and Nomad's notation: `"0-3,5,7-8"`.
 *
 * @module
 */

/**
 * Parses a list like `"0-3,5"` (as in `/sys/devices/system/cpu/online` or `reserved.cores`)
 * into sorted, distinct IDs; pieces that are not numbers or spans are skipped, as Nomad does.
 */
export function parseIdSet(list: string): number[] {
  const ids = new Set<number>();
  for (const raw of list.split(",")) {
    const piece = raw.trim();
    const single = /^\d+$/.exec(piece);
    if (single) {
      ids.add(Number(piece));
      continue;
    }
    const span = /^(\d+)-(\d+)$/.exec(piece);
    if (span) {
      const a = Number(span[1]);
      const b = Number(span[2]);
      for (let i = Math.min(a, b); i <= Math.max(a, b); i++) ids.add(i);
    }
  }
  return [...ids].sort((a, b) => a - b);
}

/**
 * Formats IDs as ranges, `[0, 5, 6, 7]` → `"0,5-7"`. An empty list gives `" "`, a single
 * space, as Nomad's `idset.String` does (it shows up as `NOMAD_CPU_CORES=" "`).
 */
export function formatIdSet(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  if (sorted.length === 0) return " ";
  const parts: string[] = [];
  let low = sorted[0]!;
  let high = low;
  const flush = () => parts.push(low === high ? `${low}` : `${low}-${high}`);
  for (const id of sorted.slice(1)) {
    if (id === high + 1) {
      high = id;
      continue;
    }
    flush();
    low = high = id;
  }
  flush();
  return parts.join(",");
}
