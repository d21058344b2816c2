/**
 * The read view of the state at one index: what the scheduler reads (structurally
 * `SchedulerState` of `core/scheduler/types.ts`) and the lists the HTTP API serves.
 *
 * A view reads the live tables, so it is valid until the next `await`: JS is single-threaded
 * and the store changes its tables only between tasks. Every read checks that the store has
 * not moved past the view's index and throws otherwise, so a view kept across an `await` fails
 * loudly instead of mixing two states. Returned rows and arrays are shared and immutable:
 * never change them.
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
import { CONFIG_KEY, type Db, type TableName, versionKey } from "./_tables.ts";
import { DEFAULT_SCHEDULER_CONFIG } from "./_deployments.ts";
import { jobByIdempotencyToken } from "./_launches.ts";
import type { JobScalingEvents, PeriodicLaunch } from "./records.ts";
import { nsKey } from "./_util.ts";

/** Filters of list reads. */
export interface ListOptions {
  /** Only this namespace; `"*"` or absent for every namespace. */
  readonly namespace?: string;
  /** Only IDs that start with this. */
  readonly prefix?: string;
}

function inNamespace(
  namespace: string | undefined,
): (row: { Namespace: string | null }) => boolean {
  return namespace === undefined || namespace === "*"
    ? () => true
    : (row) => row.Namespace === namespace;
}

/** A read view of the state at {@link StateSnapshot.index}, valid until the next `await`. */
export class StateSnapshot {
  /** The index of the last entry this view reflects. */
  readonly index: number;
  readonly #db: Db;

  /** @internal Made by `StateStore.snapshot()`. */
  constructor(db: Db) {
    this.#db = db;
    this.index = db.index;
  }

