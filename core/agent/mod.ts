/**
 * The agent: configuration files (HCL or JSON, files or directories, merged like Nomad's),
 * command-line flags, `-dev` defaults, go-sockaddr address templates, and the wiring of the
 * server, the client and the HTTP API in one process, with Nomad's startup banner, logs and
 * graceful shutdown on SIGINT/SIGTERM (the client's tasks keep running).
 *
 * @example
 * ```ts
 * const { config } = await loadConfigPath("/etc/nomad.d");
 * const resolved = await normalizeAddrs(mergeConfig(defaultConfig(), config), systemSockaddrEnv());
 * const agent = await Agent.start(resolved.config, { logger, version: "0.1.0" });
 * await agent.shutdown();
 * ```
 *
 * @module
 */
export * from "./config.ts";
export { defaultConfig, devConfig, emptyConfig, LOG_LEVELS } from "./config_defaults.ts";
export { ConfigError, loadConfigPath, type Loaded, parseConfig } from "./config_load.ts";
export { mergeConfig } from "./config_merge.ts";
export {
  bindAddrs,
  type Finding,
  joinHostPort,
  normalizeAddrs,
  type NormalizedAddrs,
  type Resolved,
  validateConfig,
} from "./config_normalize.ts";
export {
  type IfAddr,
  isPrivateIPv4,
  renderSingleIP,
  renderSockaddr,
  type SockaddrEnv,
  SockaddrTemplateError,
  systemSockaddrEnv,
} from "./sockaddr.ts";
export { AGENT_FLAGS, type AgentFlagValues, type CommandLine, commandLine } from "./flags.ts";
export { Logger, type LoggerOptions, type LogLevel, LogOutput, parseLogLevel } from "./log.ts";
export { type BannerFacts, bannerInfo, infoLines } from "./banner.ts";
export { Agent, type AgentOptions } from "./agent.ts";
export { type AgentUi, processSignals, runAgent, type RunOptions, type StopSignal } from "./run.ts";
