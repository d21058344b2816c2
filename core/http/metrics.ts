/**
 * `/v1/metrics`: the registry's summary as JSON (go-metrics' `MetricsSummary`), or with
 * `?format=prometheus` the Prometheus text exposition format, which Nomad serves only when the
 * agent's `telemetry { prometheus_metrics = true }`.
 *
 * @module
 */

import type { Context, Hono } from "hono";
import type { MetricFamily, MetricsRegistry } from "../structs/metrics.ts";
import { CodedError } from "./errors.ts";
import { respond } from "./respond.ts";

/** The `Content-Type` of the Prometheus text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Options of the metrics endpoint. */
export interface MetricsRouteOptions {
  /** Serve `?format=prometheus` (the agent's `telemetry.prometheus_metrics`). */
  readonly prometheus: boolean;
}

/**
 * A float as Go's `strconv.FormatFloat(f, 'g', -1, 64)` writes it, which is how Prometheus'
 * Go client writes sample values: `1e+06`, `0.5`, `123456`, `NaN`, `+Inf`.
 */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  const [mantissa = "", exp = "0"] = n.toExponential().split("e");
  const e = Number(exp);
  if (e < -4 || e >= 6) {
    return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  return String(n);
}

/** A metric or label name with the characters Prometheus forbids replaced by `_`. */
export function prometheusName(name: string): string {
  const out = name.replace(/[^a-zA-Z0-9_:]/g, "_");
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

function labelValue(v: string): string {
  return v.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}

function labelText(labels: Readonly<Record<string, string>>, extra?: [string, string]): string {
  const pairs = Object.entries(labels).map(([k, v]) => [prometheusName(k), v] as const);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return "";
  return `{${pairs.map(([k, v]) => `${k}="${labelValue(v)}"`).join(",")}}`;
}

/**
 * Renders metric families in the Prometheus text exposition format (version 0.0.4): a `HELP`
 * and `TYPE` line per name, then one line per series; summaries as quantile series plus
 * `_sum` and `_count`.
 */
export function prometheusText(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    const name = prometheusName(family.name);
    lines.push(`# HELP ${name} ${name.replaceAll("\\", "\\\\")}`);
    lines.push(`# TYPE ${name} ${family.type}`);
    for (const s of family.series) {
      if (family.type !== "summary") {
        lines.push(`${name}${labelText(s.labels)} ${goFloat(s.value)}`);
        continue;
      }
      for (const [q, v] of s.quantiles ?? []) {
        lines.push(`${name}${labelText(s.labels, ["quantile", String(q)])} ${goFloat(v)}`);
      }
      lines.push(`${name}_sum${labelText(s.labels)} ${goFloat(s.sum ?? 0)}`);
      lines.push(`${name}_count${labelText(s.labels)} ${goFloat(s.count ?? 0)}`);
    }
  }
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

/**
 * The handler of `GET /v1/metrics`.
 *
 * @throws {CodedError} 415 `Prometheus is not enabled` for `?format=prometheus` when the
 * option is off, as Nomad answers.
 */
export function metricsHandler(
  registry: MetricsRegistry,
  options: MetricsRouteOptions,
): (c: Context) => Response {
  return (c) => {
    if (c.req.query("format") === "prometheus") {
      if (!options.prometheus) throw new CodedError(415, "Prometheus is not enabled");
      c.header("Content-Type", PROMETHEUS_CONTENT_TYPE);
      return c.body(prometheusText(registry.collect()));
    }
    return respond(c, registry.summary());
  };
}

/**
 * Registers `GET /v1/metrics` on `app` (other verbs get Nomad's 405).
 *
 * @example
 * ```ts
 * const app = createApp({ routes: (app) => registerMetrics(app, registry, { prometheus: true }) });
 * ```
 */
export function registerMetrics(
  app: Hono,
  registry: MetricsRegistry,
  options: MetricsRouteOptions,
): void {
  app.get("/v1/metrics", metricsHandler(registry, options));
}
