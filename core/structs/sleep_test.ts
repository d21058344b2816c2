import { assertEquals } from "../../tests/assert.ts";
import { sleep } from "./sleep.ts";

Deno.test("sleep() resolves true after the time, false when its signal aborts first", async () => {
  assertEquals(await sleep(5), true);
  const ac = new AbortController();
  const cut = sleep(60_000, ac.signal);
  ac.abort();
  assertEquals(await cut, false);
  assertEquals(await sleep(60_000, ac.signal), false, "an aborted signal ends it at once");
  const forever = new AbortController();
  const waiting = sleep(Infinity, forever.signal);
  setTimeout(() => forever.abort(), 5);
  assertEquals(await waiting, false, "Infinity waits for the signal");
});
