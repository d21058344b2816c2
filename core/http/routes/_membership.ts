/**
 * The servers' pool behind `PUT /v1/agent/join` and `PUT /v1/agent/force-leave`. nomad-ts
 * servers speak no gossip: a server alone is its own pool, and servers sharing a log meet
 * through etcd, where each one's member record is (`core/server/_peers.ts`).
 *
 * Joining answers as Nomad's Serf does for what it can check: an address that is already a
 * member counts as joined; an address nothing answers on fails with Go's dial error
 * (`Failed to join 10.0.0.9:4648: dial tcp 10.0.0.9:4648: connect: connection refused`),
 * gathered in Nomad's multi-error text. An address where something answers but no member is
 * cannot be joined, and the error says how servers meet. Forcing a member out is the server's
 * (`ServerApi.forceLeave`).
 *
 * @module
 */
import type { Membership } from "./deps.ts";

/** Nomad's Serf port, the port of a join address that names none. */
export const SERF_PORT = 4648;

/** How long a join waits for an address to answer (memberlist's LAN `TCPTimeout`). */
export const JOIN_DIAL_TIMEOUT_MS = 10_000;

/** A member of the pool, as `/v1/agent/members` lists it. */
export interface PoolMember {
  readonly Name: string;
  readonly Addr: string;
  readonly Port: number;
}

/** Options of {@link localMembership}. */
export interface LocalMembershipOptions {
  /** The members of the pool (this server, or the servers sharing its log). */
  readonly members: () => readonly PoolMember[];
  /** Marks a dead member left (`prune`: removes it); default a no-op. */
  readonly forceLeave?: (node: string, prune: boolean) => Promise<void>;
  /** How long to wait for an address to answer (default {@link JOIN_DIAL_TIMEOUT_MS}). */
  readonly dialTimeoutMs?: number;
}

/**
 * Go's `multierror` text: `1 error occurred:\n\t* <error>\n\n`.
 *
 * @example
 * ```ts
 * multiError(["a", "b"]); // "2 errors occurred:\n\t* a\n\t* b\n\n"
 * ```
 */
export function multiError(errors: readonly string[]): string {
  const points = errors.map((e) => `\t* ${e}`).join("\n");
  return `${errors.length} error${errors.length === 1 ? "" : "s"} occurred:\n${points}\n\n`;
}

/** Host and port as Go's `net.JoinHostPort` joins them (brackets around IPv6 hosts). */
export function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Splits a join address as memberlist does: `host`, `host:port`, `[v6]:port` or a bare IPv6
 * address (brackets optional); the port defaults to `defaultPort`.
 *
 * @throws {Error} Go's wording for a malformed address or port.
 */
export function splitJoinAddress(addr: string, defaultPort: number): [string, number] {
  const colons = addr.split(":").length - 1;
  const hasPort = addr.startsWith("[") ? addr.includes("]:") : colons === 1;
  if (!hasPort) return [addr.replace(/^\[+|\]+$/g, ""), defaultPort];
  const at = addr.lastIndexOf(":");
  let host = addr.slice(0, at);
  const portText = addr.slice(at + 1);
  if (host.startsWith("[")) {
    if (!host.endsWith("]")) throw new Error(`address ${addr}: missing ']' in address`);
    host = host.slice(1, -1);
  } else if (host.includes("]")) {
    throw new Error(`address ${addr}: unexpected ']' in address`);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    const why = /^\d+$/.test(portText) ? "value out of range" : "invalid syntax";
    throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(portText)}: ${why}`);
  }
  return [host, port];
}

/** Go's text for a failed dial, from Deno's error. */
function dialError(hostPort: string, err: unknown): string {
  if (err instanceof Deno.errors.ConnectionRefused) {
    return `dial tcp ${hostPort}: connect: connection refused`;
  }
  if (err instanceof Deno.errors.TimedOut) return `dial tcp ${hostPort}: i/o timeout`;
  const message = err instanceof Error ? err.message : String(err);
  return `dial tcp ${hostPort}: ${message.replace(/ \(os error \d+\)$/, "").toLowerCase()}`;
}

/** Connects to `host:port` and closes at once; rejects with Deno's error or `TimedOut`. */
async function probe(host: string, port: number, timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const connecting = Deno.connect({ hostname: host, port });
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Deno.errors.TimedOut("i/o timeout")), timeoutMs);
  });
  // The connection is closed however the race ends, also when it completes after the timeout.
  connecting.then((c) => c.close(), () => {});
  try {
    await Promise.race([connecting, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The pool of a server that runs alone; see the module documentation. */
export function localMembership(opts: LocalMembershipOptions): Membership {
  const timeoutMs = opts.dialTimeoutMs ?? JOIN_DIAL_TIMEOUT_MS;
  return {
    async join(addresses) {
      const members = opts.members();
      const defaultPort = members[0]?.Port || SERF_PORT;
      const known = new Set(members.map((m) => joinHostPort(m.Addr, m.Port)));
      let joined = 0;
      const errors: string[] = [];
      for (const addr of addresses) {
        let host: string;
        let port: number;
        try {
          [host, port] = splitJoinAddress(addr, defaultPort);
        } catch (err) {
          errors.push(`Failed to resolve ${addr}: ${(err as Error).message}`);
          continue;
        }
        const hostPort = joinHostPort(host, port);
        if (known.has(hostPort)) {
          joined++;
          continue;
        }
        try {
          await probe(host, port, timeoutMs);
        } catch (err) {
          const lookup = err instanceof Error && /lookup address|not known|no such host/i.test(
            err.message,
          );
          errors.push(
            lookup
              ? `Failed to resolve ${addr}: lookup ${host}: no such host`
              : `Failed to join ${hostPort}: ${dialError(hostPort, err)}`,
          );
          continue;
        }
        errors.push(
          `Failed to join ${hostPort}: no server of this cluster is there; nomad-ts servers ` +
            "speak no gossip and meet through etcd (server { etcd { endpoints = [...] } })",
        );
      }
      if (joined > 0 || errors.length === 0) return joined;
      throw new Error(multiError(errors));
    },
    forceLeave(node, prune) {
      return opts.forceLeave ? opts.forceLeave(node, prune) : Promise.resolve();
    },
  };
}
