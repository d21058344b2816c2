import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { MetricsRegistry } from "./metrics.ts";

function clock(start = Date.UTC(2024, 4, 1, 10, 0, 0)) {
  const c = { now: start };
  return { c, now: () => c.now };
}

Deno.test("MetricsRegistry names metrics as go-metrics does, with the prefix", () => {
  const { now } = clock();
  const m = new MetricsRegistry({ prefix: "nomad", now });
  m.setGauge(["nomad", "broker", "total_ready"], 3);
  m.setGauge("runtime.num goroutines", 7);
  const names = m.summary().Gauges.map((g) => g.Name);
  assertEquals(names, ["nomad.nomad.broker.total_ready", "nomad.runtime.num_goroutines"]);
});

Deno.test("MetricsRegistry.summary() aggregates counters and samples per interval", () => {
  const { c, now } = clock();
  const m = new MetricsRegistry({ now });
  m.incrCounter("nomad.rpc.query");
  m.incrCounter("nomad.rpc.query", 3);
  m.addSample("nomad.plan.apply", 2);
  m.addSample("nomad.plan.apply", 4);
  m.emitKey("nomad.points", 1.5);
  const current = m.summary();
  assertEquals(current.Timestamp, "2024-05-01 10:00:00 +0000 UTC");
  assertEquals(current.Counters, [{
    Name: "nomad.rpc.query",
    Count: 2,
    Rate: 0.4,
    Sum: 4,
    Min: 1,
    Max: 3,
    Mean: 2,
    Stddev: Math.SQRT2,
    Labels: {},
  }]);
  assertEquals(current.Samples[0]!.Mean, 3);
  assertEquals(current.Points, [{ Name: "nomad.points", Points: [1.5] }]);

  // The next interval starts; the summary shows the finished one until another finishes.
  c.now += 10_000;
  m.incrCounter("nomad.rpc.query");
  assertEquals(m.summary().Counters[0]!.Count, 2);
  c.now += 10_000;
  assertEquals(m.summary().Counters[0]!.Count, 1);
  assertEquals(m.summary().Timestamp, "2024-05-01 10:00:10 +0000 UTC");
});

Deno.test("MetricsRegistry keeps gauges and labels, sorted by name and labels", () => {
  const { c, now } = clock();
  const m = new MetricsRegistry({ now });
  m.setGauge("nomad.client.allocs", 2, { node_id: "b" });
  m.setGauge("nomad.client.allocs", 1, { node_id: "a" });
  m.setGauge("nomad.client.allocs", 5, { node_id: "a" });
  c.now += 60_000;
  assertEquals(m.summary().Gauges, [
    { Name: "nomad.client.allocs", Value: 5, Labels: { node_id: "a" } },
    { Name: "nomad.client.allocs", Value: 2, Labels: { node_id: "b" } },
  ]);
});

Deno.test("MetricsRegistry.collect() gives cumulative families with quantiles", () => {
  const { c, now } = clock();
  const m = new MetricsRegistry({ now, quantileWindow: 100 });
  m.incrCounter("nomad.rpc.query", 2);
  c.now += 30_000;
  m.incrCounter("nomad.rpc.query", 3);
  for (let i = 1; i <= 100; i++) m.addSample("nomad.plan.wait", i);
  m.measureSince("nomad.timer", c.now - 250);
  m.setGauge("nomad.up", 1);
  const families = m.collect();
  assertEquals(families.map((f) => [f.name, f.type]), [
    ["nomad.plan.wait", "summary"],
    ["nomad.rpc.query", "counter"],
    ["nomad.timer", "summary"],
    ["nomad.up", "gauge"],
  ]);
  assertEquals(families[1]!.series[0]!.value, 5);
  const wait = families[0]!.series[0]!;
  assertEquals([wait.count, wait.sum], [100, 5050]);
  assertEquals(wait.quantiles, [[0.5, 51], [0.9, 91], [0.99, 100]]);
  assertEquals(families[2]!.series[0]!.sum, 250);
});

Deno.test("MetricsRegistry refuses an interval that is not positive", () => {
  assertThrows(() => new MetricsRegistry({ intervalMs: 0 }), RangeError, "intervalMs must be > 0");
});
