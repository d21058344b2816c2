/**
 * In-memory indexed tables: a primary map plus secondary indexes whose buckets cache their
 * value lists, and a lazily sorted key list for ordered listing. Rows are immutable objects;
 * a table replaces rows, it never changes one.
 *
 * @module
 */
import type {
  Allocation,
  Deployment,
  Evaluation,
  Job,
  JobSummary,
  Node,
  SchedulerConfiguration,
} from "../structs/mod.ts";
import type { JobScalingEvents, PeriodicLaunch } from "./records.ts";
import { compareKeys, nsKey } from "./_util.ts";

/** The names of the tables, as Nomad's blocking queries and `X-Nomad-Index` know them. */
export type TableName =
  | "jobs"
  | "job_version"
  | "job_summary"
  | "allocs"
  | "evals"
  | "nodes"
  | "deployment"
  | "scheduler_config"
  | "periodic_launch"
  | "scaling_event";

/** Every table name. */
export const TABLE_NAMES: readonly TableName[] = [
  "jobs",
  "job_version",
  "job_summary",
  "allocs",
  "evals",
  "nodes",
  "deployment",
  "scheduler_config",
  "periodic_launch",
  "scaling_event",
];

/** The rows of one index key, with a cached list of them. */
export class Bucket<V> {
  readonly rows = new Map<string, V>();
  #list: readonly V[] | null = null;

  set(key: string, value: V): void {
    this.rows.set(key, value);
    this.#list = null;
  }

  delete(key: string): void {
    this.rows.delete(key);
    this.#list = null;
  }

  /** The rows in insertion order; the array is shared (and frozen). */
  values(): readonly V[] {
    return this.#list ??= Object.freeze([...this.rows.values()]);
  }
}

const EMPTY: readonly never[] = Object.freeze([]);

/** A secondary index: the key of a row in it, or undefined to leave the row out. */
export type IndexKey<V> = (row: V) => string | undefined;

/** A table: rows by primary key, secondary indexes, ordered key listing. */
export class Table<V> {
  readonly name: TableName;
  readonly rows = new Map<string, V>();
  readonly #indexes: Record<string, { key: IndexKey<V>; buckets: Map<string, Bucket<V>> }> = {};
  #sortedKeys: readonly string[] | null = null;
  #sortedRows: readonly V[] | null = null;

  constructor(name: TableName, indexes: Record<string, IndexKey<V>> = {}) {
    this.name = name;
    for (const [n, key] of Object.entries(indexes)) this.#indexes[n] = { key, buckets: new Map() };
  }

  get(key: string): V | undefined {
    return this.rows.get(key);
  }

  get size(): number {
    return this.rows.size;
  }

