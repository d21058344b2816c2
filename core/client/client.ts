/**
 * The client half of an agent: fingerprints its node, registers it and heartbeats, watches its
 * allocations with blocking queries and runs them (alloc runners and task runners over the
 * drivers the agent hands it), reports their status in batches, and serves the
 * {@linkcode ClientApi} the agent's `/v1/client/...` routes call.
 *
 * Tasks outlive the agent. Everything the client knows is kept in `<data_dir>/client` (Deno
 * KV) before it acts on it; a client started on the same data directory after a `kill -9`
 * re-attaches to every task still running (never starting one twice), reports the exits of
 * those that ended meanwhile and applies their restart policy, and stops the allocations the
 * servers no longer want. `shutdown()` stops the client and leaves every task running. An
 * allocation whose group sets `disconnect.stop_on_client_after` is stopped once the servers
 * have been out of reach that long.
 *
 * @example
 * ```ts
 * const client = await Client.start({
 *   config: { datacenter: "dc1", options: { "driver.raw_exec.enable": "1" } },
 *   rpc: new HttpServerRpc({ servers: ["127.0.0.1:4646"] }),
 *   driverManifests: BUILTIN_DRIVERS,
 *   dataDir: "/opt/nomad/data",
 * });
 * await client.shutdown(); // tasks keep running
 * ```
 *
 * @module
 */
import { join } from "node:path";
import type { Allocation } from "../structs/alloc.ts";
import { SECOND } from "../structs/duration.ts";
import type { Node } from "../structs/node.ts";
import type { ServerRpc } from "../rpc/mod.ts";
import type { HostTimeouts } from "../../plugins/host.ts";
import type { PluginManifest } from "../../plugins/sdk.ts";
import { AllocRunner, type AllocRunnerEnv } from "./_alloc_runner.ts";
import { type AllocChanges, AllocWatcher } from "./_alloc_watcher.ts";
import { ClientApiImpl } from "./_client_api.ts";
import {
  type ClientLogger,
  type Clock,
  errorMessage,
  SILENT_CLIENT_LOGGER,
  SYSTEM_CLOCK,
} from "./_common.ts";
import { DriverManager } from "./_driver_manager.ts";
import { newTaskEvent, TaskEventType } from "./events.ts";
import { HeartbeatStop } from "./_heartbeat_stop.ts";
import { HostStatsCollector } from "./_host_stats.ts";
import { NodeRegistrar } from "./_registrar.ts";
import { ClientStateDb } from "./_state_db.ts";
import { StatusUpdater } from "./_status_updater.ts";
import type { AllocResourceUsage, ClientApi, HostStats, LogReadOptions } from "./api.ts";
import type { AllocFS, StreamFrame } from "./alloc_fs.ts";
import { type ClientFingerprintConfig, fingerprintNode } from "./fingerprint.ts";
import type { HostProbe } from "./fingerprint_probe.ts";

export type { ClientLogger } from "./_common.ts";

/** The client's configuration (the agent's `client { ... }` block, resolved). */
export interface ClientConfig
  extends Partial<Omit<ClientFingerprintConfig, "nodeId" | "secretId" | "dataDir" | "drivers">> {
  /** The agent's region; default `global`. */
  region?: string;
  /** `client.alloc_dir`; default `<data_dir>/alloc`. */
  allocDir?: string;
  /** `client.state_dir`; default `<data_dir>/client`. */
  stateDir?: string;
  /** `client.max_kill_timeout` in nanoseconds; default 30 s. */
  maxKillTimeout?: number;
  /** `plugin "<name>" { config { ... } }` blocks, by driver name. */
  pluginConfigs?: Readonly<Record<string, Record<string, unknown>>>;
  /** The environment tasks inherit; default the agent's (`Deno.env.toObject()`). */
  hostEnv?: Readonly<Record<string, string>>;
  /** How the host is read (tests describe machines); default the real host. */
  probe?: HostProbe;
  /** Plugin host deadlines. */
  pluginTimeouts?: Partial<HostTimeouts>;
  /** How long the servers may hold the allocations query, in ms; default 5 minutes. */
  allocWaitMs?: number;
  /** The status batching interval, in ms; default 200. */
  syncIntervalMs?: number;
}

