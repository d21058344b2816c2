/**
 * The web UI at `/ui/`: the built files of `ui/` (see ui/mod.ts), and `index.html` for every
 * other path under `/ui/` so that the browser-side router can show `/ui/jobs/example@default`,
 * `/ui/allocations/<id>` and the rest, as Nomad's UI does. `/ui` redirects to `/ui/`.
 *
 * Hashed assets are cached by browsers for a year; `index.html` is revalidated every time (a
 * new build changes it). The pages may load only what this agent serves (a strict
 * `Content-Security-Policy`): no CDN, nothing from the network but the agent's own API. When
 * the UI has not been built, `/ui/` answers 503 with a page that says how to build it.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { loadUi, notBuiltPage, type UiBundle, type UiFile } from "../../../ui/mod.ts";

/** Options of {@link uiRoutes}. */
export interface UiRouteOptions {
  /** Reads the built UI (default `loadUi()` from `ui/dist/`); `undefined` when not built. */
  readonly load?: () => Promise<UiBundle | undefined>;
}

/** The policy every UI response carries: only this agent's own files and API. */
export const UI_CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
  "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function serve(c: Context, file: UiFile, cacheControl: string): Response {
  c.header("Content-Type", file.contentType);
  c.header("Cache-Control", cacheControl);
  c.header("ETag", file.etag);
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Vary", "Accept-Encoding");
  if (file.contentType.startsWith("text/html")) {
    c.header("Content-Security-Policy", UI_CONTENT_SECURITY_POLICY);
    c.header("X-Frame-Options", "DENY");
    c.header("Referrer-Policy", "same-origin");
  }
  const match = c.req.header("If-None-Match");
  if (match !== undefined && match.split(",").some((t) => t.trim() === file.etag)) {
    return c.body(null, 304);
  }
  const gzipOk = /\bgzip\b/.test(c.req.header("Accept-Encoding") ?? "");
  if (file.gzip !== undefined && gzipOk) {
    c.header("Content-Encoding", "gzip");
    return c.body(file.gzip as Uint8Array<ArrayBuffer>);
  }
  return c.body(file.body as Uint8Array<ArrayBuffer>);
}

/**
 * Registers `/ui` and `/ui/*` on `app`.
 *
 * @example
 * ```ts
 * uiRoutes(app); // serves ui/dist/
 * uiRoutes(app, { load: () => loadUi(new URL("file:///tmp/dist/")) });
 * ```
 */
export function uiRoutes(app: Hono, options: UiRouteOptions = {}): void {
  const load = options.load ?? (() => loadUi());
  let bundle: Promise<UiBundle | undefined> | undefined;
  // Read once; while the UI is not built, look again on each request (a build may follow).
  const current = async (): Promise<UiBundle | undefined> => {
    bundle ??= load();
    let ui: UiBundle | undefined;
    try {
      ui = await bundle;
    } catch (err) {
      bundle = undefined;
      throw err;
    }
    if (ui === undefined) bundle = undefined;
    return ui;
  };

  app.get("/ui", (c) => {
    const query = new URL(c.req.url).search;
    return c.redirect(`/ui/${query}`, 307);
  });
  app.get("/ui/*", async (c) => {
    const ui = await current();
    if (ui === undefined) {
      c.header("Cache-Control", REVALIDATE);
      return c.html(notBuiltPage(), 503);
    }
    const name = safeDecode(c.req.path.slice("/ui/".length));
    const file = ui.file(name);
    if (file !== undefined && name !== "index.html") {
      return serve(c, file, file.immutable ? IMMUTABLE : REVALIDATE);
    }
    // A missing asset is a 404 (a stale page asking for an old script), not the app's page.
    if (name.startsWith("assets/")) return c.body(null, 404);
    return serve(c, ui.index, REVALIDATE);
  });
}
