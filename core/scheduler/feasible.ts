/**
 * Feasibility checks of a node for a job or task group, in Nomad's order: constraints, task
 * drivers, devices, networks, secrets providers, host and CSI volumes. Each check records why it
 * rejected a node in the placement's metrics, with Nomad's words.
 *
 * @module
 */
import type {
  Constraint,
  NetworkResource,
  Node,
  RequestedDevice,
  TaskGroup,
  VolumeRequest,
} from "../structs/mod.ts";
import {
  checkConstraint,
  constraintString,
  meetsConstraint,
  resolveTarget,
} from "./constraints.ts";
import { parseGoBool } from "../structs/go_bool.ts";
import { parseSemver, parseVersionConstraint } from "./constraints_version.ts";
import { networkBase } from "./network.ts";
import type { MetricsRecorder } from "./rank_metrics.ts";

/** Filter reasons, as Nomad words them. */
export const FilterReason = {
  Drivers: "missing drivers",
  Devices: "missing devices",
  Secrets: "missing secrets provider",
  HostVolumes: "missing compatible host volumes",
  Network: "missing network",
  ClassIneligible: "computed class ineligible",
  DistinctHosts: "distinct_hosts",
} as const;

/** Where checks record their verdicts; the stack swaps `metrics` for each placement. */
export interface CheckContext {
  readonly metrics: MetricsRecorder;
}

/** A feasibility check of one node; false when the node cannot run the job or group. */
export type Checker = (node: Node) => boolean;

/** The constraints, drivers and secrets providers of a group and its tasks. */
export interface GroupNeeds {
  readonly constraints: readonly Constraint[];
  readonly drivers: ReadonlySet<string>;
  readonly secrets: ReadonlySet<string>;
  readonly devices: readonly RequestedDevice[];
}

/** Collects what a group needs from a node (Nomad's TaskGroupConstraints). */
export function groupNeeds(tg: TaskGroup): GroupNeeds {
  const constraints: Constraint[] = [...(tg.Constraints ?? [])];
  const drivers = new Set<string>();
  const secrets = new Set<string>();
  const devices: RequestedDevice[] = [];
  for (const task of tg.Tasks ?? []) {
    drivers.add(task.Driver);
    constraints.push(...(task.Constraints ?? []));
    for (const s of task.Secrets ?? []) secrets.add(s.Provider);
    devices.push(...(task.Resources?.Devices ?? []));
  }
  return { constraints, drivers, secrets, devices };
}

/** Checks job, group or task constraints; the first unmet one is recorded by its text. */
export function constraintChecker(ctx: CheckContext, constraints: readonly Constraint[]): Checker {
  return (node) => {
    for (const c of constraints) {
      if (!meetsConstraint(c, node)) {
        ctx.metrics.filterNode(node, constraintString(c));
        return false;
      }
    }
    return true;
  };
}

/** Whether a node has a healthy, detected driver (or the legacy `driver.<name>` attribute). */
export function hasDriver(node: Node, driver: string): boolean {
  const info = node.Drivers?.[driver];
  if (info !== undefined) return info !== null && info.Detected && info.Healthy;
  const value = node.Attributes?.[`driver.${driver}`];
  return value !== undefined && parseGoBool(value) === true;
}

/** Checks that every task driver of the group runs on the node. */
export function driverChecker(ctx: CheckContext, drivers: ReadonlySet<string>): Checker {
  return (node) => {
    for (const d of drivers) {
      if (!hasDriver(node, d)) {
        ctx.metrics.filterNode(node, FilterReason.Drivers);
        return false;
      }
    }
    return true;
  };
}

/** Checks that the node has the secrets providers the tasks use. */
export function secretsChecker(ctx: CheckContext, providers: ReadonlySet<string>): Checker {
  return (node) => {
    for (const p of providers) {
      if (node.Attributes?.[`plugins.secrets.${p}.version`] === undefined) {
        ctx.metrics.filterNode(node, FilterReason.Secrets);
        return false;
      }
    }
    return true;
  };
}

interface NodeDevice {
  Vendor: string;
  Type: string;
  Name: string;
  Instances?: Array<{ ID?: string; Healthy?: boolean }> | null;
  Attributes?: Record<string, unknown> | null;
}

function deviceTarget(target: string, d: NodeDevice): string | undefined {
  if (!target.startsWith("${")) return target;
  switch (target) {
    case "${device.model}":
      return d.Name;
    case "${device.vendor}":
      return d.Vendor;
    case "${device.type}":
      return d.Type;
    case "${device.ids}":
      return (d.Instances ?? []).map((i) => i.ID ?? "").join(",");
  }
  if (target.startsWith("${device.attr.")) {
    const v = d.Attributes?.[target.slice(14).replace(/\}$/, "")];
    return v === undefined || v === null ? undefined : String(v);
  }
  return undefined;
}

