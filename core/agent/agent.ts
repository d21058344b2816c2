/**
 * The agent process: the server (state store, scheduling loops), the client (its node and the
 * tasks of its allocations) and the HTTP API on one configuration, started together and shut
 * down gracefully. With `-dev` the agent is both, the client calling the server in-process; a
 * client-only agent reaches its servers at their RPC ports and forwards to them the requests
 * its own API does not serve.
 *
 * @module
 */
import { join } from "node:path";
import type { Hono } from "hono";
import type { Client, ClientConfig } from "../client/client.ts";
import { createApi, createClientAgentApi } from "../http/api.ts";
import { KvLogBackend, type LogBackend, MemoryLogBackend, StateStore } from "../state/mod.ts";
import { Server, type ServerOptions } from "../server/mod.ts";
import { MetricsRegistry } from "../structs/metrics.ts";
import type { Config } from "./config.ts";
import { bindAddrs } from "./config_normalize.ts";
import type { Logger } from "./log.ts";
import { listen, type Listener } from "./_http_listener.ts";
import { agentInfo, type VersionInfo } from "./_agent_info.ts";
import { startClient, type StartedClient } from "./_client_start.ts";
import { etcdPrefix, type EtcdServerState, openEtcdServer } from "./_etcd_server.ts";
import { lockDataDir, serverNodeId } from "./_data_dir.ts";

/** Options of {@link Agent.start}. */
export interface AgentOptions {
  readonly logger: Logger;
  /** The nomad-ts version (`/v1/agent/self`, `server members`). */
  readonly version: string;
  /** The git revision, when known. */
  readonly revision?: string;
  /** The state log; default Deno KV under `<data_dir>/server`, or memory with `-dev`. */
  readonly backend?: LogBackend;
  /** Server settings tests shorten (heartbeats, GC). */
  readonly server?: Partial<ServerOptions>;
  /** Client settings tests shorten (status sync, allocation wait). */
  readonly client?: Partial<ClientConfig>;
}

const NS_PER_MS = 1_000_000;

/** The machine's name, the default node name (as Nomad's `os.Hostname`). */
function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "nomad";
  }
}

/** Applies `server.default_scheduler_config` when the cluster has never had one set. */
async function applyDefaultSchedulerConfig(server: Server, config: Config): Promise<void> {
  const wanted = config.Server.DefaultSchedulerConfig;
  const current = server.getSchedulerConfig();
  if (current.Index !== 0) return;
  const p = wanted.PreemptionConfig;
  const touched = wanted.SchedulerAlgorithm !== "" || wanted.MemoryOversubscriptionEnabled ||
    wanted.RejectJobRegistration || wanted.PauseEvalBroker ||
    Object.values(p).some((v) => v !== null);
  if (!touched) return;
  const base = current.SchedulerConfig;
  await server.setSchedulerConfig({
    ...base,
    SchedulerAlgorithm: wanted.SchedulerAlgorithm || base.SchedulerAlgorithm,
    MemoryOversubscriptionEnabled: wanted.MemoryOversubscriptionEnabled,
    RejectJobRegistration: wanted.RejectJobRegistration,
    PauseEvalBroker: wanted.PauseEvalBroker,
    PreemptionConfig: {
      SystemSchedulerEnabled: p.SystemSchedulerEnabled ??
        base.PreemptionConfig.SystemSchedulerEnabled,
      SysBatchSchedulerEnabled: p.SysBatchSchedulerEnabled ??
        base.PreemptionConfig.SysBatchSchedulerEnabled,
      BatchSchedulerEnabled: p.BatchSchedulerEnabled ?? base.PreemptionConfig.BatchSchedulerEnabled,
      ServiceSchedulerEnabled: p.ServiceSchedulerEnabled ??
        base.PreemptionConfig.ServiceSchedulerEnabled,
    },
  }, null);
}

function serverOptions(
  config: Config,
  state: StateStore,
  metrics: MetricsRegistry,
  log: Logger,
  opts: AgentOptions,
  id: string,
): ServerOptions {
  const s = config.Server;
  return {
    state,
    id,
    region: config.Region,
    datacenter: config.Datacenter,
    name: config.NodeName || hostname(),
    rpcAddr: config.AdvertiseAddrs.RPC,
    serfAddr: config.AdvertiseAddrs.Serf,
    bootstrapExpect: Math.max(1, s.BootstrapExpect),
    logger: log.named("nomad"),
    metrics,
    ...(s.NumSchedulers === null ? {} : { numSchedulers: s.NumSchedulers }),
    ...(s.MinHeartbeatTTL ? { minHeartbeatTtlMs: s.MinHeartbeatTTL / NS_PER_MS } : {}),
    ...(s.HeartbeatGrace ? { heartbeatGraceMs: s.HeartbeatGrace / NS_PER_MS } : {}),
    ...(s.FailoverHeartbeatTTL
      ? { failoverHeartbeatTtlMs: s.FailoverHeartbeatTTL / NS_PER_MS }
      : {}),
    ...opts.server,
  };
}

