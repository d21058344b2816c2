/**
 * The host, OS, signal, cgroup and storage fingerprints.
 *
 * @module
 */
import { dirname } from "node:path";
import type { HostProbe } from "./fingerprint_probe.ts";

/** Signal names a task may be sent (consul-template's list on Unix, sorted). */
export const SIGNALS: readonly string[] = [
  "SIGABRT",
  "SIGALRM",
  "SIGBUS",
  "SIGCONT",
  "SIGFPE",
  "SIGHUP",
  "SIGILL",
  "SIGINT",
  "SIGIO",
  "SIGIOT",
  "SIGKILL",
  "SIGNULL",
  "SIGPIPE",
  "SIGPROF",
  "SIGQUIT",
  "SIGSEGV",
  "SIGSTOP",
  "SIGSYS",
  "SIGTERM",
  "SIGTRAP",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGUSR1",
  "SIGUSR2",
  "SIGWINCH",
  "SIGXCPU",
  "SIGXFSZ",
];

/** Go's name for an architecture (`GOARCH`): `amd64`, `arm64`, ... */
export function goArch(machine: string): string {
  const map: Record<string, string> = {
    x86_64: "amd64",
    aarch64: "arm64",
    i386: "386",
    i686: "386",
    armv7l: "arm",
    riscv64: "riscv64",
    ppc64le: "ppc64le",
    s390x: "s390x",
  };
  return map[machine] ?? machine;
}

function osRelease(probe: HostProbe): Record<string, string> {
  const out: Record<string, string> = {};
  const text = probe.readFile("/etc/os-release") ?? probe.readFile("/usr/lib/os-release") ?? "";
  for (const line of text.split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^["']|["']$/g, "");
  }
  return out;
}

/** `kernel.*`, `os.*`, `unique.hostname` and `unique.host_id` attributes. */
export function hostAttributes(probe: HostProbe): Record<string, string> {
  const attrs: Record<string, string> = {};
  const rel = osRelease(probe);
  let version = rel.VERSION_ID ?? "";
  const debian = probe.readFile("/etc/debian_version")?.trim();
  if (rel.ID === "debian" && debian) version = debian;
  attrs["os.name"] = rel.ID ?? probe.os();
  attrs["os.version"] = version;
  attrs["kernel.name"] = probe.os();
  attrs["kernel.version"] = probe.kernelRelease();
  attrs["kernel.arch"] = probe.machine();
  attrs["cpu.arch"] = goArch(probe.machine());
  attrs["os.signals"] = SIGNALS.join(",");
  const hostId = [
    "/sys/class/dmi/id/product_uuid",
    "/etc/machine-id",
    "/proc/sys/kernel/random/boot_id",
  ]
    .map((p) => probe.readFile(p)?.trim().toLowerCase())
    .find((v) => v);
  if (hostId) attrs["unique.host_id"] = hostId;
  attrs["unique.hostname"] = probe.hostname();
  if (probe.exists("/sys/fs/cgroup/cgroup.controllers")) attrs["os.cgroups.version"] = "2";
  else if (probe.exists("/sys/fs/cgroup/cpuset")) attrs["os.cgroups.version"] = "1";
  return attrs;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** The device (or source) of the mount holding `path`, from `/proc/self/mountinfo`. */
export function volumeOf(probe: HostProbe, path: string): string {
  let best = { point: "", source: "" };
  for (const line of (probe.readFile("/proc/self/mountinfo") ?? "").split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const point = unescapeMount(left.split(" ")[4] ?? "");
    const source = unescapeMount(right.split(" ")[1] ?? "");
    const under = point === "/" || path === point || path.startsWith(`${point}/`);
    if (under && point.length >= best.point.length) best = { point, source };
  }
  return best.source;
}

/** The storage fingerprint of the data directory's file system. */
export interface StorageFacts {
  /** `unique.storage.*` attributes. */
  attrs: Record<string, string>;
  /** `NodeResources.Disk.DiskMB`. */
  diskMB: number;
}

/**
 * Measures the file system holding `dir`: volume, total and free bytes. `DiskMB` is the total
 * (as Nomad computes it now), or `diskTotalMB` when configured.
 */
export function fingerprintStorage(
  probe: HostProbe,
  dir: string,
  diskTotalMB: number,
): StorageFacts {
  let existing = dir;
  while (!probe.exists(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const real = probe.realPath(existing);
  const fs = probe.statfs(real);
  const total = diskTotalMB > 0 ? diskTotalMB * 1024 * 1024 : fs.total;
  return {
    attrs: {
      "unique.storage.volume": volumeOf(probe, real),
      "unique.storage.bytestotal": String(total),
      "unique.storage.bytesfree": String(fs.available),
    },
    diskMB: Math.floor(total / (1024 * 1024)),
  };
}
