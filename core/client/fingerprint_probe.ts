/**
 * What the fingerprinter reads of the host, behind one small interface so that tests can
 * describe any machine. {@linkcode systemProbe} reads the real one through Deno's APIs
 * (`Deno.hostname`, `Deno.osRelease`, `Deno.systemMemoryInfo`, `Deno.networkInterfaces`,
 * `Deno.build`), `node:fs`'s `statfsSync`, and files of `/proc`, `/sys` and `/etc`; it spawns
 * no process.
 *
 * @module
 */
import { statfsSync } from "node:fs";

/** A network interface address (the shape of `Deno.networkInterfaces()`). */
export interface InterfaceAddress {
  /** `IPv4` or `IPv6`. */
  family: "IPv4" | "IPv6";
  /** The interface's name (`eth0`). */
  name: string;
  /** The address. */
  address: string;
  /** `address/prefix`. */
  cidr: string;
  /** The interface's MAC address. */
  mac: string;
}

/** A file system's size, in bytes. */
export interface FsStats {
  /** Total size. */
  total: number;
  /** Available to unprivileged users (`df`'s "Available"). */
  available: number;
}

/** The host as the fingerprinter sees it. */
export interface HostProbe {
  /** A file's text, or `null` when it is missing or unreadable. */
  readFile(path: string): string | null;
  /** The host name. */
  hostname(): string;
  /** The kernel release (`uname -r`). */
  kernelRelease(): string;
  /** The machine (`uname -m`): `x86_64`, `aarch64`. */
  machine(): string;
  /** The OS as Deno names it: `linux`, `darwin`, `windows`. */
  os(): string;
  /** Logical CPUs, when nothing better is known. */
  cpuCount(): number;
  /** Total memory in bytes. */
  memoryTotal(): number;
  /** The addresses of the host's interfaces. */
  interfaces(): InterfaceAddress[];
  /** The size of the file system holding `path`. */
  statfs(path: string): FsStats;
  /** The canonical path (symlinks resolved), or the path itself when it does not exist. */
  realPath(path: string): string;
  /** Whether `path` exists. */
  exists(path: string): boolean;
}

function readFile(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

/** Reads the real host. */
export function systemProbe(): HostProbe {
  return {
    readFile,
    hostname: () => Deno.hostname(),
    kernelRelease: () => Deno.osRelease(),
    machine: () => Deno.build.arch,
    os: () => Deno.build.os,
    cpuCount: () => navigator.hardwareConcurrency,
    memoryTotal: () => Deno.systemMemoryInfo().total,
    interfaces: () =>
      Deno.networkInterfaces().map((i) => ({
        family: i.family,
        name: i.name,
        address: i.address,
        cidr: i.cidr ?? `${i.address}/${i.family === "IPv4" ? 32 : 128}`,
        mac: i.mac,
      })),
    statfs: (path) => {
      const s = statfsSync(path);
      return { total: s.blocks * s.bsize, available: s.bavail * s.bsize };
    },
    realPath: (path) => {
      try {
        return Deno.realPathSync(path);
      } catch {
        return path;
      }
    },
    exists: (path) => {
      try {
        Deno.statSync(path);
        return true;
      } catch {
        return false;
      }
    },
  };
}
