import { assert, assertEquals } from "../../tests/assert.ts";
import { BlockingStore, blockingUrl, type ConnectivityState, type QueryState } from "./store.ts";

interface Pending {
  url: string;
  signal: AbortSignal;
  answer(status: number, body: unknown, index?: number): void;
  fail(err: Error): void;
}

/** A fetch whose requests the test answers one by one. */
class FakeAgent {
  readonly requests: Pending[] = [];
  #waiters: ((p: Pending) => void)[] = [];
  #seen = 0;

  fetch = (url: string, init: { signal: AbortSignal }): Promise<Response> =>
    new Promise((resolve, reject) => {
      const p: Pending = {
        url,
        signal: init.signal,
        answer(status, body, index) {
          const headers = new Headers({ "Content-Type": "application/json" });
          if (index !== undefined) headers.set("X-Nomad-Index", String(index));
          resolve(
            new Response(status >= 400 ? String(body) : JSON.stringify(body), {
              status,
              headers,
            }),
          );
        },
        fail: reject,
      };
      init.signal.addEventListener("abort", () => reject(init.signal.reason));
      this.requests.push(p);
      this.#waiters.shift()?.(p);
    });

  /** The next request not yet taken by the test. */
  async next(): Promise<Pending> {
    const i = this.#seen++;
    const ready = this.requests[i];
    if (ready !== undefined) return ready;
    const deadline = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no request #${i} within 2 s`)), 2000)
    );
    return await Promise.race([new Promise<Pending>((r) => this.#waiters.push(r)), deadline]);
  }
}

function collect<T>(store: BlockingStore, path: string) {
  const states: QueryState<T>[] = [];
  const stop = store.subscribe<T>(path, (s) => states.push(s));
  return { states, stop };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("blockingUrl() adds index and wait only once there is an index", () => {
  assertEquals(blockingUrl("/v1/jobs", 0, "60s"), "/v1/jobs");
  assertEquals(blockingUrl("/v1/jobs", 12, "60s"), "/v1/jobs?index=12&wait=60s");
  assertEquals(
    blockingUrl("/v1/nodes?resources=true", 3, "5s"),
    "/v1/nodes?resources=true&index=3&wait=5s",
  );
});

Deno.test("BlockingStore follows X-Nomad-Index: one request at a time, each blocking on the last index", async () => {
  const agent = new FakeAgent();
  const store = new BlockingStore({ fetch: agent.fetch, wait: "60s" });
  const { states, stop } = collect<string[]>(store, "/v1/jobs");
  try {
    const first = await agent.next();
    assertEquals(first.url, "/v1/jobs");
    first.answer(200, ["a"], 5);
    const second = await agent.next();
    assertEquals(second.url, "/v1/jobs?index=5&wait=60s");
    assertEquals(store.inFlight, 1, "one outstanding query for the path");
    assertEquals(states.map((s) => s.data), [["a"]]);
    second.answer(200, ["a", "b"], 9);
    const third = await agent.next();
    assertEquals(third.url, "/v1/jobs?index=9&wait=60s");
    assertEquals(states.map((s) => [s.index, s.data]), [[5, ["a"]], [9, ["a", "b"]]]);
  } finally {
    stop();
    store.close();
  }
});

Deno.test("BlockingStore does not republish when a wait ends with the same index", async () => {
  const agent = new FakeAgent();
  let clock = 0;
  const store = new BlockingStore({ fetch: agent.fetch, now: () => clock, pollMs: 5 });
  const { states, stop } = collect<number>(store, "/v1/x");
  try {
    (await agent.next()).answer(200, 1, 5);
    const blocking = await agent.next();
    clock += 60_000; // the wait ran out
    blocking.answer(200, 1, 5);
    assertEquals((await agent.next()).url, "/v1/x?index=5&wait=60s");
    assertEquals(states.length, 1);
  } finally {
    stop();
    store.close();
  }
});

Deno.test("BlockingStore shares one loop among subscribers of a path and stops it with the last", async () => {
  const agent = new FakeAgent();
  const store = new BlockingStore({ fetch: agent.fetch });
  const a = collect<string>(store, "/v1/nodes");
  const b = collect<string>(store, "/v1/nodes");
  const first = await agent.next();
  first.answer(200, "n1", 2);
  const blocking = await agent.next();
  const late = collect<string>(store, "/v1/nodes");
  assertEquals(agent.requests.length, 2, "subscribers share the path's query");
  assertEquals(late.states.map((s) => s.data), ["n1"], "a late subscriber gets the state at once");
  a.stop();
  b.stop();
  assert(!blocking.signal.aborted, "still watched by one subscriber");
  late.stop();
  assert(blocking.signal.aborted, "the last subscriber leaving aborts the query");
  assertEquals(store.paths, []);
  store.close();
});

Deno.test("BlockingStore backs off while the agent is unreachable and reports it, then recovers", async () => {
  const agent = new FakeAgent();
  const store = new BlockingStore({ fetch: agent.fetch, backoffMs: 10, maxBackoffMs: 25 });
  const seen: ConnectivityState[] = [];
  store.connectivity.subscribe((s) => seen.push(s));
  const { states, stop } = collect<string>(store, "/v1/jobs");
  try {
    (await agent.next()).answer(200, "x", 3);
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      const p = await agent.next();
      times.push(performance.now());
      assertEquals(p.url, "/v1/jobs?index=3&wait=60s", "keeps its index while retrying");
      p.fail(new TypeError("Failed to fetch"));
    }
    assert(!store.connectivity.state.online);
    assertEquals(store.connectivity.state.reason, "Failed to fetch");
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    assert(gaps[0]! >= 9 && gaps[1]! >= 19 && gaps[2]! >= 24, `back-off grows: ${gaps}`);
    assert(gaps[2]! < 200, `back-off is capped: ${gaps}`);
    assertEquals(states.at(-1)?.data, "x", "the last data stays on screen");
    assertEquals(states.at(-1)?.error?.status, 0);
    (await agent.next()).answer(200, "y", 4);
    await agent.next();
    assert(store.connectivity.state.online);
    assertEquals(seen.map((s) => s.online), [false, false, false, false, true]);
    assertEquals(states.at(-1)?.data, "y");
    assertEquals(states.at(-1)?.error, undefined);
  } finally {
    stop();
    store.close();
  }
});

Deno.test("BlockingStore shows an agent's error answer and starts over without an index", async () => {
  const agent = new FakeAgent();
  const store = new BlockingStore({ fetch: agent.fetch, backoffMs: 5 });
  const { states, stop } = collect<string>(store, "/v1/job/gone");
  try {
    (await agent.next()).answer(200, "job", 7);
    (await agent.next()).answer(404, "job not found");
    const retry = await agent.next();
    assertEquals(retry.url, "/v1/job/gone");
    assertEquals(states.at(-1)?.error?.status, 404);
    assertEquals(states.at(-1)?.error?.message, "job not found");
    assert(store.connectivity.state.online, "an error answer still means the agent is there");
  } finally {
    stop();
    store.close();
  }
});

Deno.test("BlockingStore starts over when the index goes backwards (a restarted agent)", async () => {
  const agent = new FakeAgent();
  const store = new BlockingStore({ fetch: agent.fetch });
  const { stop } = collect<string>(store, "/v1/jobs");
  try {
    (await agent.next()).answer(200, "a", 50);
    (await agent.next()).answer(200, "b", 3);
    assertEquals((await agent.next()).url, "/v1/jobs");
  } finally {
    stop();
    store.close();
  }
});

Deno.test("BlockingStore polls answers without an index, and wakeAll() cuts the pause short", async () => {
  const agent = new FakeAgent();
  const store = new BlockingStore({ fetch: agent.fetch, pollMs: 60_000 });
  const { states, stop } = collect<number>(store, "/v1/client/allocation/a/stats");
  try {
    (await agent.next()).answer(200, 1);
    await tick();
    assertEquals(agent.requests.length, 1, "waits pollMs before asking again");
    store.wakeAll();
    const again = await agent.next();
    assertEquals(again.url, "/v1/client/allocation/a/stats");
    again.answer(200, 2);
    await tick();
    assertEquals(states.map((s) => s.data), [1, 2]);
  } finally {
    stop();
    store.close();
  }
});
