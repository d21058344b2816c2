/**
 * The options every command that talks to a Nomad agent shares: the connection flags
 * (`-address`, `-region`, `-namespace`, `-token`, TLS), the matching `NOMAD_*` environment
 * variables, and the {@link ClientConfig} the API client is built from. A flag given on the
 * command line wins over its environment variable; an empty flag leaves the variable in force.
 *
 * @module
 */
import { type FlagValues, parseGoBool } from "./flags.ts";

/** The address used when neither `-address` nor `NOMAD_ADDR` is set. */
export const DEFAULT_ADDRESS = "http://127.0.0.1:4646";

/**
 * The connection flags of every API command, to spread into a command's own flag spec:
 * `parseFlags({ ...CLIENT_FLAGS, short: { type: "bool" } }, args)`.
 */
export const CLIENT_FLAGS = {
  address: { type: "string" },
  region: { type: "string" },
  namespace: { type: "string" },
  token: { type: "string" },
  "no-color": { type: "bool" },
  "force-color": { type: "bool" },
  "ca-cert": { type: "string" },
  "ca-path": { type: "string" },
  "client-cert": { type: "string" },
  "client-key": { type: "string" },
  "tls-server-name": { type: "string" },
  "tls-skip-verify": { type: "bool" },
  /** An older spelling of `-tls-skip-verify`, still accepted. */
  insecure: { type: "bool" },
} as const;

/** The parsed values of {@link CLIENT_FLAGS}. */
export type ClientFlags = FlagValues<typeof CLIENT_FLAGS>;

/** HTTP basic authentication, from `NOMAD_HTTP_AUTH` (`user` or `user:password`). */
export interface HttpBasicAuth {
  readonly username: string;
  readonly password: string;
}

/** How to verify the agent's certificate and which client certificate to present. */
export interface TlsConfig {
  /** Path of a PEM CA certificate (`-ca-cert`, `NOMAD_CACERT`); empty when unset. */
  readonly caCert: string;
  /** Path of a directory of PEM CA certificates (`-ca-path`, `NOMAD_CAPATH`). */
  readonly caPath: string;
  /** Path of a PEM client certificate (`-client-cert`, `NOMAD_CLIENT_CERT`). */
  readonly clientCert: string;
  /** Path of the client certificate's private key (`-client-key`, `NOMAD_CLIENT_KEY`). */
  readonly clientKey: string;
  /** The SNI host name (`-tls-server-name`, `NOMAD_TLS_SERVER_NAME`). */
  readonly serverName: string;
  /** Skip certificate verification (`-tls-skip-verify`, `NOMAD_SKIP_VERIFY`). */
  readonly insecure: boolean;
}

/** Everything the API client needs to reach an agent; the fields of Go's `api.Config`. */
export interface ClientConfig {
  /** The agent's address, e.g. `http://127.0.0.1:4646`. */
  readonly address: string;
  /** The region to forward requests to; empty means the agent's own region. */
  readonly region: string;
  /** The namespace of namespaced requests; empty means `default`. `*` means all. */
  readonly namespace: string;
  /** The ACL token's secret ID; empty when no token is used. */
  readonly token: string;
  /** Basic authentication for a proxy in front of the agent, when set. */
  readonly httpAuth: HttpBasicAuth | null;
  readonly tls: TlsConfig;
}

/** The `NOMAD_*` variables read from an environment. */
type Env = Readonly<Record<string, string | undefined>>;

function envBool(value: string | undefined): boolean | undefined {
  if (!value) return undefined;
  try {
    return parseGoBool(value);
  } catch {
    return undefined; // like Nomad, an unreadable NOMAD_SKIP_VERIFY is ignored
  }
}

