/**
 * Batched allocation status updates (Nomad's `allocSync`): alloc runners queue their reports;
 * every `intervalMs` (200 ms) the pending ones go to the servers in one `Node.UpdateAlloc`
 * call, one report per allocation (a newer report replaces an unsent one). A batch that fails
 * is kept — unless a newer report for the same allocation arrived meanwhile — and retried
 * with backoff, for as long as the client runs.
 *
 * @module
 */
import type { AllocUpdate, ServerRpc } from "../rpc/mod.ts";
import { backoff, type ClientLogger, errorMessage } from "./_common.ts";
import { sleep } from "../structs/sleep.ts";

/** Options of {@linkcode StatusUpdater}. */
export interface StatusUpdaterOptions {
  rpc: ServerRpc;
  /** The node's secret. */
  token: () => string;
  logger: ClientLogger;
  /** The batching interval; default 200 ms. */
  intervalMs?: number;
  /** The longest pause between retries; default 5 s. */
  maxRetryMs?: number;
}

/** Sends the alloc runners' reports to the servers in batches. */
export class StatusUpdater {
  readonly #opts: StatusUpdaterOptions;
  #pending = new Map<string, AllocUpdate>();
  readonly #stop = new AbortController();
  #wake: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #failures = 0;
  #sent = 0;

  constructor(opts: StatusUpdaterOptions) {
    this.#opts = opts;
  }

  /** Queues a report (replacing an unsent one for the same allocation). */
  queue(update: AllocUpdate): void {
    this.#pending.set(update.ID, update);
    this.#wake?.();
  }

  /** How many reports the servers accepted so far. */
  get sent(): number {
    return this.#sent;
  }

  /** Whether reports wait to be sent. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Starts the loop. */
  start(): void {
    this.#loop ??= this.#run();
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    const interval = this.#opts.intervalMs ?? 200;
    while (!signal.aborted) {
      if (this.#pending.size === 0) {
        await new Promise<void>((resolve) => {
          const done = () => {
            signal.removeEventListener("abort", done);
            resolve();
          };
          this.#wake = done;
          signal.addEventListener("abort", done, { once: true });
        });
        this.#wake = null;
        if (signal.aborted) return;
      }
      await sleep(interval, signal);
      if (signal.aborted) return;
      if (!(await this.#send())) {
        await sleep(backoff(this.#failures - 1, 500, this.#opts.maxRetryMs ?? 5_000), signal);
      }
    }
  }

  /** Sends what is pending now; resolves `true` when it went through (or nothing was due). */
  async #send(): Promise<boolean> {
    if (this.#pending.size === 0) return true;
    const batch = this.#pending;
    this.#pending = new Map();
    try {
      await this.#opts.rpc.updateAllocs([...batch.values()], {
        token: this.#opts.token(),
        signal: this.#stop.signal,
      });
      this.#sent += batch.size;
      this.#failures = 0;
      return true;
    } catch (err) {
      for (const [id, u] of batch) if (!this.#pending.has(id)) this.#pending.set(id, u);
      if (this.#stop.signal.aborted) return false;
      this.#failures++;
      this.#opts.logger.warn("failed to update allocations; will retry", {
        allocs: batch.size,
        error: errorMessage(err),
      });
      return false;
    }
  }

  /** Sends what is pending now (best effort, once). */
  async flush(): Promise<void> {
    await this.#send();
  }

  /** Stops the loop; with `flushWithinMs`, tries once more to send what is pending first. */
  async stop(opts: { flushWithinMs?: number } = {}): Promise<void> {
    if (opts.flushWithinMs && this.#pending.size > 0 && !this.#stop.signal.aborted) {
      const timer = new AbortController();
      await Promise.race([this.#send(), sleep(opts.flushWithinMs, timer.signal)]);
      timer.abort();
    }
    this.#stop.abort();
    await this.#loop;
  }
}
