/**
 * The last steps before an agent starts, as Nomad's `normalizeAddrs` and `IsValidConfig`:
 * resolving bind, listen and advertise addresses (go-sockaddr templates included) and checking
 * the merged configuration, with Nomad's messages.
 *
 * @module
 */
import { isAbsolute } from "node:path";
import type { Config } from "./config.ts";
import { LOG_LEVELS } from "./config_defaults.ts";
import { ConfigError } from "./config_load.ts";
import { renderSingleIP, renderSockaddr, type SockaddrEnv } from "./sockaddr.ts";

/** The `ip:port` pairs the agent listens on; HTTP may listen on several addresses. */
export interface NormalizedAddrs {
  readonly HTTP: readonly string[];
  readonly RPC: string;
  readonly Serf: string;
}

/** A configuration with its addresses resolved. */
export interface Resolved {
  /** The configuration with `BindAddr`, `Addresses` and `AdvertiseAddrs` resolved. */
  readonly config: Config;
  readonly bind: NormalizedAddrs;
}

/** `host:port`, with brackets around an IPv6 host. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function hasPort(addr: string): boolean {
  return /^\[[^\]]*\]:\d+$/.test(addr) || /^[^:]+:\d+$/.test(addr);
}

function isLoopback(ip: string): boolean {
  return ip.startsWith("127.") || ip === "::1";
}

function isUnspecified(ip: string): boolean {
  return ip === "0.0.0.0" || ip === "::";
}

function isIP(addr: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(addr) ||
    (addr.includes(":") && /^[0-9a-fA-F:.]+$/.test(addr));
}

function fail(message: string, err?: unknown): never {
  const detail = err instanceof Error ? `: ${err.message}` : "";
  throw new ConfigError([`${message}${detail}`], err ? { cause: err } : undefined);
}

async function resolveHost(host: string): Promise<string> {
  if (isIP(host)) return host;
  if (host === "localhost") return "127.0.0.1";
  try {
    const [ip] = await Deno.resolveDns(host, "A");
    if (ip) return ip;
  } catch (err) {
    fail(`Error resolving bind address "${host}"`, err);
  }
  return fail(`Error resolving bind address "${host}": no address found`);
}

async function advertise(
  addr: string,
  bind: string,
  port: number,
  dev: boolean,
  env: SockaddrEnv,
): Promise<string> {
  let rendered: string;
  try {
    rendered = renderSingleIP(addr, env);
  } catch (err) {
    return fail("Error parsing advertise address template", err);
  }
  if (rendered !== "") return hasPort(rendered) ? rendered : joinHostPort(rendered, port);
  const ip = await resolveHost(bind);
  if (isLoopback(ip)) {
    if (dev) return joinHostPort(ip, port);
    return fail("Defaulting advertise to localhost is unsafe, please set advertise manually");
  }
  if (!isUnspecified(ip)) return joinHostPort(ip, port);
  let privateIP = "";
  try {
    privateIP = renderSingleIP("{{ GetPrivateIP }}", env);
  } catch (err) {
    return fail("Unable to parse default advertise address", err);
  }
  if (privateIP === "") {
    fail(
      `No private IP address to advertise for bind address "${bind}"; set the advertise block ` +
        `(e.g. advertise { http = "10.0.0.5" ... }) to the address other agents reach this one on`,
    );
  }
  return joinHostPort(privateIP, port);
}

function single(template: string, what: string, env: SockaddrEnv): string {
  try {
    return renderSingleIP(template, env);
  } catch (err) {
    return fail(what, err);
  }
}

/**
 * Resolves the bind, listen and advertise addresses, as Nomad's `normalizeAddrs`.
 *
 * @throws {ConfigError} with Nomad's message, e.g. `Failed to parse RPC advertise address: ...`.
 */
