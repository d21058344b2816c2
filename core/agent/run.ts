/**
 * The body of `nomad-ts agent`: configuration from defaults (or `-dev`), `-config` files and
 * flags; Nomad's startup output and banner; the logs; and the wait for SIGINT or SIGTERM, after
 * which the agent shuts down gracefully and the command returns its exit code (it never exits
 * the process itself).
 *
 * @module
 */
import { join } from "node:path";
import type { Config } from "./config.ts";
import { defaultConfig, devConfig } from "./config_defaults.ts";
import { ConfigError, loadConfigPath } from "./config_load.ts";
import { mergeConfig } from "./config_merge.ts";
import { bindAddrs, normalizeAddrs, validateConfig } from "./config_normalize.ts";
import { type AgentFlagValues, commandLine } from "./flags.ts";
import { Logger, LogOutput, parseLogLevel } from "./log.ts";
import { LogFile } from "./_log_file.ts";
import { type SockaddrEnv, systemSockaddrEnv } from "./sockaddr.ts";
import { Agent, type AgentOptions } from "./agent.ts";
import { bannerInfo, infoLines } from "./banner.ts";

/** Where the command prints: each call is one line (a newline is added). */
export interface AgentUi {
  /** Standard output. */
  output(text: string): Promise<void>;
  /** Standard error. */
  error(text: string): Promise<void>;
  /** Standard error, for warnings. */
  warn(text: string): Promise<void>;
}

/** The signals that stop an agent. */
export type StopSignal = "SIGINT" | "SIGTERM";

/** Options of {@link runAgent}. */
export interface RunOptions {
  readonly ui: AgentUi;
  readonly version: string;
  readonly revision?: string;
  /** Signals to stop on; default the process's SIGINT and SIGTERM. */
  readonly signals?: AsyncIterable<StopSignal>;
  /** The machine's interfaces for address templates; default {@link systemSockaddrEnv}. */
  readonly sockaddr?: SockaddrEnv;
  /** Called once the agent runs (tests use it to reach the agent). */
  readonly onStarted?: (agent: Agent) => void;
  /** Passed to {@link Agent.start} (tests shorten server timings). */
  readonly agent?: Pick<AgentOptions, "server" | "backend" | "client">;
  /** How long a graceful shutdown may take before the command gives up (ms, default 5000). */
  readonly gracefulTimeoutMs?: number;
}

const SIGNAL_NAMES: Record<StopSignal, string> = { SIGINT: "interrupt", SIGTERM: "terminated" };

/**
 * The process's SIGINT and SIGTERM as a stream. `return()` removes the listeners and ends a
 * pending `next()`.
 */
export function processSignals(): AsyncIterableIterator<StopSignal> {
  const queue: StopSignal[] = [];
  const waiting: ((r: IteratorResult<StopSignal>) => void)[] = [];
  const handlers: [StopSignal, () => void][] = [];
  let done = false;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    const handler = () => {
      const w = waiting.shift();
      if (w) w({ value: sig, done: false });
      else queue.push(sig);
    };
    try {
      Deno.addSignalListener(sig, handler);
      handlers.push([sig, handler]);
    } catch {
      // SIGTERM cannot be listened to on Windows.
    }
  }
  const it: AsyncIterableIterator<StopSignal> = {
    next() {
      const sig = queue.shift();
      if (sig) return Promise.resolve({ value: sig, done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => waiting.push(resolve));
    },
    return() {
      done = true;
      for (const [sig, handler] of handlers.splice(0)) Deno.removeSignalListener(sig, handler);
      for (const w of waiting.splice(0)) w({ value: undefined, done: true });
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}

interface Prepared {
  readonly config: Config;
}

async function prepare(
  values: AgentFlagValues,
  set: ReadonlySet<string>,
  opts: RunOptions,
): Promise<Prepared | null> {
  const { ui } = opts;
  let cmd;
  try {
    cmd = commandLine(values, set);
  } catch (err) {
    await ui.error(`==> ${(err as Error).message}`);
    return null;
  }
  let config = cmd.dev ? devConfig() : defaultConfig();
  for (const path of cmd.configPaths) {
    try {
      const loaded = await loadConfigPath(path);
      for (const w of loaded.warnings) await ui.warn(w);
      if ((loaded.config.Files ?? []).length === 0) {
        await ui.warn(`No configuration loaded from ${path}`);
      }
      config = mergeConfig(config, loaded.config);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      await ui.error(`==> Error loading configuration from ${path}: ${err.message}`);
      return null;
    }
  }
  config = mergeConfig(config, cmd.config);
  if (!config.Server.Enabled && !config.Client.Enabled) {
    // Checked before the addresses, which cannot matter to an agent that will not start.
    await ui.error("==> Must specify either server, client or dev mode for the agent.");
    return null;
  }
  for (const flag of cmd.ignored) {
    await ui.warn(
      `The ${flag} flag is accepted but ignored: nomad-ts does not integrate with Consul or Vault`,
    );
  }
  try {
    config = (await normalizeAddrs(config, opts.sockaddr ?? systemSockaddrEnv())).config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    await ui.error(`==> ${err.message}`);
    return null;
  }
  if (config.PluginDir === "" && config.DataDir !== "") {
    config.PluginDir = join(config.DataDir, "plugins");
  }
  for (const f of validateConfig(config, cmd.bootstrapExpect)) {
    await (f.stream === "error" ? ui.error(`==> ${f.text}`) : ui.warn(f.text));
    if (f.fatal) return null;
  }
  return { config };
}

async function waitForSignal(
  signals: AsyncIterator<StopSignal>,
  agent: Agent,
  say: (text: string) => Promise<void>,
  timeoutMs: number,
): Promise<number> {
  const first = await signals.next();
  if (first.done) {
    await agent.shutdown();
    return 0;
  }
  await say(`Caught signal: ${SIGNAL_NAMES[first.value]}`);
  await say("Gracefully shutting down agent...");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    agent.shutdown().then(() => 0),
    signals.next().then(() => 1),
    new Promise<number>((resolve) => (timer = setTimeout(() => resolve(1), timeoutMs))),
  ]);
  clearTimeout(timer);
  return outcome;
}

