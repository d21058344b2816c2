/**
 * Test helpers for the HTTP layer: an app with a logger that records what it is told, and a
 * tiny in-memory job store with blocking-query support to show the conventions on real routes.
 *
 * @module
 */

import type { Hono } from "hono";
import { bool, int, ref, struct } from "../structs/schema.ts";
import { type Job, JobSpec } from "../structs/job.ts";
import { ConflictError, NotFoundError, ValidationError } from "../structs/errors.ts";
import { type AppOptions, createApp } from "./app.ts";
import type { HttpLogger } from "./errors.ts";
import { blockingQuery } from "./blocking.ts";
import { ALL_NAMESPACES, parseQueryOptions, parseWriteOptions } from "./query.ts";
import { namespaceIdTokenizer, paginate } from "./paginate.ts";
import { readBody, respond, setIndex, setMeta } from "./respond.ts";

/** One line the recording logger was given. */
export interface LogLine {
  readonly level: "debug" | "error";
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** A logger that keeps every line. */
export function recordingLogger(): HttpLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    debug: (message, fields = {}) => void lines.push({ level: "debug", message, fields }),
    error: (message, fields = {}) => void lines.push({ level: "error", message, fields }),
  };
}

/** An app over `routes` with a recording logger. */
export function testApp(
  routes: (app: Hono) => void,
  options?: Omit<AppOptions, "routes" | "logger">,
): { app: Hono; logger: ReturnType<typeof recordingLogger> } {
  const logger = recordingLogger();
  return { app: createApp({ ...options, routes, logger }), logger };
}

/** The body of `PUT /v1/jobs`. */
export const JobRegisterRequestSpec = struct("JobRegisterRequest", {
  Job: ref(JobSpec),
  EnforceIndex: bool(),
  JobModifyIndex: int(),
});

/** Jobs in memory, with a table index and waiters for blocking queries. */
export class MemoryJobs {
  #jobs = new Map<string, Job>();
  #index = 0;
  #waiters = new Set<() => void>();

  /** The index of the last write (0 before any). */
  get index(): number {
    return this.#index;
  }

  /** Every job, sorted by namespace then ID. */
  list(): Job[] {
    return [...this.#jobs.values()].sort((a, b) => {
      const ka = `${a.Namespace}.${a.ID}`;
      const kb = `${b.Namespace}.${b.ID}`;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }

  get(namespace: string, id: string): Job | undefined {
    return this.#jobs.get(`${namespace}\u0000${id}`);
  }

  /** Stores a job; with `enforceIndex`, only if its current ModifyIndex is `modifyIndex`. */
  upsert(job: Job, enforce?: { modifyIndex: number }): number {
    const key = `${job.Namespace}\u0000${job.ID}`;
    const existing = this.#jobs.get(key);
    if (enforce !== undefined && (existing?.JobModifyIndex ?? 0) !== enforce.modifyIndex) {
      throw new ConflictError(
        `Enforcing job modify index ${enforce.modifyIndex}: job exists with conflicting ` +
          `job modify index: ${existing?.JobModifyIndex ?? 0}`,
      );
    }
    const index = ++this.#index;
    this.#jobs.set(key, {
      ...job,
      CreateIndex: existing?.CreateIndex ?? index,
      ModifyIndex: index,
      JobModifyIndex: index,
    });
    this.#wake();
    return index;
  }

  delete(namespace: string, id: string): number {
    if (!this.#jobs.delete(`${namespace}\u0000${id}`)) throw new NotFoundError("job not found");
    const index = ++this.#index;
    this.#wake();
    return index;
  }

  /** Resolves when the index passes `index`, or when `signal` aborts. */
  waitForIndex(index: number, signal: AbortSignal): Promise<void> {
    if (this.#index > index || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#waiters.delete(check);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const check = () => {
        if (this.#index > index) done();
      };
      this.#waiters.add(check);
      signal.addEventListener("abort", done);
    });
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** A job list stub, as `/v1/jobs` lists jobs (a subset of Nomad's `JobListStub`). */
function stub(job: Job): Record<string, unknown> {
  return {
    ID: job.ID,
    Name: job.Name,
    Namespace: job.Namespace,
    Type: job.Type,
    Priority: job.Priority,
    Status: job.Status,
    CreateIndex: job.CreateIndex,
    ModifyIndex: job.ModifyIndex,
    JobModifyIndex: job.JobModifyIndex,
  };
}

/** Registers a few of Nomad's job endpoints over `store`, as the real handlers will be. */
export function jobRoutes(store: MemoryJobs): (app: Hono) => void {
  return (app) => {
    app.get("/v1/jobs", (c) => {
      const q = parseQueryOptions(c);
      return blockingQuery(c, q, {
        wait: (index, signal) => store.waitForIndex(index, signal),
        run: () => {
          const page = paginate(store.list(), q, {
            tokenizer: namespaceIdTokenizer(),
            select: (job) =>
              (q.namespace === ALL_NAMESPACES || job.Namespace === q.namespace) &&
              (job.ID ?? "").startsWith(q.prefix),
            stub,
          });
          return { index: store.index, body: page.items, nextToken: page.nextToken };
        },
      });
    });
    app.on(["PUT", "POST"], "/v1/jobs", async (c) => {
      const w = parseWriteOptions(c);
      const req = await readBody(c, JobRegisterRequestSpec);
      if (req.Job === null) throw new ValidationError("Job must be specified", []);
      if (!req.Job.ID) throw new ValidationError("Job ID must be specified", []);
      const job = { ...req.Job, Namespace: req.Job.Namespace || w.namespace };
      const index = store.upsert(
        job,
        req.EnforceIndex ? { modifyIndex: req.JobModifyIndex } : undefined,
      );
      setIndex(c, index);
      return respond(c, { EvalID: "", Index: index, JobModifyIndex: index, Warnings: "" });
    });
    app.get("/v1/job/:id", (c) => {
      const q = parseQueryOptions(c);
      const job = store.get(q.namespace, c.req.param("id"));
      if (job === undefined) throw new NotFoundError("job not found");
      setMeta(c, { index: store.index });
      return respond(c, job);
    });
    app.delete("/v1/job/:id", (c) => {
      const w = parseWriteOptions(c);
      const index = store.delete(w.namespace, c.req.param("id"));
      setIndex(c, index);
      return respond(c, { EvalID: "", Index: index });
    });
  };
}
