import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { FakeClock } from "./clock_testing.ts";
import {
  Heartbeats,
  type HeartbeatsOptions,
  NotLeaderError,
  rateScaledInterval,
} from "./heartbeat.ts";

function setup(options: Partial<HeartbeatsOptions> = {}) {
  const clock = new FakeClock(0);
  const expired: string[] = [];
  const heartbeats = new Heartbeats({
    clock,
    random: () => 0,
    onExpire: (id) => expired.push(`${id}@${clock.now()}`),
    ...options,
  });
  heartbeats.initialize([]);
  return { clock, heartbeats, expired };
}

Deno.test("rateScaledInterval() keeps heartbeats under the target rate, never below the minimum", () => {
  assertEquals(rateScaledInterval(50, 10_000, 0), 10_000);
  assertEquals(rateScaledInterval(50, 10_000, 499), 10_000);
  assertEquals(rateScaledInterval(50, 10_000, 5_000), 100_000);
  assertEquals(rateScaledInterval(0, 10_000, 5_000), 10_000, "a zero rate disables scaling");
});

Deno.test("Heartbeats.resetHeartbeat() returns the TTL plus a stagger below it", () => {
  const ttls = [0, 0.5, 0.999].map((r) =>
    setup({ random: () => r }).heartbeats.resetHeartbeat("n")
  );
  assertEquals(ttls, [10_000, 15_000, 19_990]);
});

Deno.test("Heartbeats.resetHeartbeat() scales the TTL with the number of nodes", () => {
  const { heartbeats } = setup();
  for (let i = 0; i < 1_000; i++) heartbeats.resetHeartbeat(`node-${i}`);
  assertEquals(heartbeats.resetHeartbeat("node-1000"), 20_000, "1,000 nodes at 50/s");
});

Deno.test("Heartbeats expire a node after its TTL plus the grace period", () => {
  const { clock, heartbeats, expired } = setup();
  assertEquals(heartbeats.resetHeartbeat("a"), 10_000);
  clock.advance(15_000);
  heartbeats.resetHeartbeat("a");
  clock.advance(19_999);
  assertEquals(expired, [], "the reset at 15 s moved the deadline to 35 s");
  clock.advance(1);
  assertEquals(expired, ["a@35000"]);
  assertEquals(heartbeats.size, 0);
});

Deno.test("Heartbeats.initialize() gives every known node the failover TTL", () => {
  const clock = new FakeClock(0);
  const expired: string[] = [];
  const heartbeats = new Heartbeats({ clock, onExpire: (id) => expired.push(id) });
  assertThrows(() => heartbeats.resetHeartbeat("a"), NotLeaderError, "not leader");
  heartbeats.initialize(["a", "b"]);
  assertEquals(heartbeats.expiresAt("a"), 300_000);
  clock.advance(295_000);
  heartbeats.resetHeartbeat("b");
  clock.advance(5_000);
  assertEquals(expired, ["a"], "b heartbeated before the failover TTL ran out");
});

Deno.test("Heartbeats.clearAll() drops every timer and refuses resets", () => {
  const { clock, heartbeats, expired } = setup();
  heartbeats.resetHeartbeat("a");
  heartbeats.resetHeartbeat("b");
  assert(heartbeats.clearHeartbeat("b"));
  assertEquals(heartbeats.expiresAt("b"), undefined);
  heartbeats.clearAll();
  clock.advance(60_000);
  assertEquals([expired, heartbeats.size, clock.pending], [[], 0, 0]);
  assertThrows(() => heartbeats.resetHeartbeat("a"), NotLeaderError);
});

/** A seeded random source (mulberry32), so the timer count below is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("Heartbeats keep 5,000 nodes on one timer", () => {
  const { clock, heartbeats, expired } = setup({ random: seeded(42) });
  for (let i = 0; i < 5_000; i++) heartbeats.resetHeartbeat(`node-${i}`);
  for (let round = 0; round < 3; round++) {
    clock.advance(10_000);
    for (let i = 0; i < 5_000; i++) heartbeats.resetHeartbeat(`node-${i}`);
  }
  assertEquals(clock.pending, 1);
  // Re-arming happens only when a new earliest deadline appears: a handful of times, not 20,000.
  assert(clock.timersSet < 50, `${clock.timersSet} timers were set`);
  clock.advance(500_000);
  assertEquals(expired.length, 5_000);
});
