/**
 * Streamed answers of the client file system endpoints: Nomad's `StreamFrame` JSON objects
 * written back to back with `{}` heartbeats while idle, or the raw bytes of the frames
 * (`plain=true` logs, `cat`, `readat`).
 *
 * An error the stream meets before it sends anything (unknown allocation, missing log, secret
 * file) is still answered with its status code, as Nomad answers it: the response is committed
 * only once the first frame arrives, or after one heartbeat interval without one.
 *
 * @module
 */
import type { Context } from "hono";
import type { StreamFrame } from "../../client/alloc_fs.ts";
import type { HttpLogger } from "../errors.ts";

/** How often an idle frame stream sends `{}` (Nomad's `streamHeartbeatRate`), in ms. */
export const STREAM_HEARTBEAT_MS = 1000;

const encoder = new TextEncoder();

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/**
 * A frame as Nomad's JSON encoder writes it: `Offset`, `Data` (base64), `File`, `FileEvent`,
 * each left out when empty; a frame with nothing is the `{}` heartbeat.
 *
 * @example
 * ```ts
 * encodeFrame({ File: "alloc/logs/web.stdout.0", Offset: 3, Data: new TextEncoder().encode("hi\n") });
 * // '{"Offset":3,"Data":"aGkK","File":"alloc/logs/web.stdout.0"}'
 * ```
 */
export function encodeFrame(frame: StreamFrame): string {
  const out: Record<string, unknown> = {};
  if (frame.Offset !== 0) out.Offset = frame.Offset;
  if (frame.Data.length > 0) out.Data = base64(frame.Data);
  if (frame.File !== "") out.File = frame.File;
  if (frame.FileEvent) out.FileEvent = frame.FileEvent;
  return JSON.stringify(out);
}

/** Options of {@link streamFrames}. */
export interface StreamFramesOptions {
  /** Write only the frames' bytes (no JSON, no heartbeats). */
  readonly plain: boolean;
  /** `Content-Type` of the answer. */
  readonly contentType: string;
  /** Aborted when the client goes away or the stream is cancelled; the frames' signal. */
  readonly abort: AbortController;
  /** Heartbeat interval in ms (default {@link STREAM_HEARTBEAT_MS}). */
  readonly heartbeatMs?: number;
  readonly logger: HttpLogger;
}

type Settled =
  | { readonly ok: true; readonly result: IteratorResult<StreamFrame> }
  | { readonly ok: false; readonly error: unknown };

function settle(p: Promise<IteratorResult<StreamFrame>>): Promise<Settled> {
  return p.then((result) => ({ ok: true, result }), (error) => ({ ok: false, error }));
}

function delay(ms: number): { promise: Promise<null>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * Answers with the frames of `frames` as they come. Throws (for the error mapper) when the
 * frames fail before the first one, within one heartbeat interval; a later failure ends the
 * stream and is logged.
 */
export async function streamFrames(
  c: Context,
  frames: AsyncGenerator<StreamFrame>,
  opts: StreamFramesOptions,
): Promise<Response> {
  const { abort, plain, logger } = opts;
  const heartbeatMs = opts.heartbeatMs ?? STREAM_HEARTBEAT_MS;
  const onClientGone = () => abort.abort();
  c.req.raw.signal.addEventListener("abort", onClientGone, { once: true });
  const stop = () => {
    c.req.raw.signal.removeEventListener("abort", onClientGone);
    abort.abort();
    void frames.return(undefined).catch(() => {});
  };
  const firstNext = settle(frames.next());
  const wait = delay(heartbeatMs);
  const early = await Promise.race([firstNext, wait.promise]);
  wait.cancel();
  if (early !== null && !early.ok) {
    stop();
    throw early.error;
  }
  let pending: Promise<Settled> | null = firstNext;
  let lastWrite = Date.now();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const write = (bytes: Uint8Array) => {
        if (!open || bytes.length === 0) return;
        lastWrite = Date.now();
        try {
          controller.enqueue(bytes);
        } catch {
          open = false; // the reader cancelled
        }
      };
      if (!plain) {
        heartbeat = setInterval(() => {
          if (Date.now() - lastWrite >= heartbeatMs) write(encoder.encode("{}"));
        }, Math.max(10, Math.floor(heartbeatMs / 2)));
      }
      void (async () => {
        try {
          for (;;) {
            const next: Settled = await (pending ?? settle(frames.next()));
            pending = null;
            if (!next.ok) throw next.error;
            if (next.result.done) break;
            const frame = next.result.value;
            write(plain ? frame.Data : encoder.encode(encodeFrame(frame)));
          }
        } catch (err) {
          if (!abort.signal.aborted) {
            logger.debug("stream ended with an error", {
              path: c.req.path,
              error: err instanceof Error ? err.message : String(err),
            });
          }
        } finally {
          clearInterval(heartbeat);
          c.req.raw.signal.removeEventListener("abort", onClientGone);
          if (open) {
            open = false;
            try {
              controller.close();
            } catch {
              // cancelled meanwhile
            }
          }
        }
      })();
    },
    cancel() {
      clearInterval(heartbeat);
      stop();
    },
  });
  c.header("Content-Type", opts.contentType);
  return c.body(body, 200);
}
