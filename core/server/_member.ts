/**
 * How a server describes itself in `server members` (Nomad's Serf member): its gossip address,
 * and tags with its RPC address, region, datacenter and `bootstrap_expect`.
 *
 * @module
 */
import type { ServerMember } from "./api.ts";

/** What {@link serverMember} needs of a server. */
export interface MemberFacts {
  readonly name: string;
  readonly region: string;
  readonly datacenter: string;
  readonly rpcAddr: string;
  readonly serfAddr: string;
  readonly bootstrapExpect: number;
}

/** `host:port` split at the last colon; the port is 4647 when there is none. */
export function splitHostPort(addr: string): [string, string] {
  const i = addr.lastIndexOf(":");
  return i < 0 ? [addr, "4647"] : [addr.slice(0, i), addr.slice(i + 1)];
}

/** The member entry of a live server. */
export function serverMember(s: MemberFacts): ServerMember {
  const [host, port] = splitHostPort(s.rpcAddr);
  const [serfHost, serfPort] = splitHostPort(s.serfAddr);
  return {
    Name: s.name,
    Addr: serfHost,
    Port: Number(serfPort),
    Tags: {
      role: "nomad",
      region: s.region,
      dc: s.datacenter,
      rpc_addr: host,
      port,
      build: "1.11.0",
      vsn: "1",
      raft_vsn: "3",
      expect: String(s.bootstrapExpect),
      bootstrap: "1",
    },
    Status: "alive",
    ProtocolMin: 1,
    ProtocolMax: 5,
    ProtocolCur: 2,
    DelegateMin: 2,
    DelegateMax: 5,
    DelegateCur: 4,
  };
}
