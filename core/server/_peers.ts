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
import { formatDuration } from "../structs/duration.ts";
import type {
  OperatorHealthReply,
  RaftConfiguration,
  RaftServer,
  ServerHealth,
  ServerMember,
} from "./api.ts";
import {
  type BackendHealth,
  type HaBeat,
  type HaMemberRecord,
  type HaMembers,
  STALE_AFTER_MS,
} from "./_ha_members.ts";

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
  /** Asks the backend's members how they are. */
  backendHealth(): Promise<BackendHealth>;
}

/** What this server knows of itself now, for its own line of the health report. */
export interface SelfHealth extends HaBeat {
  /** The leader's RPC address; empty when none is known. */
  readonly leader: string;
}

function beatOf(record: HaMemberRecord): HaBeat | null {
  try {
    return record.beat ? JSON.parse(record.beat) as HaBeat : null;
  } catch {
    return null;
  }
}

/** The members and peers of a server's region. */
export class Peers {
  readonly #self: MemberFacts;
  readonly #shared: { readonly records: PeerRecords; readonly members: HaMembers } | null;
  /** When each server's health last changed, by ID. */
  readonly #stable = new Map<string, { healthy: boolean; since: string }>();

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
   * Each server's health and the backend's (Nomad's autopilot health). A server is healthy
   * while it is alive, has reached the backend within {@link STALE_AFTER_MS} and knows the
   * current leader's term; the region tolerates as many failures as both its servers (one
   * suffices to lead) and its backend (a majority must answer) do.
   */
  async health(self: SelfHealth): Promise<OperatorHealthReply> {
    const backend: BackendHealth = this.#shared
      ? await this.#shared.records.backendHealth()
      : { kind: "deno-kv", members: [], failureTolerance: 0 };
    const records = this.#shared
      ? (await this.#shared.records.refreshMembers().catch(() => null)) ??
        this.#shared.records.members()
      : [];
    const beats = new Map(records.map((r) => [r.id, beatOf(r)]));
    const members = this.members().filter((m) => m.Status !== "left");
    const servers = members.map((m): ServerHealth => {
      const address = `${m.Tags["rpc_addr"]}:${m.Tags["port"]}`;
      const own = m.Name === this.#self.name;
      const beat = own ? self : beats.get(m.Name) ?? null;
      const healthy = m.Status === "alive" && beat !== null &&
        beat.lastContactMs <= STALE_AFTER_MS && beat.term === self.term && self.leader !== "";
      const id = m.Tags["id"] ?? "";
      return {
        ID: id,
        Name: m.Name,
        Address: address,
        SerfStatus: m.Status,
        Version: m.Tags["build"] ?? "",
        Leader: address === self.leader,
        LastContact: formatDuration(Math.round(beat?.lastContactMs ?? 0) * 1_000_000),
        LastTerm: beat?.term ?? 0,
        LastIndex: beat?.index ?? 0,
        Healthy: healthy,
        Voter: true,
        StableSince: this.#stableSince(id, healthy),
      };
    });
    const healthyServers = servers.filter((s) => s.Healthy).length;
    const tolerance = this.#shared
      ? Math.min(healthyServers - 1, backend.failureTolerance)
      : healthyServers - 1;
    return {
      Healthy: healthyServers === servers.length && backend.failureTolerance >= 0,
      FailureTolerance: Math.max(0, tolerance),
      Servers: servers,
      Leader: servers.find((s) => s.Leader)?.ID ?? "",
      Voters: servers.map((s) => s.ID),
      Backend: {
        Kind: backend.kind,
        FailureTolerance: Math.max(0, backend.failureTolerance),
        Members: backend.members.map((b) => ({
          Endpoint: b.endpoint,
          Healthy: b.healthy,
          Leader: b.leader,
          Version: b.version,
          Error: b.error,
        })),
      },
    };
  }

  #stableSince(id: string, healthy: boolean): string {
    const last = this.#stable.get(id);
    if (last && last.healthy === healthy) return last.since;
    // Whole seconds, in UTC, as Nomad rounds it.
    const since = new Date(Math.round(Date.now() / 1000) * 1000).toISOString()
      .replace(".000Z", "Z");
    this.#stable.set(id, { healthy, since });
    return since;
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
