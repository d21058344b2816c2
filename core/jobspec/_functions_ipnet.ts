/**
 * CIDR functions of go-cty-funcs (Terraform's): `cidrhost`, `cidrnetmask`, `cidrsubnet` and
 * `cidrsubnets`, for IPv4 and IPv6, with addresses as big integers.
 *
 * @module
 */
import { ArgError, FuncError, type FuncSpec, param } from "./_functions_api.ts";
import { T, type Value } from "./_hcl_types.ts";

/** A network: its masked address, the address size in bits and the prefix length. */
interface Net {
  readonly addr: bigint;
  readonly bits: 32 | 128;
  readonly prefix: number;
}

function parseIPv4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return null;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

function parseIPv6(s: string): bigint | null {
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string): number[] | null => {
    if (h === "") return [];
    const out: number[] = [];
    const parts = h.split(":");
    for (const [i, p] of parts.entries()) {
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = parseIPv4(p);
        if (v4 === null) return null;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0]!), tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 2 && fill < 1) || (halves.length === 1 && fill !== 0)) return null;
  return [...head, ...Array<number>(fill).fill(0), ...tail].reduce(
    (n, g) => (n << 16n) | BigInt(g),
    0n,
  );
}

const mask = (bits: number, prefix: number) =>
  ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
const hostMask = (bits: number, prefix: number) => (1n << BigInt(bits - prefix)) - 1n;

/** Parses `address/prefix` as Go's `net.ParseCIDR`, returning the masked network. */
function parseCIDR(s: string, index = 0): Net {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  const v4 = m ? parseIPv4(m[1]!) : null;
  const v6 = m && v4 === null ? parseIPv6(m[1]!) : null;
  const bits = v4 !== null ? 32 : 128;
  const prefix = m ? Number(m[2]) : NaN;
  if ((v4 === null && v6 === null) || !(prefix <= bits)) {
    throw new ArgError(index, `invalid CIDR expression: invalid CIDR address: ${s}`);
  }
  return { addr: (v4 ?? v6!) & mask(bits, prefix), bits, prefix };
}

/** Formats an address as Go's `net.IP.String` does. */
export function formatIP(addr: bigint, bits: number): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((s) => String((addr >> s) & 0xffn)).join(".");
  const groups = Array.from(
    { length: 8 },
    (_, i) => Number((addr >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

const netString = (n: Net) => `${formatIP(n.addr, n.bits)}/${n.prefix}`;

function whole(n: number, index: number): number {
  if (!Number.isInteger(n)) throw new ArgError(index, "value must be a whole number");
  return n;
}

function cidrHost(prefix: string, hostnum: number): string {
  const net = parseCIDR(prefix);
  const num = BigInt(whole(hostnum, 1));
  const max = hostMask(net.bits, net.prefix);
  const host = num < 0n ? max + num + 1n : num;
  if ((num < 0n ? -num - 1n : num) > max) {
    throw new FuncError(`prefix of ${net.prefix} does not accommodate a host numbered ${hostnum}`);
  }
  return formatIP(net.addr | host, net.bits);
}

function cidrSubnet(prefix: string, newbits: number, netnum: number): string {
  const net = parseCIDR(prefix);
  const nb = whole(newbits, 1), num = whole(netnum, 2);
  if (nb > 32) throw new FuncError("may not extend prefix by more than 32 bits");
  if (nb < 0) throw new ArgError(1, "must not be negative");
  const len = net.prefix + nb;
  if (len > net.bits) {
    throw new FuncError(`insufficient address space to extend prefix of ${net.prefix} by ${nb}`);
  }
  if (num < 0 || BigInt(num) > (1n << BigInt(nb)) - 1n) {
    throw new FuncError(`prefix extension of ${nb} does not accommodate a subnet numbered ${num}`);
  }
  return netString({
    ...net,
    addr: net.addr | (BigInt(num) << BigInt(net.bits - len)),
    prefix: len,
  });
}

function cidrSubnets(prefix: string, lengths: number[]): Value {
  const net = parseCIDR(prefix);
  if (lengths.length === 0) return [];
  const modulus = 1n << BigInt(net.bits);
  const first = whole(lengths[0]!, 1) + net.prefix;
  let current: Net = {
    ...net,
    addr: (net.addr - 1n + modulus) % modulus & mask(net.bits, first),
    prefix: first,
  };
  const out: string[] = [];
  for (const [i, raw] of lengths.entries()) {
    const ext = whole(raw, i + 1);
    if (ext < 1) throw new ArgError(i + 1, "must extend prefix by at least one bit");
    if (ext > 32) throw new ArgError(i + 1, "may not extend prefix by more than 32 bits");
    const len = ext + net.prefix;
    if (len > net.bits) {
      throw new ArgError(
        i + 1,
        `would extend prefix to ${len} bits, which is too long for an ${
          net.bits === 32 ? "IPv4" : "IPv6"
        } address`,
      );
    }
    const currentLast = current.addr | hostMask(net.bits, current.prefix);
    const subnetLast = (currentLast & mask(net.bits, len)) | hostMask(net.bits, len);
    const after = (subnetLast + 1n) % modulus;
    const next: Net = { addr: after & mask(net.bits, len), bits: net.bits, prefix: len };
    if (after === 0n || (next.addr & mask(net.bits, net.prefix)) !== net.addr) {
      throw new ArgError(
        i + 1,
        `not enough remaining address space for a subnet with a prefix of ${len} bits after ${
          netString(current)
        }`,
      );
    }
    current = next;
    out.push(netString(current));
  }
  return out;
}

/** The CIDR functions by name. */
export const IPNET_FUNCTIONS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  ["cidrhost", {
    params: [param("prefix", T.string), param("hostnum", T.number)],
    impl: ([p, n]) => cidrHost(p as string, n as number),
  }],
  ["cidrnetmask", {
    params: [param("prefix", T.string)],
    impl: ([p]) => {
      const net = parseCIDR(p as string);
      return formatIP(mask(net.bits, net.prefix), net.bits);
    },
  }],
  ["cidrsubnet", {
    params: [param("prefix", T.string), param("newbits", T.number), param("netnum", T.number)],
    impl: ([p, b, n]) => cidrSubnet(p as string, b as number, n as number),
  }],
  ["cidrsubnets", {
    params: [param("prefix", T.string)],
    varParam: param("newbits", T.number),
    impl: ([p, ...bits]) => cidrSubnets(p as string, bits as number[]),
  }],
]);
