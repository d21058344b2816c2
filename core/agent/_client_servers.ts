/**
 * How a client-only agent reaches its servers. Nomad's clients list the servers' RPC addresses
 * (`client { servers = ["10.0.0.1:4647"] }`, port 4647 by default); nomad-ts has no RPC
 * listener yet, so its clients call the servers' HTTP API instead. Each address is probed:
 * its own port first (a server whose HTTP API listens there), then port 4646 on the same host
 * (Nomad's HTTP port, where a nomad-ts server listens when the configuration names its RPC
 * port). An address where neither answers yet keeps both, and the client fails over between
 * them until one does.
 *
 * @module
 */

/** Nomad's default RPC port, assumed for an address without one. */
export const DEFAULT_RPC_PORT = 4647;
/** Nomad's default HTTP port, tried when an address's own port does not answer HTTP. */
export const DEFAULT_HTTP_PORT = 4646;

/** What {@link resolveServerHttp} found. */
export interface ServerHttpAddrs {
  /** `host:port` of the servers' HTTP APIs, best first. */
  readonly addrs: string[];
  /** One line per configured address saying where it is reached, for the logs. */
  readonly notes: string[];
}

/** Options of {@link resolveServerHttp}. */
export interface ResolveOptions {
  /** `https` when the agent's HTTP uses TLS (addresses are then not probed). */
  readonly scheme?: "http" | "https";
  /** How long one probe may take, in ms (default 1500). */
  readonly timeoutMs?: number;
  /** Replaces `fetch` (tests). */
  readonly fetch?: typeof fetch;
}

function splitHostPort(addr: string): [string, number] {
  const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(addr.trim());
  const host = m?.[1] ?? addr;
  const port = m?.[2] === undefined ? DEFAULT_RPC_PORT : Number(m[2]);
  return [host, port];
}

function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The HTTP addresses to try for one configured server address, in order. */
export function httpCandidates(addr: string): string[] {
  const stripped = addr.trim().replace(/^https?:\/\//, "").replace(/\/+$/, "");
  const [host, port] = splitHostPort(stripped);
  const own = joinHostPort(host, port);
  return port === DEFAULT_HTTP_PORT ? [own] : [own, joinHostPort(host, DEFAULT_HTTP_PORT)];
}

async function answersHttp(
  url: string,
  timeoutMs: number,
  doFetch: typeof fetch,
): Promise<boolean> {
  try {
    const res = await doFetch(`${url}/v1/status/leader`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.status < 500 || res.headers.has("X-Nomad-Index");
  } catch {
    return false;
  }
}

/**
 * Maps the configured server addresses to their HTTP APIs by probing `GET /v1/status/leader`
 * on each candidate ({@link httpCandidates}).
 *
 * @example
 * ```ts
 * const { addrs } = await resolveServerHttp(["127.0.0.1:4647"]);
 * addrs; // ["127.0.0.1:4646"] when only port 4646 answers
 * ```
 */
export async function resolveServerHttp(
  addresses: readonly string[],
  opts: ResolveOptions = {},
): Promise<ServerHttpAddrs> {
  const scheme = opts.scheme ?? "http";
  const doFetch = opts.fetch ?? fetch;
  const addrs: string[] = [];
  const notes: string[] = [];
  const add = (a: string) => void (addrs.includes(a) || addrs.push(a));
  for (const addr of addresses) {
    if (addr.trim() === "") continue;
    const candidates = httpCandidates(addr);
    let found: string | undefined;
    if (scheme === "http") {
      for (const cand of candidates) {
        if (await answersHttp(`${scheme}://${cand}`, opts.timeoutMs ?? 1500, doFetch)) {
          found = cand;
          break;
        }
      }
    }
    if (found !== undefined) {
      add(found);
      notes.push(`server ${addr} is reached over its HTTP API at ${found}`);
    } else {
      candidates.forEach(add);
      notes.push(
        `server ${addr} did not answer yet; trying its HTTP API at ${candidates.join(" then ")}`,
      );
    }
  }
  return { addrs, notes };
}
