/**
 * Servers that share a state log (issue 8): only the leader writes, so a follower forwards
 * writes and consistent reads to the leader's RPC address (where a nomad-ts server serves the
 * same API), as Nomad's servers forward RPCs to their leader. Reads with `?stale` are answered
 * from the follower's own state, with truthful `X-Nomad-KnownLeader` and
 * `X-Nomad-LastContact` headers. The agent's own endpoints (`/v1/agent`, `/v1/client`,
 * `/v1/status`, `/v1/metrics`, `/v1/regions`) are always answered locally.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { CodedError } from "./errors.ts";
import { forward, mayForward } from "./routes/_client_forward.ts";

/** Nomad's answer when no server leads. */
export const ERR_NO_LEADER = "No cluster leader";

/** Who leads, from this server's point of view (`Server.isLeader()` and friends). */
export interface Leadership {
  isLeader(): boolean;
  /** The leader's RPC address (`ip:port`); empty when unknown. */
  leader(): string;
  /** Milliseconds since this server last heard from the leader. */
  lastContactMs(): number;
}

const LOCAL = /^\/v1\/(agent|client|status|metrics|regions)(\/|$)/;

/** Whether the request may be answered from a follower's state. */
function staleOk(c: Context): boolean {
  const m = c.req.method;
  return (m === "GET" || m === "HEAD") && c.req.query("stale") !== undefined;
}

/** How long a follower keeps trying to reach a leader, as Nomad's `rpc_hold_timeout`. */
export const LEADER_HOLD_MS = 5_000;

/**
 * The middleware that forwards a follower's writes and consistent reads to the leader. When
 * no leader is known or it does not answer, it tries again (the election may be moving) for
 * up to `holdMs`, then answers 500 `No cluster leader`.
 *
 * @param scheme `https` when the servers' RPC ports use TLS.
 */
export function leaderForwarding(
  l: Leadership,
  scheme = "http",
  holdMs = LEADER_HOLD_MS,
): MiddlewareHandler {
  return async (c, next) => {
    const path = c.req.path;
    if (!path.startsWith("/v1/") || LOCAL.test(path) || l.isLeader()) {
      await next();
      return;
    }
    if (staleOk(c) || !mayForward(c)) {
      await next();
      setLeaderHeaders(c, l.leader() !== "", l.lastContactMs());
      return;
    }
    const deadline = Date.now() + holdMs;
    for (;;) {
      if (l.isLeader()) {
        await next();
        return;
      }
      const leader = l.leader();
      if (leader !== "") {
        try {
          return await forward(c, `${scheme}://${leader}`, {
            unreachable: (cause) => new CodedError(500, ERR_NO_LEADER, { cause }),
          });
        } catch (err) {
          if (!(err instanceof CodedError) || Date.now() >= deadline) throw err;
        }
      } else if (Date.now() >= deadline) {
        throw new CodedError(500, ERR_NO_LEADER);
      }
      if (c.req.raw.signal.aborted) throw new CodedError(500, ERR_NO_LEADER);
      await new Promise((r) => setTimeout(r, Math.min(100, Math.max(0, deadline - Date.now()))));
    }
  };
}

function setLeaderHeaders(c: Context, known: boolean, lastContact: number): void {
  try {
    c.res.headers.set("X-Nomad-KnownLeader", String(known));
    if (c.res.headers.has("X-Nomad-Index")) {
      c.res.headers.set("X-Nomad-LastContact", String(Math.round(lastContact)));
    }
  } catch {
    // An immutable response (proxied): its headers are the answering server's.
  }
}
