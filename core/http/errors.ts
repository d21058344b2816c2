/**
 * The one place where errors become HTTP responses, as Nomad's `wrap()` does it: a status code
 * and the message as `text/plain`, with no JSON envelope and never a stack trace.
 *
 * | thrown                         | status | body                                     |
 * | ------------------------------ | ------ | ---------------------------------------- |
 * | `CodedError(status, message)`  | status | message                                  |
 * | `ValidationError`              | 400    | message (summary and every problem)      |
 * | `BexprError`                   | 400    | message                                  |
 * | `PermissionDeniedError`        | 403    | `Permission denied` / `ACL token not found` |
 * | `NotFoundError`                | 404    | message                                  |
 * | `ConflictError`                | 409    | message                                  |
 * | Hono's `HTTPException`         | its status | its message                         |
 * | anything else                  | 500    | message (also logged with its stack)     |
 *
 * As in Nomad, any error whose message ends in `Permission denied` or `ACL token not found`
 * (an RPC error wrapped on its way up) is a 403 with just that text.
 *
 * @module
 */

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  ValidationError,
} from "../structs/errors.ts";
import { BexprError } from "./bexpr.ts";

/** Nomad's answer to a known path asked with the wrong verb (status 405). */
export const ERR_INVALID_METHOD = "Invalid method";
/** Nomad's answer when the token lacks a capability (status 403). */
export const ERR_PERMISSION_DENIED = "Permission denied";
/** Nomad's answer when the token does not exist (status 403). */
export const ERR_TOKEN_NOT_FOUND = "ACL token not found";

/** The `Content-Type` Nomad gives error messages. */
export const PLAIN_CONTENT_TYPE = "text/plain; charset=utf-8";

/**
 * An error that carries its HTTP status, like Nomad's `CodedError(code, msg)`.
 *
 * @example
 * ```ts
 * throw new CodedError(400, "Job ID must be specified");
 * ```
 */
export class CodedError extends Error {
  override readonly name = "CodedError";
  /** The HTTP status code, 400–599. */
  readonly status: number;

  /**
   * @throws {RangeError} When `status` is not an error status (400–599).
   */
  constructor(status: number, message: string, options?: ErrorOptions) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(
        `Cannot create a CodedError with status ${status}: use an HTTP error status (400-599)`,
      );
    }
    super(message, options);
    this.status = status;
  }
}

/** The status and text an error is answered with. */
export interface ErrorReply {
  readonly status: number;
  readonly message: string;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * The status and message Nomad would answer `err` with.
 *
 * @example
 * ```ts
 * errorReply(new NotFoundError("job not found")); // { status: 404, message: "job not found" }
 * ```
 */
export function errorReply(err: unknown): ErrorReply {
  if (err instanceof CodedError) return { status: err.status, message: err.message };
  if (err instanceof HTTPException) return { status: err.status, message: err.message };
  if (err instanceof ValidationError || err instanceof BexprError) {
    return { status: 400, message: err.message };
  }
  if (err instanceof NotFoundError) return { status: 404, message: err.message };
  if (err instanceof ConflictError) return { status: 409, message: err.message };
  const message = messageOf(err);
  if (message.endsWith(ERR_TOKEN_NOT_FOUND)) return { status: 403, message: ERR_TOKEN_NOT_FOUND };
  if (err instanceof PermissionDeniedError || message.endsWith(ERR_PERMISSION_DENIED)) {
    return { status: 403, message: ERR_PERMISSION_DENIED };
  }
  return { status: 500, message };
}

/** Where the HTTP layer writes what it logs; Nomad's `http` logger. */
export interface HttpLogger {
  /** Routine events: each request, client errors (4xx). */
  debug(message: string, fields?: Record<string, unknown>): void;
  /** Failures of our own (5xx), with the error and its stack. */
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The text/plain response for `reply`, keeping headers the handler already set. */
export function errorResponse(c: Context, reply: ErrorReply): Response {
  c.header("Content-Type", PLAIN_CONTENT_TYPE);
  // deno-lint-ignore no-explicit-any -- Hono types status as a union of literal codes
  return c.body(reply.message, reply.status as any);
}

/**
 * Hono's `onError` handler: maps the error with {@link errorReply}, logs client errors at
 * debug and server errors at error level (with the stack), and answers with the text only.
 */
export function handleError(logger: HttpLogger): (err: Error, c: Context) => Response {
  return (err, c) => {
    const reply = errorReply(err);
    const fields = {
      method: c.req.method,
      path: c.req.path,
      error: reply.status >= 500 && err instanceof Error ? (err.stack ?? err.message) : err.message,
      code: reply.status,
    };
    if (reply.status >= 400 && reply.status < 500) logger.debug("request failed", fields);
    else logger.error("request failed", fields);
    return errorResponse(c, reply);
  };
}

/**
 * Hono's `notFound` handler, as Nomad's root fallthrough: `/` redirects to `/ui/` (keeping the
 * query), any other unknown path is a 404 with an empty body.
 */
export function handleNotFound(c: Context): Response {
  if (c.req.path === "/") {
    const query = new URL(c.req.url).search;
    return c.redirect(`/ui/${query}`, 307);
  }
  return c.body(null, 404);
}

/** Nomad's 405 answer, for a known path asked with a verb it does not serve. */
export function invalidMethod(): CodedError {
  return new CodedError(405, ERR_INVALID_METHOD);
}
