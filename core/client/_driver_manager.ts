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
 * A driver whose manifest declares a static fingerprint, and whose plugin config sets nothing
 * but what enables it, is reported from that fingerprint and its Worker (its own V8 isolate,
 * some 10-15 MB) starts only when a task needs it: an idle agent carries no driver it does not
 * use. Any other plugin config starts the Worker with the agent, so a bad config is reported
 * at once.
 *
 * @module
 */
import type { DriverInfo } from "../structs/node.ts";
import { type DriverClient, type HostTimeouts, PluginHost } from "../../plugins/host.ts";
import type { PluginManifest, TaskEvent as DriverTaskEvent } from "../../plugins/sdk.ts";
import type { StaticFingerprint } from "../../plugins/manifest.ts";
import { parseGoBool } from "../structs/go_bool.ts";
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
  /** Receives the drivers' task events ("Downloading image", ...). */
  onTaskEvent?: (event: DriverTaskEvent) => void;
  /** How long to wait for every driver's first fingerprint; default 5 s. */
  firstFingerprintMs?: number;
}

/**
 * The node's view of a driver with a static fingerprint, or `undefined` when the plugin config
 * sets more than the enabling key (then the driver's Worker must judge).
 */
export function staticDriverInfo(
  fp: StaticFingerprint | undefined,
  config: Readonly<Record<string, unknown>>,
  options: Readonly<Record<string, string>>,
  now: number,
): DriverInfo | undefined {
  if (fp === undefined) return undefined;
  const key = fp.enabledBy?.config;
  if (Object.keys(config).some((k) => k !== key)) return undefined;
  const enabled = fp.enabledBy === undefined ||
    (key !== undefined && config[key] === true) ||
    (fp.enabledBy.option !== undefined && parseGoBool(options[fp.enabledBy.option]) === true);
  return {
    Attributes: enabled
      ? Object.fromEntries(Object.entries(fp.attributes).map(([k, v]) => [k, String(v)]))
      : {},
    Detected: enabled,
    Healthy: enabled,
    HealthDescription: enabled ? "Healthy" : "disabled",
    UpdateTime: rfc3339(now),
  };
}

/** A comma-separated client option as a set (Nomad's `ReadStringListToMap`). */
function optionList(options: Readonly<Record<string, string>>, ...keys: string[]): Set<string> {
  const out = new Set<string>();
  for (const key of keys) {
    for (const item of (options[key] ?? "").split(",")) if (item.trim()) out.add(item.trim());
  }
  return out;
}

/**
 * Whether the client options let driver `name` load: `driver.allowlist` (when set, only those)
 * and `driver.denylist` (never those), with Nomad's older `driver.whitelist`/`.blacklist`
 * spellings. A driver filtered out is not loaded, not fingerprinted, not on the node.
 */
export function driverAllowed(name: string, options: Readonly<Record<string, string>>): boolean {
  const allow = optionList(options, "driver.allowlist", "driver.whitelist");
  if (allow.size > 0 && !allow.has(name)) return false;
  return !optionList(options, "driver.denylist", "driver.blacklist").has(name);
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
  /** Drivers reported from their static fingerprint whose Worker has not started yet. */
  readonly #lazy = new Map<string, PluginManifest>();
  /** Workers being started on first use. */
  readonly #starting = new Map<string, Promise<DriverClient | undefined>>();

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
        if (!driverAllowed(name, opts.options)) return;
        const config = opts.pluginConfigs[name] ?? {};
        const info = staticDriverInfo(manifest.fingerprint, config, opts.options, opts.clock.now());
        if (info !== undefined) {
          mgr.#infos.set(name, info);
          mgr.#lazy.set(name, manifest);
          return;
        }
        let first!: () => void;
        firsts.push(new Promise<void>((r) => (first = r)));
        await mgr.#load(name, manifest, first);
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

  /** Starts a driver's Worker and its fingerprint and event loops; `undefined` on failure. */
  async #load(
    name: string,
    manifest: PluginManifest,
    first: () => void = () => {},
  ): Promise<DriverClient | undefined> {
    const opts = this.#opts;
    try {
      const client = await this.#host.load(manifest, { config: opts.pluginConfigs[name] ?? {} });
      this.#loops.push(this.#watch(name, client, first));
      if (opts.onTaskEvent) this.#loops.push(this.#forwardEvents(client, opts.onTaskEvent));
      return client;
    } catch (err) {
      opts.logger.error("failed to load driver plugin", { driver: name, error: errorMessage(err) });
      this.#infos.set(name, {
        Attributes: {},
        Detected: false,
        Healthy: false,
        HealthDescription: `failed to load plugin: ${errorMessage(err)}`,
        UpdateTime: rfc3339(opts.clock.now()),
      });
      first();
      if (this.#lazy.has(name)) opts.onChange();
      return undefined;
    }
  }

  /** The driver's client, starting its Worker on first use. */
  #client(name: string): Promise<DriverClient | undefined> {
    const loaded = this.#host.get(name);
    if (loaded !== undefined) return Promise.resolve(loaded);
    const manifest = this.#lazy.get(name);
    if (manifest === undefined || this.#stop.signal.aborted) return Promise.resolve(undefined);
    let starting = this.#starting.get(name);
    if (starting === undefined) {
      this.#opts.logger.debug("starting driver plugin on first use", { driver: name });
      starting = this.#load(name, manifest).finally(() => {
        this.#lazy.delete(name);
        this.#starting.delete(name);
      });
      this.#starting.set(name, starting);
    }
    return starting;
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

  async #forwardEvents(client: DriverClient, onEvent: (e: DriverTaskEvent) => void) {
    try {
      for await (const event of client.taskEvents(this.#stop.signal)) onEvent(event);
    } catch (err) {
      if (!this.#stop.signal.aborted) {
        this.#opts.logger.warn("driver task events stopped", { error: errorMessage(err) });
      }
    }
  }

  /** The drivers whose Worker runs (or is starting). */
  running(): string[] {
    return this.#host.drivers.map((d) => d.pluginInfo().Name);
  }

  /** The drivers as the node reports them. */
  infos(): Record<string, DriverInfo> {
    return Object.fromEntries([...this.#infos].map(([k, v]) => [k, { ...v }]));
  }

  /**
   * The driver `name`, whatever its health (for recovering and stopping tasks), its Worker
   * started if need be; `undefined` when there is no such driver or it failed to load.
   */
  loaded(name: string): Promise<DriverClient | undefined> {
    return this.#client(name);
  }

  /**
   * The driver to start a task with.
   *
   * @throws {DriverUnavailableError} when no such driver is loaded, or it is not detected
   *   (disabled), or it is unhealthy (recoverable).
   */
  async forStart(name: string): Promise<DriverClient> {
    // A disabled driver is refused before its Worker would start.
    const client = this.#infos.get(name)?.Detected
      ? await this.#client(name)
      : this.#host.get(name);
    const info = this.#infos.get(name);
    if (info === undefined || (client === undefined && !this.#lazy.has(name))) {
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
    return client!;
  }

  /** Stops fingerprinting and the plugins' Workers; tasks keep running. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.#host.close();
    await Promise.allSettled(this.#loops);
  }
}
