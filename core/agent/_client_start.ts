/**
 * Starting the client half of an agent: its configuration from the agent's, how it reaches
 * the servers — in the same process when the agent runs a server too (`-dev`), else at the
 * servers' RPC ports (`_client_servers.ts`) — and the built-in task drivers.
 *
 * @module
 */
import { BUILTIN_DRIVERS } from "../../drivers/mod.ts";
import { Client, type ClientConfig } from "../client/client.ts";
import { type HttpRpcTls, HttpServerRpc, InProcessServerRpc, type ServerRpc } from "../rpc/mod.ts";
import type { Server } from "../server/mod.ts";
import type { StateStore } from "../state/mod.ts";
import { clientConfig, clientDirs } from "./_client_config.ts";
import { rpcAddrs } from "./_client_servers.ts";
import { lockDataDir } from "./_data_dir.ts";
import type { Config } from "./config.ts";
import type { Logger } from "./log.ts";

/** A started client and what the agent keeps of its start. */
export interface StartedClient {
  readonly client: Client;
  /** The lock on the client's state directory (`null` with `-dev`). */
  readonly lock: Deno.FsFile | null;
  /** Maps server addresses (`PUT /v1/agent/servers`) to what the client dials. */
  resolveServers(addresses: readonly string[]): Promise<string[]>;
  /** The base URLs of the servers' APIs, at their RPC ports (a client-only agent's forwarding). */
  serverUrls(): string[];
  /**
   * After the client's shutdown: removes the temporary directory a `-dev` client made, unless
   * tasks may still run in it.
   */
  cleanup(): Promise<void>;
}

/** Options of {@link startClient}. */
export interface StartClientOptions {
  /** The server of this agent, when it runs one: the client then calls it in-process. */
  readonly server: { server: Server; state: StateStore } | null;
  readonly logger: Logger;
  /** Client settings tests shorten (sync interval, alloc wait). */
  readonly overrides?: Partial<ClientConfig>;
}

/** The servers a client-only agent is told about: `servers`, then `server_join` addresses. */
export function configuredServers(config: Config): string[] {
  const c = config.Client;
  const all = [
    ...(c.Servers ?? []),
    ...(c.ServerJoin.StartJoin ?? []),
    ...(c.ServerJoin.RetryJoin ?? []),
  ];
  return [...new Set(all.map((s) => s.trim()).filter((s) => s !== ""))];
}

/**
 * Deno lets a process read `/proc` only with `--allow-all`; without it the node fingerprints
 * no CPU or memory and nothing can be placed on it. Says so once, naming the fix.
 */
function checkProcAccess(log: Logger): void {
  if (Deno.build.os !== "linux") return;
  try {
    Deno.readTextFileSync("/proc/cpuinfo");
  } catch (err) {
    log.warn(
      "cannot read /proc, so this node reports no CPU or memory and no task can be placed on " +
        "it: run the agent with Deno's --allow-all (-A) permission",
      { error: err instanceof Error ? err.message : String(err) },
    );
  }
}

async function rpcTls(config: Config): Promise<HttpRpcTls | undefined> {
  const t = config.TLSConfig;
  if (!t.EnableRPC) return undefined;
  const read = (path: string) => path === "" ? Promise.resolve(undefined) : Deno.readTextFile(path);
  const [ca, cert, key] = await Promise.all([read(t.CAFile), read(t.CertFile), read(t.KeyFile)]);
  return {
    ...(ca ? { caCerts: [ca] } : {}),
    ...(cert && key ? { cert, key } : {}),
  };
}

/**
 * Starts the client as the agent's configuration says. Its registration and the watch of
 * its allocations go on in the background.
 *
 * @throws {Error} when a client-only agent lists no server, the state directory is locked by
 * another agent, or the client cannot start (the message names the setting to fix).
 */
export async function startClient(
  config: Config,
  opts: StartClientOptions,
): Promise<StartedClient> {
  const log = opts.logger.named("client");
  const scheme = config.TLSConfig.EnableRPC ? "https" : "http";
  let rpc: ServerRpc;
  let resolveServers = (addresses: readonly string[]) => Promise.resolve([...addresses]);
  if (opts.server !== null) {
    rpc = new InProcessServerRpc(opts.server);
  } else {
    const wanted = configuredServers(config);
    if (wanted.length === 0) {
      throw new Error(
        'Cannot start the client: it knows no server; set client { servers = ["<server>:4647"] }',
      );
    }
    resolveServers = (addresses) => Promise.resolve(rpcAddrs(addresses));
    const tls = await rpcTls(config);
    rpc = new HttpServerRpc({
      servers: rpcAddrs(wanted),
      region: config.Region,
      ...(tls ? { tls } : {}),
    });
  }
  checkProcAccess(log);
  const dirs = await clientDirs(config);
  const lock = config.DevMode ? null : await lockDataDir(dirs.stateDir);
  try {
    const client = await Client.start({
      config: { ...clientConfig(config, dirs), ...opts.overrides },
      rpc,
      driverManifests: BUILTIN_DRIVERS,
      dataDir: dirs.dataDir,
      logger: log,
    });
    log.info("started client", { node_id: client.nodeId, alloc_dir: dirs.allocDir });
    return {
      client,
      lock,
      resolveServers,
      serverUrls: () =>
        client.servers().map((s) => /^https?:\/\//.test(s) ? s : `${scheme}://${s}`),
      cleanup: async () => {
        if (config.DataDir !== "") return;
        const runners = [...client.allocRunners.values()] as { terminal?: boolean }[];
        if (runners.some((ar) => ar.terminal !== true)) {
          log.info("leaving the -dev client's directory: tasks may still run in it", {
            data_dir: dirs.dataDir,
          });
          return;
        }
        await Deno.remove(dirs.dataDir, { recursive: true }).catch(() => {});
      },
    };
  } catch (err) {
    lock?.close();
    rpc.close();
    throw err;
  }
}