/** What {@linkcode Client.start} needs. */
export interface ClientStartOptions {
  /** The client's configuration. */
  config: ClientConfig;
  /** How to reach the servers. */
  rpc: ServerRpc;
  /** The task drivers to load, by name (the agent passes `BUILTIN_DRIVERS` and plugins). */
  driverManifests: Readonly<Record<string, PluginManifest>>;
  /** The agent's `data_dir`. */
  dataDir: string;
  /** Default: silent. */
  logger?: ClientLogger;
  /** Default: the wall clock. */
  clock?: Clock;
}

function isTerminal(alloc: Allocation): boolean {
  return alloc.DesiredStatus !== "run" ||
    ["complete", "failed", "lost"].includes(alloc.ClientStatus);
}

/** A running client. */
export class Client implements ClientApi {
  /** This node's ID. */
  readonly nodeId: string;
  readonly #opts: ClientStartOptions;
  readonly #db: ClientStateDb;
  readonly #allocRoot: string;
  readonly #logger: ClientLogger;
  #drivers!: DriverManager;
  #node!: Node;
  readonly #secretId: string;
  readonly #runners = new Map<string, AllocRunner>();
  readonly #ignored = new Map<string, number>();
  readonly #destroying = new Map<string, Promise<void>>();
  readonly #updater: StatusUpdater;
  #registrar!: NodeRegistrar;
  #watcher!: AllocWatcher;
  #heartbeatStop!: HeartbeatStop;
  #env!: AllocRunnerEnv;
  readonly #api: ClientApiImpl;
  readonly #stopping = new AbortController();
  #stopped: Promise<void> | null = null;

