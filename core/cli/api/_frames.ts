/**
 * Decoding the frames of Nomad's file and log streams: the body is a sequence of JSON objects
 * `{"Offset":123,"Data":"<base64>","File":"alloc/logs/web.stdout.0","FileEvent":""}` written
 * back to back (with or without white space between them), each field left out when empty;
 * `{}` is a heartbeat.
 *
 * @module
 */
import type { StreamFrame } from "./types.ts";

/** The body of a stream ended in the middle of a frame or broke off (connection lost). */
export class StreamInterruptedError extends Error {
  override readonly name = "StreamInterruptedError";
}

/** The body of a stream is not a sequence of JSON frames. */
export class FrameDecodeError extends Error {
  override readonly name = "FrameDecodeError";
}

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Decodes standard base64 (Go's `[]byte` in JSON) to bytes. */
export function decodeBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Turns one decoded JSON object into a frame; `undefined` for a heartbeat. */
export function toFrame(raw: unknown): StreamFrame | undefined {
  const o = (raw ?? {}) as Record<string, unknown>;
  const data = typeof o.Data === "string" && o.Data !== ""
    ? decodeBase64(o.Data)
    : new Uint8Array();
  const frame: StreamFrame = {
    Offset: typeof o.Offset === "number" ? o.Offset : 0,
    Data: data,
    File: typeof o.File === "string" ? o.File : "",
    FileEvent: typeof o.FileEvent === "string" ? o.FileEvent : "",
  };
  const heartbeat = frame.Data.length === 0 && frame.File === "" && frame.FileEvent === "" &&
    frame.Offset === 0;
  return heartbeat ? undefined : frame;
}

/**
 * Splits a byte stream into complete top-level JSON objects, keeping the state of a partly
 * received object between chunks.
 */
class ObjectSplitter {
  #buf = new Uint8Array(0);
  #pos = 0;
  #start = -1;
  #depth = 0;
  #inString = false;
  #escape = false;

  /** Adds a chunk and returns the objects it completed, as bytes. */
  push(chunk: Uint8Array): Uint8Array[] {
    const merged = new Uint8Array(this.#buf.length + chunk.length);
    merged.set(this.#buf);
    merged.set(chunk, this.#buf.length);
    this.#buf = merged;
    const out: Uint8Array[] = [];
    const b = this.#buf;
    for (; this.#pos < b.length; this.#pos++) {
      const c = b[this.#pos]!;
      if (this.#depth === 0) {
        if (isSpace(c)) continue;
        if (c !== OPEN) throw this.#junk(this.#pos);
        this.#start = this.#pos;
        this.#depth = 1;
        continue;
      }
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (c === BACKSLASH) this.#escape = true;
        else if (c === QUOTE) this.#inString = false;
        continue;
      }
      if (c === QUOTE) this.#inString = true;
      else if (c === OPEN) this.#depth++;
      else if (c === CLOSE && --this.#depth === 0) {
        out.push(b.slice(this.#start, this.#pos + 1));
        this.#start = -1;
      }
    }
    // Keep only what belongs to an unfinished object.
    const keepFrom = this.#start >= 0 ? this.#start : b.length;
    this.#buf = b.slice(keepFrom);
    this.#pos -= keepFrom;
    if (this.#start >= 0) this.#start = 0;
    return out;
  }

  /** Whether part of an object is still waiting for its end. */
  get partial(): boolean {
    return this.#depth > 0;
  }

  #junk(at: number): FrameDecodeError {
    const text = new TextDecoder().decode(this.#buf.slice(at, at + 200));
    return new FrameDecodeError(
      `failed to decode the stream as JSON frames: ${JSON.stringify(text)}`,
    );
  }
}

/**
 * The frames of a stream body, heartbeats left out, until the body ends.
 *
 * @param body The response body; it is cancelled when the caller stops early.
 * @param signal Aborting it ends the frames quietly.
 * @throws {FrameDecodeError} When the body is not JSON frames.
 * @throws {StreamInterruptedError} When the body breaks off, or ends inside a frame.
 */
export async function* decodeFrames(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<StreamFrame> {
  const reader = body.getReader();
  const splitter = new ObjectSplitter();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (signal?.aborted) return;
        throw new StreamInterruptedError(
          `the stream broke off: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      }
      if (chunk.done) break;
      for (const bytes of splitter.push(chunk.value)) {
        let raw: unknown;
        try {
          raw = JSON.parse(decoder.decode(bytes));
        } catch (err) {
          throw new FrameDecodeError(
            `failed to decode the stream as JSON frames: ${JSON.stringify(decoder.decode(bytes))}`,
            { cause: err },
          );
        }
        const frame = toFrame(raw);
        if (frame) yield frame;
      }
    }
    if (splitter.partial) throw new StreamInterruptedError("the stream ended inside a frame");
  } finally {
    await reader.cancel().catch(() => {});
  }
}
