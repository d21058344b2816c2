/**
 * Live data for the pages: each watched API path is one loop of blocking queries
 * (`?index=N&wait=...`, the index taken from `X-Nomad-Index`), so a page learns about a change
 * as soon as the agent has it and otherwise sends one request per wait period. A path watched
 * by several components is queried once, and its loop stops when the last one leaves.
 *
 * When the agent cannot be reached, every loop backs off (1 s, 2 s, 4 s, ... up to 15 s) and
 * the store reports it through {@link Connectivity}, which the app shows as a banner; the first
 * answer after that clears it. Answers without an index (statistics, which Nomad cannot block
 * on) are polled at `pollMs`.
 *
 * The store knows nothing about the DOM, so its tests run in Deno with a fake `fetch`.
 *
 * @module
 */

/** The answer of a failed request: the agent's status and text. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  /** The HTTP status; 0 when the agent could not be reached. */
  readonly status: number;

  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/** What subscribers of a path see. */
export interface QueryState<T> {
  /** The latest answer (kept while a later request fails). */
  readonly data: T | undefined;
  /** The error of the latest request, if it failed. */
  readonly error: ApiError | undefined;
  /** The `X-Nomad-Index` of `data` (0 before the first answer). */
  readonly index: number;
  /** True until the first answer or error. */
  readonly loading: boolean;
}

/** Whether the agent answers, for the "unreachable" banner. */
export interface ConnectivityState {
  readonly online: boolean;
  /** Why the last request failed, when offline. */
  readonly reason?: string;
  /** When the next attempt is due (ms since the epoch), when offline. */
  readonly retryAt?: number;
}

/** Listeners of the agent's reachability. */
export class Connectivity {
  #state: ConnectivityState = { online: true };
  readonly #listeners = new Set<(s: ConnectivityState) => void>();

  /** The current state. */
  get state(): ConnectivityState {
    return this.#state;
  }

  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: (s: ConnectivityState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records an answer from the agent. */
  reached(): void {
    if (this.#state.online) return;
    this.#set({ online: true });
  }

  /** Records a request that got no answer. */
  unreachable(reason: string, retryAt: number): void {
    this.#set({ online: false, reason, retryAt });
  }

  #set(state: ConnectivityState): void {
    this.#state = state;
    for (const l of this.#listeners) l(state);
  }
}

/** How the store fetches; `globalThis.fetch` in the browser. */
export type Fetcher = (url: string, init: { signal: AbortSignal }) => Promise<Response>;

/** Options of {@link BlockingStore}. */
export interface StoreOptions {
  /** Default `globalThis.fetch`. */
  readonly fetch?: Fetcher;
  /** The `wait` of each blocking query (default `"60s"`). */
  readonly wait?: string;
  /** The first back-off delay after a failure (default 1000 ms), doubled each time. */
  readonly backoffMs?: number;
  /** The longest back-off delay (default 15000 ms). */
  readonly maxBackoffMs?: number;
  /** How often answers without an index are fetched again (default 2000 ms). */
  readonly pollMs?: number;
  /** The clock (default `Date.now`). */
  readonly now?: () => number;
  /** Where reachability is reported (default a new {@link Connectivity}). */
  readonly connectivity?: Connectivity;
}

interface Entry {
  state: QueryState<unknown>;
  readonly listeners: Set<(s: QueryState<unknown>) => void>;
  readonly abort: AbortController;
  /** Wakes the loop from a back-off or poll sleep (after a write, or when back online). */
  wake: () => void;
}

/** Seconds of Nomad's `wait` string (`"60s"`, `"5m"`), for the request's own timeout. */
function waitSeconds(wait: string): number {
  const m = /^(\d+)(ms|s|m)$/.exec(wait);
  if (m === null) return 300;
  const n = Number(m[1]);
  return m[2] === "ms" ? n / 1000 : m[2] === "m" ? n * 60 : n;
}

/** `path` with `index` and `wait` added to its query. */
export function blockingUrl(path: string, index: number, wait: string): string {
  if (index <= 0) return path;
  const sep = path.includes("?") ? "&" : "?";
  return `${path}${sep}index=${index}&wait=${wait}`;
}

/**
 * Shares blocking queries among the components that watch the same API path.
 *
 * @example
 * ```ts
 * const store = new BlockingStore();
 * const stop = store.subscribe<JobStub[]>("/v1/jobs", (s) => render(s.data));
 * // later
 * stop();
 * ```
 */
export class BlockingStore {
  /** Reachability of the agent, as the loops see it. */
  readonly connectivity: Connectivity;
  readonly #fetch: Fetcher;
  readonly #wait: string;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #pollMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  #inFlight = 0;

  constructor(options: StoreOptions = {}) {
    this.#fetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.#wait = options.wait ?? "60s";
    this.#backoffMs = options.backoffMs ?? 1000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 15_000;
    this.#pollMs = options.pollMs ?? 2000;
    this.#now = options.now ?? Date.now;
    this.connectivity = options.connectivity ?? new Connectivity();
  }

  /** How many requests are outstanding right now (for tests and diagnostics). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The paths being watched. */
  get paths(): string[] {
    return [...this.#entries.keys()];
  }

  /** The current state of `path` (a loading state when nobody watches it). */
  peek<T>(path: string): QueryState<T> {
    const e = this.#entries.get(path);
    return (e?.state ??
      { data: undefined, error: undefined, index: 0, loading: true }) as QueryState<T>;
  }

  /**
   * Watches `path`: `listener` gets the current state at once when there is one, then every
   * change. Returns the function that stops watching.
   */
  subscribe<T>(path: string, listener: (s: QueryState<T>) => void): () => void {
    const l = listener as (s: QueryState<unknown>) => void;
    let entry = this.#entries.get(path);
    if (entry === undefined) {
      entry = {
        state: { data: undefined, error: undefined, index: 0, loading: true },
        listeners: new Set(),
        abort: new AbortController(),
        wake: () => {},
      };
      this.#entries.set(path, entry);
      entry.listeners.add(l);
      void this.#loop(path, entry);
    } else {
      entry.listeners.add(l);
      if (!entry.state.loading) l(entry.state);
    }
    const e = entry;
    return () => {
      e.listeners.delete(l);
      if (e.listeners.size === 0 && this.#entries.get(path) === e) {
        this.#entries.delete(path);
        e.abort.abort();
      }
    };
  }

  /** Ends every sleeping back-off or poll at once, e.g. after the user changed something. */
  wakeAll(): void {
    for (const e of this.#entries.values()) e.wake();
  }

  /** Stops every loop. */
  close(): void {
    for (const e of this.#entries.values()) e.abort.abort();
    this.#entries.clear();
  }

  #publish(entry: Entry, state: QueryState<unknown>): void {
    entry.state = state;
    for (const l of entry.listeners) l(state);
  }

  #sleep(entry: Entry, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        entry.abort.signal.removeEventListener("abort", done);
        entry.wake = () => {};
        resolve();
      };
      const timer = setTimeout(done, ms);
      entry.wake = done;
      entry.abort.signal.addEventListener("abort", done);
    });
  }

