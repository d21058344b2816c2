/**
 * Blocking queries, as Nomad's `blockingRPC`: a read with `?index=N` is answered as soon as
 * its data's index is greater than N, or when `?wait` (plus jitter) runs out, with whatever
 * the data is then. A read without `?index` is answered at once.
 *
 * The state store is passed in as two functions: `run` reads the data and its index (the
 * highest `ModifyIndex` of the tables it read), and `wait` resolves once any of those tables
 * may have changed past an index (or when its signal aborts).
 *
 * @module
 */

import type { Context } from "hono";
import { JITTER_FRACTION, type QueryOptions, timeToBlock } from "./query.ts";
import { type QueryMeta, respond, type RespondOptions, setMeta } from "./respond.ts";

/** What a blocking read returns: its data and the index it reflects. */
export interface BlockingResult<T> {
  readonly index: number;
  readonly body: T;
  /** The token of the next page, when the read was paginated (`X-Nomad-NextToken`). */
  readonly nextToken?: string;
}

/** How to run one blocking read. */
export interface BlockingOptions<T> {
  /**
   * Resolves once the watched tables' index may be greater than `index`, or when `signal`
   * aborts (it may resolve or reject then). Spurious wake-ups are fine: the query re-reads.
   */
  readonly wait: (index: number, signal: AbortSignal) => Promise<unknown>;
  /** Reads the data and its index. */
  readonly run: () => BlockingResult<T> | Promise<BlockingResult<T>>;
  /** Stops waiting early, e.g. when the client goes away. */
  readonly signal?: AbortSignal;
  /** A source of randomness in [0, 1) for the jitter (default `Math.random`). */
  readonly random?: () => number;
}

/**
 * Runs `run` once, or — when `query.minQueryIndex` is set — until its index passes it or the
 * wait (`timeToBlock(query)` plus up to 1/16 more) runs out. The index reported is at least 1,
 * as in Nomad, so that a client's next blocking query never asks for index 0.
 *
 * @example
 * ```ts
 * const result = await runBlockingQuery(q, {
 *   run: () => ({ index: state.index("jobs"), body: state.jobs() }),
 *   wait: (index, signal) => state.waitForIndex(["jobs"], index, signal),
 * });
 * ```
 */
export async function runBlockingQuery<T>(
  query: Pick<QueryOptions, "minQueryIndex" | "maxQueryTime">,
  options: BlockingOptions<T>,
): Promise<BlockingResult<T>> {
  const floor = (r: BlockingResult<T>): BlockingResult<T> => r.index >= 1 ? r : { ...r, index: 1 };
  const block = timeToBlock(query);
  if (block === 0) return floor(await options.run());

  const jitter = (options.random ?? Math.random)() * (block / JITTER_FRACTION);
  const timeoutMs = (block + jitter) / 1_000_000;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const signal = options.signal === undefined
    ? deadline.signal
    : AbortSignal.any([deadline.signal, options.signal]);
  try {
    let result = await options.run();
    let lastIndex = result.index;
    while (result.index <= query.minQueryIndex && !signal.aborted) {
      try {
        await options.wait(Math.max(query.minQueryIndex, result.index), signal);
      } catch (e) {
        if (!signal.aborted) throw e;
      }
      if (signal.aborted) break;
      result = await options.run();
      if (result.index === lastIndex) {
        // Woken without progress: let timers run, so a wait that never blocks cannot spin.
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      lastIndex = result.index;
    }
    return floor(result);
  } finally {
    clearTimeout(timer);
  }
}

/** Options of {@link blockingQuery}: the query's own, and the meta headers to report. */
export interface BlockingQueryOptions<T> extends BlockingOptions<T> {
  /** Leader knowledge and last contact for the headers (default: leader known, 0 ms). */
  readonly meta?: () => Omit<QueryMeta, "index">;
  /** Passed to {@link respond}. */
  readonly respond?: RespondOptions;
}

/**
 * Answers a read with blocking semantics: runs {@link runBlockingQuery} (stopping if the
 * client disconnects), sets `X-Nomad-Index`, `X-Nomad-KnownLeader`, `X-Nomad-LastContact` and
 * (for a paginated read) `X-Nomad-NextToken`, and writes the body as JSON.
 *
 * @example
 * ```ts
 * app.get("/v1/jobs", (c) => {
 *   const q = parseQueryOptions(c);
 *   return blockingQuery(c, q, {
 *     run: () => ({ index: state.index("jobs"), body: state.jobs(q.namespace) }),
 *     wait: (index, signal) => state.waitForIndex(["jobs"], index, signal),
 *   });
 * });
 * ```
 */
export async function blockingQuery<T>(
  c: Context,
  query: Pick<QueryOptions, "minQueryIndex" | "maxQueryTime">,
  options: BlockingQueryOptions<T>,
): Promise<Response> {
  const result = await runBlockingQuery(query, {
    ...options,
    signal: options.signal ?? c.req.raw.signal,
  });
  setMeta(c, { ...options.meta?.(), index: result.index, nextToken: result.nextToken ?? "" });
  return respond(c, result.body, options.respond);
}
