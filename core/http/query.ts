/**
 * The query string every read endpoint accepts, parsed as Nomad's `parse()` does: `?region`,
 * `?namespace`, `?stale`, `?prefix`, `?per_page`, `?next_token`, `?filter`, `?reverse`,
 * `?index` and `?wait`, plus the token from the headers. Bad values are a 400 with Nomad's own
 * message.
 *
 * @module
 */

import type { Context } from "hono";
import { parseDuration, SECOND } from "../structs/duration.ts";
import { parseGoBool } from "../structs/go_bool.ts";
import { BexprError, compileFilter, type Filter } from "./bexpr.ts";
import { CodedError } from "./errors.ts";
import { authToken } from "./respond.ts";

/** The namespace of a request that names none. */
export const DEFAULT_NAMESPACE = "default";
/** `?namespace=*`: every namespace the token may read, on list endpoints. */
export const ALL_NAMESPACES = "*";
/** The region of a request that names none, unless the agent says otherwise. */
export const DEFAULT_REGION = "global";
/** The longest a blocking query waits (nanoseconds): Nomad's `MaxBlockingRPCQueryTime`. */
export const MAX_QUERY_TIME = 300 * SECOND;
/** How long a blocking query waits without `?wait` (nanoseconds). */
export const DEFAULT_QUERY_TIME = 300 * SECOND;
/** A blocking query waits up to `wait / JITTER_FRACTION` longer, so clients spread out. */
export const JITTER_FRACTION = 16;

/** Options of a read request (Nomad's `QueryOptions`). */
export interface QueryOptions {
  /** `?region`, else the agent's region. */
  readonly region: string;
  /** `?namespace`, else `default`; `*` asks for all on list endpoints. */
  readonly namespace: string;
  /** `?stale`: any server may answer, not only the leader. */
  readonly allowStale: boolean;
  /** `?index`: block until the result's index is greater; 0 does not block. */
  readonly minQueryIndex: number;
  /** `?wait` in nanoseconds, as given (0 when absent); see {@link timeToBlock}. */
  readonly maxQueryTime: number;
  /** `?prefix`: only objects whose ID starts with it. */
  readonly prefix: string;
  /** `?reverse=true`: list in descending order. */
  readonly reverse: boolean;
  /** `?per_page`: page size; 0 lists everything. */
  readonly perPage: number;
  /** `?next_token`: the token of the first object of the page to list. */
  readonly nextToken: string;
  /** `?filter`, compiled; `null` when absent. */
  readonly filter: Filter | null;
  /** The ACL token from `X-Nomad-Token` or `Authorization: Bearer`. */
  readonly authToken: string;
}

/** Options of a write request (Nomad's `WriteRequest`). */
export interface WriteOptions {
  readonly region: string;
  readonly namespace: string;
  readonly authToken: string;
  /** `?idempotency_token`: a retried write with the same token is applied once. */
  readonly idempotencyToken: string;
}

/** Agent-level defaults for parsing. */
export interface ParseDefaults {
  /** The agent's region (default {@link DEFAULT_REGION}). */
  readonly region?: string;
}

function params(c: Context): URLSearchParams {
  return new URL(c.req.url).searchParams;
}

/**
 * `?wait` and `?index`.
 *
 * @throws {CodedError} 400 `Invalid wait time` or `Invalid index`.
 */
export function parseWait(q: URLSearchParams): { minQueryIndex: number; maxQueryTime: number } {
  let maxQueryTime = 0;
  let minQueryIndex = 0;
  const wait = q.get("wait");
  if (wait) {
    try {
      maxQueryTime = parseDuration(wait);
    } catch {
      throw new CodedError(400, "Invalid wait time");
    }
  }
  const index = q.get("index");
  if (index) {
    if (!/^\d+$/.test(index) || BigInt(index) > 0xffff_ffff_ffff_ffffn) {
      throw new CodedError(400, "Invalid index");
    }
    minQueryIndex = Number(index);
  }
  return { minQueryIndex, maxQueryTime };
}

/**
 * `?stale`: present without a value means true.
 *
 * @throws {CodedError} 400 when the value is not a Go boolean.
 */
export function parseConsistency(q: URLSearchParams): boolean {
  if (!q.has("stale")) return false;
  const value = q.get("stale") ?? "";
  if (value === "") return true;
  const stale = parseGoBool(value);
  if (stale === undefined) {
    throw new CodedError(400, "Expect `true` or `false` for `stale` query string parameter");
  }
  return stale;
}

/**
 * `?per_page` and `?next_token`.
 *
 * @throws {CodedError} 400 when `per_page` is not a 32-bit integer.
 */