  #tables(): Db {
    if (this.#db.index !== this.index) {
      throw new Error(
        `Cannot read a state snapshot at index ${this.index}: the state has moved to index ${this.#db.index}; take a new snapshot after each await`,
      );
    }
    return this.#db;
  }

  /** Whether the state has moved past this view (reads would throw). */
  get stale(): boolean {
    return this.#db.index !== this.index;
  }

  /** The last index of a table (`X-Nomad-Index` of reads over it). */
  tableIndex(name: TableName): number {
    return this.#tables().indexOf(name);
  }

  // --- SchedulerState ---

  /** Every node, ordered by ID. */
  nodes(): readonly Node[] {
    return this.#tables().nodes.sortedRows();
  }

  /** A node by ID. */
  node(id: string): Node | undefined {
    return this.#tables().nodes.get(id);
  }

  /** The latest version of a job. */
  job(namespace: string, id: string): Job | undefined {
    return this.#tables().jobs.get(nsKey(namespace, id));
  }

  /** A kept version of a job. */
  jobVersion(namespace: string, id: string, version: number): Job | undefined {
    return this.#tables().jobVersions.get(versionKey(namespace, id, version));
  }

  /** Every allocation of a job (all instances of the job ID), terminal ones included. */
  allocsByJob(namespace: string, jobId: string): readonly Allocation[] {
    return this.#tables().allocs.by("job", nsKey(namespace, jobId));
  }

  /** Every allocation on a node, terminal ones included. */
  allocsByNode(nodeId: string): readonly Allocation[] {
    return this.#tables().allocs.by("node", nodeId);
  }

  /** An allocation by ID. */
  alloc(id: string): Allocation | undefined {
    return this.#tables().allocs.get(id);
  }

  /** The job's deployment with the highest CreateIndex. */
  latestDeployment(namespace: string, jobId: string): Deployment | undefined {
    let latest: Deployment | undefined;
    for (const d of this.#tables().deployments.by("job", nsKey(namespace, jobId))) {
      if (!latest || d.CreateIndex > latest.CreateIndex) latest = d;
    }
    return latest;
  }

  /** A deployment by ID. */
  deployment(id: string): Deployment | undefined {
    return this.#tables().deployments.get(id);
  }

  /** The scheduler configuration (Nomad's defaults until one is set). */
  schedulerConfig(): SchedulerConfiguration {
    return this.#tables().config.get(CONFIG_KEY) ?? DEFAULT_SCHEDULER_CONFIG;
  }

  // --- HTTP API reads ---

  /** Jobs ordered by namespace then ID. */
  jobs(opts: ListOptions = {}): readonly Job[] {
    const jobs = this.#tables().jobs;
    const prefix = opts.prefix ?? "";
    if (opts.namespace !== undefined && opts.namespace !== "*") {
      return jobs.withPrefix(nsKey(opts.namespace, prefix));
    }
    const all = jobs.sortedRows();
    return prefix ? all.filter((j) => (j.ID ?? "").startsWith(prefix)) : all;
  }

  /** The kept versions of a job, newest first. */
  jobVersions(namespace: string, id: string): Job[] {
    return [...this.#tables().jobVersions.by("job", nsKey(namespace, id))]
      .sort((a, b) => (b.Version ?? 0) - (a.Version ?? 0));
  }

  /** A job's allocation counts per task group. */
  jobSummary(namespace: string, id: string): JobSummary | undefined {
    return this.#tables().summaries.get(nsKey(namespace, id));
  }

  /** An evaluation by ID. */
  eval(id: string): Evaluation | undefined {
    return this.#tables().evals.get(id);
  }

  /** Evaluations ordered by ID. */
  evals(opts: ListOptions = {}): readonly Evaluation[] {
    return this.#byId(this.#tables().evals, opts);
  }

  /** Every evaluation of a job. */
  evalsByJob(namespace: string, jobId: string): readonly Evaluation[] {
    return this.#tables().evals.by("job", nsKey(namespace, jobId));
  }

  /** Allocations ordered by ID. */
  allocs(opts: ListOptions = {}): readonly Allocation[] {
    return this.#byId(this.#tables().allocs, opts);
  }

  /** The allocations an evaluation placed. */
  allocsByEval(evalId: string): readonly Allocation[] {
    return this.#tables().allocs.by("eval", evalId);
  }

  /** The allocations of a deployment. */
  allocsByDeployment(deploymentId: string): readonly Allocation[] {
    return this.#tables().allocs.by("deployment", deploymentId);
  }

  /** Nodes whose ID starts with `prefix`, ordered by ID. */
  nodesByPrefix(prefix: string): readonly Node[] {
    return this.#tables().nodes.withPrefix(prefix);
  }

  /** Deployments ordered by ID. */
  deployments(opts: ListOptions = {}): readonly Deployment[] {
    return this.#byId(this.#tables().deployments, opts);
  }

  /** Every deployment of a job. */
  deploymentsByJob(namespace: string, jobId: string): readonly Deployment[] {
    return this.#tables().deployments.by("job", nsKey(namespace, jobId));
  }

  /** When a periodic job last launched (or was registered, if it never launched). */
  periodicLaunch(namespace: string, jobId: string): PeriodicLaunch | undefined {
    return this.#tables().periodicLaunches.get(nsKey(namespace, jobId));
  }

  /** The scaling events of a job's task groups, newest first. */
  scalingEvents(namespace: string, jobId: string): JobScalingEvents | undefined {
    return this.#tables().scalingEvents.get(nsKey(namespace, jobId));
  }

  /** The stored child of `parentId` dispatched with the idempotency token `token`. */
  jobByIdempotencyToken(namespace: string, parentId: string, token: string): Job | undefined {
    return jobByIdempotencyToken(this.#tables(), namespace, parentId, token);
  }

  #byId<V extends { Namespace: string }>(
    table: { withPrefix(p: string): V[]; sortedRows(): readonly V[] },
    opts: ListOptions,
  ): readonly V[] {
    const rows = opts.prefix ? table.withPrefix(opts.prefix) : table.sortedRows();
    return opts.namespace === undefined || opts.namespace === "*"
      ? rows
      : rows.filter(inNamespace(opts.namespace));
  }
}
