/**
 * A task's log as the logs page follows it: `GET /v1/client/fs/logs/<alloc>?task=<task>&
 * type=stdout|stderr&plain=true&origin=end&offset=<tail>&follow=true`, read as it streams.
 * The first request starts `tail` bytes before the end; when a followed stream ends (the agent
 * restarted, the connection dropped) it reconnects at the end of the log after a pause. Only
 * the last `maxChars` characters are kept.
 *
 * @module
 */
import type { Fetcher } from "./store.ts";

/** Options of {@link LogStream}. */
export interface LogStreamOptions {
  readonly alloc: string;
  readonly task: string;
  readonly type: "stdout" | "stderr";
  /** Keep reading as the task writes (default true). */
  readonly follow?: boolean;
  /** How many bytes before the end to start (default 50,000). */
  readonly tail?: number;
  /** The most characters kept (default 500,000). */
  readonly maxChars?: number;
  /** The pause before reconnecting a followed stream that ended (default 2000 ms). */
  readonly reconnectMs?: number;
  /** Whether to reconnect a followed stream that ended (default: always). */
  readonly reconnect?: () => boolean;
  readonly fetch?: Fetcher;
  /** Called with the whole text kept so far, after every chunk. */
  readonly onText: (text: string) => void;
  /** Called with a problem to show (or `undefined` once reading again). */
  readonly onError?: (message: string | undefined) => void;
}

/** The URL of a log request. */
export function logUrl(
  alloc: string,
  task: string,
  type: string,
  follow: boolean,
  offset: number,
): string {
  const q = new URLSearchParams({
    task,
    type,
    plain: "true",
    origin: "end",
    offset: String(offset),
    follow: String(follow),
  });
  return `/v1/client/fs/logs/${encodeURIComponent(alloc)}?${q}`;
}

/** Reads a task's log until {@link LogStream.close}. */
export class LogStream {
  readonly #o: LogStreamOptions;
  readonly #abort = new AbortController();
  #text = "";
  /** Resolves when the stream has stopped for good. */
  readonly done: Promise<void>;

  constructor(options: LogStreamOptions) {
    this.#o = options;
    this.done = this.#run();
  }

  /** The text read so far (its last `maxChars` characters). */
  get text(): string {
    return this.#text;
  }

  /** Stops reading. */
  close(): void {
    this.#abort.abort();
  }

  async #run(): Promise<void> {
    const o = this.#o;
    const fetcher = o.fetch ?? ((url, init) => globalThis.fetch(url, init));
    const follow = o.follow ?? true;
    const signal = this.#abort.signal;
    let offset = o.tail ?? 50_000;
    while (!signal.aborted) {
      try {
        const res = await fetcher(logUrl(o.alloc, o.task, o.type, follow, offset), { signal });
        if (!res.ok) {
          const text = (await res.text()).trim();
          o.onError?.(text || `The agent answered ${res.status}`);
          if (res.status === 404 || res.status === 400) return;
        } else if (res.body !== null) {
          o.onError?.(undefined);
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            this.#append(value);
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        o.onError?.(`Lost the log stream: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (!follow || signal.aborted || !(o.reconnect?.() ?? true)) return;
      offset = 0; // pick up where the log ends now
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, o.reconnectMs ?? 2000);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #append(chunk: string): void {
    const max = this.#o.maxChars ?? 500_000;
    this.#text += chunk;
    if (this.#text.length > max) {
      // Keep whole lines: cut after the first line break past the excess.
      const cut = this.#text.indexOf("\n", this.#text.length - max);
      this.#text = this.#text.slice(cut === -1 ? this.#text.length - max : cut + 1);
    }
    this.#o.onText(this.#text);
  }
}
