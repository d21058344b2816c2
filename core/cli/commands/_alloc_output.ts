/**
 * Printing files and logs as `alloc logs` and `alloc fs` do: bytes as they arrive, `tail -n`
 * (Nomad's `LineLimitReader`: gather up to `n` × 120 bytes, or what arrived before the stream
 * ended or went quiet for a second, print its last `n` lines, then pass the rest through), and
 * stopping a followed stream on Ctrl-C (SIGINT) or SIGTERM, which ends the command with 0 as
 * in Nomad.
 *
 * @module
 */
import type { StreamFrame } from "../api/mod.ts";
import type { Context } from "../command.ts";

/** Nomad's guess at the length of a log line, to turn `-n` into a byte offset. */
export const BYTES_PER_LINE = 120;
/** How many lines `-tail` shows without `-n` or `-c`. */
export const DEFAULT_TAIL_LINES = 10;
/** How long `tail -n` waits for more data before printing what it has. */
export const TAIL_IDLE_MS = 1000;

/** The data of frames, file events and empty frames left out. */
export async function* frameData(frames: AsyncIterable<StreamFrame>): AsyncGenerator<Uint8Array> {
  for await (const f of frames) if (f.Data.length > 0) yield f.Data;
}

/** The chunks of a byte stream; stopping early cancels it. */
export async function* streamChunks(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * The last `n` lines of `b`, as Nomad's `LineLimitReader` cuts them: a final newline does not
 * count as the end of a line of its own; with fewer than `n` lines, all of `b`.
 */
export function lastLines(b: Uint8Array, n: number): Uint8Array {
  let found = 0;
  let cut = b.length - 1;
  for (let i = b.length - 1; found < n && i >= 0; i--) {
    if (b[i] !== 0x0a) continue;
    cut = i;
    if (i !== b.length - 1) found++;
  }
  return found === n ? b.subarray(cut + 1) : b;
}

const IDLE = Symbol("idle");

function withIdleTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof IDLE> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idle = new Promise<typeof IDLE>((resolve) => {
    timer = setTimeout(() => resolve(IDLE), ms);
  });
  return Promise.race([p, idle]).finally(() => clearTimeout(timer));
}

/**
 * `tail -n` over a stream of chunks: the last `lines` lines of the first `searchLimit` bytes
 * (or of what came before the stream ended or was quiet for `idleMs`), then everything after.
 */
export async function* tailLines(
  source: AsyncIterable<Uint8Array>,
  lines: number,
  opts: { searchLimit: number; idleMs: number },
): AsyncGenerator<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  const gathered: Uint8Array[] = [];
  let size = 0;
  let pending: Promise<IteratorResult<Uint8Array>> | undefined;
  let ended = false;
  try {
    while (size < opts.searchLimit) {
      pending ??= it.next();
      const r = await withIdleTimeout(pending, opts.idleMs);
      if (r === IDLE) break;
      pending = undefined;
      if (r.done) {
        ended = true;
        break;
      }
      gathered.push(r.value);
      size += r.value.length;
    }
    const head = lastLines(concat(gathered), lines);
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const r = await (pending ?? it.next());
      pending = undefined;
      if (r.done) return;
      yield r.value;
    }
  } finally {
    if (!ended) it.return?.().catch(() => {});
  }
}

/** Where {@link writeChunks} prints. */
export type Sink = "stdout" | "stderr";

/** Prints chunks of text as they come, keeping multi-byte characters split across chunks. */
export async function writeChunks(
  ctx: Context,
  chunks: AsyncIterable<Uint8Array>,
  sink: Sink = "stdout",
): Promise<void> {
  const decoder = new TextDecoder();
  const write = (text: string) =>
    text === ""
      ? Promise.resolve()
      : sink === "stdout"
      ? ctx.ui.rawOutput(text)
      : ctx.ui.rawError(text);
  for await (const chunk of chunks) await write(decoder.decode(chunk, { stream: true }));
  await write(decoder.decode());
}

/**
 * Aborts `controller` when the process gets SIGINT or SIGTERM (SIGINT and SIGBREAK on
 * Windows), so that a followed stream ends cleanly; call the returned function to stop
 * listening.
 */
export function abortOnInterrupt(controller: AbortController): () => void {
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT", "SIGBREAK"]
    : ["SIGINT", "SIGTERM"];
  const handler = () => controller.abort();
  const added: Deno.Signal[] = [];
  for (const s of signals) {
    try {
      Deno.addSignalListener(s, handler);
      added.push(s);
    } catch {
      // A signal this platform cannot listen to.
    }
  }
  return () => {
    for (const s of added) Deno.removeSignalListener(s, handler);
  };
}
