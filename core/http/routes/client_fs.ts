/**
 * `/v1/client/fs/*`: the files and logs of an allocation, served by the client that runs it
 * (Nomad's `command/agent/fs_endpoint.go`).
 *
 * | route                                              | answer                              |
 * | -------------------------------------------------- | ----------------------------------- |
 * | `GET /v1/client/fs/ls/:alloc?path=`                | `AllocFileInfo[]` (path default `/`) |
 * | `GET /v1/client/fs/stat/:alloc?path=`              | `AllocFileInfo`                     |
 * | `GET /v1/client/fs/cat/:alloc?path=`               | the file's bytes                    |
 * | `GET /v1/client/fs/readat/:alloc?path=&offset=&limit=` | bytes from `offset`             |
 * | `GET /v1/client/fs/stream/:alloc?path=&offset=&origin=&follow=` | `StreamFrame`s, `{}` heartbeats |
 * | `GET /v1/client/fs/logs/:alloc?task=&type=&follow=&origin=&offset=&plain=` | frames, or bytes with `plain=true` |
 *
 * Query errors are answered with Nomad's texts and codes (some are 500s in Nomad, kept so);
 * a request for an allocation of another node is forwarded to it (see `_client_forward.ts`).
 *
 * @module
 */
import type { Context, Hono } from "hono";
import type { ClientApi } from "../../client/api.ts";
import type { StreamFrame } from "../../client/alloc_fs.ts";
import { parseGoBool } from "../../structs/go_bool.ts";
import { CodedError } from "../errors.ts";
import { respond } from "../respond.ts";
import { type ClientRouteDeps, fsError, onAlloc } from "./_client_deps.ts";
import { streamFrames } from "./_client_stream.ts";

const ERR_ALLOC_ID = "must provide a valid alloc id";
const ERR_FILE_NAME = "must provide a file name";
const ERR_TASK = "must provide task name";
const ERR_LOG_TYPE = "must provide log type (stdout/stderr)";
const ERR_ORIGIN = "origin must be start or end";

function query(c: Context): URLSearchParams {
  return new URL(c.req.url).searchParams;
}

function allocId(c: Context): string {
  return c.req.param("alloc") ?? "";
}

function requiredPath(c: Context): string {
  const path = query(c).get("path") ?? "";
  if (path === "") throw new CodedError(400, ERR_FILE_NAME);
  return path;
}

/** Go's `strconv.ParseInt(text, 10, 64)`, or the text of its error. */
function parseInt64(text: string): number | string {
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (Number.isSafeInteger(n)) return n;
  const why = Number.isNaN(n) ? "invalid syntax" : "value out of range";
  return `strconv.ParseInt: parsing ${JSON.stringify(text)}: ${why}`;
}

function parseBool(text: string): boolean | string {
  return parseGoBool(text) ??
    `strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`;
}

function offsetParam(c: Context, status: number, required = false): number {
  const text = query(c).get("offset") ?? "";
  if (text === "" && !required) return 0;
  const n = parseInt64(text);
  if (typeof n === "string") throw new CodedError(status, `error parsing offset: ${n}`);
  return n;
}

function boolParam(c: Context, name: string, fallback: boolean, status: number): boolean {
  const text = query(c).get(name) ?? "";
  if (text === "") return fallback;
  const b = parseBool(text);
  if (typeof b === "string") {
    throw new CodedError(status, `failed to parse ${name} field to boolean: ${b}`);
  }
  return b;
}

function originParam(c: Context): "start" | "end" {
  const origin = query(c).get("origin") ?? "";
  if (origin === "" || origin === "start") return "start";
  if (origin === "end") return "end";
  throw new CodedError(400, ERR_ORIGIN);
}

/** A file to stream: it must exist and not be a directory (400 otherwise, as Nomad). */
async function checkFile(client: ClientApi, id: string, path: string): Promise<void> {
  let info;
  try {
    info = await client.allocFS(id).stat(path);
  } catch (err) {
    const mapped = fsError(err, "stat", path);
    if (
      mapped instanceof CodedError && mapped.status === 404 && err instanceof Deno.errors.NotFound
    ) {
      throw new CodedError(400, mapped.message, { cause: err });
    }
    throw mapped;
  }
  if (info.IsDir) throw new CodedError(400, `file ${JSON.stringify(path)} is a directory`);
}

