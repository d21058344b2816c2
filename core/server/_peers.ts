/**
 * The servers of a region as the operator sees them: `server members` (Nomad's Serf members),
 * `status/peers` and `operator raft list-peers` (Nomad's Raft configuration), and the two ways
 * to drop a dead server, `server force-leave` and `operator raft remove-peer`.
 *
 * A server alone is its own only member, peer and leader. Servers sharing a log through etcd
 * read each other's member records (`_ha_members.ts`): a record whose server is alive shows
 * `alive`, one whose server stopped or died `failed` (it stays a peer, as a Nomad server that
 * stopped without leaving stays in Raft), and one that `force-leave` marked `left` (no longer a
 * peer) until `-prune` or `remove-peer` deletes it.
 *
 * @module
 */
import { ConflictError, NotFoundError } from "../structs/errors.ts";
import type { RaftConfiguration, RaftServer, ServerMember } from "./api.ts";
import type { HaMemberRecord, HaMembers } from "./_ha_members.ts";

/** What {@link serverMember} needs of a server. */
export interface MemberFacts {
  readonly id: string;
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

/** The member entry of a live server: its gossip address, and tags as Nomad's servers set. */
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
      id: s.id,
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

/** A record as a member: alive while its mark lasts, then failed (or left). */
function memberOf(record: HaMemberRecord): ServerMember {
  const m = JSON.parse(record.value) as ServerMember;
  return { ...m, Status: record.alive ? "alive" : m.Status === "left" ? "left" : "failed" };
}

/** Where {@link Peers} reads the records of servers sharing a log. */
export interface PeerRecords {
  /** The records last read. */
  members(): HaMemberRecord[];
  /** Reads them now. */
  refreshMembers(): Promise<HaMemberRecord[]>;
}

/** The members and peers of a server's region. */
export class Peers {
  readonly #self: MemberFacts;
  readonly #shared: { readonly records: PeerRecords; readonly members: HaMembers } | null;

  constructor(
    self: MemberFacts,
    shared: { readonly records: PeerRecords; readonly members: HaMembers } | null,
  ) {
    this.#self = self;
    this.#shared = shared;
  }

  /** Every member, sorted by name. */
  members(): ServerMember[] {
    if (!this.#shared) return [serverMember(this.#self)];
    return this.#shared.records.members().map(memberOf);
  }

  /** The Raft configuration: every member that has not left; `leader` is the leader's address. */
  configuration(leader: string, index: number): RaftConfiguration {
    const servers = this.members().filter((m) => m.Status !== "left").map((m): RaftServer => {
      const address = `${m.Tags["rpc_addr"]}:${m.Tags["port"]}`;
      return {
        ID: m.Tags["id"] ?? "",
        Node: m.Name,
        Address: address,
        Leader: address === leader,
        Voter: true,
        RaftProtocol: m.Tags["raft_vsn"] ?? "3",
      };
    });
    return { Servers: servers, Index: index };
  }

  /**
   * Removes the dead server whose ID is `id` from the configuration (and the members).
   *
   * @throws {NotFoundError} no peer has that ID.
   * @throws {ConflictError} the server is alive.
   */
  async removePeer(id: string): Promise<void> {
    const members = this.#shared
      ? (await this.#shared.records.refreshMembers()).map(memberOf)
      : this.members();
    const peer = members.find((m) => m.Tags["id"] === id && m.Status !== "left");
    if (!peer) throw new NotFoundError(`id "${id}" was not found in the Raft configuration`);
    const removed = this.#shared !== null && peer.Status !== "alive" &&
      await this.#shared.members.removeMember(peer.Name);
    if (!removed) {
      throw new ConflictError(
        `Cannot remove peer "${id}": server ${peer.Name} is alive; stop it before removing it`,
      );
    }
    await this.#shared?.records.refreshMembers().catch(() => {});
  }

  /**
   * Marks the dead server `node` (`name` or `name.region`) left, or with `prune` removes it.
   * As in Nomad, an unknown or live member is no error (a live server would refute it).
   */
  async forceLeave(node: string, prune: boolean): Promise<void> {
    if (!this.#shared) return;
    const { records, members } = this.#shared;
    const id = this.#fullName(node);
    const record = (await records.refreshMembers()).find((r) => r.id === id);
    if (!record || record.alive) return;
    if (prune) await members.removeMember(id);
    else await members.setMember(id, JSON.stringify({ ...memberOf(record), Status: "left" }));
    await records.refreshMembers().catch(() => {});
  }

  /** A record's key: the member's name, `name.region`. */
  #fullName(name: string): string {
    const suffix = `.${this.#self.region}`;
    return name.endsWith(suffix) ? name : name + suffix;
  }
}