export async function normalizeAddrs(config: Config, env: SockaddrEnv): Promise<Resolved> {
  const c = structuredClone(config);
  if (c.BindAddr !== "") c.BindAddr = single(c.BindAddr, "Bind address resolution failed", env);
  let http: string[] = [c.BindAddr];
  if (c.Addresses.HTTP !== "") {
    try {
      http = [...new Set(renderSockaddr(c.Addresses.HTTP, env).trim().split(/\s+/))];
    } catch (err) {
      fail("Failed to parse HTTP address", err);
    }
  }
  c.Addresses.HTTP = http.join(" ");
  if (c.Addresses.RPC !== "") {
    c.Addresses.RPC = single(c.Addresses.RPC, "Failed to parse RPC address", env);
  } else c.Addresses.RPC = c.BindAddr;
  if (c.Addresses.Serf !== "") {
    c.Addresses.Serf = single(c.Addresses.Serf, "Failed to parse Serf address", env);
  } else c.Addresses.Serf = c.BindAddr;
  const adv = async (addr: string, host: string, port: number, what: string) => {
    try {
      return await advertise(addr, host, port, c.DevMode, env);
    } catch (err) {
      return fail(`Failed to parse ${what} advertise address`, err);
    }
  };
  c.AdvertiseAddrs.HTTP = await adv(c.AdvertiseAddrs.HTTP, http[0] ?? "", c.Ports.HTTP, "HTTP");
  c.AdvertiseAddrs.RPC = await adv(c.AdvertiseAddrs.RPC, c.Addresses.RPC, c.Ports.RPC, "RPC");
  if (c.Server.Enabled) {
    c.AdvertiseAddrs.Serf = await adv(
      c.AdvertiseAddrs.Serf,
      c.Addresses.Serf,
      c.Ports.Serf,
      "Serf",
    );
  }
  if (c.Client.Enabled && c.Client.NetworkInterface !== "") {
    let name = "";
    try {
      name = renderSockaddr(c.Client.NetworkInterface, env).trim();
    } catch (err) {
      fail("Failed to parse network-interface", err);
    }
    if (!env.interfaces.some((i) => i.name === name)) {
      const names = [...new Set(env.interfaces.map((i) => i.name))].join(", ");
      fail(
        `Failed to parse network-interface: invalid interface name "${name}" (interfaces: ${names})`,
      );
    }
    c.Client.NetworkInterface = name;
  }
  return { config: c, bind: bindAddrs(c) };
}

/** The `ip:port` pairs of a configuration whose addresses {@link normalizeAddrs} resolved. */
export function bindAddrs(c: Config): NormalizedAddrs {
  return {
    HTTP: c.Addresses.HTTP.split(" ").filter((a) => a !== "").map((a) =>
      joinHostPort(a, c.Ports.HTTP)
    ),
    RPC: joinHostPort(c.Addresses.RPC, c.Ports.RPC),
    Serf: joinHostPort(c.Addresses.Serf, c.Ports.Serf),
  };
}

/** One message of {@link validateConfig}: Nomad prints errors and `WARNING:` lines on stderr. */
export interface Finding {
  readonly text: string;
  /** An error stops the agent; the others are printed and startup goes on. */
  readonly fatal: boolean;
  /** `error` lines carry the `==> ` prefix, `warn` lines do not (Nomad's `Ui.Warn`). */
  readonly stream: "error" | "warn";
}

const INTERP_KEY = /^[A-Za-z0-9_.-]+$/;

/**
 * Checks a merged configuration as Nomad's `IsValidConfig` does, in its order; the first fatal
 * finding ends the list.
 *
 * @param flagBootstrapExpect `-bootstrap-expect` from the command line (0 when not given).
 */
