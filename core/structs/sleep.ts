/**
 * A pause that an `AbortSignal` cuts short: the one every polling, retry and backoff loop of
 * the project uses.
 *
 * @module
 */

/**
 * Waits `ms` milliseconds (forever for `Infinity`, until `signal` aborts); resolves `true`
 * when the whole time passed and `false` when `signal` aborted first (also when it already
 * had). It never rejects.
 *
 * @example
 * ```ts
 * while (await sleep(1_000, signal)) poll();
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = Number.isFinite(ms) ? setTimeout(() => end(true), Math.max(0, ms)) : undefined;
    const onAbort = () => end(false);
    function end(full: boolean) {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(full);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