/** Whether the server keeps its state in etcd, shared with other servers. */
function onEtcd(config: Config, opts: AgentOptions): boolean {
  return (config.Server.Etcd.Endpoints ?? []).length > 0 && opts.backend === undefined;
}

/** The server half of a running agent. */
interface ServerPart {
  readonly server: Server;
  readonly state: StateStore;
  readonly metrics: MetricsRegistry;
  readonly nodeId: string;
  readonly lock: Deno.FsFile | null;
}

async function startServer(
  config: Config,
  opts: AgentOptions,
  undo: (() => unknown)[],
): Promise<ServerPart> {
  const log = opts.logger;
  const dir = config.DevMode ? "" : config.Server.DataDir || join(config.DataDir, "server");
  const lock = dir === "" ? null : await lockDataDir(dir);
  undo.unshift(() => lock?.close());
  const nodeId = await serverNodeId(dir);
  let etcd: EtcdServerState | null = null;
  if (onEtcd(config, opts)) {
    etcd = await openEtcdServer(config);
    log.named("nomad.etcd").info("state on etcd: following and campaigning for leadership", {
      prefix: etcdPrefix(config),
      endpoints: (config.Server.Etcd.Endpoints ?? []).join(","),
    });
  }
  const backend = opts.backend ?? etcd?.backend ??
    (dir === "" ? new MemoryLogBackend() : await KvLogBackend.open(join(dir, "state.kv")));
  const state = await StateStore.open({
    backend,
    ...(config.Server.JobTrackedVersions === null
      ? {}
      : { jobTrackedVersions: config.Server.JobTrackedVersions }),
    ...(config.Server.EventBufferSize === null
      ? {}
      : { eventBufferSize: config.Server.EventBufferSize }),
    onError: (err) => log.named("nomad.state").error("state compaction failed", { error: err }),
  });
  undo.unshift(() => state.close());
  const stats = state.stats();
  log.named("nomad.state").info("state restored", {
    index: stats.index,
    replayed: stats.replayed,
  });
  const metrics = new MetricsRegistry({ prefix: "nomad" });
  const options = serverOptions(config, state, metrics, log, opts, nodeId);
  // On etcd the elected server applies the configured scheduler defaults (once it leads).
  const applyDefaults = () =>
    applyDefaultSchedulerConfig(server, config).catch((err) =>
      log.named("nomad").error("cannot apply the default scheduler configuration", {
        error: err instanceof Error ? err.message : String(err),
      })
    );
  const server: Server = Server.start(
    etcd ? { ...options, ha: { ...etcd.ha, onLeader: () => void applyDefaults() } } : options,
  );
  undo.unshift(() => server.stop());
  if (!etcd) await applyDefaultSchedulerConfig(server, config);
  return { server, state, metrics, nodeId, lock };
}

/**
 * A running agent. Its configuration must have been resolved (`normalizeAddrs`) and checked
 * (`validateConfig`).
 *
 * @example
 * ```ts
 * const agent = await Agent.start(config, { logger, version: "0.1.0" });
 * agent.httpAddrs; // ["127.0.0.1:4646"]
 * await agent.shutdown();
 * ```
 */
export class Agent {
  readonly config: Config;
  /** The server, or `null` on an agent that is not a server. */
  readonly server: Server | null;
  readonly state: StateStore | null;
  /** The client, or `null` on an agent that is not a client. */
  readonly client: Client | null;
  /**
   * The node ID the banner shows: the server's (kept in `<data_dir>/server/node-id`); the
   * client's with `-dev` (where both are new each run) and on a client-only agent.
   */
  readonly nodeId: string;
  /** Where the HTTP API listens, `ip:port` (the real ports when 0 was configured). */
  readonly httpAddrs: readonly string[];
  /** Where a server agent's RPC port listens, `ip:port`; `null` on a client-only agent. */
  readonly rpcAddr: string | null;
  readonly #listeners: Listener[];
  readonly #locks: (Deno.FsFile | null)[];
  readonly #clientCleanup: () => Promise<void>;
  readonly #logger: Logger;
  #stopping: Promise<void> | null = null;

