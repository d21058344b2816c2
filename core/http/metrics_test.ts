import { assertEquals } from "../../tests/assert.ts";
import { MetricsRegistry } from "../structs/metrics.ts";
import { goFloat, prometheusName, registerMetrics } from "./metrics.ts";
import { testApp } from "./_testing.ts";

function registry() {
  const m = new MetricsRegistry({ now: () => Date.UTC(2024, 4, 1, 10, 0, 0) });
  m.setGauge(["nomad", "nomad", "broker", "total_ready"], 3);
  m.setGauge("nomad.client.allocated.cpu", 500, { node_id: 'n"1', datacenter: "dc1" });
  m.incrCounter("nomad.nomad.rpc.query", 2);
  m.addSample("nomad.nomad.plan.apply", 1.5);
  return m;
}

Deno.test("GET /v1/metrics answers go-metrics' summary as JSON", async () => {
  const { app } = testApp((app) => registerMetrics(app, registry(), { prometheus: false }));
  const res = await app.request("/v1/metrics");
  assertEquals(res.status, 200);
  const body = await res.json();
  assertEquals(Object.keys(body), [
    "Timestamp",
    "Gauges",
    "PrecisionGauges",
    "Points",
    "Counters",
    "Samples",
  ]);
  assertEquals(body.Timestamp, "2024-05-01 10:00:00 +0000 UTC");
  assertEquals(body.Gauges[1], {
    Name: "nomad.nomad.broker.total_ready",
    Value: 3,
    Labels: {},
  });
  assertEquals(body.Counters[0].Name, "nomad.nomad.rpc.query");
  assertEquals(body.Samples[0].Sum, 1.5);
});

Deno.test("GET /v1/metrics?format=prometheus answers the text exposition format", async () => {
  const { app } = testApp((app) => registerMetrics(app, registry(), { prometheus: true }));
  const res = await app.request("/v1/metrics?format=prometheus");
  assertEquals(res.headers.get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  assertEquals(
    await res.text(),
    [
      "# HELP nomad_client_allocated_cpu nomad_client_allocated_cpu",
      "# TYPE nomad_client_allocated_cpu gauge",
      'nomad_client_allocated_cpu{datacenter="dc1",node_id="n\\"1"} 500',
      "# HELP nomad_nomad_broker_total_ready nomad_nomad_broker_total_ready",
      "# TYPE nomad_nomad_broker_total_ready gauge",
      "nomad_nomad_broker_total_ready 3",
      "# HELP nomad_nomad_plan_apply nomad_nomad_plan_apply",
      "# TYPE nomad_nomad_plan_apply summary",
      'nomad_nomad_plan_apply{quantile="0.5"} 1.5',
      'nomad_nomad_plan_apply{quantile="0.9"} 1.5',
      'nomad_nomad_plan_apply{quantile="0.99"} 1.5',
      "nomad_nomad_plan_apply_sum 1.5",
      "nomad_nomad_plan_apply_count 1",
      "# HELP nomad_nomad_rpc_query nomad_nomad_rpc_query",
      "# TYPE nomad_nomad_rpc_query counter",
      "nomad_nomad_rpc_query 2",
      "",
    ].join("\n"),
  );
});

Deno.test("GET /v1/metrics refuses Prometheus when it is off, and other verbs", async () => {
  const { app } = testApp((app) => registerMetrics(app, registry(), { prometheus: false }));
  const res = await app.request("/v1/metrics?format=prometheus");
  assertEquals([res.status, await res.text()], [415, "Prometheus is not enabled"]);
  const put = await app.request("/v1/metrics", { method: "PUT" });
  assertEquals([put.status, await put.text()], [405, "Invalid method"]);
});

Deno.test("goFloat() writes floats as Go's FormatFloat(f, 'g', -1, 64)", () => {
  assertEquals(goFloat(1e6), "1e+06");
  assertEquals(goFloat(123456), "123456");
  assertEquals(goFloat(1234567), "1.234567e+06");
  assertEquals(goFloat(0.0001), "0.0001");
  assertEquals(goFloat(0.00001), "1e-05");
  assertEquals(goFloat(-2.5), "-2.5");
  assertEquals(goFloat(NaN), "NaN");
  assertEquals(goFloat(-Infinity), "-Inf");
  assertEquals(goFloat(1e21), "1e+21");
});

Deno.test("prometheusName() replaces what Prometheus forbids", () => {
  assertEquals(prometheusName("nomad.client.host/disk-size"), "nomad_client_host_disk_size");
  assertEquals(prometheusName("9lives"), "_9lives");
});
