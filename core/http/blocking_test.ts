import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { blockingQuery, runBlockingQuery } from "./blocking.ts";
import { parseQueryOptions } from "./query.ts";
import { MemoryJobs, testApp } from "./_testing.ts";

const MS = 1_000_000;

/** A table whose index a test bumps, counting reads and waits. */
function table(start: number) {
  const store = new MemoryJobs();
  for (let i = 0; i < start; i++) store.upsert(job(`seed-${i}`));
  const counts = { runs: 0, waits: 0 };
  return {
    store,
    counts,
    run: () => {
      counts.runs++;
      return { index: store.index, body: store.list().map((j) => j.ID) };
    },
    wait: (index: number, signal: AbortSignal) => {
      counts.waits++;
      return store.waitForIndex(index, signal);
    },
  };
}

function job(id: string) {
  return { ID: id, Namespace: "default" } as Parameters<MemoryJobs["upsert"]>[0];
}

Deno.test("runBlockingQuery() answers at once without ?index", async () => {
  const t = table(2);
  const result = await runBlockingQuery({ minQueryIndex: 0, maxQueryTime: 0 }, t);
  assertEquals(result, { index: 2, body: ["seed-0", "seed-1"] });
  assertEquals(t.counts, { runs: 1, waits: 0 });
});

Deno.test("runBlockingQuery() answers at once when the data is newer than ?index", async () => {
  const t = table(3);
  const result = await runBlockingQuery({ minQueryIndex: 2, maxQueryTime: 50 * MS }, t);
  assertEquals(result.index, 3);
  assertEquals(t.counts.waits, 0);
});

Deno.test("runBlockingQuery() waits for a write past ?index, then answers with it", async () => {
  const t = table(1);
  const start = performance.now();
  const timer = setTimeout(() => t.store.upsert(job("web")), 20);
  const result = await runBlockingQuery({ minQueryIndex: 1, maxQueryTime: 5_000 * MS }, t);
  clearTimeout(timer);
  const elapsed = performance.now() - start;
  assertEquals(result, { index: 2, body: ["seed-0", "web"] });
  assert(elapsed >= 15 && elapsed < 2_000, `answered after ${elapsed} ms`);
});

Deno.test("runBlockingQuery() gives up after ?wait plus jitter with the current data", async () => {
  const t = table(4);
  // A 160 ms wait: no jitter answers after 160 ms, the most jitter (1/16) after 170 ms.
  for (const [random, min, max] of [[0, 158, 400], [0.999, 168, 400]] as const) {
    const start = performance.now();
    const result = await runBlockingQuery({ minQueryIndex: 4, maxQueryTime: 160 * MS }, {
      ...t,
      random: () => random,
    });
    const elapsed = performance.now() - start;
    assertEquals(result.index, 4);
    assertEquals(result.body.length, 4);
    assert(elapsed >= min && elapsed < max, `timed out after ${elapsed} ms (random ${random})`);
  }
});

Deno.test("runBlockingQuery() reports index 0 as 1, so clients never block on 0", async () => {
  const t = table(0);
  assertEquals((await runBlockingQuery({ minQueryIndex: 0, maxQueryTime: 0 }, t)).index, 1);
  const blocked = await runBlockingQuery({ minQueryIndex: 1, maxQueryTime: 10 * MS }, t);
  assertEquals(blocked.index, 1);
});

Deno.test("runBlockingQuery() survives a wait that never blocks without spinning", async () => {
  let runs = 0;
  const start = performance.now();
  const result = await runBlockingQuery({ minQueryIndex: 5, maxQueryTime: 30 * MS }, {
    run: () => ({ index: 5, body: ++runs }),
    wait: () => Promise.resolve(),
    random: () => 0,
  });
  const elapsed = performance.now() - start;
  assert(elapsed >= 25, `returned after ${elapsed} ms`);
  assert(runs < 100, `ran ${runs} times in ${elapsed} ms`);
  assertEquals(result.body, runs);
});

Deno.test("runBlockingQuery() stops when the client goes away", async () => {
  const t = table(1);
  const client = new AbortController();
  const timer = setTimeout(() => client.abort(), 10);
  const start = performance.now();
  const result = await runBlockingQuery({ minQueryIndex: 1, maxQueryTime: 10_000 * MS }, {
    ...t,
    signal: client.signal,
  });
  clearTimeout(timer);
  assertEquals(result.index, 1);
  assert(performance.now() - start < 2_000);
});

Deno.test("runBlockingQuery() times out cleanly when the wait rejects on abort", async () => {
  // The state store's waitForIndex rejects with the signal's reason when it aborts.
  const result = await runBlockingQuery({ minQueryIndex: 3, maxQueryTime: 20 * MS }, {
    run: () => ({ index: 3, body: "current" }),
    wait: (_index, signal) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      }),
  });
  assertEquals(result, { index: 3, body: "current" });
});

Deno.test("runBlockingQuery() passes on a wait's own failure", async () => {
  await assertRejects(
    () =>
      runBlockingQuery({ minQueryIndex: 1, maxQueryTime: 1_000 * MS }, {
        run: () => ({ index: 1, body: null }),
        wait: () => Promise.reject(new Error("state store abandoned")),
      }),
    Error,
    "state store abandoned",
  );
});

Deno.test("blockingQuery() sets the query meta headers and writes the body", async () => {
  const t = table(3);
  const { app } = testApp((app) => {
    app.get("/v1/things", (c) =>
      blockingQuery(c, parseQueryOptions(c), {
        ...t,
        meta: () => ({ knownLeader: true, lastContact: 12 }),
      }));
  });
  const immediate = await app.request("/v1/things?index=2");
  assertEquals(immediate.headers.get("X-Nomad-Index"), "3");
  assertEquals(immediate.headers.get("X-Nomad-KnownLeader"), "true");
  assertEquals(immediate.headers.get("X-Nomad-LastContact"), "12");
  assertEquals(await immediate.json(), ["seed-0", "seed-1", "seed-2"]);

  const pending = app.request("/v1/things?index=3&wait=5s");
  setTimeout(() => t.store.upsert(job("web")), 10);
  const woken = await pending;
  assertEquals(woken.headers.get("X-Nomad-Index"), "4");
  assertEquals((await woken.json()).length, 4);

  const timedOut = await app.request("/v1/things?index=4&wait=20ms");
  assertEquals(timedOut.headers.get("X-Nomad-Index"), "4");
});