  /** Inserts or replaces a row and updates the secondary indexes. */
  put(key: string, row: V): void {
    const old = this.rows.get(key);
    if (old === undefined) this.#sortedKeys = null;
    this.#sortedRows = null;
    this.rows.set(key, row);
    for (const idx of Object.values(this.#indexes)) {
      const oldKey = old === undefined ? undefined : idx.key(old);
      const newKey = idx.key(row);
      if (oldKey !== undefined && oldKey !== newKey) removeFrom(idx.buckets, oldKey, key);
      if (newKey !== undefined) {
        let b = idx.buckets.get(newKey);
        if (!b) idx.buckets.set(newKey, b = new Bucket());
        b.set(key, row);
      }
    }
  }

  /** Removes a row; returns the removed row. */
  delete(key: string): V | undefined {
    const old = this.rows.get(key);
    if (old === undefined) return undefined;
    this.rows.delete(key);
    this.#sortedKeys = null;
    this.#sortedRows = null;
    for (const idx of Object.values(this.#indexes)) {
      const k = idx.key(old);
      if (k !== undefined) removeFrom(idx.buckets, k, key);
    }
    return old;
  }

  /** The rows with a given secondary index key (a shared, frozen array). */
  by(index: string, key: string): readonly V[] {
    const idx = this.#indexes[index];
    if (!idx) throw new RangeError(`Table "${this.name}" has no index "${index}"`);
    return idx.buckets.get(key)?.values() ?? EMPTY;
  }

  /** The primary keys in ascending order (a shared, frozen array). */
  sortedKeys(): readonly string[] {
    return this.#sortedKeys ??= Object.freeze([...this.rows.keys()].sort(compareKeys));
  }

  /** The rows in primary key order (a shared, frozen array). */
  sortedRows(): readonly V[] {
    return this.#sortedRows ??= Object.freeze(
      this.sortedKeys().map((k) => this.rows.get(k) as V),
    );
  }

  /** The rows whose primary key starts with `prefix`, in key order. */
  withPrefix(prefix: string): V[] {
    const keys = this.sortedKeys();
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] as string) < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: V[] = [];
    for (let i = lo; i < keys.length; i++) {
      const k = keys[i] as string;
      if (!k.startsWith(prefix)) break;
      out.push(this.rows.get(k) as V);
    }
    return out;
  }

  /** Drops every row. */
  clear(): void {
    this.rows.clear();
    this.#sortedKeys = null;
    this.#sortedRows = null;
    for (const idx of Object.values(this.#indexes)) idx.buckets.clear();
  }
}

function removeFrom<V>(buckets: Map<string, Bucket<V>>, bucketKey: string, key: string): void {
  const b = buckets.get(bucketKey);
  if (!b) return;
  b.delete(key);
  if (b.rows.size === 0) buckets.delete(bucketKey);
}

/** The key of a job version row. */
export function versionKey(namespace: string | null, id: string | null, version: number): string {
  // Zero-padded so that the sorted key order is the version order.
  return `${nsKey(namespace, id)}\u0000${String(version).padStart(12, "0")}`;
}

/** The single key of the scheduler configuration table. */
export const CONFIG_KEY = "config";

/** All the tables of the state store and their last-change indexes. */
export class Db {
  readonly jobs = new Table<Job>("jobs");
  readonly jobVersions = new Table<Job>("job_version", {
    job: (j) => nsKey(j.Namespace, j.ID),
  });
  readonly summaries = new Table<JobSummary>("job_summary");
  readonly allocs = new Table<Allocation>("allocs", {
    node: (a) => a.NodeID || undefined,
    job: (a) => nsKey(a.Namespace, a.JobID),
    eval: (a) => a.EvalID || undefined,
    deployment: (a) => a.DeploymentID || undefined,
  });
  readonly evals = new Table<Evaluation>("evals", { job: (e) => nsKey(e.Namespace, e.JobID) });
  readonly nodes = new Table<Node>("nodes");
  readonly deployments = new Table<Deployment>("deployment", {
    job: (d) => nsKey(d.Namespace, d.JobID),
  });
  readonly config = new Table<SchedulerConfiguration>("scheduler_config");
  /** The last launch of each periodic job, by `nsKey`. */
  readonly periodicLaunches = new Table<PeriodicLaunch>("periodic_launch");
  /** The scaling events of each job, by `nsKey`. */
  readonly scalingEvents = new Table<JobScalingEvents>("scaling_event");
  /** The index of the last change of each table. */
  readonly tableIndex = new Map<TableName, number>();
  /** The index of the last applied entry. */
  index = 0;

  /** Every table, by name. */
  tables(): Record<TableName, Table<unknown>> {
    return {
      jobs: this.jobs,
      job_version: this.jobVersions,
      job_summary: this.summaries,
      allocs: this.allocs,
      evals: this.evals,
      nodes: this.nodes,
      deployment: this.deployments,
      scheduler_config: this.config,
      periodic_launch: this.periodicLaunches,
      scaling_event: this.scalingEvents,
    } as Record<TableName, Table<unknown>>;
  }

  /** The last index of a table (0 when it never changed). */
  indexOf(name: TableName): number {
    return this.tableIndex.get(name) ?? 0;
  }

  /** Replaces every row and index with those of `other` (loaded from a snapshot), at once. */
  replaceWith(other: Db): void {
    const mine = this.tables();
    for (const [name, table] of Object.entries(other.tables()) as [TableName, Table<unknown>][]) {
      const t = mine[name];
      t.clear();
      for (const [key, row] of table.rows) t.put(key, row);
    }
    this.tableIndex.clear();
    for (const [name, i] of other.tableIndex) this.tableIndex.set(name, i);
    this.index = other.index;
  }
}
