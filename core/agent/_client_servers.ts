/**
 * How a client-only agent reaches its servers: at their RPC ports, as Nomad's clients do
 * (`client { servers = ["10.0.0.1:4647"] }`, `server_join { retry_join = [...] }`; port 4647
 * when an address names none). A nomad-ts server serves its API on the RPC port as on the HTTP
 * port (see core/agent/agent.ts), over `https` when `tls { rpc = true }`.
 *
 * @module
 */

/** Nomad's default RPC port, assumed for an address without one. */
export const DEFAULT_RPC_PORT = 4647;

/**
 * One configured server address as the `host:port` a client dials: an address without a port
 * gets 4647; a scheme and trailing slashes are dropped; IPv6 hosts keep their brackets.
 *
 * @example
 * ```ts
 * rpcAddr("10.0.0.1"); // "10.0.0.1:4647"
 * rpcAddr("[::1]:9000"); // "[::1]:9000"
 * ```
 */
export function rpcAddr(addr: string): string {
  const stripped = addr.trim().replace(/^https?:\/\//, "").replace(/\/+$/, "");
  // A bare IPv6 address (two colons or more, no brackets) names no port.
  if (!stripped.startsWith("[") && stripped.split(":").length > 2) {
    return `[${stripped}]:${DEFAULT_RPC_PORT}`;
  }
  const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(stripped);
  const host = m?.[1] ?? stripped;
  const port = m?.[2] === undefined ? DEFAULT_RPC_PORT : Number(m[2]);
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The addresses a client dials for the configured ones, each once, in order. */
export function rpcAddrs(addresses: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of addresses) {
    if (a.trim() === "") continue;
    const addr = rpcAddr(a);
    if (!out.includes(addr)) out.push(addr);
  }
  return out;
}
