/**
 * The operator's view of the servers in Nomad's API JSON shape: the Raft configuration
 * (`/v1/operator/raft/configuration`) and the autopilot health report
 * (`/v1/operator/autopilot/health`), shared by the server that answers and the CLI that reads.
 *
 * @module
 */

/** One member of the state's backend (nomad-ts: an etcd member) in the health report. */
export interface BackendMemberHealth {
  Endpoint: string;
  Healthy: boolean;
  /** Whether this member leads the backend's own cluster. */
  Leader: boolean;
  Version: string;
  /** Why it is unhealthy; empty when healthy. */
  Error: string;
}

/** A server in Nomad's Raft configuration (`/v1/operator/raft/configuration`). */
export interface RaftServer {
  /** The server's ID (its node ID). */
  ID: string;
  /** `name.region`. */
  Node: string;
  /** Its RPC address, `ip:port`. */
  Address: string;
  Leader: boolean;
  Voter: boolean;
  RaftProtocol: string;
}

/** `/v1/operator/raft/configuration`. */
export interface RaftConfiguration {
  Servers: RaftServer[];
  Index: number;
}

/** A server's health in `/v1/operator/autopilot/health` (Nomad's api.ServerHealth). */
export interface ServerHealth {
  ID: string;
  Name: string;
  Address: string;
  /** `alive`, `failed` or `left`. */
  SerfStatus: string;
  Version: string;
  Leader: boolean;
  /** Go's duration text, e.g. `0s`, `312ms`. */
  LastContact: string;
  /** The leader's term this server knows (the election revision that began it). */
  LastTerm: number;
  LastIndex: number;
  Healthy: boolean;
  Voter: boolean;
  /** RFC 3339: when `Healthy` last changed. */
  StableSince: string;
}

/** `/v1/operator/autopilot/health` (Nomad's api.OperatorHealthReply), plus `Backend`. */
export interface OperatorHealthReply {
  Healthy: boolean;
  /** How many servers, or members of the backend, may fail without an outage (the least). */
  FailureTolerance: number;
  Servers: ServerHealth[];
  /** The leader's ID. */
  Leader: string;
  Voters: string[];
  /** nomad-ts: the shared state's backend and each of its members (Nomad sends none). */
  Backend?: {
    Kind: string;
    FailureTolerance: number;
    Members: BackendMemberHealth[];
  };
}
