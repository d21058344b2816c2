/**
 * go-sockaddr templates in addresses (`bind_addr = "{{ GetPrivateIP }}"`,
 * `advertise { rpc = "{{ GetInterfaceIP \"eth0\" }}" }`): the functions Nomad users write,
 * evaluated over the machine's interfaces (`Deno.networkInterfaces()`).
 *
 * Supported: `GetInterfaceIP`, `GetInterfaceIPs`, `GetPrivateIP(s)`, `GetPublicIP(s)`, and the
 * interface lists `GetAllInterfaces`, `GetDefaultInterfaces`, `GetPrivateInterfaces`,
 * `GetPublicInterfaces` piped through `include`/`exclude` ("name", "network", "type",
 * "address"), `sort`, `limit`, `offset`, `attr` and `join`. Unlike go-sockaddr, an interface
 * that does not exist is an error naming it, rather than an empty address.
 *
 * @module
 */

/** One address of a network interface. */
export interface IfAddr {
  readonly name: string;
  readonly address: string;
  readonly family: "IPv4" | "IPv6";
  /** `address/prefix`. */
  readonly cidr: string;
}

/** The machine as templates see it. */
export interface SockaddrEnv {
  readonly interfaces: readonly IfAddr[];
  /** The interface of the default route, when known. */
  readonly defaultInterface: string | null;
}

/** A template that cannot be evaluated: unknown function, missing interface, bad arguments. */
export class SockaddrTemplateError extends Error {
  override readonly name = "SockaddrTemplateError";
}

function defaultRouteInterface(): string | null {
  try {
    const lines = Deno.readTextFileSync("/proc/net/route").split("\n").slice(1);
    for (const line of lines) {
      const [iface, dest] = line.trim().split(/\s+/);
      if (dest === "00000000" && iface) return iface;
    }
  } catch {
    // Not Linux, or no permission: treat every non-loopback interface as a default one.
  }
  return null;
}

/** The interfaces of this machine (needs `--allow-sys`, and `--allow-read` for the route). */
export function systemSockaddrEnv(): SockaddrEnv {
  const interfaces = Deno.networkInterfaces().map((i) => ({
    name: i.name,
    address: i.address,
    family: i.family,
    cidr: i.cidr ?? `${i.address}/${i.family === "IPv4" ? 32 : 128}`,
  }));
  return { interfaces, defaultInterface: defaultRouteInterface() };
}

function ipv4ToInt(ip: string): number | null {
  const parts = ip.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split("/");
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(net ?? "");
  const n = Number(bits);
  if (a === null || b === null || !Number.isInteger(n) || n < 0 || n > 32) return false;
  const size = 2 ** (32 - n);
  return Math.floor(a / size) === Math.floor(b / size);
}

const PRIVATE_V4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];
const NOT_PUBLIC_V4 = [...PRIVATE_V4, "127.0.0.0/8", "169.254.0.0/16", "0.0.0.0/8"];

/** Whether an IPv4 address is private (RFC 1918 and RFC 6598), as go-sockaddr's RFC 6890 list. */
export function isPrivateIPv4(ip: string): boolean {
  return PRIVATE_V4.some((c) => inCidr(ip, c));
}

function isPublicIPv4(ip: string): boolean {
  return ipv4ToInt(ip) !== null && !NOT_PUBLIC_V4.some((c) => inCidr(ip, c));
}

type Value = string | IfAddr[];

function byName(env: SockaddrEnv, name: string): IfAddr[] {
  const exact = env.interfaces.filter((i) => i.name === name);
  if (exact.length > 0) return exact;
  let re: RegExp | null = null;
  try {
    re = new RegExp(name);
  } catch {
    re = null;
  }
  const matched = re ? env.interfaces.filter((i) => re.test(i.name)) : [];
  if (matched.length > 0) return matched;
  const names = [...new Set(env.interfaces.map((i) => i.name))].join(", ") || "none";
  throw new SockaddrTemplateError(
    `no network interface named "${name}" on this machine (interfaces: ${names})`,
  );
}

function firstIPv4(list: IfAddr[]): string {
  return list.find((i) => i.family === "IPv4")?.address ?? "";
}

function attr(a: IfAddr, name: string): string {
  switch (name) {
    case "address":
    case "ip":
      return a.address;
    case "name":
      return a.name;
    case "network":
      return a.cidr;
    case "type":
      return a.family;
    default:
      throw new SockaddrTemplateError(
        `unknown attribute "${name}" (use address, name, network or type)`,
      );
  }
}

function filter(list: IfAddr[], what: string, value: string, keep: boolean): IfAddr[] {
  const test = (a: IfAddr): boolean => {
    switch (what) {
      case "name":
        return new RegExp(value).test(a.name);
      case "network":
        return inCidr(a.address, value);
      case "type":
        return a.family.toLowerCase() === value.toLowerCase();
      case "address":
        return new RegExp(value).test(a.address);
      default:
        throw new SockaddrTemplateError(
          `cannot filter on "${what}" (use name, network, type or address)`,
        );
    }
  };
  return list.filter((a) => test(a) === keep);
}

function defaults(env: SockaddrEnv): IfAddr[] {
  return env.defaultInterface
    ? env.interfaces.filter((i) => i.name === env.defaultInterface)
    : env.interfaces.filter((i) => !i.address.startsWith("127.") && i.address !== "::1");
}

/** Addresses passing `test`, those of the default-route interface first (as go-sockaddr). */
function preferDefault(env: SockaddrEnv, test: (ip: string) => boolean): IfAddr[] {
  const onDefault = defaults(env).filter((i) => test(i.address));
  const rest = env.interfaces.filter((i) => test(i.address) && !onDefault.includes(i));
  return [...onDefault, ...rest];
}