/**
 * Runs an agent until a stop signal: prints Nomad's startup lines and banner, streams the logs,
 * then shuts down gracefully.
 *
 * @returns 0 after a graceful shutdown; 1 when the configuration is invalid, the agent cannot
 * start, or the shutdown does not finish in time (or a second signal arrives during it).
 */
export async function runAgent(
  values: AgentFlagValues,
  set: ReadonlySet<string>,
  opts: RunOptions,
): Promise<number> {
  const { ui } = opts;
  const prepared = await prepare(values, set, opts);
  if (!prepared) return 1;
  const { config } = prepared;
  let logFile: LogFile | null = null;
  if (config.LogFile !== "") {
    try {
      logFile = LogFile.open({
        path: config.LogFile,
        rotateDuration: config.LogRotateDuration,
        rotateBytes: config.LogRotateBytes,
        maxFiles: config.LogRotateMaxFiles,
      });
    } catch (err) {
      await ui.error(`==> ${(err as Error).message}`);
      return 1;
    }
  }
  const out = new LogOutput((line) => {
    logFile?.write(line);
    return ui.output(line);
  });
  const logger = new Logger(out, {
    level: parseLogLevel(config.LogLevel) ?? "INFO",
    json: config.LogJson,
  });
  const say = config.LogJson
    ? (text: string) => Promise.resolve(logger.info(text.trimEnd()))
    // Log lines logged before the message go out before it.
    : (text: string) => out.flush().then(() => ui.output(`==> ${text}`));
  if (config.LogJson) out.open();
  const files = config.Files ?? [];
  await say(
    files.length > 0
      ? `Loaded configuration from ${files.join(", ")}`
      : "No configuration files loaded",
  );
  await say("Starting Nomad agent...");
  let agent: Agent;
  try {
    agent = await Agent.start(config, {
      logger,
      version: opts.version,
      ...opts.agent,
      ...(opts.revision ? { revision: opts.revision } : {}),
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    logger.named("agent").error("error starting agent", { error: message });
    out.open();
    await out.flush();
    logFile?.close();
    await ui.error(`==> Error starting agent: ${message}`);
    return 1;
  }
  const normalized = bindAddrs(config);
  const info = bannerInfo({
    config,
    bind: { ...normalized, HTTP: agent.httpAddrs.length > 0 ? agent.httpAddrs : normalized.HTTP },
    version: opts.version,
    nodeId: agent.nodeId,
  });
  await say("Nomad agent configuration:\n");
  for (const line of infoLines(info)) {
    if (config.LogJson) logger.info(line.trim());
    else await ui.output(line);
  }
  if (!config.LogJson) await ui.output("");
  await say("Nomad agent started! Log data will stream in below:\n");
  out.open();
  opts.onStarted?.(agent);
  const signals = (opts.signals ?? processSignals())[Symbol.asyncIterator]();
  try {
    const code = await waitForSignal(signals, agent, say, opts.gracefulTimeoutMs ?? 5000);
    await out.flush();
    return code;
  } finally {
    await signals.return?.();
    logFile?.close();
  }
}
