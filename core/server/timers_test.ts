import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { Heap } from "./_heap.ts";
import { FakeClock } from "./clock_testing.ts";
import { DeadlineQueue, systemClock } from "./timers.ts";

Deno.test("Heap pops in order after random pushes and removals", () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const items: { v: number; i: number }[] = [];
  const heap = new Heap<{ v: number; i: number }>((a, b) => a.v < b.v, (x, i) => x.i = i);
  for (let n = 0; n < 500; n++) {
    const item = { v: Math.floor(random() * 100), i: -1 };
    items.push(item);
    heap.push(item);
  }
  const removed = new Set(items.filter((_, n) => n % 3 === 0));
  for (const item of removed) heap.removeAt(item.i);
  const popped: number[] = [];
  for (let x = heap.pop(); x !== undefined; x = heap.pop()) popped.push(x.v);
  const expected = items.filter((x) => !removed.has(x)).map((x) => x.v).sort((a, b) => a - b);
  assertEquals(popped, expected);
  assertThrows(() => heap.removeAt(0), RangeError, "out of range");
});

Deno.test("DeadlineQueue fires due keys in deadline order, ties in the order set", () => {
  const clock = new FakeClock(0);
  const fired: string[] = [];
  const q = new DeadlineQueue<string>(clock, (k) => fired.push(`${k}@${clock.now()}`));
  q.set("c", 300);
  q.set("a", 100);
  q.set("b", 100);
  q.set("d", 400);
  q.delete("d");
  clock.advance(299);
  assertEquals(fired, ["a@100", "b@100"]);
  clock.advance(1_000);
  assertEquals(fired, ["a@100", "b@100", "c@300"]);
  assertEquals([q.size, clock.pending], [0, 0]);
});

Deno.test("DeadlineQueue runs any number of keys on one timer", () => {
  const clock = new FakeClock(0);
  const expired: string[] = [];
  const q = new DeadlineQueue<string>(clock, (k) => expired.push(k));
  for (let i = 0; i < 5_000; i++) q.set(`node-${i}`, 10_000 + i);
  for (let i = 0; i < 5_000; i++) q.set(`node-${i}`, 20_000 + i); // moved later
  assertEquals([clock.pending, clock.timersSet], [1, 1]);
  clock.advance(15_000);
  assertEquals(expired.length, 0, "the early timer fired, found nothing due and re-armed");
  q.set("node-0", 16_000); // moved earlier: re-armed
  clock.advance(1_000);
  assertEquals(expired, ["node-0"]);
  clock.advance(10_000);
  assertEquals(expired.length, 5_000);
  assertEquals(clock.pending, 0);
});

Deno.test("DeadlineQueue lets onDue set its own key again", () => {
  const clock = new FakeClock(0);
  let ticks = 0;
  const q: DeadlineQueue<string> = new DeadlineQueue(clock, (k) => {
    ticks++;
    if (ticks < 3) q.set(k, clock.now() + 10);
  });
  q.set("tick", 10);
  clock.advance(100);
  assertEquals([ticks, q.size], [3, 0]);
});

Deno.test("DeadlineQueue fires on the real clock", async () => {
  const q = new DeadlineQueue<string>(systemClock, () => {});
  const fired = new Promise<string>((resolve) => {
    const inner = new DeadlineQueue<string>(systemClock, resolve);
    inner.set("soon", Date.now() + 5);
  });
  q.set("never", Date.now() + 60_000);
  q.clear();
  assertEquals(await fired, "soon");
});
