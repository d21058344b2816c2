import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { MemoryLogBackend } from "./log_backend.ts";
import { KV_VALUE_BYTES, KvLogBackend, LogFencedError } from "./kv_log_backend.ts";
import { bytes, runTests } from "./log_backend_testing.ts";

runTests({
  name: "MemoryLogBackend",
  newBackend: () => {
    const first = new MemoryLogBackend();
    let opened = false;
    return Promise.resolve({
      open: () => {
        const b = opened ? first.reopen() : first;
        opened = true;
        return Promise.resolve(b);
      },
      dispose: () => Promise.resolve(),
    });
  },
});

runTests({
  name: "KvLogBackend",
  newBackend: async () => {
    const dir = await Deno.makeTempDir({ prefix: "nomad_state_" });
    return {
      open: () => KvLogBackend.open(`${dir}/server/state.kv`),
      dispose: () => Deno.remove(dir, { recursive: true }),
    };
  },
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

Deno.test("KvLogBackend fences off a process whose log another one opened", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nomad_state_" });
  try {
    const a = await KvLogBackend.open(`${dir}/state.kv`);
    await a.load();
    await a.append([{ index: 1, data: bytes(10, 1) }]);
    const b = await KvLogBackend.open(`${dir}/state.kv`);
    await b.load();
    await assertRejects(
      () => a.append([{ index: 2, data: bytes(10, 2) }]),
      LogFencedError,
      "another process opened it",
    );
    await b.append([{ index: 2, data: bytes(10, 3) }]);
    await a.close();
    await b.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("KvLogBackend drops a large entry whose head was never written (a torn append)", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const first = new KvLogBackend(kv, { prefix: ["s"] });
    await first.load();
    await first.append([{ index: 1, data: bytes(10, 1) }]);
    // A crash after the chunks of entry 2 were committed but before its head was.
    await kv.set(["s", "logc", 2, 0], bytes(KV_VALUE_BYTES, 2));
    await kv.set(["s", "log", 3], bytes(10, 3));
    const second = new KvLogBackend(kv, { prefix: ["s"] });
    const loaded = await second.load();
    assertEquals((await collect(loaded.entries)).map((r) => r.index), [1]);
    assertEquals((await kv.get(["s", "logc", 2, 0])).value, null, "leftover chunks are removed");
    assertEquals((await kv.get(["s", "log", 3])).value, null, "records after a gap are removed");
    await second.append([{ index: 2, data: bytes(100_000, 4) }]);
    const third = new KvLogBackend(kv, { prefix: ["s"] });
    const again = await collect((await third.load()).entries);
    assertEquals(again.map((r) => [r.index, r.data.length]), [[1, 10], [2, 100_000]]);
  } finally {
    kv.close();
  }
});
