/**
 * Diffs of resources, networks, ports, devices and free-form maps (driver config).
 *
 * @module
 */
import type { ObjectDiff } from "./diff_types.ts";
import type { SObj } from "./_diff_server.ts";
import { SDevice, SNetwork, SNUMA, SPort, SResources } from "./_diff_server_parts.ts";
import { deepEqual, type Flat, flattenMap, hashKey } from "./_diff_flatten.ts";
import {
  append,
  fieldDiffs,
  flatObjectDiff,
  keyedDiffs,
  primitiveObjectDiff,
  sortObjects,
  structDiff,
} from "./_diff_core.ts";

type Obj = SObj | null;
const asList = (v: unknown) => (Array.isArray(v) ? (v as SObj[]) : null);
const asMap = (v: unknown) => (v && typeof v === "object" ? v as Record<string, unknown> : null);
const sizeOf = (v: Record<string, unknown> | null) => (v ? Object.keys(v).length : 0);

/**
 * Diffs two free-form maps (driver `Config`, scaling `Policy`, proxy `Config`) under `name`;
 * nested lists and maps give keys like `port_map[0][db]`.
 */
export function mapDiff(
  old: unknown,
  nu: unknown,
  name: string,
  contextual: boolean,
): ObjectDiff | null {
  const o = asMap(old);
  const n = asMap(nu);
  if (deepEqual(o, n)) return null;
  const type = sizeOf(o) === 0 ? "Added" : sizeOf(n) === 0 ? "Deleted" : "Edited";
  return {
    Type: type,
    Name: name,
    Fields: fieldDiffs(flattenMap(o), flattenMap(n), contextual),
    Objects: null,
  };
}

/** The diff of a task's (or sidecar's) resources, with networks, devices and NUMA. */
export function resourcesDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  const diff = structDiff(SResources, old, nu, "Resources", contextual);
  if (!diff) return null;
  diff.Objects = append(
    diff.Objects,
    networkDiffs(asList(old?.Networks), asList(nu?.Networks), contextual),
  );
  diff.Objects = append(
    diff.Objects,
    keyedDiffs(
      asList(old?.Devices),
      asList(nu?.Devices),
      (d) => String(d.Name),
      (o, n) => structDiff(SDevice, o, n, "Device", contextual),
    ),
  );
  diff.Objects = append(
    diff.Objects,
    structDiff(SNUMA, (old?.NUMA ?? null) as Obj, (nu?.NUMA ?? null) as Obj, "NUMA", contextual),
  );
  return diff;
}

/**
 * Diffs two lists of networks. Networks have no identity, so they are compared as a set of
 * whole values: any change shows as one Deleted and one Added network.
 */
export function networkDiffs(
  old: SObj[] | null,
  nu: SObj[] | null,
  contextual: boolean,
): ObjectDiff[] | null {
  const oldSet = new Map((old ?? []).map((n) => [hashKey(n), n]));
  const newSet = new Map((nu ?? []).map((n) => [hashKey(n), n]));
  const out: ObjectDiff[] = [];
  for (const [k, o] of oldSet) {
    if (newSet.has(k)) continue;
    const d = networkDiff(o, null, contextual);
    if (d) out.push(d);
  }
  for (const [k, n] of newSet) {
    if (oldSet.has(k)) continue;
    const d = networkDiff(null, n, contextual);
    if (d) out.push(d);
  }
  return sortObjects(out);
}

const NETWORK_FILTER = ["_struct", "Device", "CIDR", "IP", "MBits"];

function networkDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  const diff = structDiff(SNetwork, old, nu, "Network", contextual, { filter: NETWORK_FILTER });
  if (!diff) return null;
  diff.Objects = append(
    diff.Objects,
    portDiffs(asList(old?.ReservedPorts), asList(nu?.ReservedPorts), false, contextual),
  );
  diff.Objects = append(
    diff.Objects,
    portDiffs(asList(old?.DynamicPorts), asList(nu?.DynamicPorts), true, contextual),
  );
  diff.Objects = append(diff.Objects, dnsDiff(asMap(old?.DNS), asMap(nu?.DNS), contextual));
  diff.Objects = append(diff.Objects, cniDiff(asMap(old?.CNI), asMap(nu?.CNI), contextual));
  return diff;
}

/** Ports keyed by label; dynamic ports do not show their (unset) value. */
function portDiffs(
  old: SObj[] | null,
  nu: SObj[] | null,
  dynamic: boolean,
  contextual: boolean,
): ObjectDiff[] | null {
  const filter = dynamic ? ["_struct", "Value", "IgnoreCollision"] : ["_struct"];
  const name = dynamic ? "Dynamic Port" : "Static Port";
  return keyedDiffs(
    old,
    nu,
    (p) => String(p.Label),
    (o, n) => primitiveObjectDiff(SPort, o, n, filter, name, contextual),
  );
}

function dnsDiff(
  old: Record<string, unknown> | null,
  nu: Record<string, unknown> | null,
  contextual: boolean,
): ObjectDiff | null {
  if (deepEqual(old, nu)) return null;
  const flat = (d: Record<string, unknown>): Flat => {
    const m: Flat = new Map();
    for (const key of ["Servers", "Searches", "Options"]) {
      const v = d[key];
      if (Array.isArray(v) && v.length > 0) m.set(key, v.join(","));
    }
    return m;
  };
  return {
    Type: old === null ? "Added" : nu === null ? "Deleted" : "Edited",
    Name: "DNS",
    Fields: fieldDiffs(old ? flat(old) : null, nu ? flat(nu) : null, contextual),
    Objects: null,
  };
}

function cniDiff(
  old: Record<string, unknown> | null,
  nu: Record<string, unknown> | null,
  contextual: boolean,
): ObjectDiff | null {
  const oldArgs = asMap(old?.Args);
  const newArgs = asMap(nu?.Args);
  if (deepEqual(oldArgs, newArgs)) return null;
  return flatObjectDiff(flattenMap(oldArgs), flattenMap(newArgs), "CNIConfig", contextual);
}
