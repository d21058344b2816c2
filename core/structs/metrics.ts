/**
 * A small in-memory metrics registry, modelled on go-metrics' in-memory sink that Nomad serves
 * at `/v1/metrics`: gauges, counters, samples (timings) and points, named as Nomad names them
 * (`nomad.nomad.broker.total_ready`), with optional labels.
 *
 * Counters and samples are aggregated per interval (10 s by default) for the JSON summary,
 * which shows the last finished interval as go-metrics does, and also kept as running totals
 * for the Prometheus exposition. Gauges keep their last value until set again (go-metrics
 * forgets a gauge at the end of an interval; our callers set gauges when they change, not on a
 * timer). Pure: no I/O, and the clock is injectable.
 *
 * @module
 */

/** A metric name: dotted text or its parts (`["nomad", "broker", "total_ready"]`). */
export type MetricKey = string | readonly string[];

/** Labels of one series. */
export type MetricLabels = Readonly<Record<string, string>>;

/** A gauge as `/v1/metrics` lists it. */
export interface GaugeValue {
  Name: string;
  Value: number;
  Labels: Record<string, string>;
}

/** Values emitted with {@link MetricsRegistry.emitKey}. */
export interface PointValue {
  Name: string;
  Points: number[];
}

/** An aggregated counter or sample as `/v1/metrics` lists it. */
export interface SampledValue {
  Name: string;
  Count: number;
  /** `Sum` per second of the interval. */
  Rate: number;
  Sum: number;
  Min: number;
  Max: number;
  Mean: number;
  Stddev: number;
  Labels: Record<string, string>;
}

/** The body of `/v1/metrics` (go-metrics' `MetricsSummary`). */
export interface MetricsSummary {
  /** Start of the interval shown, as Go prints a UTC time: `2024-05-01 10:00:00 +0000 UTC`. */
  Timestamp: string;
  Gauges: GaugeValue[];
  PrecisionGauges: GaugeValue[];
  Points: PointValue[];
  Counters: SampledValue[];
  Samples: SampledValue[];
}

/** One series of a {@link MetricFamily}: cumulative since the registry started. */
export interface MetricSeries {
  readonly labels: MetricLabels;
  /** A gauge's value or a counter's total. */
  readonly value: number;
  /** Samples only: how many values, their sum, and quantiles of the recent ones. */
  readonly count?: number;
  readonly sum?: number;
  readonly quantiles?: ReadonlyArray<readonly [quantile: number, value: number]>;
}

/** Every series of one metric name, for exposition formats such as Prometheus'. */
export interface MetricFamily {
  /** The dotted name. */
  readonly name: string;
  readonly type: "gauge" | "counter" | "summary";
  readonly series: readonly MetricSeries[];
}

/** Options of {@link MetricsRegistry}. */
export interface MetricsRegistryOptions {
  /** Prepended to every name, e.g. `"nomad"`, as go-metrics' service name (default none). */
  readonly prefix?: string;
  /** Length of an aggregation interval in milliseconds (default 10 000). */
  readonly intervalMs?: number;
  /** The clock, in milliseconds since the epoch (default `Date.now`). */
  readonly now?: () => number;
  /** How many recent values of a sample the quantiles are computed over (default 1024). */
  readonly quantileWindow?: number;
}

/** The quantiles a summary reports, as go-metrics' Prometheus sink. */
export const QUANTILES: readonly number[] = [0.5, 0.9, 0.99];

class Aggregate {
  count = 0;
  sum = 0;
  sumSq = 0;
  min = 0;
  max = 0;

  ingest(v: number): void {
    this.count++;
    this.sum += v;
    this.sumSq += v * v;
    if (this.count === 1 || v < this.min) this.min = v;
    if (this.count === 1 || v > this.max) this.max = v;
  }

  display(name: string, labels: MetricLabels, seconds: number): SampledValue {
    const n = this.count;
    const div = n * (n - 1);
    const stddev = div === 0 ? 0 : Math.sqrt(Math.max(0, (n * this.sumSq - this.sum ** 2) / div));
    return {
      Name: name,
      Count: n,
      Rate: this.sum / seconds,
      Sum: this.sum,
      Min: this.min,
      Max: this.max,
      Mean: n === 0 ? 0 : this.sum / n,
      Stddev: stddev,
      Labels: { ...labels },
    };
  }
}

interface Series {
  readonly name: string;
  readonly labels: MetricLabels;
}

interface Interval {
  readonly start: number;
  readonly counters: Map<string, Series & { agg: Aggregate }>;
  readonly samples: Map<string, Series & { agg: Aggregate }>;
  readonly points: Map<string, number[]>;
}

