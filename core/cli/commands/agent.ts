/**
 * `nomad-ts agent [options]`: runs an agent: a server, a client, or both (`-dev`)
 * until SIGINT or SIGTERM. The flags are parsed here, Go-style; the agent itself (configuration
 * files, banner, logs, server and HTTP API) lives in core/agent and is loaded only when the
 * command runs.
 *
 * @module
 */
import { type Command, parseCommandFlags, PROGRAM } from "../command.ts";
import { revision, VERSION } from "../version.ts";

/** The `agent` command. */
const agent: Command = {
  name: "agent",
  help: () =>
    `Usage: ${PROGRAM} agent [options]

  Starts a ${PROGRAM} agent and runs it until it is interrupted (SIGINT or
  SIGTERM), then shuts it down gracefully. An agent is a server, a client or
  both. Tasks a client runs keep running when the agent stops or is killed,
  and are picked up again when it starts.

  Most settings come from configuration files; the options below override
  them.

General Options (clients and servers):

  -bind=<addr>
    The address every service of the agent binds to. Default 0.0.0.0
    (127.0.0.1 with -dev).

  -config=<path>
    A configuration file (HCL or JSON), or a directory whose *.hcl and
    *.json files are loaded in lexical order. May be repeated; later files
    are merged over earlier ones.

  -data-dir=<path>
    Where the agent keeps its state (an absolute path). A server stores the
    cluster state under <data-dir>/server.

  -plugin-dir=<path>
    Where plugins are found. Default <data-dir>/plugins.

  -dc=<datacenter>
    The datacenter of this agent. Default "dc1".

  -log-level=<level>
    TRACE, DEBUG, INFO, WARN, ERROR or OFF. Default INFO.

  -log-json
    Write logs as JSON, one object per line.

  -log-include-location
    Accepted for compatibility; file and line are not logged.

  -node=<name>
    The name of this agent, unique in its region. Default: the host name.

  -region=<region>
    The region of this agent. Default "global".

  -dev
    Development mode: one agent that is server and client, bound to
    127.0.0.1, state kept in memory, DEBUG logs, raw_exec enabled and
    Prometheus metrics on. Needs no configuration.

Server Options:

  -server
    Run a server: it stores the cluster state, schedules work and serves
    the HTTP API.

  -bootstrap-expect=<num>
    How many servers to wait for before electing a leader.

  -encrypt=<key>
    The gossip encryption key.

  -join=<address>, -retry-join=<address>, -retry-max=<num>,
  -retry-interval=<duration>, -rejoin, -raft-protocol=<num>
    Accepted and ignored: ${PROGRAM} servers meet through etcd (server { etcd { ... } }).

Client Options:

  -client
    Run a client, which runs the tasks of allocations placed on its node.

  -state-dir, -alloc-dir, -alloc-mounts-dir, -host-volumes-dir,
  -host-volume-plugin-dir=<path>
    Directories of the client. Default: under -data-dir.

  -servers=<host:port,...>
    The servers the client registers with.

  -node-class=<class>, -node-pool=<pool>
    The class and node pool of this client's node.

  -meta=<key=value>
    Metadata of the node; may be repeated.

  -network-interface=<name>, -preferred-address-family=<ipv4|ipv6>,
  -network-speed=<mbits>, -client-intro-token=<token>
    Networking and registration settings of the client.

ACL Options:

  -acl-enabled
    Enable ACLs.

  -acl-replication-token=<token>
    The token servers replicate ACLs from the authoritative region with.

Consul and Vault Options:

  The -consul-* and -vault-* options of Nomad, and -dev-connect, -dev-consul
  and -dev-vault, are accepted and ignored: ${PROGRAM} does not integrate with
  Consul or Vault.`,
  async run(args, ctx) {
    const { AGENT_FLAGS, runAgent } = await import("../../agent/mod.ts");
    const parsed = await parseCommandFlags(agent, AGENT_FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const rev = await revision();
    return await runAgent(parsed.flags, parsed.set, {
      ui: ctx.ui,
      version: VERSION,
      ...(rev ? { revision: rev } : {}),
    });
  },
};
export default agent;
