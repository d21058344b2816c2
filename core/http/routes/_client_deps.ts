/**
 * What the client endpoints (`/v1/client/...`) stand on, and how the errors of a client's file
 * system become Nomad's status codes.
 *
 * @module
 */
import type { Context } from "hono";
import type { ClientApi } from "../../client/api.ts";
import { PathEscapesAllocDirError, SecretFileError } from "../../client/alloc_fs.ts";
import { LogNotFoundError } from "../../client/logreader.ts";
import { CodedError, type HttpLogger } from "../errors.ts";
import { type ClientLocator, forward } from "./_client_forward.ts";

/** Everything the client endpoints need. */
export interface ClientRouteDeps {
  /** This agent's client; `null` when it runs none (every request is then forwarded). */
  readonly client: ClientApi | null;
  /** Which agent serves an allocation or a node. */
  readonly locator: ClientLocator;
  readonly logger: HttpLogger;
  /** The `{}` heartbeat interval of frame streams in ms (default 1000, as Nomad). */
  readonly streamHeartbeatMs?: number;
}

/**
 * Maps the errors of an allocation's file system to Nomad's answers: a path leaving the
 * allocation is a 400, a secret or private file a 403, a missing file or log a 404 (with
 * Go's `no such file or directory` wording), a path that is not a directory a 400.
 */
export function fsError(err: unknown, op: string, path: string): unknown {
  if (err instanceof PathEscapesAllocDirError) {
    return new CodedError(400, err.message, { cause: err });
  }
  if (err instanceof SecretFileError) return new CodedError(403, err.message, { cause: err });
  if (err instanceof LogNotFoundError) return new CodedError(404, err.message, { cause: err });
  if (err instanceof Deno.errors.NotFound) {
    return new CodedError(404, `${op} ${path}: no such file or directory`, { cause: err });
  }
  if (err instanceof Deno.errors.NotADirectory) {
    return new CodedError(400, `${op} ${path}: not a directory`, { cause: err });
  }
  return err;
}

/**
 * Runs `local` with this agent's client when it serves allocation `allocId`, else forwards the
 * request to the agent that does.
 */
export async function onAlloc(
  c: Context,
  deps: ClientRouteDeps,
  allocId: string,
  local: (client: ClientApi) => Promise<Response>,
): Promise<Response> {
  const target = await deps.locator.alloc(c, allocId);
  if (target.kind === "remote") return forward(c, target.urls);
  if (deps.client === null) throw new CodedError(400, "node is not running a Nomad Client");
  return local(deps.client);
}

/** As {@link onAlloc}, for a node (`nodeId` `""`: this agent's own). */
export async function onNode(
  c: Context,
  deps: ClientRouteDeps,
  nodeId: string,
  local: (client: ClientApi) => Promise<Response>,
): Promise<Response> {
  const target = await deps.locator.node(c, nodeId);
  if (target.kind === "remote") return forward(c, target.urls);
  if (deps.client === null) throw new CodedError(400, "node is not running a Nomad Client");
  return local(deps.client);
}
