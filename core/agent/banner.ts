/**
 * The block of agent facts Nomad prints at startup, under `==> Nomad agent configuration:`:
 * keys sorted, title-cased and right-aligned on the colon.
 *
 * ```
 *        Advertise Addrs: HTTP: 127.0.0.1:4646; RPC: 127.0.0.1:4647; Serf: 127.0.0.1:4648
 *             Bind Addrs: HTTP: [127.0.0.1:4646]; RPC: 127.0.0.1:4647; Serf: 127.0.0.1:4648
 *                 Client: true
 * ```
 *
 * @module
 */
import type { Config } from "./config.ts";
import type { NormalizedAddrs } from "./config_normalize.ts";

const PADDING = 18;

function title(key: string): string {
  return key.replace(/\b[a-z]/g, (c) => c.toUpperCase());
}

/**
 * Formats the facts as Nomad does: `    ` (its info prefix), the key padded to 18 columns,
 * `: `, the value; keys in sorted order.
 */
export function infoLines(info: Readonly<Record<string, string>>): string[] {
  return Object.keys(info).sort().map((k) =>
    `    ${" ".repeat(Math.max(0, PADDING - k.length))}${title(k)}: ${info[k]}`
  );
}

/** What the banner says about an agent. */
export interface BannerFacts {
  readonly config: Config;
  /** Where the agent listens. */
  readonly bind: NormalizedAddrs;
  readonly version: string;
  /** The agent's node ID (the server's; the client's on a `-dev` or client-only agent). */
  readonly nodeId?: string;
}

/**
 * The facts Nomad lists: addresses (RPC and Serf only on a server), client, log level, node ID,
 * region and datacenter, server, version. Nomad shows the server's node ID only; nomad-ts also
 * shows a client-only agent's (the node `node status -self` describes).
 */
export function bannerInfo(facts: BannerFacts): Record<string, string> {
  const { config: c, bind, version } = facts;
  const server = c.Server.Enabled;
  const adv = c.AdvertiseAddrs;
  const info: Record<string, string> = {
    "advertise addrs": `HTTP: ${adv.HTTP}` + (server ? `; RPC: ${adv.RPC}; Serf: ${adv.Serf}` : ""),
    "bind addrs": `HTTP: [${bind.HTTP.join(" ")}]` +
      (server ? `; RPC: ${bind.RPC}; Serf: ${bind.Serf}` : ""),
    client: String(c.Client.Enabled),
    "log level": c.LogLevel,
    region: `${c.Region} (DC: ${c.Datacenter})`,
    server: String(server),
    version,
  };
  if (facts.nodeId) info["node id"] = facts.nodeId;
  return info;
}
