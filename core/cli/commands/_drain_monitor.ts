/**
 * Following a node drain, as Nomad's `Nodes.MonitorDrain` does for `node drain`: two blocking
 * queries run side by side —
 *
 * - the node: `Node "<id>" drain updated: ...` when the drain strategy changes, `Node "<id>"
 *   down` while it is down, and `Drain complete for node <id>` (the end of this side) once the
 *   servers cleared the strategy;
 * - its allocations: `Alloc "<id>" marked for migration`, `... draining` (stopped by the
 *   servers), `... status running -> complete`, and `All allocations on node "<id>" have
 *   stopped` (the end of this side) once none is pending or running (system jobs left out
 *   with `-ignore-system`).
 *
 * The messages come out as they happen; the monitor ends when both sides have ended, at the
 * first error, or when the signal aborts.
 *
 * @module
 */
import type { Allocation, DrainStrategy } from "../../structs/mod.ts";
import type { ApiClient, QueryMeta } from "../api/mod.ts";
import { messageOf } from "./_api.ts";

/** How a drain message is printed: Nomad's `MonitorMsgLevel`. */
export type DrainMessageLevel = "normal" | "info" | "warn" | "error";

/** One line of drain progress. */
export interface DrainMessage {
  readonly level: DrainMessageLevel;
  readonly text: string;
}

/** Options of {@link monitorDrain}. */
export interface DrainMonitorOptions {
  /** The index to start the node query at (the drain update's, or the node read's). */
  readonly index: number;
  /** Do not wait for system-job allocations. */
  readonly ignoreSystem: boolean;
  readonly signal?: AbortSignal;
}

/** Go's `time.Time.String()` of an RFC 3339 time: `2024-11-30 12:41:28.5 +0000 UTC`. */
export function goTimeString(rfc3339: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i.exec(rfc3339);
  if (!m) return rfc3339;
  const frac = (m[3] ?? "").replace(/0+$/, "");
  const zone = m[4]!.toUpperCase();
  const offset = zone === "Z" ? "+0000 UTC" : `${zone.replace(":", "")} ${zone.replace(":", "")}`;
  return `${m[1]} ${m[2]}${frac ? `.${frac}` : ""} ${offset}`;
}

/** A drain strategy as Nomad's API prints it in `drain updated` messages. */
export function drainStrategyText(d: DrainStrategy): string {
  const at = goTimeString(d.ForceDeadline);
  return d.IgnoreSystemJobs
    ? `drain ignoring system jobs and deadline at ${at}`
    : `drain with deadline at ${at}`;
}

function sameStrategy(a: DrainStrategy, b: DrainStrategy): boolean {
  return a.ForceDeadline === b.ForceDeadline && a.Deadline === b.Deadline &&
    a.IgnoreSystemJobs === b.IgnoreSystemJobs;
}

const shouldMigrate = (a: Allocation) => a.DesiredTransition?.Migrate === true;

/** What changed for an allocation between two reads, as Nomad's monitor words it. */
export function allocChange(before: Allocation | undefined, after: Allocation): string {
  if (before === undefined) return "";
  if (before.ClientStatus !== after.ClientStatus) {
    return `status ${before.ClientStatus} -> ${after.ClientStatus}`;
  }
  const migrating = shouldMigrate(after);
  if (migrating && !shouldMigrate(before)) return "marked for migration";
  if (migrating && before.DesiredStatus !== after.DesiredStatus && after.DesiredStatus === "stop") {
    return "draining";
  }
  return "";
}

type Emit = (m: DrainMessage) => void;

async function watchNode(
  client: ApiClient,
  nodeID: string,
  opts: DrainMonitorOptions,
  emit: Emit,
): Promise<void> {
  let last: DrainStrategy | null = null;
  let index = opts.index;
  for (;;) {
    let meta: QueryMeta | undefined;
    const node = await client.nodes.info(nodeID, {
      stale: true,
      waitIndex: index,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onMeta: (m) => (meta = m),
    });
    const strategy = node.DrainStrategy;
    if (strategy === null) {
      emit({ level: "info", text: `Drain complete for node ${nodeID}` });
      return;
    }
    if (node.Status === "down") emit({ level: "warn", text: `Node "${nodeID}" down` });
    if (last !== null && !sameStrategy(strategy, last)) {
      emit({
        level: "info",
        text: `Node "${nodeID}" drain updated: ${drainStrategyText(strategy)}`,
      });
    }
    last = strategy;
    index = Math.max(meta?.lastIndex ?? 0, index, 1);
  }
}

async function watchAllocs(
  client: ApiClient,
  nodeID: string,
  opts: DrainMonitorOptions,
  emit: Emit,
): Promise<void> {
  const seen = new Map<string, Allocation>();
  let index = 0;
  for (;;) {
    let meta: QueryMeta | undefined;
    const allocs = await client.nodes.allocations(nodeID, {
      stale: true,
      waitIndex: index,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onMeta: (m) => (meta = m),
    });
    index = Math.max(meta?.lastIndex ?? 0, index, 1);
    let running = 0;
    for (const a of allocs) {
      const change = allocChange(seen.get(a.ID), a);
      seen.set(a.ID, a);
      if (change !== "") emit({ level: "normal", text: `Alloc "${a.ID}" ${change}` });
      const type = a.Job?.Type;
      if (!type || (opts.ignoreSystem && type === "system")) continue;
      if (a.ClientStatus === "pending" || a.ClientStatus === "running") running++;
    }
    if (running === 0) {
      emit({ level: "info", text: `All allocations on node "${nodeID}" have stopped` });
      return;
    }
  }
}

/**
 * The messages of a node's drain as they happen; see the module documentation. Errors of the
 * queries become one `error` message, after which the monitor ends.
 */
export async function* monitorDrain(
  client: ApiClient,
  nodeID: string,
  opts: DrainMonitorOptions,
): AsyncGenerator<DrainMessage> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const inner = { ...opts, signal: stop.signal };
  const queue: DrainMessage[] = [];
  let wake: (() => void) | null = null;
  const emit: Emit = (m) => {
    queue.push(m);
    wake?.();
  };
  let running = 2;
  const side = (what: string, watch: Promise<void>) =>
    watch.catch((err) => {
      if (!stop.signal.aborted) emit({ level: "error", text: `${what}: ${messageOf(err)}` });
    }).finally(() => {
      running--;
      wake?.();
    });
  const sides = [
    side("Error monitoring node", watchNode(client, nodeID, inner, emit)),
    side("Error monitoring allocations", watchAllocs(client, nodeID, inner, emit)),
  ];
  try {
    for (;;) {
      const m = queue.shift();
      if (m !== undefined) {
        yield m;
        if (m.level === "error") return;
        continue;
      }
      if (running === 0 || stop.signal.aborted) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    stop.abort();
    await Promise.all(sides);
  }
}