function deviceMatches(d: NodeDevice, req: RequestedDevice): boolean {
  const parts = req.Name.split("/");
  const [vendor, type, name] = parts.length === 1
    ? ["", parts[0], ""]
    : parts.length === 2
    ? [parts[0], parts[1], ""]
    : [parts[0], parts[1], parts.slice(2).join("/")];
  if (req.Name === "") return false;
  if (name !== "" && name !== d.Name) return false;
  if (vendor !== "" && vendor !== d.Vendor) return false;
  if (type !== "" && type !== d.Type) return false;
  return (req.Constraints ?? []).every((c) =>
    checkConstraint(c.Operand, deviceTarget(c.LTarget, d), deviceTarget(c.RTarget, d))
  );
}

/**
 * Checks that the node has enough healthy matching devices. Node devices without an instance
 * list count as one instance each.
 */
export function deviceChecker(ctx: CheckContext, required: readonly RequestedDevice[]): Checker {
  return (node) => {
    if (required.length === 0) return true;
    const devices = (node.NodeResources?.Devices ?? []) as NodeDevice[];
    const available = new Map<NodeDevice, number>();
    for (const d of devices) {
      const healthy = d.Instances == null ? 1 : d.Instances.filter((i) => i.Healthy).length;
      if (healthy > 0) available.set(d, healthy);
    }
    for (const req of required) {
      let want = req.Count ?? 1;
      for (const [d, free] of available) {
        if (free === 0 || !deviceMatches(d, req)) continue;
        const take = Math.min(free, want);
        available.set(d, free - take);
        want -= take;
        if (want === 0) break;
      }
      if (want > 0) {
        ctx.metrics.filterNode(node, FilterReason.Devices);
        return false;
      }
    }
    return true;
  };
}

const predatesBridge = parseVersionConstraint("< 0.12");

/** Whether a Nomad version predates the bridge network fingerprint (0.12). */
function predatesBridgeFingerprint(version: string): boolean {
  const sv = parseSemver(version);
  return sv !== undefined && predatesBridge !== undefined && predatesBridge(sv);
}

/**
 * Checks that the node offers the group network's mode (`host` when the group has none) and
 * the host networks its ports name.
 */
export function networkChecker(ctx: CheckContext, network: NetworkResource | null): Checker {
  const mode = network === null || network.Mode === "" ? "host" : network.Mode;
  const ports = network === null
    ? []
    : [...(network.DynamicPorts ?? []), ...(network.ReservedPorts ?? [])];
  return (node) => {
    if (mode === "none") return true;
    const base = networkBase(node);
    if (node.NodeResources === null || !base.modes.has(mode)) {
      if (
        mode === "bridge" && predatesBridgeFingerprint(node.Attributes?.["nomad.version"] ?? "")
      ) {
        return true;
      }
      ctx.metrics.filterNode(node, FilterReason.Network);
      return false;
    }
    for (const port of ports) {
      const hn = port.HostNetwork || "default";
      const value = resolveTarget(hn, node);
      if (value === undefined) {
        ctx.metrics.filterNode(
          node,
          `invalid host network ${JSON.stringify(hn)} template for port ${
            JSON.stringify(port.Label)
          }`,
        );
        return false;
      }
      if (!base.aliases.has(value)) {
        ctx.metrics.filterNode(
          node,
          `missing host network ${JSON.stringify(value)} for port ${JSON.stringify(port.Label)}`,
        );
        return false;
      }
    }
    return true;
  };
}

/** The `[N]` suffix of an allocation name (Nomad's AllocSuffix). */
export function allocSuffix(name: string): string {
  const i = name.lastIndexOf("[");
  return i === -1 ? "" : name.slice(i);
}

/**
 * Checks the group's host volumes: the node must offer each source, writable unless the
 * request is read-only. Sticky volumes need dynamic host volumes, which nodes here never have.
 */
export function hostVolumeChecker(
  ctx: CheckContext,
  volumes: Record<string, VolumeRequest> | null,
  allocName: string,
): Checker {
  const reqs = Object.values(volumes ?? {}).filter((v) => v.Type === "host").map((v) => ({
    ...v,
    Source: v.PerAlloc ? v.Source + allocSuffix(allocName) : v.Source,
  }));
  return (node) => {
    for (const req of reqs) {
      const vol = node.HostVolumes?.[req.Source];
      if (vol === undefined || vol === null || req.Sticky || (!req.ReadOnly && vol.ReadOnly)) {
        ctx.metrics.filterNode(node, FilterReason.HostVolumes);
        return false;
      }
    }
    return true;
  };
}

/**
 * Checks CSI volumes. The state has no CSI volumes, so every requested one is missing and no
 * node fits, with Nomad's "missing CSI volume(s)" reason.
 */
export function csiVolumeChecker(
  ctx: CheckContext,
  volumes: Record<string, VolumeRequest> | null,
  allocName: string,
): Checker {
  const missing = Object.values(volumes ?? {}).filter((v) => v.Type === "csi").map((v) =>
    v.PerAlloc ? v.Source + allocSuffix(allocName) : v.Source
  );
  return (node) => {
    if (missing.length === 0) return true;
    ctx.metrics.filterNode(node, `missing CSI volume(s) ${missing.join(", ")}`);
    return false;
  };
}
