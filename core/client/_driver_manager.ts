/**
 * The driver manager: loads every driver manifest the agent hands the client into a
 * {@linkcode PluginHost}, streams each driver's fingerprints into the node's `Drivers` (and,
 * through them, its `driver.*` attributes), and tells the client when they change so it
 * updates its registration.
 *
 * Enablement is the drivers' own: raw_exec fingerprints `undetected` ("disabled") unless its
 * plugin config says `enabled = true` or the client option `driver.raw_exec.enable` is true.
 * The manager never hands out a driver that is not detected and healthy for a new task
 * ({@linkcode DriverManager.forStart}); recovering a task uses whatever driver is loaded, since
 * the task already runs.
 *
 * @module
 */
import type { DriverInfo } from "../structs/node.ts";
import { type DriverClient, type HostTimeouts, PluginHost } from "../../plugins/host.ts";
import type { PluginManifest } from "../../plugins/sdk.ts";
import { type ClientLogger, type Clock, errorMessage } from "./_common.ts";
import { rfc3339 } from "./events.ts";
import { driverInfoFromFingerprint } from "./fingerprint.ts";

/** A task cannot start because its driver is not available on this node. */
export class DriverUnavailableError extends Error {
  override readonly name = "DriverUnavailableError";
  /** The driver's name. */
  readonly driver: string;
  /** Whether waiting may help (the driver is detected but unhealthy). */
  readonly recoverable: boolean;
  constructor(driver: string, message: string, recoverable: boolean) {
    super(message);
    this.driver = driver;
    this.recoverable = recoverable;
  }
}

/** Options of {@linkcode DriverManager.start}. */
export interface DriverManagerOptions {
  /** The drivers to load, by name. */
  manifests: Readonly<Record<string, PluginManifest>>;
  /** `plugin "<name>" { config { ... } }` blocks, by driver name. */
  pluginConfigs: Readonly<Record<string, Record<string, unknown>>>;
  /** The client's `options`. */
  options: Readonly<Record<string, string>>;
  /** The plugins' own directories live under this one. */
  dataDir: string;
  /** The client's allocation directory. */
  allocDir: string;
  /** Plugin host deadlines. */
  timeouts?: Partial<HostTimeouts>;
  logger: ClientLogger;
  clock: Clock;
  /** Called when a driver's fingerprint changed. */
  onChange: () => void;
  /** How long to wait for every driver's first fingerprint; default 5 s. */
  firstFingerprintMs?: number;
}

function sameInfo(a: DriverInfo | undefined, b: DriverInfo): boolean {
  if (a === undefined) return false;
  return a.Detected === b.Detected && a.Healthy === b.Healthy &&
    a.HealthDescription === b.HealthDescription &&
    JSON.stringify(a.Attributes) === JSON.stringify(b.Attributes);
}

/** Loaded drivers and what they fingerprint. */
export class DriverManager {
  readonly #host: PluginHost;
  readonly #opts: DriverManagerOptions;
  readonly #infos = new Map<string, DriverInfo>();
  readonly #stop = new AbortController();
  readonly #loops: Promise<void>[] = [];

  private constructor(host: PluginHost, opts: DriverManagerOptions) {
    this.#host = host;
    this.#opts = opts;
  }

  /** Loads every driver and waits (a little) for their first fingerprints. */
  static async start(opts: DriverManagerOptions): Promise<DriverManager> {
    const host = new PluginHost({
      dataDir: opts.dataDir,
      allocDir: opts.allocDir,
      options: { ...opts.options },
      ...(opts.timeouts ? { timeouts: opts.timeouts } : {}),
      onLog: (r) => {
        const fields = { plugin: r.plugin, ...(r.fields ?? {}) };
        if (r.level === "error") opts.logger.error(r.message, fields);
        else if (r.level === "warn") opts.logger.warn(r.message, fields);
        else if (r.level === "info") opts.logger.info(r.message, fields);
        else opts.logger.debug(r.message, fields);
      },
    });
    const mgr = new DriverManager(host, opts);
    const firsts: Promise<void>[] = [];
    await Promise.all(
      Object.entries(opts.manifests).map(async ([name, manifest]) => {
        try {
          const client = await host.load(manifest, { config: opts.pluginConfigs[name] ?? {} });
          let first!: () => void;
          firsts.push(new Promise<void>((r) => (first = r)));
          mgr.#loops.push(mgr.#watch(name, client, first));
        } catch (err) {
          opts.logger.error("failed to load driver plugin", {
            driver: name,
            error: errorMessage(err),
          });
          mgr.#infos.set(name, {
            Attributes: {},
            Detected: false,
            Healthy: false,
            HealthDescription: `failed to load plugin: ${errorMessage(err)}`,
            UpdateTime: rfc3339(opts.clock.now()),
          });
        }
      }),
    );
    const wait = new AbortController();
    await Promise.race([
      Promise.all(firsts),
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, opts.firstFingerprintMs ?? 5_000);
        wait.signal.addEventListener("abort", () => clearTimeout(t));
      }),
    ]);
    wait.abort();
    return mgr;
  }

  async #watch(name: string, client: DriverClient, first: () => void): Promise<void> {
    const signal = this.#stop.signal;
    try {
      for await (const fp of client.fingerprint(signal)) {
        const info = driverInfoFromFingerprint(fp, this.#opts.clock.now());
        const changed = !sameInfo(this.#infos.get(name), info);
        if (changed) {
          const prev = this.#infos.get(name);
          this.#infos.set(name, info);
          if (prev !== undefined) {
            this.#opts.logger.info("driver fingerprint changed", {
              driver: name,
              detected: info.Detected,
              healthy: info.Healthy,
              description: info.HealthDescription,
            });
          }
        }
        first();
        if (changed) this.#opts.onChange();
      }
    } catch (err) {
      if (!signal.aborted) {
        this.#opts.logger.error("driver fingerprinting stopped", {
          driver: name,
          error: errorMessage(err),
        });
      }
    } finally {
      first();
    }
  }

  /** The drivers as the node reports them. */
  infos(): Record<string, DriverInfo> {
    return Object.fromEntries([...this.#infos].map(([k, v]) => [k, { ...v }]));
  }

  /** The loaded driver `name`, whatever its health (for recovering running tasks). */
  loaded(name: string): DriverClient | undefined {
    return this.#host.get(name);
  }

  /**
   * The driver to start a task with.
   *
   * @throws {DriverUnavailableError} when no such driver is loaded, or it is not detected
   *   (disabled), or it is unhealthy (recoverable).
   */
  forStart(name: string): DriverClient {
    const client = this.#host.get(name);
    const info = this.#infos.get(name);
    if (client === undefined || info === undefined) {
      const why = info?.HealthDescription ?? "no such driver plugin is loaded";
      throw new DriverUnavailableError(
        name,
        `task driver "${name}" is not available on this node: ${why}`,
        false,
      );
    }
    if (!info.Detected) {
      throw new DriverUnavailableError(
        name,
        `task driver "${name}" is not enabled on this node (${info.HealthDescription}); ` +
          `enable it in the agent's plugin "${name}" block or client options`,
        false,
      );
    }
    if (!info.Healthy) {
      throw new DriverUnavailableError(
        name,
        `task driver "${name}" is unhealthy: ${info.HealthDescription}`,
        true,
      );
    }
    return client;
  }

  /** Stops fingerprinting and the plugins' Workers; tasks keep running. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.#host.close();
    await Promise.allSettled(this.#loops);
  }
}