  private constructor(
    config: Config,
    parts: {
      server: ServerPart | null;
      client: StartedClient | null;
      listeners: Listener[];
    },
    logger: Logger,
  ) {
    this.config = config;
    this.server = parts.server?.server ?? null;
    this.state = parts.server?.state ?? null;
    this.client = parts.client?.client ?? null;
    const serverId = parts.server?.nodeId ?? "";
    this.nodeId = this.client !== null && (config.DevMode || serverId === "")
      ? this.client.nodeId
      : serverId;
    this.#listeners = parts.listeners;
    this.#locks = [parts.server?.lock ?? null, parts.client?.lock ?? null];
    this.#clientCleanup = parts.client?.cleanup ?? (() => Promise.resolve());
    const rpc = parts.server === null ? null : parts.listeners.at(-1)!;
    this.httpAddrs = parts.listeners.filter((l) => l !== rpc).map((l) => l.addr);
    this.rpcAddr = rpc?.addr ?? null;
    this.#logger = logger;
  }

  /** Starts the server, the client and the HTTP API as `config` says. */
  static async start(config: Config, opts: AgentOptions): Promise<Agent> {
    const log = opts.logger;
    if (config.DataDir !== "" && !config.DevMode) {
      await Deno.mkdir(config.DataDir, { recursive: true });
    }
    const undo: (() => unknown)[] = [];
    try {
      const server = config.Server.Enabled ? await startServer(config, opts, undo) : null;
      let client: StartedClient | null = null;
      if (config.Client.Enabled) {
        client = await startClient(config, {
          server: server && { server: server.server, state: server.state },
          logger: log,
          ...(opts.client ? { overrides: opts.client } : {}),
        });
        const started = client;
        undo.unshift(
          () => started.client.shutdown(),
          () => started.lock?.close(),
          () => started.cleanup(),
        );
      }
      const app = agentApp(config, opts, server, client);
      const listeners: Listener[] = [];
      undo.unshift(() => Promise.all(listeners.map((l) => l.close())));
      for (const addr of bindAddrs(config).HTTP) {
        const l = await listen(addr, app.fetch, config.TLSConfig);
        listeners.push(l);
        log.named("http").info("listening", { address: l.addr, tls: config.TLSConfig.EnableHTTP });
      }
      // The RPC port, where clients and other agents reach a server. Nomad speaks msgpack-RPC
      // there; nomad-ts agents speak the same API as on the HTTP port, over its own listener
      // with its own TLS (`tls.rpc`, peers' certificates verified).
      if (server !== null) {
        const l = await listen(bindAddrs(config).RPC, app.fetch, config.TLSConfig, "rpc");
        listeners.push(l);
        log.named("rpc").info("listening", { address: l.addr, tls: config.TLSConfig.EnableRPC });
      }
      return new Agent(config, { server, client, listeners }, log);
    } catch (err) {
      for (const step of undo) await step();
      throw err;
    }
  }

  /**
   * Stops gracefully, in Nomad's order: the client (its tasks keep running; the next agent on
   * this data directory re-attaches to them), the server's loops, the state store (which ends
   * blocking queries and event streams still open), then the HTTP listeners. Idempotent.
   */
  shutdown(): Promise<void> {
    this.#stopping ??= (async () => {
      const log = this.#logger.named("agent");
      log.info("requesting shutdown");
      await this.client?.shutdown();
      await this.server?.stop();
      await this.state?.close();
      await Promise.all(this.#listeners.map((l) => l.close()));
      for (const lock of this.#locks) lock?.close();
      await this.#clientCleanup();
      log.info("shutdown complete");
    })();
    return this.#stopping;
  }
}

/** The HTTP API: the whole API over the server, or a client-only agent's. */
function agentApp(
  config: Config,
  opts: AgentOptions,
  server: ServerPart | null,
  client: StartedClient | null,
): Hono {
  const version: VersionInfo = {
    Revision: opts.revision ?? "",
    Version: opts.version,
    VersionMetadata: "",
    VersionPrerelease: "",
  };
  const agent = agentInfo({
    config,
    version,
    server: server?.server ?? null,
    client: client?.client ?? null,
    ...(client ? { resolveServers: client.resolveServers } : {}),
  });
  const logger = opts.logger.named("http");
  const responseHeaders = { responseHeaders: config.HTTPAPIResponseHeaders ?? {} };
  if (server !== null) {
    return createApi({
      server: server.server,
      state: server.state,
      metrics: server.metrics,
      logger,
      agent,
      client: client?.client ?? null,
      nodeScheme: config.TLSConfig.EnableHTTP ? "https" : "http",
    }, {
      ...responseHeaders,
      ...(onEtcd(config, opts)
        ? {
          leadership: {
            of: server.server,
            scheme: config.TLSConfig.EnableRPC ? "https" : "http",
          },
        }
        : {}),
    });
  }
  if (client === null) throw new Error("Cannot start an agent that is neither server nor client");
  return createClientAgentApi({
    client: client.client,
    agent,
    serverUrls: client.serverUrls,
    logger,
  }, responseHeaders);
}
