/**
 * The endpoints that launch children of a job: Nomad's `Periodic.Force` and `Job.Dispatch`.
 *
 * Errors keep Nomad's words and, like Nomad's (plain RPC errors), are answered with 500.
 *
 * @module
 */
import { DISPATCH_LAUNCH_SUFFIX } from "../state/mod.ts";
import type { Job } from "../structs/mod.ts";
import type {
  JobDispatchRequest,
  JobDispatchResponse,
  PeriodicForceResponse,
  RequestContext,
} from "./api.ts";
import type { ServerCore } from "./_core.ts";
import { newEval } from "./_evals.ts";
import { isParameterized, isPeriodic } from "./_job_admit.ts";
import type { PeriodicDispatcher } from "./_periodic.ts";
import { snappyEncode } from "./_snappy.ts";

/** The largest payload a dispatch takes, in bytes (Nomad's `DispatchPayloadSizeLimit`). */
export const DISPATCH_PAYLOAD_SIZE_LIMIT = 16 * 1024;

/** The highest job priority (Nomad's default `job_max_priority`). */
const JOB_MAX_PRIORITY = 100;

/** Go's `%v` of a string slice: `[a b]`. */
const goList = (items: readonly string[]) => `[${items.join(" ")}]`;

/**
 * The ID of a dispatched child: `<job>/dispatch-[<template>-]<unix seconds>-<8 hex>`. The hex
 * are the last 8 of a new ID (random for UUIDs, distinct for sequential test IDs).
 */
export function dispatchedId(jobId: string, template: string, nowMs: number, uuid: string) {
  const hex = uuid.replaceAll("-", "").slice(-8);
  const unix = Math.floor(nowMs / 1000);
  return `${jobId}${DISPATCH_LAUNCH_SUFFIX}${template ? `${template}-` : ""}${unix}-${hex}`;
}

/**
 * Checks a dispatch request against the parameterized job (Nomad's `validateDispatchRequest`).
 *
 * @throws {Error} naming the first requirement the request does not meet.
 */
export function validateDispatch(
  req: JobDispatchRequest,
  job: Job,
  priority: number,
): void {
  const p = job.ParameterizedJob!;
  const size = req.Payload?.length ?? 0;
  if (p.Payload === "required" && size === 0) {
    throw new Error("Payload is not provided but required by parameterized job");
  }
  if (p.Payload === "forbidden" && size > 0) {
    throw new Error("Payload provided but forbidden by parameterized job");
  }
  if (size > DISPATCH_PAYLOAD_SIZE_LIMIT) {
    throw new Error(`Payload exceeds maximum size; ${size} > ${DISPATCH_PAYLOAD_SIZE_LIMIT}`);
  }
  const required = new Set(p.MetaRequired ?? []);
  const optional = new Set(p.MetaOptional ?? []);
  const meta = req.Meta ?? {};
  const unpermitted = Object.keys(meta).filter((k) => !required.has(k) && !optional.has(k));
  if (unpermitted.length > 0) {
    throw new Error(
      `Dispatch request included unpermitted metadata keys: ${goList(unpermitted.sort())}`,
    );
  }
  const missing = [...required].filter((k) => !Object.hasOwn(meta, k));
  if (missing.length > 0) {
    throw new Error(`Dispatch did not provide required meta keys: ${goList(missing.sort())}`);
  }
  if (priority < 1 || priority > JOB_MAX_PRIORITY) {
    throw new Error(`dispatch job priority must be between [1, ${JOB_MAX_PRIORITY}]`);
  }
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** `Periodic.Force` and `Job.Dispatch` over the server core. */
export class DispatchEndpoint {
  readonly #core: ServerCore;
  readonly #periodic: PeriodicDispatcher;

  constructor(core: ServerCore, periodic: PeriodicDispatcher) {
    this.#core = core;
    this.#periodic = periodic;
  }

  /** `Periodic.Force`: a child of the periodic job, launched now. */
  async force(jobId: string, ctx: RequestContext): Promise<PeriodicForceResponse> {
    if (!jobId) throw new Error("missing job ID for evaluation");
    const ns = ctx.namespace || "default";
    const job = this.#core.store.snapshot().job(ns, jobId);
    if (job === undefined) throw new Error("job not found");
    if (!isPeriodic(job)) throw new Error("can't force launch non-periodic job");
    let launched;
    try {
      launched = await this.#periodic.force(ns, jobId);
    } catch (err) {
      throw new Error(`force launch for job "${jobId}" failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return {
      EvalID: launched.eval.ID,
      EvalCreateIndex: launched.index,
      Index: launched.index,
    };
  }

  /** `Job.Dispatch`: a child of the parameterized job with the request's payload and meta. */
  async dispatch(
    jobId: string,
    req: JobDispatchRequest,
    ctx: RequestContext,
  ): Promise<JobDispatchResponse> {
    const core = this.#core;
    if (!jobId) throw new Error("missing parameterized job ID");
    const ns = ctx.namespace || "default";
    const snap = core.store.snapshot();
    const parent = snap.job(ns, jobId);
    if (parent === undefined) throw new Error("parameterized job not found");
    if (!isParameterized(parent)) {
      throw new Error(`Specified job "${jobId}" is not a parameterized job`);
    }
    if (parent.Stop) throw new Error(`Specified job "${jobId}" is stopped`);
    const priority = req.Priority || (parent.Priority ?? 50);
    validateDispatch(req, parent, priority);
    const token = req.IdempotencyToken ?? "";
    const found = snap.jobByIdempotencyToken(ns, jobId, token);
    if (found !== undefined) return repeated(found);

    const nowMs = core.clock.now();
    const now = core.nowNs();
    const id = dispatchedId(jobId, req.IdPrefixTemplate ?? "", nowMs, core.newId());
    const meta = req.Meta ?? {};
    const child: Job = {
      ...parent,
      ID: id,
      Name: id,
      ParentID: jobId,
      SubmitTime: now,
      Dispatched: true,
      Status: "",
      StatusDescription: "",
      DispatchIdempotencyToken: token,
      Priority: priority,
      Meta: Object.keys(meta).length > 0 || parent.Meta !== null
        ? { ...parent.Meta, ...meta }
        : null,
      Payload: toBase64(snappyEncode(req.Payload ?? new Uint8Array())),
    };
    // A dispatched child of a periodic template is periodic itself: the dispatcher launches it.
    const evaluation = isPeriodic(child)
      ? null
      : newEval(core.newId(), child, "job-register", now, { Priority: priority });
    const applied = await core.commit({
      type: "JobRegister",
      job: child,
      eval: evaluation,
      ...(token ? { idempotencyToken: token } : {}),
    });
    if (!applied.updated && token) {
      // Another dispatch with the same token was stored first.
      const first = core.store.snapshot().jobByIdempotencyToken(ns, jobId, token);
      if (first !== undefined) return repeated(first);
    }
    return {
      DispatchedJobID: id,
      EvalID: evaluation?.ID ?? "",
      EvalCreateIndex: evaluation ? applied.index : 0,
      JobCreateIndex: applied.index,
      Index: applied.index,
    };
  }
}

function repeated(job: Job): JobDispatchResponse {
  return {
    DispatchedJobID: job.ID ?? "",
    EvalID: "",
    EvalCreateIndex: 0,
    JobCreateIndex: job.CreateIndex ?? 0,
    Index: job.ModifyIndex ?? 0,
  };
}
