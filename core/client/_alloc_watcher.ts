/**
 * The alloc watcher (Nomad's `watchAllocations`): a blocking query for the node's allocations
 * (ID → `AllocModifyIndex`), then a pull of those that are new or changed on the servers, and
 * the removal of those the servers no longer list (garbage collected). It retries with
 * backoff, forever, while the servers are away.
 *
 * @module
 */
import type { Allocation } from "../structs/alloc.ts";
import type { ServerRpc } from "../rpc/mod.ts";
import { backoff, type ClientLogger, errorMessage } from "./_common.ts";
import { sleep } from "../structs/sleep.ts";

/** What changed in one round. */
export interface AllocChanges {
  /** New or changed allocations. */
  pulled: Allocation[];
  /** IDs the servers no longer list. */
  removed: string[];
}

/** Options of {@linkcode AllocWatcher}. */
export interface AllocWatcherOptions {
  rpc: ServerRpc;
  nodeId: string;
  token: () => string;
  logger: ClientLogger;
  /** The `AllocModifyIndex` of each allocation the client knows (runs or ignores). */
  known: () => ReadonlyMap<string, number>;
  /** Applies a round's changes. */
  apply: (changes: AllocChanges) => Promise<void>;
  /** How long the servers may hold the blocking query; default 5 minutes. */
  waitMs?: number;
  /** The longest pause between retries; default 10 s. */
  maxRetryMs?: number;
}

/** Watches the node's allocations on the servers. */
export class AllocWatcher {
  readonly #opts: AllocWatcherOptions;
  readonly #stop = new AbortController();
  #loop: Promise<void> | null = null;
  #rounds = 0;

  constructor(opts: AllocWatcherOptions) {
    this.#opts = opts;
  }

  /** How many rounds have been applied. */
  get rounds(): number {
    return this.#rounds;
  }

  /** Starts watching. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops watching. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const o = this.#opts;
    const signal = this.#stop.signal;
    let index = 0;
    let failures = 0;
    const retry = async (what: string, err: unknown) => {
      if (signal.aborted) return;
      failures++;
      o.logger.error(what, { error: errorMessage(err), attempt: failures });
      await sleep(backoff(failures - 1, 500, o.maxRetryMs ?? 10_000), signal);
    };
    while (!signal.aborted) {
      let res;
      try {
        res = await o.rpc.getClientAllocs(o.nodeId, index, {
          token: o.token(),
          signal,
          ...(o.waitMs !== undefined ? { waitMs: o.waitMs } : {}),
        });
      } catch (err) {
        await retry("error querying node allocations", err);
        continue;
      }
      if (signal.aborted) return;
      if (res.index <= index) continue; // the wait ran out with nothing new
      const known = o.known();
      const pull: string[] = [];
      let pullIndex = 0;
      for (const [id, modifyIndex] of Object.entries(res.allocs)) {
        const have = known.get(id);
        if (have === undefined || modifyIndex > have) {
          pull.push(id);
          pullIndex = Math.max(pullIndex, modifyIndex);
        }
      }
      const removed = [...known.keys()].filter((id) => !(id in res.allocs));
      let pulled: Allocation[] = [];
      if (pull.length > 0) {
        try {
          pulled = (await o.rpc.getAllocs(pull, {
            token: o.token(),
            signal,
            minIndex: pullIndex - 1,
          })).allocs;
        } catch (err) {
          await retry("error querying updated allocations", err);
          continue;
        }
      }
      failures = 0;
      try {
        await o.apply({ pulled, removed });
      } catch (err) {
        await retry("error applying allocation updates", err);
        continue;
      }
      this.#rounds++;
      index = res.index;
    }
  }
}
