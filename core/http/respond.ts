/**
 * Writing responses and reading requests as Nomad's HTTP layer does: JSON in Go's encoding
 * (`?pretty` indents by four spaces), the `X-Nomad-*` query meta headers, gzip for clients that
 * accept it, request bodies decoded with case-insensitive keys, and the ACL token from the
 * headers.
 *
 * @module
 */

import { gzipSync } from "node:zlib";
import type { Context } from "hono";
import { goJson } from "../structs/json.ts";
import { decode, type StructSpec } from "../structs/schema.ts";
import { CodedError } from "./errors.ts";

/** Bodies at least this long (bytes) are gzipped for clients that accept gzip. */
export const GZIP_MIN_BYTES = 1024;

/** What Nomad reports about a read in its response headers (`QueryMeta`). */
export interface QueryMeta {
  /** The index of the data returned: `X-Nomad-Index`. */
  readonly index: number;
  /** Whether the answering server knows a leader: `X-Nomad-KnownLeader` (default true). */
  readonly knownLeader?: boolean;
  /** Milliseconds since the answering server last heard from the leader (default 0). */
  readonly lastContact?: number;
  /** The token of the next page: `X-Nomad-NextToken`, set only when non-empty. */
  readonly nextToken?: string;
}

/** Sets `X-Nomad-Index`. */
export function setIndex(c: Context, index: number): void {
  c.header("X-Nomad-Index", String(Math.max(0, Math.trunc(index))));
}

/** Sets `X-Nomad-KnownLeader` to `true` or `false`. */
export function setKnownLeader(c: Context, known: boolean): void {
  c.header("X-Nomad-KnownLeader", known ? "true" : "false");
}

/** Sets `X-Nomad-LastContact`, whole milliseconds. */
export function setLastContact(c: Context, milliseconds: number): void {
  c.header("X-Nomad-LastContact", String(Math.max(0, Math.floor(milliseconds))));
}

/** Sets `X-Nomad-NextToken`, only when there is another page (`token` is not empty). */
export function setNextToken(c: Context, token: string): void {
  if (token !== "") c.header("X-Nomad-NextToken", token);
}

/** Sets every query meta header, as Nomad's `setMeta`. */
export function setMeta(c: Context, meta: QueryMeta): void {
  setIndex(c, meta.index);
  setLastContact(c, meta.lastContact ?? 0);
  setKnownLeader(c, meta.knownLeader ?? true);
  setNextToken(c, meta.nextToken ?? "");
}

/** Whether `?pretty` asks for indented JSON: present, and not `0`. */
export function isPretty(c: Context): boolean {
  const q = new URL(c.req.url).searchParams;
  return q.has("pretty") && q.get("pretty") !== "0";
}

/** Whether the client's `Accept-Encoding` allows gzip. */
export function acceptsGzip(c: Context): boolean {
  const header = c.req.header("Accept-Encoding");
  if (!header) return false;
  return header.split(",").some((part) => {
    const [coding = "", ...params] = part.trim().split(";").map((s) => s.trim());
    if (coding.toLowerCase() !== "gzip" && coding !== "*") return false;
    const q = params.find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** Options of {@link respond}. */
export interface RespondOptions {
  /** The status code (default 200). */
  readonly status?: number;
  /** Gzip bodies at least this long when the client accepts it (default {@link GZIP_MIN_BYTES}). */
  readonly gzipMinBytes?: number;
}

/**
 * Answers with `body` as JSON the way Nomad's `wrap()` writes it: Go's encoding
 * (HTML-safe escapes, `undefined` fields left out), four-space indentation and a final newline
 * for `?pretty`, `Content-Type: application/json`, gzipped when large and accepted. A body of
 * `undefined` is an empty response, as a handler returning nil is in Nomad.
 *
 * @example
 * ```ts
 * app.get("/v1/status/leader", (c) => respond(c, "127.0.0.1:4647"));
 * ```
 */
export function respond(c: Context, body: unknown, options?: RespondOptions): Response {
  // deno-lint-ignore no-explicit-any -- Hono types status as a union of literal codes
  const status = (options?.status ?? 200) as any;
  if (body === undefined) return c.body(null, status);
  const text = isPretty(c) ? goJson(body, "    ") + "\n" : goJson(body);
  c.header("Content-Type", "application/json");
  const bytes = new TextEncoder().encode(text);
  if (bytes.length >= (options?.gzipMinBytes ?? GZIP_MIN_BYTES) && acceptsGzip(c)) {
    c.header("Content-Encoding", "gzip");
    c.header("Vary", "Accept-Encoding");
    return c.body(new Uint8Array(gzipSync(bytes)), status);
  }
  return c.body(bytes, status);
}

/**
 * Reads the request body as JSON.
 *
 * @throws {CodedError} 400 `Request body is empty`, or `Request decode failed: ...` when the
 * body is not JSON.
 */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") throw new CodedError(400, "Request body is empty");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CodedError(400, `Request decode failed: ${(e as Error).message}`);
  }
}

/**
 * Reads the request body as JSON and decodes it into `spec`'s struct: keys match
 * case-insensitively (as Go's `encoding/json`), unknown keys are ignored, missing fields take
 * their zero value.
 *
 * @throws {CodedError} 400 `Request decode failed: ...` when the body is not JSON or a value
 * has the wrong type (every such problem is listed).
 *
 * @example
 * ```ts
 * const req = await readBody(c, JobRegisterRequest);
 * ```
 */
export async function readBody<T>(c: Context, spec: StructSpec<T>): Promise<T> {
  const json = await readJson(c);
  const { value, problems } = decode(spec, json);
  if (problems.length > 0) {
    const list = problems.map((p) => `${p.path || spec.name}: ${p.message}`).join("; ");
    throw new CodedError(400, `Request decode failed: ${list}`);
  }
  return value;
}

/**
 * The value of `name` in a decoded JSON object, matching the key as Go's `encoding/json` does:
 * the exact key first, else any key equal ignoring case. `undefined` when absent or when `obj`
 * is not an object.
 *
 * @example
 * ```ts
 * getField({ enforceindex: true }, "EnforceIndex"); // true
 * ```
 */
export function getField(obj: unknown, name: string): unknown {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return undefined;
  const record = obj as Record<string, unknown>;
  if (Object.hasOwn(record, name)) return record[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(record)) if (key.toLowerCase() === lower) return record[key];
  return undefined;
}

/**
 * The ACL token of the request, as Nomad's `parseToken`: `X-Nomad-Token` (trimmed), else the
 * first word after `Bearer` in `Authorization`; `""` when there is none.
 */
export function authToken(c: Context): string {
  const header = c.req.header("X-Nomad-Token");
  if (header) return header.trim();
  const auth = c.req.header("Authorization");
  if (!auth) return "";
  const parts = auth.split(" ");
  if (parts.length < 2 || parts[0]!.toLowerCase() !== "bearer") return "";
  const value = parts.slice(1).join(" ").trim();
  return (value.split(" ")[0] ?? "").trim();
}
