/**
 * Fixtures for the client's tests: a real server on a memory state store, a client on a fresh
 * data directory talking to it in-process, the mock_driver and raw_exec manifests, jobs from
 * HCL, and waits on the server's state.
 *
 * @module
 */
import { mockManifest, rawExecManifest } from "../../drivers/mod.ts";
import { parseJob } from "../jobspec/mod.ts";
import { InProcessServerRpc, type ServerRpc } from "../rpc/mod.ts";
import { CTX, waitFor } from "../server/server_testing.ts";
import { Server, type ServerOptions } from "../server/server.ts";
import { MemoryLogBackend, type StateSnapshot, StateStore } from "../state/mod.ts";
import type { Allocation, Job, TaskEvent } from "../structs/mod.ts";
import type { PluginManifest } from "../../plugins/sdk.ts";
import { Client, type ClientConfig, type ClientLogger } from "./client.ts";

/** The drivers the tests load. */
export const TEST_DRIVERS: Readonly<Record<string, PluginManifest>> = {
  [mockManifest.name]: mockManifest,
  [rawExecManifest.name]: rawExecManifest,
};

/** A client configuration for tests: loopback network, fast plugin pings. */
export function testClientConfig(edit: ClientConfig = {}): ClientConfig {
  return {
    name: "test-node",
    datacenter: "dc1",
    networkInterface: "lo",
    httpAddr: "127.0.0.1:4646",
    hostEnv: { PATH: "/usr/local/bin:/usr/bin:/bin" },
    pluginTimeouts: { pingIntervalMs: 200, pingTimeoutMs: 5_000 },
    ...edit,
  };
}

/** Logs to stderr when `NOMAD_TS_TEST_LOG` is set. */
export function testLogger(prefix = "client"): ClientLogger {
  const on = Deno.env.get("NOMAD_TS_TEST_LOG") !== undefined;
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    if (on) console.error(`[${prefix}] ${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { debug: log("DEBUG"), info: log("INFO"), warn: log("WARN"), error: log("ERROR") };
}

/** How {@linkcode TestCluster.start} builds the server and the client's RPC. */
export interface ClusterOptions {
  /** Server options (heartbeat TTLs, ...). */
  server?: Partial<Omit<ServerOptions, "state">>;
  /** Wraps the client's RPC (to make it fail, count calls, ...). */
  wrapRpc?: (rpc: ServerRpc) => ServerRpc;
}

/** A server and a client. */
export class TestCluster {
  readonly server: Server;
  readonly state: StateStore;
  readonly rpc: InProcessServerRpc;
  readonly dataDir: string;
  client: Client;
  readonly #config: ClientConfig;

  private constructor(
    server: Server,
    state: StateStore,
    dataDir: string,
    client: Client,
    config: ClientConfig,
  ) {
    this.server = server;
    this.state = state;
    this.rpc = new InProcessServerRpc({ server, state });
    this.dataDir = dataDir;
    this.client = client;
    this.#config = config;
  }

  /** Starts a server, then a client, and waits for the node to be ready. */
  static async start(config: ClientConfig = {}, opts: ClusterOptions = {}): Promise<TestCluster> {
    const state = await StateStore.open({ backend: new MemoryLogBackend() });
    const server = Server.start({ state, numSchedulers: 1, periodicGc: false, ...opts.server });
    const dataDir = await Deno.makeTempDir({ prefix: "nomad-ts-client-" });
    const cfg = testClientConfig(config);
    const rpc = new InProcessServerRpc({ server, state });
    const client = await Client.start({
      config: cfg,
      rpc: opts.wrapRpc?.(rpc) ?? rpc,
      driverManifests: TEST_DRIVERS,
      dataDir,
      logger: testLogger(),
    });
    const cluster = new TestCluster(server, state, dataDir, client, cfg);
    await cluster.waitFor("the node to be ready", (s) => s.node(client.nodeId)?.Status === "ready");
    return cluster;
  }

  /** Starts another client on the same data directory (after `halt` or `shutdown`). */
  async restartClient(): Promise<Client> {
    this.client = await Client.start({
      config: this.#config,
      rpc: this.rpc,
      driverManifests: TEST_DRIVERS,
      dataDir: this.dataDir,
      logger: testLogger("client2"),
    });
    return this.client;
  }

  /** Parses an HCL job and registers it; returns the job as parsed. */
  async run(hcl: string): Promise<Job> {
    const job = await parseJob(hcl, { path: "test.nomad.hcl" });
    await this.server.registerJob({ Job: job }, CTX);
    return job;
  }

  /** Waits until `probe` holds for the server's state. */
  waitFor<T>(what: string, probe: (s: StateSnapshot) => T | undefined | false, ms = 20_000) {
    return waitFor(this.state, what, probe, ms);
  }

  /** Waits for an allocation of `jobId` that satisfies `probe`. */
  waitAlloc(jobId: string, what: string, probe: (a: Allocation) => boolean, ms = 20_000) {
    return this.waitFor(
      `an allocation of ${jobId} ${what}`,
      (s) => s.allocsByJob("default", jobId).find(probe),
      ms,
    );
  }

  /** Waits up to `ms` for `path` to exist (or, with `exists` false, to be gone). */
  async waitForPath(path: string, exists: boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const there = await Deno.stat(path).then(() => true, () => false);
      if (there === exists) return;
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out after ${ms} ms waiting for ${path} to ${exists ? "exist" : "go"}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Destroys every allocation of the client, then stops the client and the server. */
  async close(): Promise<void> {
    try {
      await Promise.all([...this.client.allocRunners.values()].map((ar) => ar.destroy()));
      await this.client.shutdown();
    } finally {
      await this.server.stop();
      await this.state.close();
      await Deno.remove(this.dataDir, { recursive: true }).catch(() => {});
    }
  }
}

/** Runs `fn` with a fresh cluster, closing it afterwards. */
export async function withCluster(
  config: ClientConfig,
  fn: (c: TestCluster) => Promise<void>,
  opts: ClusterOptions = {},
): Promise<void> {
  const cluster = await TestCluster.start(config, opts);
  try {
    await fn(cluster);
  } finally {
    await cluster.close();
  }
}

/** The event types of a task's state, in order. */
export function eventTypes(alloc: Allocation | undefined, task: string): string[] {
  return (alloc?.TaskStates?.[task]?.Events ?? []).map((e: TaskEvent) => e.Type);
}

/** The task pid in a raw_exec handle's driver state (0 when there is none). */
export function taskPid(driverState: unknown): number {
  const ds = driverState as { Task?: { pid?: number } } | null | undefined;
  return ds?.Task?.pid ?? 0;
}

/** Whether `pid` runs (exists and is not a zombie), asking `ps`. */
export function alive(pid: number): boolean {
  if (pid <= 0) return false;
  const out = new Deno.Command("ps", { args: ["-o", "stat=", "-p", String(pid)], stderr: "null" })
    .outputSync();
  const state = new TextDecoder().decode(out.stdout).trim();
  return state !== "" && !state.startsWith("Z") && !state.startsWith("X");
}
