/**
 * The plugin host: loads task drivers into Deno Workers that hold only the permissions their
 * manifests declare, and hands the client one `DriverClient` per driver.
 *
 * A driver runs in `new Worker(wrapper, { type: "module", deno: { permissions } })`, where the
 * wrapper is a generated module that imports the driver's entry and serves it over
 * `postMessage` (needs `--unstable-worker-options`, set in deno.json). Nothing a driver does —
 * throwing, hanging, exiting its Worker, asking for a permission it lacks — can take the agent
 * down; see `DriverClient` for what the client sees in each case.
 *
 * Tasks do not belong to the host: unloading a driver or closing the host stops the Workers
 * only. A driver whose tasks must outlive the agent (raw_exec) runs them in processes of their
 * own, and a new host re-attaches to them through `recoverTask` with the persisted handles.
 *
 * @example
 * ```ts
 * const host = new PluginHost({ dataDir: "/var/lib/nomad/plugins", allocDir: "/var/lib/nomad/alloc" });
 * const rawExec = await host.load(rawExecManifest, { config: { enabled: true } });
 * const { handle } = await rawExec.startTask(taskConfig);
 * const exit = await rawExec.waitTask(handle.Config.ID, AbortSignal.timeout(60_000));
 * await host.close();
 * ```
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Connection } from "./_connection.ts";
import type { LogMessage } from "./_rpc.ts";
import { DEFAULT_TIMEOUTS, DriverClient, type HostTimeouts } from "./driver_client.ts";
import { PluginLoadError } from "./errors.ts";
import { type PluginManifest, resolvePermissions } from "./manifest.ts";

export { DEFAULT_TIMEOUTS, DriverClient } from "./driver_client.ts";
export type { HostTimeouts, PluginStatus } from "./driver_client.ts";

/** A log record from a driver, with the plugin's name. */
export interface PluginLogRecord {
  /** The plugin's name. */
  plugin: string;
  /** The level. */
  level: LogMessage["level"];
  /** The message. */
  message: string;
  /** Structured fields. */
  fields?: Record<string, unknown>;
}

/** How the host runs its plugins. */
export interface PluginHostOptions {
  /** The root of the plugins' own directories: each gets `<dataDir>/<name>` (`${data_dir}`). */
  dataDir: string;
  /** The client's allocation directory (`${alloc_dir}`). */
  allocDir: string;
  /** The client's `options` map, given to every driver (`"driver.raw_exec.enable" = "1"`). */
  options?: Record<string, string>;
  /** Deadlines; see `HostTimeouts` for the defaults. */
  timeouts?: Partial<HostTimeouts>;
  /** Receives the drivers' log records and the host's warnings (default: warnings and errors to stderr). */
  onLog?: (record: PluginLogRecord) => void;
}

/** What `load` takes besides the manifest. */
export interface LoadOptions {
  /** The `plugin "<name>" { config { ... } }` block as JSON. */
  config?: Record<string, unknown>;
}

const RUNTIME_URL = new URL("./_worker_runtime.ts", import.meta.url).href;

/** Loads drivers into sandboxed Workers and keeps them running. */
export class PluginHost {
  #opts: PluginHostOptions;
  #timeouts: HostTimeouts;
  #drivers = new Map<string, DriverClient>();
  #closed = false;

  constructor(options: PluginHostOptions) {
    this.#opts = options;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  }

  /**
   * Loads a driver: starts its Worker with the manifest's permissions and runs its factory
   * with `options.config`.
   *
   * @throws {PluginLoadError} When the manifest's permissions are invalid, the module cannot be
   * loaded, the export is not a factory, or the factory throws (its `ConfigError` is the `cause`).
   */
  async load(manifest: PluginManifest, options: LoadOptions = {}): Promise<DriverClient> {
    if (this.#closed) throw new PluginLoadError(manifest.name, "the plugin host is closed");
    if (this.#drivers.has(manifest.name)) {
      throw new PluginLoadError(
        manifest.name,
        "a plugin with this name is already loaded; unload it first",
      );
    }
    const dataDir = join(this.#opts.dataDir, manifest.name);
    await Deno.mkdir(dataDir, { recursive: true });
    await Deno.mkdir(this.#opts.allocDir, { recursive: true });
    let pluginDir = "";
    if (manifest.entry.startsWith("file:")) {
      const path = fileURLToPath(manifest.entry);
      try {
        await Deno.stat(path);
      } catch {
        throw new PluginLoadError(
          manifest.name,
          `the entry module ${path} does not exist; check the manifest's "entry"`,
        );
      }
      pluginDir = dirname(path);
    }
    const paths = { deno: Deno.execPath(), dataDir, allocDir: this.#opts.allocDir, pluginDir };
    const permissions = resolvePermissions(manifest, {
      deno: paths.deno,
      data_dir: paths.dataDir,
      alloc_dir: paths.allocDir,
      plugin_dir: paths.pluginDir,
    });
    const exportName = manifest.export ?? "default";
    const wrapper = [
      `import * as driverModule from ${JSON.stringify(manifest.entry)};`,
      `import { serveDriver } from ${JSON.stringify(RUNTIME_URL)};`,
      `serveDriver(driverModule[${JSON.stringify(exportName)}], ${JSON.stringify(exportName)});`,
    ].join("\n");
    const moduleUrl = `data:application/javascript;base64,${btoa(wrapper)}`;
    const log = this.#log.bind(this);
    const client = new DriverClient({
      manifest,
      timeouts: this.#timeouts,
      warn: (message) => log({ plugin: manifest.name, level: "warn", message }),
      connect: (onCrash) =>
        new Connection({
          name: manifest.name,
          moduleUrl,
          permissions,
          config: {
            name: manifest.name,
            plugin: options.config ?? {},
            options: this.#opts.options ?? {},
            paths,
          },
          pingIntervalMs: this.#timeouts.pingIntervalMs,
          pingTimeoutMs: this.#timeouts.pingTimeoutMs,
          onCrash,
          onLog: (m) =>
            log({
              plugin: manifest.name,
              level: m.level,
              message: m.message,
              ...(m.fields ? { fields: m.fields } : {}),
            }),
        }),
    });
    await client.open();
    this.#drivers.set(manifest.name, client);
    return client;
  }

  /** The loaded driver named `name`. */
  get(name: string): DriverClient | undefined {
    return this.#drivers.get(name);
  }

  /** Every loaded driver. */
  get drivers(): DriverClient[] {
    return [...this.#drivers.values()];
  }

  /** Unloads one driver (its tasks keep running). */
  async unload(name: string): Promise<void> {
    const client = this.#drivers.get(name);
    this.#drivers.delete(name);
    await client?.shutdown();
  }

  /** Unloads every driver and stops their Workers; tasks keep running. */
  async close(): Promise<void> {
    this.#closed = true;
    const clients = [...this.#drivers.values()];
    this.#drivers.clear();
    await Promise.all(clients.map((c) => c.shutdown()));
  }

  #log(record: PluginLogRecord): void {
    if (this.#opts.onLog) return this.#opts.onLog(record);
    if (record.level === "warn" || record.level === "error") {
      console.error(`[${record.level.toUpperCase()}] plugin ${record.plugin}: ${record.message}`);
    }
  }
}
