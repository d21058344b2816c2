/**
 * The agent process: the server (state store, scheduling loops) and the HTTP API on one
 * configuration, started together and shut down gracefully. The client half comes in a later
 * version; a configuration that enables it is accepted and the agent says the client does not
 * run.
 *
 * @module
 */
import { join } from "node:path";
import { type AgentInfo, createApi } from "../http/api.ts";
import { KvLogBackend, type LogBackend, MemoryLogBackend, StateStore } from "../state/mod.ts";
import { Server, type ServerOptions } from "../server/mod.ts";
import { MetricsRegistry } from "../structs/metrics.ts";
import type { Config } from "./config.ts";
import { bindAddrs } from "./config_normalize.ts";
import type { Logger } from "./log.ts";
import { listen, type Listener } from "./_http_listener.ts";
import { runtimeStats, selfConfig, type VersionInfo } from "./_agent_info.ts";
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
): ServerOptions {
  const s = config.Server;
  return {
    state,
    region: config.Region,
    datacenter: config.Datacenter,
    name: config.NodeName || hostname(),
    rpcAddr: config.AdvertiseAddrs.RPC,
    logger: log.named("nomad"),
    metrics,
    ...(s.NumSchedulers === null ? {} : { numSchedulers: s.NumSchedulers }),
    ...(s.MinHeartbeatTTL ? { minHeartbeatTtlMs: s.MinHeartbeatTTL / NS_PER_MS } : {}),
    ...(s.HeartbeatGrace ? { heartbeatGraceMs: s.HeartbeatGrace / NS_PER_MS } : {}),
    ...opts.server,
  };
}

/** What `/v1/agent/*` shows about this agent. */
function agentInfo(config: Config, server: Server, opts: AgentOptions): AgentInfo {
  const version: VersionInfo = {
    Revision: opts.revision ?? "",
    Version: opts.version,
    VersionMetadata: "",
    VersionPrerelease: "",
  };
  return {
    config: () => selfConfig(config, version),
    stats: () => ({
      agent: {},
      runtime: runtimeStats(),
      nomad: {
        server: "true",
        leader: "true",
        leader_addr: server.leader(),
        bootstrap: String(config.Server.BootstrapExpect === 1),
        known_regions: "1",
      },
    }),
    client: null,
    prometheusMetrics: config.Telemetry.PrometheusMetrics,
  };
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
  /** The server's node ID (kept in `<data_dir>/server/node-id`), `""` without a server. */
  readonly nodeId: string;
  /** Where the HTTP API listens, `ip:port` (the real ports when 0 was configured). */
  readonly httpAddrs: readonly string[];
  readonly #listeners: Listener[];
  readonly #lock: Deno.FsFile | null;
  readonly #logger: Logger;
  #stopping: Promise<void> | null = null;

  private constructor(
    config: Config,
    parts: {
      server: Server | null;
      state: StateStore | null;
      nodeId: string;
      listeners: Listener[];
      lock?: Deno.FsFile | null;
    },
    logger: Logger,
  ) {
    this.config = config;
    this.server = parts.server;
    this.state = parts.state;
    this.nodeId = parts.nodeId;
    this.#listeners = parts.listeners;
    this.#lock = parts.lock ?? null;
    this.httpAddrs = parts.listeners.map((l) => l.addr);
    this.#logger = logger;
  }

  /** Starts the server and the HTTP API as `config` says. */
  static async start(config: Config, opts: AgentOptions): Promise<Agent> {
    const log = opts.logger;
    if (config.DataDir !== "" && !config.DevMode) {
      await Deno.mkdir(config.DataDir, { recursive: true });
    }
    if (config.Client.Enabled) {
      log.named("agent").warn(
        "the client is not available yet in this version: this agent runs no tasks",
        {
          version: opts.version,
        },
      );
    }
    if (!config.Server.Enabled) {
      return new Agent(config, { server: null, state: null, nodeId: "", listeners: [] }, log);
    }

    const dir = config.DevMode ? "" : config.Server.DataDir || join(config.DataDir, "server");
    const lock = dir === "" ? null : await lockDataDir(dir);
    const undo: (() => unknown)[] = [() => lock?.close()];
    try {
      const nodeId = await serverNodeId(dir);
      const backend = opts.backend ??
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
      const server = Server.start(serverOptions(config, state, metrics, log, opts));
      undo.unshift(() => server.stop());
      await applyDefaultSchedulerConfig(server, config);
      const app = createApi({
        server,
        state,
        metrics,
        logger: log.named("http"),
        agent: agentInfo(config, server, opts),
      }, { responseHeaders: config.HTTPAPIResponseHeaders ?? {} });
      const listeners: Listener[] = [];
      undo.unshift(() => Promise.all(listeners.map((l) => l.close())));
      for (const addr of bindAddrs(config).HTTP) {
        const l = await listen(addr, app.fetch, config.TLSConfig);
        listeners.push(l);
        log.named("http").info("listening", { address: l.addr, tls: config.TLSConfig.EnableHTTP });
      }
      return new Agent(config, { server, state, nodeId, listeners, lock }, log);
    } catch (err) {
      for (const step of undo) await step();
      throw err;
    }
  }

  /**
   * Stops gracefully, in Nomad's order: the server's loops, then the state store (which ends
   * blocking queries and event streams still open), then the HTTP listeners. Idempotent.
   */
  shutdown(): Promise<void> {
    this.#stopping ??= (async () => {
      const log = this.#logger.named("agent");
      log.info("requesting shutdown");
      await this.server?.stop();
      await this.state?.close();
      await Promise.all(this.#listeners.map((l) => l.close()));
      this.#lock?.close();
      log.info("shutdown complete");
    })();
    return this.#stopping;
  }
}
