/**
 * The Hono application every endpoint is mounted on, with Nomad's conventions built in:
 * one error mapper (text/plain messages), 405 `Invalid method` for a known path asked with
 * the wrong verb, Nomad's 404 for unknown paths (`/` redirects to `/ui/`), a request log, the
 * agent's extra response headers, and a request body size limit. No CORS headers are sent:
 * like Nomad's API (but for a few client endpoints), cross-origin browsers are not served.
 *
 * Tests drive it with `app.request("/v1/...")`; the agent serves it with
 * `Deno.serve(app.fetch)`.
 *
 * @module
 */

import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { methodNotAllowed } from "hono/method-not-allowed";
import {
  CodedError,
  ERR_INVALID_METHOD,
  errorResponse,
  handleError,
  handleNotFound,
  type HttpLogger,
} from "./errors.ts";

/** The largest request body accepted by default (bytes); job registrations stay far below. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Registers the endpoints on the app. */
  readonly routes: (app: Hono) => void;
  /** Where requests and failures are logged (default: failures to `console.error`). */
  readonly logger?: HttpLogger;
  /** The largest request body accepted, in bytes (default {@link DEFAULT_MAX_BODY_BYTES}). */
  readonly maxBodyBytes?: number;
  /** Headers added to every response (the agent's `http_api_response_headers`). */
  readonly responseHeaders?: Readonly<Record<string, string>>;
}

/** A logger that drops debug lines and writes errors to the console. */
export const consoleLogger: HttpLogger = {
  debug() {},
  error(message, fields) {
    console.error(`[ERROR] http: ${message}`, fields ?? {});
  },
};

/**
 * Creates the API application.
 *
 * @example
 * ```ts
 * const app = createApp({
 *   routes: (app) => {
 *     app.get("/v1/status/leader", (c) => respond(c, "127.0.0.1:4647"));
 *   },
 * });
 * const res = await app.request("/v1/status/leader");
 * ```
 */
export function createApp(options: AppOptions): Hono {
  const logger = options.logger ?? consoleLogger;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const app = new Hono();

  app.use(async (c, next) => {
    const start = performance.now();
    for (const [name, value] of Object.entries(options.responseHeaders ?? {})) {
      c.header(name, value);
    }
    try {
      await next();
    } finally {
      logger.debug("request complete", {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        duration_ms: Math.round((performance.now() - start) * 1000) / 1000,
      });
    }
  });
  app.use(methodNotAllowed({
    app,
    onMethodNotAllowed: (c) => errorResponse(c, { status: 405, message: ERR_INVALID_METHOD }),
  }));
  app.use(bodyLimit({
    maxSize: maxBodyBytes,
    onError: () => {
      throw new CodedError(
        413,
        `Request body is larger than the limit of ${maxBodyBytes} bytes; send a smaller body`,
      );
    },
  }));

  options.routes(app);
  app.onError(handleError(logger));
  app.notFound(handleNotFound);
  return app;
}
