/**
 * Helpers every route module shares: query and write options checked against the server's
 * region, blocking reads over state snapshots, the query meta Nomad embeds in some bodies, and
 * Nomad's ordering of lists.
 *
 * @module
 */
import type { Context } from "hono";
import { decode, type StructSpec } from "../../structs/schema.ts";
import type { StateSnapshot, StateStore, TableName } from "../../state/mod.ts";
import type { RequestContext } from "../../server/api.ts";
import { runBlockingQuery } from "../blocking.ts";
import { CodedError } from "../errors.ts";
import { parseQueryOptions, parseWriteOptions, type QueryOptions } from "../query.ts";
import { respond, setMeta } from "../respond.ts";
import type { RouteDeps } from "./deps.ts";

/** Nomad's answer when a request names a region this agent cannot reach. */
export const ERR_NO_REGION_PATH = "No path to region";

function checkRegion(region: string, deps: RouteDeps): void {
  if (region !== deps.server.region) throw new CodedError(500, ERR_NO_REGION_PATH);
}

/** The read options of a request, its region checked (there is one region until federation). */
export function readOptions(c: Context, deps: RouteDeps): QueryOptions {
  const q = parseQueryOptions(c, { region: deps.server.region });
  checkRegion(q.region, deps);
  return q;
}

/** The namespace, region and token of a write, its region checked. */
export function writeContext(c: Context, deps: RouteDeps): RequestContext {
  const w = parseWriteOptions(c, { region: deps.server.region });
  checkRegion(w.region, deps);
  return { namespace: w.namespace, region: w.region, token: w.authToken };
}

/** The `QueryMeta` fields Nomad's RPC responses carry into some JSON bodies. */
export interface QueryMetaBody {
  Index: number;
  /** Nanoseconds since the leader was last heard from. */
  LastContact: number;
  KnownLeader: boolean;
  NextToken: string;
}

/** The query meta of a read answered by the leader at `index`. */
export function queryMeta(index: number, nextToken = ""): QueryMetaBody {
  return { Index: index, LastContact: 0, KnownLeader: true, NextToken: nextToken };
}

/** What one run of a read over a snapshot produced. */
export interface StateRead<T> {
  /** The body; `undefined` means the object asked for does not exist. */
  readonly body: T | undefined;
  /** The index the read reflects; default: the highest index of the watched tables. */
  readonly index?: number;
  /** The token of the next page (`X-Nomad-NextToken`). */
  readonly nextToken?: string;
}

/** Options of {@link stateQuery}. */
export interface StateQueryOptions {
  /** The 404 text when the read finds nothing (`job not found`); else `null` is answered. */
  readonly notFound?: string;
  /** Merge the query meta (`Index`, `LastContact`, ...) into the body, as some Nomad RPCs do. */
  readonly embedMeta?: boolean;
}

/**
 * Answers a read over state snapshots with Nomad's blocking semantics: `read` runs on a fresh
 * snapshot, and with `?index=N` again each time one of `tables` changes, until the index it
 * reports passes N or the wait runs out. The meta headers are set even on a 404, as Nomad
 * does.
 *
 * A read whose index is an object's own `ModifyIndex` waits for the tables to move past what
 * it last saw, so writes to other rows do not make it spin.
 */
export async function stateQuery<T>(
  c: Context,
  q: QueryOptions,
  state: StateStore,
  tables: readonly TableName[],
  read: (snap: StateSnapshot) => StateRead<T>,
  options: StateQueryOptions = {},
): Promise<Response> {
  let seen = 0;
  let missing = false;
  const result = await runBlockingQuery(q, {
    signal: c.req.raw.signal,
    run: () => {
      const snap = state.snapshot();
      seen = 0;
      for (const t of tables) seen = Math.max(seen, snap.tableIndex(t));
      const r = read(snap);
      missing = r.body === undefined;
      return { index: r.index ?? seen, body: r.body, nextToken: r.nextToken ?? "" };
    },
    wait: (index, signal) => state.waitForIndex(tables, Math.max(index, seen), signal),
  });
  const nextToken = result.nextToken ?? "";
  setMeta(c, { index: result.index, nextToken });
  if (missing) {
    if (options.notFound !== undefined) throw new CodedError(404, options.notFound);
    return respond(c, null);
  }
  const body = options.embedMeta
    ? { ...(result.body as object), ...queryMeta(result.index, nextToken) }
    : result.body;
  return respond(c, body);
}

/** A 501 for an endpoint whose server side is not built yet; the text says what is missing. */
export function notImplemented(what: string): CodedError {
  return new CodedError(501, what);
}

/** Compares strings by UTF-16 code units, as Go compares byte strings for ASCII IDs. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders rows as Nomad's `create` indexes do: by `CreateIndex`, then by `ID`. */
export function byCreateIndex<T extends { CreateIndex: number; ID: string }>(
  rows: readonly T[],
): T[] {
  return [...rows].sort((a, b) => a.CreateIndex - b.CreateIndex || compareStrings(a.ID, b.ID));
}

/**
 * A request body that may be absent (Nomad checks `Content-Length` for optional bodies):
 * `undefined` when empty, else the parsed JSON.
 *
 * @throws {CodedError} 400 `Request decode failed: ...` when it is not JSON.
 */
export async function optionalJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CodedError(400, `Request decode failed: ${(e as Error).message}`);
  }
}

/**
 * Decodes already-parsed JSON into `spec`'s struct, as `readBody` does.
 *
 * @throws {CodedError} 400 `Request decode failed: ...` listing every problem.
 */
export function decodeJson<T>(spec: StructSpec<T>, json: unknown): T {
  const { value, problems } = decode(spec, json);
  if (problems.length > 0) {
    const list = problems.map((p) => `${p.path || spec.name}: ${p.message}`).join("; ");
    throw new CodedError(400, `Request decode failed: ${list}`);
  }
  return value;
}