export function parsePagination(q: URLSearchParams): { perPage: number; nextToken: string } {
  let perPage = 0;
  const raw = q.get("per_page");
  if (raw) {
    const n = /^[+-]?\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) {
      throw new CodedError(400, "Expect a number for `per_page` query string parameter");
    }
    perPage = n;
  }
  return { perPage, nextToken: q.get("next_token") ?? "" };
}

/**
 * `?filter`, compiled.
 *
 * @throws {CodedError} 400 `failed to read filter expression: ...` naming the position, with
 * the prefix Nomad's list endpoints give it.
 */
export function parseFilter(q: URLSearchParams): Filter | null {
  const text = q.get("filter");
  if (!text) return null;
  try {
    return compileFilter(text);
  } catch (e) {
    if (!(e instanceof BexprError)) throw e;
    throw new CodedError(
      400,
      `failed to create result paginator: failed to read filter expression: ${e.message}`,
      { cause: e },
    );
  }
}

/** `?namespace`, else `default`. */
export function parseNamespace(q: URLSearchParams): string {
  return q.get("namespace") || DEFAULT_NAMESPACE;
}

/** `?region`, else the agent's region. */
export function parseRegion(q: URLSearchParams, defaults?: ParseDefaults): string {
  return q.get("region") || defaults?.region || DEFAULT_REGION;
}

/**
 * Everything a read endpoint takes from the request, as Nomad's `parse()`.
 *
 * @throws {CodedError} 400 with Nomad's message for a bad `stale`, `per_page`, `wait`,
 * `index` or `filter`.
 *
 * @example
 * ```ts
 * app.get("/v1/jobs", (c) => {
 *   const q = parseQueryOptions(c);
 *   // q.namespace === "default", q.minQueryIndex === 0, ...
 * });
 * ```
 */
export function parseQueryOptions(c: Context, defaults?: ParseDefaults): QueryOptions {
  const q = params(c);
  const allowStale = parseConsistency(q);
  const { perPage, nextToken } = parsePagination(q);
  const { minQueryIndex, maxQueryTime } = parseWait(q);
  // Nomad reads the filter last (its RPC compiles it), so a bad index is reported first.
  const filter = parseFilter(q);
  return {
    region: parseRegion(q, defaults),
    namespace: parseNamespace(q),
    allowStale,
    minQueryIndex,
    maxQueryTime,
    prefix: q.get("prefix") ?? "",
    reverse: q.get("reverse") === "true",
    perPage,
    nextToken,
    filter,
    authToken: authToken(c),
  };
}

/** What a write endpoint takes from the request, as Nomad's `parseWriteRequest()`. */
export function parseWriteOptions(c: Context, defaults?: ParseDefaults): WriteOptions {
  const q = params(c);
  return {
    region: parseRegion(q, defaults),
    namespace: parseNamespace(q),
    authToken: authToken(c),
    idempotencyToken: q.get("idempotency_token") ?? "",
  };
}

/**
 * A boolean query parameter (Nomad's `parseBool`): `undefined` when absent or empty.
 *
 * @throws {CodedError} 400 `Failed to parse value of "x" (v) as a bool: ...`.
 */
export function queryBool(c: Context, name: string): boolean | undefined {
  const text = params(c).get(name);
  if (!text) return undefined;
  const value = parseGoBool(text);
  if (value === undefined) {
    throw new CodedError(
      400,
      `Failed to parse value of ${JSON.stringify(name)} (${text}) as a bool: ` +
        `strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`,
    );
  }
  return value;
}

/**
 * An integer query parameter (Nomad's `parseInt`): `undefined` when absent or empty.
 *
 * @throws {CodedError} 400 `Failed to parse value of "x" (v) as a int: ...`.
 */
export function queryInt(c: Context, name: string): number | undefined {
  const text = params(c).get(name);
  if (!text) return undefined;
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new CodedError(
      400,
      `Failed to parse value of ${JSON.stringify(name)} (${text}) as a int: ` +
        `strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`,
    );
  }
  return n;
}

/**
 * How long a query blocks (nanoseconds), before jitter: 0 when it does not block (no
 * `?index`), else `?wait` capped at {@link MAX_QUERY_TIME}, or {@link DEFAULT_QUERY_TIME} when
 * `?wait` is absent, zero or negative.
 */
export function timeToBlock(q: Pick<QueryOptions, "minQueryIndex" | "maxQueryTime">): number {
  if (q.minQueryIndex === 0) return 0;
  if (q.maxQueryTime > MAX_QUERY_TIME) return MAX_QUERY_TIME;
  if (q.maxQueryTime <= 0) return DEFAULT_QUERY_TIME;
  return q.maxQueryTime;
}
