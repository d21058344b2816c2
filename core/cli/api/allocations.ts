/**
 * The allocation endpoints of the API client: the server's (`/v1/allocations`,
 * `/v1/allocation/:id`, `.../stop`) and the client's (`/v1/client/allocation/:id/...`: stats,
 * checks, restart, signal), with Nomad's paths, verbs and bodies. The client endpoints are
 * answered by the node that runs the allocation; the agent forwards them there.
 *
 * @module
 */
import type { Allocation } from "../../structs/mod.ts";
import type { ApiClient, QueryOptions } from "./client.ts";
import type {
  AllocationListStub,
  AllocCheckStatuses,
  AllocResourceUsage,
  AllocStopResponse,
} from "./types.ts";

const esc = encodeURIComponent;

/** Options of {@link Allocations.stop}. */
export interface AllocStopOptions extends QueryOptions {
  /** Ask for a replacement even for a batch job (`?reschedule=true`; `alloc stop` sets it). */
  readonly reschedule?: boolean;
  /** Skip the group's and tasks' `shutdown_delay` (`?no_shutdown_delay=true`). */
  readonly noShutdownDelay?: boolean;
}

/** Options of {@link Allocations.restart}. */
export interface AllocRestartOptions extends QueryOptions {
  /** The one task to restart. */
  readonly task?: string;
  /** Restart every task, also those that already ran (prestart, poststart). */
  readonly allTasks?: boolean;
}

/** Options of {@link Allocations.signal}. */
export interface AllocSignalOptions extends QueryOptions {
  /** The one task to signal; every task without it. */
  readonly task?: string;
}

/** The allocation endpoints (`client.allocations`). */
export class Allocations {
  readonly #c: ApiClient;

  constructor(client: ApiClient) {
    this.#c = client;
  }

  /** `GET /v1/allocations`, newest first. */
  async list(q?: QueryOptions): Promise<AllocationListStub[]> {
    const res = await this.#c.query<AllocationListStub[] | null>("/v1/allocations", q);
    return (res ?? []).sort((a, b) => b.CreateIndex - a.CreateIndex);
  }

  /** The allocations whose ID starts with `prefix`. */
  prefixList(prefix: string, q: QueryOptions = {}): Promise<AllocationListStub[]> {
    return this.list({ ...q, prefix });
  }

  /** `GET /v1/allocation/:id`: the full allocation, with its job. */
  info(allocID: string, q?: QueryOptions): Promise<Allocation> {
    return this.#c.query<Allocation>(`/v1/allocation/${esc(allocID)}`, q);
  }

  /**
   * `PUT /v1/allocation/:id/stop`: stops the allocation; the servers place a replacement. The
   * answer names the evaluation to follow.
   */
  async stop(allocID: string, opts: AllocStopOptions = {}): Promise<AllocStopResponse> {
    const { reschedule, noShutdownDelay, ...q } = opts;
    const params: Record<string, string> = { ...q.params };
    if (reschedule) params.reschedule = "true";
    if (noShutdownDelay) params.no_shutdown_delay = "true";
    const res = await this.#c.putQuery<Partial<AllocStopResponse> | null>(
      `/v1/allocation/${esc(allocID)}/stop`,
      undefined,
      { ...q, params },
    );
    return { EvalID: res?.EvalID ?? "", Index: res?.Index ?? 0 };
  }

  /** `GET /v1/client/allocation/:id/stats`: the resource use of the allocation and its tasks. */
  stats(allocID: string, q?: QueryOptions): Promise<AllocResourceUsage> {
    return this.#c.query<AllocResourceUsage>(`/v1/client/allocation/${esc(allocID)}/stats`, q);
  }

  /** `GET /v1/client/allocation/:id/checks`: the Nomad service checks, by check ID. */
  async checks(allocID: string, q?: QueryOptions): Promise<AllocCheckStatuses> {
    const res = await this.#c.query<AllocCheckStatuses | null>(
      `/v1/client/allocation/${esc(allocID)}/checks`,
      q,
    );
    return res ?? {};
  }

  /**
   * `PUT /v1/client/allocation/:id/restart`: restarts one task (`task`), every task even those
   * that already finished (`allTasks`), or by default the tasks that are running.
   */
  async restart(allocID: string, opts: AllocRestartOptions = {}): Promise<void> {
    const { task = "", allTasks = false, ...q } = opts;
    await this.#c.putQuery<unknown>(
      `/v1/client/allocation/${esc(allocID)}/restart`,
      { TaskName: task, AllTasks: allTasks },
      q,
    );
  }

  /**
   * `PUT /v1/client/allocation/:id/signal`: sends `signal` (`SIGHUP`, ...) to one task
   * (`opts.task`) or to every task of the allocation.
   */
  async signal(allocID: string, signal: string, opts: AllocSignalOptions = {}): Promise<void> {
    const { task = "", ...q } = opts;
    await this.#c.putQuery<unknown>(
      `/v1/client/allocation/${esc(allocID)}/signal`,
      { Task: task, Signal: signal },
      q,
    );
  }
}