function goUtcTime(ms: number): string {
  const iso = new Date(Math.round(ms / 1000) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

function byHash<T>(map: ReadonlyMap<string, T>): T[] {
  return [...map.keys()].sort().map((k) => map.get(k)!);
}

/**
 * Collects metrics in memory.
 *
 * @example
 * ```ts
 * const metrics = new MetricsRegistry({ prefix: "nomad" });
 * metrics.setGauge(["nomad", "broker", "total_ready"], 3); // nomad.nomad.broker.total_ready
 * metrics.incrCounter("nomad.rpc.query"); // nomad.nomad.rpc.query
 * ```
 */
export class MetricsRegistry {
  readonly #prefix: string;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #window: number;
  readonly #gauges = new Map<string, Series & { value: number }>();
  readonly #counterTotals = new Map<string, Series & { value: number }>();
  readonly #sampleTotals = new Map<
    string,
    Series & { count: number; sum: number; recent: number[] }
  >();
  #current: Interval;
  #previous: Interval | null = null;

  constructor(options?: MetricsRegistryOptions) {
    this.#prefix = options?.prefix ?? "";
    this.#intervalMs = options?.intervalMs ?? 10_000;
    this.#now = options?.now ?? Date.now;
    this.#window = options?.quantileWindow ?? 1024;
    if (!(this.#intervalMs > 0)) {
      throw new RangeError(`Cannot create a MetricsRegistry: intervalMs must be > 0`);
    }
    this.#current = this.#newInterval();
  }

  #newInterval(): Interval {
    const now = this.#now();
    return {
      start: now - (now % this.#intervalMs),
      counters: new Map(),
      samples: new Map(),
      points: new Map(),
    };
  }

  #interval(): Interval {
    const now = this.#now();
    if (now - this.#current.start >= this.#intervalMs || now < this.#current.start) {
      this.#previous = this.#current;
      this.#current = this.#newInterval();
    }
    return this.#current;
  }

  #name(key: MetricKey): string {
    const name = typeof key === "string" ? key : key.join(".");
    return (this.#prefix ? `${this.#prefix}.${name}` : name).replaceAll(" ", "_");
  }

  #series(key: MetricKey, labels?: MetricLabels): Series & { hash: string } {
    const name = this.#name(key);
    const sorted: Record<string, string> = {};
    let hash = name;
    for (const k of Object.keys(labels ?? {}).sort()) {
      sorted[k] = labels![k]!;
      hash += `;${k}=${labels![k]}`.replaceAll(" ", "_");
    }
    return { name, labels: sorted, hash };
  }

  /** Sets a gauge to `value`. */
  setGauge(key: MetricKey, value: number, labels?: MetricLabels): void {
    const { hash, ...series } = this.#series(key, labels);
    this.#gauges.set(hash, { ...series, value });
  }

  /** Adds `value` (default 1) to a counter. */
  incrCounter(key: MetricKey, value = 1, labels?: MetricLabels): void {
    const { hash, ...series } = this.#series(key, labels);
    const interval = this.#interval();
    let entry = interval.counters.get(hash);
    if (entry === undefined) {
      interval.counters.set(hash, entry = { ...series, agg: new Aggregate() });
    }
    entry.agg.ingest(value);
    const total = this.#counterTotals.get(hash);
    if (total === undefined) this.#counterTotals.set(hash, { ...series, value });
    else total.value += value;
  }

  /** Records one value of a sample (a timing in milliseconds, a size, ...). */
  addSample(key: MetricKey, value: number, labels?: MetricLabels): void {
    const { hash, ...series } = this.#series(key, labels);
    const interval = this.#interval();
    let entry = interval.samples.get(hash);
    if (entry === undefined) {
      interval.samples.set(hash, entry = { ...series, agg: new Aggregate() });
    }
    entry.agg.ingest(value);
    let total = this.#sampleTotals.get(hash);
    if (total === undefined) {
      this.#sampleTotals.set(hash, total = { ...series, count: 0, sum: 0, recent: [] });
    }
    total.count++;
    total.sum += value;
    total.recent.push(value);
    if (total.recent.length > this.#window) total.recent.shift();
  }

  /** Records the milliseconds elapsed since `startMs` (from the same clock) as a sample. */
  measureSince(key: MetricKey, startMs: number, labels?: MetricLabels): void {
    this.addSample(key, this.#now() - startMs, labels);
  }

  /** Records a raw value in the current interval's points. */
  emitKey(key: MetricKey, value: number): void {
    const name = this.#name(key);
    const points = this.#interval().points;
    const list = points.get(name);
    if (list === undefined) points.set(name, [value]);
    else list.push(value);
  }

  /** The JSON summary of `/v1/metrics`: the last finished interval, else the current one. */
  summary(): MetricsSummary {
    this.#interval();
    const shown = this.#previous ?? this.#current;
    const seconds = this.#intervalMs / 1000;
    return {
      Timestamp: goUtcTime(shown.start),
      Gauges: byHash(this.#gauges).map((g) => ({
        Name: g.name,
        Value: g.value,
        Labels: { ...g.labels },
      })),
      PrecisionGauges: [],
      Points: [...shown.points.keys()].sort().map((k) => ({
        Name: k,
        Points: [...shown.points.get(k)!],
      })),
      Counters: byHash(shown.counters).map((s) => s.agg.display(s.name, s.labels, seconds)),
      Samples: byHash(shown.samples).map((s) => s.agg.display(s.name, s.labels, seconds)),
    };
  }

  /** Every series, cumulative, grouped by name and sorted, for exposition formats. */
  collect(): MetricFamily[] {
    const families = new Map<string, { type: MetricFamily["type"]; series: MetricSeries[] }>();
    const add = (name: string, type: MetricFamily["type"], series: MetricSeries) => {
      const key = `${name}\u0000${type}`;
      let family = families.get(key);
      if (family === undefined) families.set(key, family = { type, series: [] });
      family.series.push(series);
    };
    for (const g of byHash(this.#gauges)) {
      add(g.name, "gauge", { labels: g.labels, value: g.value });
    }
    for (const c of byHash(this.#counterTotals)) {
      add(c.name, "counter", { labels: c.labels, value: c.value });
    }
    for (const s of byHash(this.#sampleTotals)) {
      const sorted = [...s.recent].sort((a, b) => a - b);
      const quantiles = QUANTILES.map((q) =>
        [q, sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN] as const
      );
      add(s.name, "summary", {
        labels: s.labels,
        value: s.sum,
        count: s.count,
        sum: s.sum,
        quantiles,
      });
    }
    return [...families.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, f]) => ({ name: key.split("\u0000")[0]!, type: f.type, series: f.series }));
  }
}
