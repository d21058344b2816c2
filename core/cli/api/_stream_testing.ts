/**
 * A stream body a test feeds by hand, for fake agents that stream files and logs: frames (or
 * raw text) are sent when the test says, and the test ends the stream cleanly or breaks it off
 * as a lost connection would.
 *
 * @module
 */

/** One frame as Nomad's client writes it: `Data` still in base64. */
export interface RawFrame {
  Offset?: number;
  Data?: string;
  File?: string;
  FileEvent?: string;
}

/** Base64 of UTF-8 text, as frames carry data. */
export function b64(text: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** A streamed response body that the test controls. */
export class Feed {
  readonly #encoder = new TextEncoder();
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #done = false;
  /** The body to answer with. */
  readonly body: ReadableStream<Uint8Array>;
  /** Resolves when the client stopped reading (cancelled the body). */
  readonly cancelled: Promise<void>;

  readonly #breaks: boolean;

  /** `breaks`: the test will break the stream off with {@link fail} instead of closing it. */
  constructor(opts: { breaks?: boolean } = {}) {
    this.#breaks = opts.breaks ?? false;
    let onCancel!: () => void;
    this.cancelled = new Promise((resolve) => (onCancel = resolve));
    this.body = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.#controller = c;
      },
      cancel: () => {
        this.#done = true;
        onCancel();
      },
    });
  }

  /** The body as a `Response` (JSON frames, status 200). */
  response(contentType = "application/json"): Response {
    const headers: Record<string, string> = { "Content-Type": contentType };
    if (this.#breaks) headers["Content-Length"] = String(2 ** 40);
    return new Response(this.body, { headers });
  }

  /** Sends raw text. */
  text(text: string): void {
    if (!this.#done) this.#controller.enqueue(this.#encoder.encode(text));
  }

  /** Sends a frame with `data` as text, as Nomad's JSON encoder writes it. */
  frame(data: string, o: Omit<RawFrame, "Data"> = {}): void {
    this.text(JSON.stringify({ ...o, Data: b64(data) }));
  }

  /** Sends a heartbeat (`{}`). */
  heartbeat(): void {
    this.text("{}");
  }

  /** Ends the stream cleanly (or, for a feed that `breaks`, breaks it off). */
  close(): void {
    if (this.#done) return;
    this.#done = true;
    this.#controller.close();
  }

  /**
   * Breaks the stream off, as a lost connection does; only for a feed made with `breaks`.
   * (The response promised more bytes than it sends, so ending it early cuts the connection;
   * erroring the body instead would make `Deno.serve` log the error.)
   */
  fail(): void {
    if (!this.#breaks) throw new Error("Cannot break off a Feed not made with { breaks: true }");
    this.close();
  }
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
