/**
 * `stop_on_client_after` on the client (Nomad's `heartbeatStop`): an allocation whose group
 * sets it is stopped once the servers have not answered for that long, so that it does not run
 * twice when the servers replace it elsewhere. Before the first answer, the time counts from
 * the client's start. The allocation is only stopped here; the servers hear of it when they
 * are back.
 *
 * @module
 */
import type { Allocation } from "../structs/alloc.ts";
import type { AllocRunner } from "./_alloc_runner.ts";
import type { ClientLogger } from "./_common.ts";
import { sleep } from "../structs/sleep.ts";
import { lookupTaskGroup } from "./taskenv.ts";

/**
 * The group's `disconnect.stop_on_client_after` in nanoseconds (the deprecated
 * `stop_after_client_disconnect` without a `disconnect` block); null when unset or zero.
 */
export function stopOnClientAfter(alloc: Allocation): number | null {
  const tg = lookupTaskGroup(alloc.Job, alloc.TaskGroup);
  if (tg === undefined) return null;
  const d = tg.Disconnect !== null ? tg.Disconnect.StopOnClientAfter : tg.StopAfterClientDisconnect;
  return d === null || d <= 0 ? null : d;
}

/** Options of {@linkcode HeartbeatStop}. */
export interface HeartbeatStopOptions {
  /** When the servers last answered, in Unix ms (0: never), by the wall clock. */
  lastContact: () => number;
  /** The allocations the client runs. */
  runners: () => Iterable<AllocRunner>;
  logger: ClientLogger;
  /** How often to check; default 1 s. */
  intervalMs?: number;
}

/** Stops the allocations whose client has been cut off longer than they allow. */
export class HeartbeatStop {
  readonly #o: HeartbeatStopOptions;
  readonly #startedAt: number;
  readonly #stop = new AbortController();
  #loop: Promise<void> | null = null;

  constructor(opts: HeartbeatStopOptions) {
    this.#o = opts;
    this.#startedAt = Date.now();
  }

  /** Starts checking. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops checking. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  /** Stops the allocations due at `now` (Unix ms); returns their IDs. */
  check(now: number = Date.now()): string[] {
    const since = this.#o.lastContact() || this.#startedAt;
    const out: string[] = [];
    for (const ar of this.#o.runners()) {
      const after = stopOnClientAfter(ar.alloc);
      if (after === null || ar.stopping || ar.terminal) continue;
      if (now - since <= after / 1e6) continue;
      this.#o.logger.info("stopping allocation: no contact with the servers", {
        alloc_id: ar.id,
        stop_on_client_after_ms: after / 1e6,
      });
      void ar.stopDisconnected();
      out.push(ar.id);
    }
    return out;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      await sleep(this.#o.intervalMs ?? 1_000, signal);
      if (!signal.aborted) this.check();
    }
  }
}