async function* mapped(
  frames: AsyncGenerator<StreamFrame>,
  op: string,
  path: string,
): AsyncGenerator<StreamFrame> {
  try {
    yield* frames;
  } catch (err) {
    throw fsError(err, op, path);
  }
}

/** Registers the client file system endpoints. */
export function clientFsRoutes(app: Hono, deps: ClientRouteDeps): void {
  const streamOpts = (abort: AbortController, plain: boolean, contentType: string) => ({
    abort,
    plain,
    contentType,
    logger: deps.logger,
    ...(deps.streamHeartbeatMs === undefined ? {} : { heartbeatMs: deps.streamHeartbeatMs }),
  });

  const raw = (c: Context, id: string, path: string, offset: number, limit: number) =>
    onAlloc(c, deps, id, async (client) => {
      await checkFile(client, id, path);
      const abort = new AbortController();
      const frames = client.allocFS(id).stream(path, {
        offset,
        limit,
        follow: false,
        signal: abort.signal,
      });
      c.header("X-Content-Type-Options", "nosniff");
      return streamFrames(
        c,
        mapped(frames, "read", path),
        streamOpts(abort, true, "application/octet-stream"),
      );
    });

  app.get("/v1/client/fs/:op{ls|stat|cat|readat|stream|logs}/", () => {
    throw new CodedError(400, ERR_ALLOC_ID);
  });

  app.get("/v1/client/fs/ls/:alloc", (c) => {
    const id = allocId(c);
    const path = query(c).get("path") || "/";
    return onAlloc(c, deps, id, async (client) => {
      try {
        return respond(c, await client.allocFS(id).list(path));
      } catch (err) {
        throw fsError(err, "open", path);
      }
    });
  });

  app.get("/v1/client/fs/stat/:alloc", (c) => {
    const id = allocId(c);
    const path = requiredPath(c);
    return onAlloc(c, deps, id, async (client) => {
      try {
        return respond(c, await client.allocFS(id).stat(path));
      } catch (err) {
        throw fsError(err, "stat", path);
      }
    });
  });

  app.get("/v1/client/fs/cat/:alloc", (c) => {
    const id = allocId(c);
    const path = requiredPath(c);
    return raw(c, id, path, 0, 0);
  });

  app.get("/v1/client/fs/readat/:alloc", (c) => {
    const id = allocId(c);
    const path = requiredPath(c);
    const offset = offsetParam(c, 500, true);
    const limitText = query(c).get("limit") ?? "";
    const limit = limitText === "" ? 0 : parseInt64(limitText);
    if (typeof limit === "string") throw new CodedError(500, `error parsing limit: ${limit}`);
    return raw(c, id, path, offset, limit);
  });

  app.get("/v1/client/fs/stream/:alloc", (c) => {
    const id = allocId(c);
    const path = requiredPath(c);
    const follow = boolParam(c, "follow", true, 500);
    const offset = offsetParam(c, 500);
    const origin = originParam(c);
    return onAlloc(c, deps, id, async (client) => {
      await checkFile(client, id, path);
      const abort = new AbortController();
      const frames = client.allocFS(id).stream(path, {
        offset,
        origin,
        follow,
        signal: abort.signal,
      });
      return streamFrames(
        c,
        mapped(frames, "read", path),
        streamOpts(abort, false, "application/json"),
      );
    });
  });

  app.get("/v1/client/fs/logs/:alloc", (c) => {
    const id = allocId(c);
    const q = query(c);
    const task = q.get("task") ?? "";
    if (task === "") throw new CodedError(400, ERR_TASK);
    const follow = boolParam(c, "follow", false, 400);
    const plain = boolParam(c, "plain", false, 400);
    const type = q.get("type") ?? "";
    if (type !== "stdout" && type !== "stderr") throw new CodedError(400, ERR_LOG_TYPE);
    const offset = offsetParam(c, 400);
    const origin = originParam(c);
    return onAlloc(c, deps, id, (client) => {
      const abort = new AbortController();
      const frames = client.readLogs(id, {
        task,
        type,
        origin,
        offset,
        follow,
        signal: abort.signal,
      });
      return streamFrames(
        c,
        mapped(frames, "open", `alloc/logs/${task}.${type}`),
        streamOpts(abort, plain, plain ? "text/plain" : "application/json"),
      );
    });
  });
}