function httpAuth(value: string | undefined): HttpBasicAuth | null {
  if (!value) return null;
  const colon = value.indexOf(":");
  if (colon < 0) return { username: value, password: "" };
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

/**
 * The client configuration from the environment alone, as Nomad's `api.DefaultConfig` builds
 * it: `NOMAD_ADDR` (default {@link DEFAULT_ADDRESS}), `NOMAD_REGION`, `NOMAD_NAMESPACE`,
 * `NOMAD_TOKEN`, `NOMAD_HTTP_AUTH`, `NOMAD_CACERT`, `NOMAD_CAPATH`, `NOMAD_CLIENT_CERT`,
 * `NOMAD_CLIENT_KEY`, `NOMAD_TLS_SERVER_NAME` and `NOMAD_SKIP_VERIFY`. Empty variables count as
 * unset.
 */
export function envClientConfig(env: Env): ClientConfig {
  return {
    address: env.NOMAD_ADDR || DEFAULT_ADDRESS,
    region: env.NOMAD_REGION ?? "",
    namespace: env.NOMAD_NAMESPACE ?? "",
    token: env.NOMAD_TOKEN ?? "",
    httpAuth: httpAuth(env.NOMAD_HTTP_AUTH),
    tls: {
      caCert: env.NOMAD_CACERT ?? "",
      caPath: env.NOMAD_CAPATH ?? "",
      clientCert: env.NOMAD_CLIENT_CERT ?? "",
      clientKey: env.NOMAD_CLIENT_KEY ?? "",
      serverName: env.NOMAD_TLS_SERVER_NAME ?? "",
      insecure: envBool(env.NOMAD_SKIP_VERIFY) ?? false,
    },
  };
}

/**
 * The client configuration of a command: the environment's, with every non-empty connection
 * flag laid over it. `-tls-skip-verify` (or `-insecure`) can turn verification off but, as in
 * Nomad, `-tls-skip-verify=false` does not turn it back on when `NOMAD_SKIP_VERIFY` is set.
 *
 * @example
 * ```ts
 * const { flags } = parseFlags(CLIENT_FLAGS, ["-region", "eu"]);
 * clientConfig(flags, { NOMAD_ADDR: "http://10.0.0.1:4646" }).region; // "eu"
 * ```
 */
export function clientConfig(flags: ClientFlags, env: Env): ClientConfig {
  const base = envClientConfig(env);
  const pick = (flag: string, fallback: string) => flag !== "" ? flag : fallback;
  return {
    address: pick(flags.address, base.address),
    region: pick(flags.region, base.region),
    namespace: pick(flags.namespace, base.namespace),
    token: pick(flags.token, base.token),
    httpAuth: base.httpAuth,
    tls: {
      caCert: pick(flags["ca-cert"], base.tls.caCert),
      caPath: pick(flags["ca-path"], base.tls.caPath),
      clientCert: pick(flags["client-cert"], base.tls.clientCert),
      clientKey: pick(flags["client-key"], base.tls.clientKey),
      serverName: pick(flags["tls-server-name"], base.tls.serverName),
      insecure: flags["tls-skip-verify"] || flags.insecure || base.tls.insecure,
    },
  };
}

/**
 * Whether output may be colored, as Nomad decides it before any command runs: never with
 * `-no-color` anywhere on the command line or `NOMAD_CLI_NO_COLOR` set; otherwise when stdout
 * is a terminal, or always with `-force-color` or `NOMAD_CLI_FORCE_COLOR`.
 */
export function useColor(args: readonly string[], env: Env, stdoutIsTerminal: boolean): boolean {
  const noColor = !!env.NOMAD_CLI_NO_COLOR || args.some((a) => /^--?no-color$/.test(a));
  const force = !!env.NOMAD_CLI_FORCE_COLOR || args.some((a) => /^--?force-color$/.test(a));
  return !noColor && (stdoutIsTerminal || force);
}

/**
 * The help text of the connection flags, for the "General Options" section of a command's
 * help, without the leading two-space indent of its first line.
 */
export function generalOptionsUsage(opts: { namespace?: boolean } = {}): string {
  const namespace = opts.namespace === false ? "" : `
  -namespace=<namespace>
    The namespace that namespaced queries and actions apply to; '*' makes the
    commands that support it look in every namespace the token may read.
    Overrides NOMAD_NAMESPACE. Default: "default".
`;
  return `
  -address=<addr>
    Address of the Nomad agent to talk to. Overrides NOMAD_ADDR.
    Default: ${DEFAULT_ADDRESS}

  -region=<region>
    Region of the servers that should handle the request. Overrides
    NOMAD_REGION. Default: the region of the agent.
${namespace}
  -no-color
    Print without colors. NOMAD_CLI_NO_COLOR does the same. Takes precedence
    over -force-color.

  -force-color
    Print colors even when stdout is not a terminal. NOMAD_CLI_FORCE_COLOR does
    the same. Ignored together with -no-color.

  -ca-cert=<path>
    PEM file of the CA that signed the agent's certificate. Overrides
    NOMAD_CACERT.

  -ca-path=<path>
    Directory of PEM CA files to verify the agent's certificate with; -ca-cert
    wins when both are given. Overrides NOMAD_CAPATH.

  -client-cert=<path>
    PEM client certificate for mutual TLS; needs -client-key. Overrides
    NOMAD_CLIENT_CERT.

  -client-key=<path>
    Unencrypted PEM private key of -client-cert. Overrides NOMAD_CLIENT_KEY.

  -tls-server-name=<value>
    Host name to send as SNI when connecting over TLS. Overrides
    NOMAD_TLS_SERVER_NAME.

  -tls-skip-verify
    Do not verify the agent's TLS certificate (not recommended). Setting
    NOMAD_SKIP_VERIFY to true does the same.

  -token
    SecretID of the ACL token to send with requests. Overrides NOMAD_TOKEN.
`.trim();
}