const SOURCES: Record<string, (env: SockaddrEnv, args: string[]) => Value> = {
  GetAllInterfaces: (env) => [...env.interfaces],
  GetDefaultInterfaces: defaults,
  GetPrivateInterfaces: (env) => preferDefault(env, isPrivateIPv4),
  GetPublicInterfaces: (env) => preferDefault(env, isPublicIPv4),
  GetInterfaceIP: (env, [name]) => firstIPv4(byName(env, name ?? "")),
  GetInterfaceIPs: (env, [name]) => byName(env, name ?? "").map((i) => i.address).join(" "),
  GetPrivateIP: (env) => firstIPv4(preferDefault(env, isPrivateIPv4)),
  GetPrivateIPs: (env) => preferDefault(env, isPrivateIPv4).map((i) => i.address).join(" "),
  GetPublicIP: (env) => firstIPv4(preferDefault(env, isPublicIPv4)),
  GetPublicIPs: (env) => preferDefault(env, isPublicIPv4).map((i) => i.address).join(" "),
};

const ARITY: Record<string, number> = { GetInterfaceIP: 1, GetInterfaceIPs: 1 };

function asList(v: Value, fn: string): IfAddr[] {
  if (typeof v === "string") {
    throw new SockaddrTemplateError(`${fn} needs a list of interfaces, such as GetAllInterfaces`);
  }
  return v;
}

function applyStage(fn: string, args: string[], input: IfAddr[]): Value {
  switch (fn) {
    case "include":
    case "exclude":
      if (args.length !== 2) {
        throw new SockaddrTemplateError(`${fn} takes two arguments, e.g. ${fn} "name" "eth0"`);
      }
      return filter(input, args[0]!, args[1]!, fn === "include");
    case "sort":
      return [...input].sort((a, b) => a.address.localeCompare(b.address));
    case "limit":
    case "offset": {
      const n = Number(args[0]);
      if (!Number.isInteger(n) || n < 0) throw new SockaddrTemplateError(`${fn} takes a number`);
      return fn === "limit" ? input.slice(0, n) : input.slice(n);
    }
    case "attr": {
      if (args.length !== 1) {
        throw new SockaddrTemplateError('attr takes one argument, e.g. attr "address"');
      }
      const first = input[0];
      return first ? attr(first, args[0]!) : "";
    }
    case "join":
      if (args.length !== 2) {
        throw new SockaddrTemplateError('join takes two arguments, e.g. join "address" " "');
      }
      return input.map((a) => attr(a, args[0]!)).join(args[1]!);
    default:
      throw new SockaddrTemplateError(`function "${fn}" not defined`);
  }
}

function tokenize(expr: string): string[][] {
  const stages: string[][] = [[]];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|(\|)|([^\s|"]+))/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(expr)) !== null && m[0] !== "") {
    last = re.lastIndex;
    if (m[2]) stages.push([]);
    else stages[stages.length - 1]!.push(m[1] !== undefined ? JSON.parse(`"${m[1]}"`) : m[3]!);
  }
  if (expr.slice(last).trim() !== "") {
    throw new SockaddrTemplateError(`cannot read "${expr.slice(last).trim()}"`);
  }
  return stages;
}

function evalAction(expr: string, env: SockaddrEnv): string {
  const [first, ...rest] = tokenize(expr);
  const [fn, ...args] = first ?? [];
  const source = fn === undefined ? undefined : SOURCES[fn];
  if (fn === undefined || !source) {
    throw new SockaddrTemplateError(`function "${fn ?? ""}" not defined`);
  }
  if ((ARITY[fn] ?? 0) !== args.length) {
    throw new SockaddrTemplateError(
      `${fn} takes ${ARITY[fn] ?? 0} argument(s), got ${args.length}`,
    );
  }
  let value = source(env, args);
  for (const [stage, ...stageArgs] of rest) {
    if (stage === undefined) throw new SockaddrTemplateError("empty stage in the pipeline");
    value = applyStage(stage, stageArgs, asList(value, stage));
  }
  if (typeof value !== "string") {
    throw new SockaddrTemplateError(
      `${fn} gives a list of interfaces; end the pipeline with attr "address" or join "address" " "`,
    );
  }
  return value;
}

/**
 * Evaluates a go-sockaddr template; text outside `{{ }}` is kept as is.
 *
 * @throws {SockaddrTemplateError} naming the template and what is wrong with it.
 *
 * @example
 * ```ts
 * renderSockaddr('{{ GetInterfaceIP "lo" }}', env); // "127.0.0.1"
 * ```
 */
export function renderSockaddr(template: string, env: SockaddrEnv): string {
  try {
    return template.replace(/\{\{-?([\s\S]*?)-?\}\}/g, (_, expr: string) => evalAction(expr, env));
  } catch (err) {
    if (err instanceof SockaddrTemplateError) {
      throw new SockaddrTemplateError(
        `unable to parse address template "${template}": ${err.message}`,
      );
    }
    throw err;
  }
}

/**
 * Evaluates a template that must give exactly one address (a bind or advertise address).
 *
 * @throws {SockaddrTemplateError} when the result is empty or several addresses.
 */
export function renderSingleIP(template: string, env: SockaddrEnv): string {
  const out = renderSockaddr(template, env).trim();
  if (template.includes("{{") && out === "") {
    throw new SockaddrTemplateError(
      `No address found for template "${template}", please configure one.`,
    );
  }
  if (/\s/.test(out)) {
    throw new SockaddrTemplateError(`Multiple addresses found ("${out}"), please configure one.`);
  }
  return out;
}
