/**
 * The shapes of Docker's streamed response bodies, read chunk by chunk from a web
 * `ReadableStream` (or any async iterable of bytes): the multiplexed stdout/stderr of logs and
 * exec (8-byte frame headers), a TTY container's plain output (split into lines), and the JSON
 * lines of image pulls, stats and events.
 *
 * @module
 */

/** One frame of a multiplexed stream: 1 stdout, 2 stderr. */
export interface Frame {
  /** 1 for stdout, 2 for stderr. */
  stream: 1 | 2;
  /** The frame's bytes. */
  data: Uint8Array;
}

/** The bytes of `parts`, one after the other, in one array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Turns a stream's chunks into frames, keeping the incomplete tail for the next chunk. */
abstract class Splitter {
  #buf = new Uint8Array(0);

  /** Takes the next chunk; returns the frames it completes. */
  push(chunk: Uint8Array): Frame[] {
    const joined = this.#buf.length === 0 ? chunk : concatBytes(this.#buf, chunk);
    const frames: Frame[] = [];
    const used = this.split(joined, frames);
    this.#buf = joined.slice(used);
    return frames;
  }

  /** Appends the complete frames at the start of `bytes` to `out`; returns the bytes used. */
  protected abstract split(bytes: Uint8Array, out: Frame[]): number;
}

/**
 * Splits Docker's multiplexed stream (8-byte headers: stream type, 3 zero bytes, big-endian
 * length) into frames, chunk by chunk.
 */
export class Demuxer extends Splitter {
  protected split(bytes: Uint8Array, out: Frame[]): number {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let off = 0;
    while (bytes.length - off >= 8) {
      const size = view.getUint32(off + 4);
      if (bytes.length - off - 8 < size) break;
      out.push({ stream: bytes[off] === 2 ? 2 : 1, data: bytes.slice(off + 8, off + 8 + size) });
      off += 8 + size;
    }
    return off;
  }
}

/** A TTY container's output (not multiplexed): each line, newline included, a stdout frame. */
export class LineSplitter extends Splitter {
  protected split(bytes: Uint8Array, out: Frame[]): number {
    let start = 0;
    for (let nl = bytes.indexOf(0x0a); nl >= 0; nl = bytes.indexOf(0x0a, start)) {
      out.push({ stream: 1, data: bytes.slice(start, nl + 1) });
      start = nl + 1;
    }
    return start;
  }
}

/** The frames of a whole multiplexed stream. */
export async function* demux(stream: AsyncIterable<Uint8Array>): AsyncGenerator<Frame> {
  const d = new Demuxer();
  for await (const chunk of stream) yield* d.push(chunk);
}

/**
 * The JSON values of a stream of JSON lines (pull progress, stats, events), skipping blank
 * lines; `onChunk` is told of every chunk (activity), whole lines or not.
 *
 * @throws {SyntaxError} When a line is not JSON.
 */
export async function* jsonLines<T>(
  stream: AsyncIterable<Uint8Array>,
  onChunk?: () => void,
): AsyncGenerator<T> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    onChunk?.();
    text += decoder.decode(chunk, { stream: true });
    const lines = text.split("\n");
    text = lines.pop() ?? "";
    for (const line of lines) if (line.trim() !== "") yield JSON.parse(line) as T;
  }
  text += decoder.decode();
  if (text.trim() !== "") yield JSON.parse(text) as T;
}