export function validateConfig(c: Config, flagBootstrapExpect = 0): Finding[] {
  const out: Finding[] = [];
  const error = (text: string) => out.push({ text, fatal: true, stream: "error" });
  const warning = (text: string) => out.push({ text, fatal: false, stream: "error" });
  const check = (): void => {
    if (!c.Server.Enabled && !c.Client.Enabled) {
      return void error("Must specify either server, client or dev mode for the agent.");
    }
    if (c.Region.includes("\0")) return void error("Region contains invalid characters");
    if (/[\0*]/.test(c.Datacenter)) {
      return void error("Datacenter contains invalid characters (null or '*')");
    }
    if (!LOG_LEVELS.includes(c.LogLevel.toUpperCase())) {
      return void error(
        `Invalid log level: ${c.LogLevel.toUpperCase()}. Valid log levels are: [${
          LOG_LEVELS.join(" ")
        }]`,
      );
    }
    if (!c.DevMode && (!c.TLSConfig.EnableHTTP || !c.TLSConfig.EnableRPC)) {
      warning("WARNING: mTLS is not configured - Nomad is not secure without mTLS!");
    }
    const dirs: [string, string][] = [
      ["data-dir", c.DataDir],
      ["plugin-dir", c.PluginDir],
      ["alloc-dir", c.Client.AllocDir],
      ["alloc-mounts-dir", c.Client.AllocMountsDir],
      ["host-volumes-dir", c.Client.HostVolumesDir],
      ["host-volume-plugin-dir", c.Client.HostVolumePluginDir],
      ["state-dir", c.Client.StateDir],
    ];
    for (const [name, dir] of dirs) {
      if (dir !== "" && !isAbsolute(dir)) {
        return void error(`${name} must be given as an absolute path: got ${dir}`);
      }
    }
    if (c.Client.Enabled) {
      for (const key of Object.keys(c.Client.Meta ?? {})) {
        if (!INTERP_KEY.test(key)) return void error(`Invalid Client.Meta key: ${key}`);
      }
    }
    const algorithm = c.Server.DefaultSchedulerConfig.SchedulerAlgorithm;
    if (algorithm !== "" && algorithm !== "binpack" && algorithm !== "spread") {
      return void error(`invalid scheduler algorithm "${algorithm}": use "binpack" or "spread"`);
    }
    if (c.Client.NodePool === "all") {
      return void error('Invalid node pool: node is not allowed to register in node pool "all"');
    }
    for (const v of c.Client.HostVolumes ?? []) {
      if (v.Path === "") return void error("Missing path in host_volume config");
    }
    const { MinDynamicPort: min, MaxDynamicPort: max } = c.Client;
    if (min < 0 || min > 65535) {
      return void error(`Invalid dynamic port range: min_dynamic_port=${min}`);
    }
    if (max < 0 || max > 65535) {
      return void error(`Invalid dynamic port range: max_dynamic_port=${max}`);
    }
    if (min > max) {
      return void error(
        `Invalid dynamic port range: min_dynamic_port=${min} and max_dynamic_port=${max}`,
      );
    }
    if (c.ACL.Enabled) {
      return void error(
        "ACLs are enabled (acl.enabled or -acl-enabled) but nomad-ts does not enforce ACLs yet; " +
          "it will not start an agent that would answer every request. Remove acl.enabled to run without ACLs.",
      );
    }
    const etcd = c.Server.Etcd;
    for (const e of etcd.Endpoints ?? []) {
      if (!/^https?:\/\/[^/\s]+\/?$/.test(e)) {
        return void error(
          `Invalid server.etcd endpoint ${
            JSON.stringify(e)
          }: use a URL such as "http://127.0.0.1:2379"`,
        );
      }
    }
    if ((etcd.CertFile === "") !== (etcd.KeyFile === "")) {
      return void error("server.etcd needs both cert_file and key_file, or neither");
    }
    if (etcd.Prefix !== "" && !etcd.Prefix.startsWith("/")) {
      return void error(
        `Invalid server.etcd prefix ${JSON.stringify(etcd.Prefix)}: it must start with "/"`,
      );
    }
    const bootstrapExpect = Math.max(c.Server.BootstrapExpect, flagBootstrapExpect);
    if (c.Server.Enabled && bootstrapExpect > 1 && (etcd.Endpoints ?? []).length === 0) {
      return void error(
        `bootstrap_expect = ${bootstrapExpect} needs server.etcd: nomad-ts servers share their state ` +
          `through etcd (server { etcd { endpoints = ["http://127.0.0.1:2379"] } }); a single ` +
          `server keeps it in Deno KV`,
      );
    }
    if (c.DevMode) return;
    if (c.Server.Enabled && c.DataDir === "") {
      return void error(`Must specify "data_dir" config option or "data-dir" CLI flag`);
    }
    if (c.Client.Enabled && c.DataDir === "") {
      const missing = c.Client.AllocDir === "" || c.Client.AllocMountsDir === "" ||
        c.Client.StateDir === "" || c.PluginDir === "";
      if (missing) {
        return void error(
          "Must specify the state, alloc-dir, alloc-mounts-dir and plugin-dir if data-dir is omitted.",
        );
      }
    }
    if (!c.Server.Enabled && flagBootstrapExpect > 0) {
      return void error("Bootstrap requires server mode to be enabled");
    }
    if (c.Server.Enabled && c.Server.BootstrapExpect === 1) {
      warning("WARNING: Bootstrap mode enabled! Potentially unsafe operation.");
    }
    if (c.Server.Enabled && c.Server.BootstrapExpect % 2 === 0) {
      warning("WARNING: Number of bootstrap servers should ideally be set to an odd number.");
    }
  };
  check();
  return out;
}
