/**
 * The writes that launch a child of a job: `/v1/job/:id/periodic/force`, `/v1/job/:id/dispatch`
 * (a JSON body with a base64 payload) and `/v1/job/:id/dispatch/payload` (the raw body is the
 * payload).
 *
 * @module
 */
import type { Context } from "hono";
import type { JobDispatchRequest } from "../../server/api.ts";
import { parseWriteOptions } from "../query.ts";
import { CodedError, invalidMethod } from "../errors.ts";
import { readBody, respond, setIndex } from "../respond.ts";
import { JobDispatchRequestSpec } from "./_bodies.ts";
import { writeContext } from "./_util.ts";
import type { RouteDeps } from "./deps.ts";
import type { JobHandler } from "./job.ts";

function onlyWrite(c: Context): void {
  if (c.req.method !== "PUT" && c.req.method !== "POST") throw invalidMethod();
}

const BASE64 = /^[A-Za-z0-9+/]*$/;

/**
 * Decodes standard base64 with padding, as Go's `encoding/json` decodes `[]byte`.
 *
 * @throws {CodedError} 400 `illegal base64 data at input byte N`.
 */
export function decodeBase64(text: string): Uint8Array {
  const body = text.replace(/={1,2}$/, "");
  const bad = [...body].findIndex((ch) => !BASE64.test(ch));
  if (bad >= 0 || text.length % 4 !== 0) {
    const at = bad >= 0 ? bad : text.length - (text.length % 4);
    throw new CodedError(400, `Request decode failed: illegal base64 data at input byte ${at}`);
  }
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

/** The handlers of `periodic/force`, `dispatch` and `dispatch/payload`. */
export function jobLaunchHandlers(
  deps: RouteDeps,
): Record<"periodicForce" | "dispatch" | "dispatchPayload", JobHandler> {
  const { server } = deps;

  const dispatch = async (c: Context, jobId: string, req: JobDispatchRequest) => {
    const ctx = writeContext(c, deps);
    const out = await server.dispatchJob(jobId, req, ctx);
    setIndex(c, out.Index);
    return respond(c, out);
  };

  return {
    periodicForce: async (c, jobId) => {
      onlyWrite(c);
      const out = await server.forcePeriodic(jobId, writeContext(c, deps));
      setIndex(c, out.Index);
      return respond(c, out);
    },
    dispatch: async (c, jobId) => {
      onlyWrite(c);
      const body = await readBody(c, JobDispatchRequestSpec);
      if (body.JobID !== "" && body.JobID !== jobId) {
        throw new CodedError(400, "Job ID does not match");
      }
      const query = parseWriteOptions(c, { region: server.region }).idempotencyToken;
      return dispatch(c, jobId, {
        Payload: body.Payload === null ? null : decodeBase64(body.Payload),
        Meta: body.Meta,
        IdempotencyToken: query || body.IdempotencyToken,
        IdPrefixTemplate: body.IdPrefixTemplate,
        Priority: body.Priority,
      });
    },
    dispatchPayload: async (c, jobId) => {
      onlyWrite(c);
      const payload = new Uint8Array(await c.req.arrayBuffer());
      const token = parseWriteOptions(c, { region: server.region }).idempotencyToken;
      return dispatch(c, jobId, { Payload: payload, IdempotencyToken: token });
    },
  };
}