  private constructor(
    opts: ClientStartOptions,
    db: ClientStateDb,
    identity: { ID: string; SecretID: string },
    allocRoot: string,
  ) {
    this.#opts = opts;
    this.#db = db;
    this.nodeId = identity.ID;
    this.#secretId = identity.SecretID;
    this.#allocRoot = allocRoot;
    this.#logger = opts.logger ?? SILENT_CLIENT_LOGGER;
    this.#updater = new StatusUpdater({
      rpc: opts.rpc,
      token: () => this.#secretId,
      logger: this.#logger,
      ...(opts.config.syncIntervalMs ? { intervalMs: opts.config.syncIntervalMs } : {}),
    });
    this.#api = new ClientApiImpl({
      nodeId: identity.ID,
      runner: (id) => this.#runners.get(id),
      runners: () => this.#runners.values(),
      collect: (id) => this.#collect(id),
      hostStats: new HostStatsCollector(allocRoot),
    });
  }

  /**
   * Starts a client: opens its state, loads the drivers, restores the allocations it ran,
   * then registers and watches its allocations in the background.
   */
  static async start(opts: ClientStartOptions): Promise<Client> {
    const cfg = opts.config;
    const stateDir = cfg.stateDir || join(opts.dataDir, "client");
    const allocRoot = cfg.allocDir || join(opts.dataDir, "alloc");
    await Deno.mkdir(stateDir, { recursive: true });
    await Deno.mkdir(allocRoot, { recursive: true });
    const db = await ClientStateDb.open(join(stateDir, "state.kv"));
    try {
      let identity = await db.nodeIdentity();
      if (identity === null) {
        identity = { ID: crypto.randomUUID(), SecretID: crypto.randomUUID() };
        await db.putNodeIdentity(identity);
      }
      const client = new Client(opts, db, identity, allocRoot);
      try {
        await client.#init();
      } catch (err) {
        await client.#drivers?.close();
        throw err;
      }
      return client;
    } catch (err) {
      await db.close();
      throw err;
    }
  }

  async #init(): Promise<void> {
    const { config: cfg, dataDir } = this.#opts;
    const clock = this.#opts.clock ?? SYSTEM_CLOCK;
    this.#drivers = await DriverManager.start({
      manifests: this.#opts.driverManifests,
      pluginConfigs: cfg.pluginConfigs ?? {},
      options: cfg.options ?? {},
      dataDir: join(dataDir, "plugins"),
      allocDir: this.#allocRoot,
      ...(cfg.pluginTimeouts ? { timeouts: cfg.pluginTimeouts } : {}),
      logger: this.#logger,
      clock,
      onChange: () => {
        if (this.#node === undefined) return;
        this.#fingerprint();
        this.#registrar?.markDirty();
      },
      // Driver events with annotations (docker's "Downloading image", pull progress) become
      // the task's "Driver" events, as in Nomad; bare notices (every driver's start) do not.
      onTaskEvent: (e) => {
        if (Object.keys(e.Annotations).length === 0) return;
        const tr = this.#runners.get(e.AllocID)?.tasks.get(e.TaskName);
        void tr?.emitEvent(newTaskEvent(TaskEventType.DriverMessage, { driverMessage: e.Message }));
      },
    });
    this.#fingerprint();
    const env: AllocRunnerEnv = {
      db: this.#db,
      drivers: this.#drivers,
      logger: this.#logger,
      clock,
      node: () => this.#node,
      region: cfg.region ?? "global",
      maxKillTimeout: cfg.maxKillTimeout ?? 30 * SECOND,
      hostEnv: cfg.hostEnv ?? Deno.env.toObject(),
      allocRoot: this.#allocRoot,
      report: (u) => this.#updater.queue(u),
    };
    this.#env = env;
    for (const rec of await this.#db.allocs()) {
      const tasks = await this.#db.tasks(rec.alloc.ID);
      const ar = new AllocRunner(env, rec.alloc, {
        deploymentStatus: rec.deploymentStatus,
        tasks,
      });
      this.#runners.set(ar.id, ar);
      this.#logger.info("restoring allocation", { alloc_id: ar.id, tasks: tasks.size });
    }
    for (const ar of this.#runners.values()) void ar.run();
    this.#registrar = new NodeRegistrar({
      rpc: this.#opts.rpc,
      logger: this.#logger,
      node: () => this.#node,
      afterRegister: async () => {
        this.#updater.start();
        await this.#updater.flush();
      },
    });
    this.#watcher = new AllocWatcher({
      rpc: this.#opts.rpc,
      nodeId: this.nodeId,
      token: () => this.#secretId,
      logger: this.#logger,
      known: () => this.#known(),
      apply: (changes) => this.#apply(changes),
      ...(cfg.allocWaitMs !== undefined ? { waitMs: cfg.allocWaitMs } : {}),
    });
    this.#heartbeatStop = new HeartbeatStop({
      lastContact: () => this.#registrar.lastContact,
      runners: () => this.#runners.values(),
      logger: this.#logger,
    });
    this.#registrar.start();
    this.#heartbeatStop.start();
    // The allocations are watched once the node is registered: before that, the servers
    // would answer that this node has none, and the restored ones would be destroyed.
    void this.#registrar.waitRegistered(this.#stopping.signal).then(() => {
      if (!this.#stopping.signal.aborted) this.#watcher.start();
    });
  }

  #fingerprint(): void {
    const cfg = this.#opts.config;
    const status = this.#node?.Status === "ready" || this.#registrar?.registered
      ? "ready"
      : "initializing";
    this.#node = fingerprintNode({
      ...cfg,
      nodeId: this.nodeId,
      secretId: this.#secretId,
      dataDir: this.#allocRoot,
      httpAddr: cfg.httpAddr ?? "127.0.0.1:4646",
      drivers: this.#drivers.infos(),
    }, cfg.probe);
    this.#node.Status = status;
  }

  #known(): Map<string, number> {
    const out = new Map(this.#ignored);
    for (const [id, ar] of this.#runners) out.set(id, ar.alloc.AllocModifyIndex);
    return out;
  }

  async #apply(changes: AllocChanges): Promise<void> {
    for (const id of changes.removed) {
      this.#ignored.delete(id);
      if (this.#runners.has(id)) this.#destroy(id);
    }
    for (const alloc of changes.pulled) {
      const ar = this.#runners.get(alloc.ID);
      if (ar !== undefined) {
        await ar.update(alloc);
        continue;
      }
      if (this.#destroying.has(alloc.ID) || isTerminal(alloc)) {
        this.#ignored.set(alloc.ID, alloc.AllocModifyIndex);
        continue;
      }
      const runner = new AllocRunner(this.#env, alloc, {});
      await runner.persist();
      this.#runners.set(alloc.ID, runner);
      this.#logger.info("running allocation", { alloc_id: alloc.ID, job: alloc.JobID });
      void runner.run();
    }
  }

  /** Destroys a runner in the background (the servers dropped its allocation). */
  #destroy(id: string): Promise<void> {
    const ar = this.#runners.get(id);
    if (ar === undefined) return this.#destroying.get(id) ?? Promise.resolve();
    this.#runners.delete(id);
    const done = ar.destroy().catch((err) => {
      this.#logger.error("failed to destroy allocation", {
        alloc_id: id,
        error: errorMessage(err),
      });
    }).finally(() => this.#destroying.delete(id));
    this.#destroying.set(id, done);
    return done;
  }

  async #collect(id: string): Promise<void> {
    const ar = this.#runners.get(id);
    if (ar !== undefined) this.#ignored.set(id, ar.alloc.AllocModifyIndex);
    await this.#destroy(id);
  }

  /** The node as last fingerprinted. */
  get node(): Node {
    return structuredClone(this.#node);
  }

  /** The allocations this client runs, by ID. */
  get allocRunners(): ReadonlyMap<string, AllocRunner> {
    return this.#runners;
  }

  /** Whether the node is registered with the servers. */
  get registered(): boolean {
    return this.#registrar.registered;
  }

  /** The servers the client talks to. */
  servers(): string[] {
    return this.#opts.rpc.servers();
  }

  /** Replaces the servers the client talks to. */
  setServers(addresses: readonly string[]): void {
    this.#opts.rpc.setServers(addresses);
  }

  allocFS(allocId: string): AllocFS {
    return this.#api.allocFS(allocId);
  }
  readLogs(allocId: string, opts: LogReadOptions): AsyncGenerator<StreamFrame> {
    return this.#api.readLogs(allocId, opts);
  }
  allocStats(allocId: string, task?: string): Promise<AllocResourceUsage> {
    return this.#api.allocStats(allocId, task);
  }
  restartAlloc(allocId: string, opts: { task?: string; allTasks?: boolean }): Promise<void> {
    return this.#api.restartAlloc(allocId, opts);
  }
  signalAlloc(allocId: string, opts: { task?: string; signal: string }): Promise<void> {
    return this.#api.signalAlloc(allocId, opts);
  }
  gcAlloc(allocId: string): Promise<void> {
    return this.#api.gcAlloc(allocId);
  }
  gcAll(): Promise<void> {
    return this.#api.gcAll();
  }
  hostStats(): Promise<HostStats> {
    return this.#api.hostStats();
  }

  /**
   * Stops the client: its loops and the drivers' Workers. Tasks keep running; the next client
   * on this data directory re-attaches to them.
   */
  shutdown(): Promise<void> {
    this.#stopped ??= this.#shutdown(false);
    return this.#stopped;
  }

  /**
   * Stops everything at once, as a `kill -9` would: nothing more is written to the state
   * database and nothing is reported. For tests of recovery.
   */
  halt(): Promise<void> {
    this.#stopped ??= this.#shutdown(true);
    return this.#stopped;
  }

  async #shutdown(crash: boolean): Promise<void> {
    this.#stopping.abort();
    if (crash) this.#db.abandon();
    await this.#watcher.stop();
    await this.#registrar.stop();
    await this.#heartbeatStop.stop();
    if (!crash) await Promise.allSettled([...this.#destroying.values()]);
    await Promise.all([...this.#runners.values()].map((ar) => ar.shutdown()));
    await this.#updater.stop(crash ? {} : { flushWithinMs: 1_000 });
    await this.#drivers.close();
    if (!crash) await this.#db.close();
  }
}