  async #loop(path: string, entry: Entry): Promise<void> {
    const signal = entry.abort.signal;
    let index = 0;
    let failures = 0;
    const timeoutMs = (waitSeconds(this.#wait) * 1.1 + 15) * 1000;
    while (!signal.aborted) {
      const started = this.#now();
      let res: Response;
      this.#inFlight++;
      try {
        res = await this.#fetch(blockingUrl(path, index, this.#wait), {
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
      } catch (err) {
        this.#inFlight--;
        if (signal.aborted) return;
        failures++;
        const delay = Math.min(this.#maxBackoffMs, this.#backoffMs * 2 ** (failures - 1));
        const reason = err instanceof Error ? err.message : String(err);
        this.connectivity.unreachable(reason, this.#now() + delay);
        this.#publish(entry, {
          ...entry.state,
          loading: false,
          error: new ApiError(0, `Cannot reach the agent: ${reason}`, { cause: err }),
        });
        await this.#sleep(entry, delay);
        continue;
      }
      let body: unknown;
      let text = "";
      try {
        if (res.ok) body = await res.json();
        else text = await res.text();
      } catch (err) {
        text = err instanceof Error ? err.message : String(err);
        if (signal.aborted) {
          this.#inFlight--;
          return;
        }
      }
      this.#inFlight--;
      if (signal.aborted) return;
      this.connectivity.reached();
      if (!res.ok || body === undefined) {
        // The agent answered with an error (a job that is gone, a client that went away):
        // show it, and look again later in case it comes back.
        failures++;
        index = 0;
        this.#publish(entry, {
          ...entry.state,
          loading: false,
          error: new ApiError(res.status, text.trim() || res.statusText),
        });
        await this.#sleep(
          entry,
          Math.min(this.#maxBackoffMs, this.#backoffMs * 2 ** (failures - 1)),
        );
        continue;
      }
      failures = 0;
      const header = res.headers.get("X-Nomad-Index");
      const next = header === null ? 0 : Number(header) || 0;
      const changed = header === null || next !== index;
      if (changed || entry.state.loading || entry.state.error !== undefined) {
        this.#publish(entry, { data: body, error: undefined, index: next, loading: false });
      }
      if (header === null) {
        await this.#sleep(entry, this.#pollMs);
        continue;
      }
      // Nomad's rule: an index that went backwards (a restarted agent) starts over.
      const same = next === index;
      index = next < index ? 0 : next;
      // A blocking query that came back at once with nothing new would spin: pause instead.
      if (same && this.#now() - started < 1000) await this.#sleep(entry, this.#pollMs);
    }
  }
}
