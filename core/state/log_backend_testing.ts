/**
 * The conformance suite every {@link LogBackend} passes (Hono-style: one suite, several
 * implementations).
 *
 * @example
 * ```ts
 * runTests({ name: "MemoryLogBackend", newBackend: () => memoryHarness() });
 * ```
 *
 * @module
 */
import { assertEquals, assertRejects } from "../../tests/assert.ts";
import type { LogBackend, LogRecord } from "./log_backend.ts";

/** Storage for one test: `open()` gives a backend over it, as a (re)started process would. */
export interface BackendHarness {
  open(): Promise<LogBackend>;
  dispose(): Promise<void>;
}

/** Options of {@link runTests}. */
export interface RunTestsOptions {
  /** Names the tests: `"<name> ..."`. */
  readonly name: string;
  /** Fresh, empty storage for each test. */
  readonly newBackend: () => Promise<BackendHarness>;
}

/** Deterministic bytes of a given size. */
export function bytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function records(from: number, to: number, size = 100): LogRecord[] {
  const out: LogRecord[] = [];
  for (let i = from; i <= to; i++) out.push({ index: i, data: bytes(size, i) });
  return out;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The chunks joined into one array. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** `data` in pieces of `chunk` bytes, as a snapshot's chunk stream. */
export async function* stream(data: Uint8Array, chunk: number): AsyncGenerator<Uint8Array> {
  for (let off = 0; off < data.length; off += chunk) yield data.subarray(off, off + chunk);
}

/** Registers the suite with `Deno.test`. */
export function runTests({ name, newBackend }: RunTestsOptions): void {
  const test = (title: string, fn: (h: BackendHarness) => Promise<void>) =>
    Deno.test(`${name} ${title}`, async () => {
      const h = await newBackend();
      try {
        await fn(h);
      } finally {
        await h.dispose();
      }
    });

  test("load() of a new log is empty", async (h) => {
    const b = await h.open();
    const loaded = await b.load();
    assertEquals([loaded.snapshot, await collect(loaded.entries)], [null, []]);
    await b.close();
  });

  test("append() records survive a reopen, in order and byte for byte", async (h) => {
    const b = await h.open();
    await b.load();
    const written = [...records(1, 3), { index: 4, data: bytes(200_000, 4) }, ...records(5, 6, 1)];
    await b.append(written.slice(0, 2));
    await b.append(written.slice(2));
    await b.close();
    const again = await h.open();
    const loaded = await again.load();
    assertEquals(await collect(loaded.entries), written);
    await again.close();
  });

  test("append() takes thousands of records and megabytes in one call", async (h) => {
    const b = await h.open();
    await b.load();
    const written = [...records(1, 2500, 300), { index: 2501, data: bytes(3_000_000, 9) }];
    await b.append(written);
    await b.close();
    const again = await h.open();
    assertEquals(await collect((await again.load()).entries), written);
    await again.close();
  });

  test("append() rejects an index that does not follow the last one", async (h) => {
    const b = await h.open();
    await b.load();
    await b.append(records(1, 2));
    await assertRejects(() => b.append(records(4, 4)), RangeError, "the next index must be 3");
    await b.append(records(3, 3));
    await b.close();
  });

  test("compact() keeps the snapshot and only the records after it", async (h) => {
    const b = await h.open();
    await b.load();
    await b.append([...records(1, 5), { index: 6, data: bytes(150_000, 6) }, ...records(7, 10)]);
    const snap = bytes(1_500_000, 77);
    await b.compact(6, stream(snap, 100_000));
    await b.append(records(11, 12));
    await b.close();
    const again = await h.open();
    const loaded = await again.load();
    assertEquals(loaded.snapshot?.index, 6);
    assertEquals(
      concat(await collect(loaded.snapshot?.chunks ?? stream(new Uint8Array(), 1))),
      snap,
    );
    assertEquals((await collect(loaded.entries)).map((r) => r.index), [7, 8, 9, 10, 11, 12]);
    await again.append(records(13, 13));
    await again.close();
  });

  test("compact() again replaces the snapshot", async (h) => {
    const b = await h.open();
    await b.load();
    await b.append(records(1, 4));
    await b.compact(2, stream(bytes(10, 1), 4));
    await b.compact(4, stream(bytes(70_000, 2), 30_000));
    await b.close();
    const again = await h.open();
    const loaded = await again.load();
    assertEquals(loaded.snapshot?.index, 4);
    assertEquals(
      concat(await collect(loaded.snapshot?.chunks ?? stream(new Uint8Array(), 1))),
      bytes(70_000, 2),
    );
    assertEquals(await collect(loaded.entries), []);
    await again.close();
  });

  test("compact() runs while records are appended", async (h) => {
    const b = await h.open();
    await b.load();
    await b.append(records(1, 50));
    const compaction = b.compact(50, stream(bytes(500_000, 3), 50_000));
    for (let i = 51; i <= 60; i++) await b.append(records(i, i));
    await compaction;
    await b.close();
    const again = await h.open();
    const loaded = await again.load();
    assertEquals(loaded.snapshot?.index, 50);
    assertEquals(
      (await collect(loaded.entries)).map((r) => r.index),
      records(51, 60).map((r) => r.index),
    );
    await again.close();
  });

  test("compact() refuses an index past the last record", async (h) => {
    const b = await h.open();
    await b.load();
    await b.append(records(1, 2));
    await assertRejects(() => b.compact(3, stream(bytes(1, 1), 1)), RangeError, "last record is 2");
    await b.close();
  });
}
