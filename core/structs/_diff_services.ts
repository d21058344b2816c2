/**
 * Diffs of services, their checks and Consul Connect blocks.
 *
 * @module
 */
import type { ObjectDiff } from "./diff_types.ts";
import type { SObj } from "./_diff_server.ts";
import { SLogConfig } from "./_diff_server_parts.ts";
import {
  SCheck,
  SCheckRestart,
  SConnect,
  SExposePath,
  SMeshGateway,
  SProxy,
  SService,
  SSidecarService,
  SSidecarTask,
  STProxy,
  SUpstream,
} from "./_diff_server_services.ts";
import { deepEqual, type Flat, flattenMap } from "./_diff_flatten.ts";
import {
  append,
  changeType,
  fieldDiffs,
  keyedDiffs,
  newObject,
  primitiveObjectDiff,
  primitiveObjectSetDiff,
  sortObjects,
  stringSetDiff,
  structDiff,
} from "./_diff_core.ts";
import { mapDiff, resourcesDiff } from "./_diff_resources.ts";
import { identityDiff, identityDiffs, volumeMountDiffs } from "./_diff_task_parts.ts";

type Obj = SObj | null;
const strs = (v: unknown) => (Array.isArray(v) ? (v as string[]) : null);
const list = (v: unknown) => (Array.isArray(v) ? (v as SObj[]) : null);
const obj = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? v as SObj : null);

function checkDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  const diff = structDiff(SCheck, old, nu, "Check", contextual);
  if (!diff) return null;
  const oldHeader = obj(old?.Header);
  const newHeader = obj(nu?.Header);
  if (!deepEqual(oldHeader, newHeader)) {
    const header = newObject("Header", changeType(oldHeader, newHeader));
    header.Fields = fieldDiffs(
      oldHeader ? flattenMap(oldHeader) : null,
      newHeader ? flattenMap(newHeader) : null,
      contextual,
    );
    diff.Objects = append(diff.Objects, header);
  }
  diff.Objects = append(
    diff.Objects,
    structDiff(
      SCheckRestart,
      obj(old?.CheckRestart),
      obj(nu?.CheckRestart),
      "CheckRestart",
      contextual,
    ),
  );
  return diff;
}

function weightsDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  if (deepEqual(old, nu)) return null;
  const flat = (w: SObj): Flat => {
    const m: Flat = new Map();
    for (const key of ["Passing", "Warning"]) {
      const v = w[key];
      if (typeof v === "number" && v > 0) m.set(key, String(v));
    }
    return m;
  };
  const diff = newObject("Weights", changeType(old, nu));
  diff.Fields = fieldDiffs(old ? flat(old) : null, nu ? flat(nu) : null, contextual);
  return diff;
}

function upstreamDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  const diff = structDiff(SUpstream, old, nu, "ConsulUpstreams", contextual);
  if (!diff) return null;
  diff.Objects = append(
    diff.Objects,
    primitiveObjectDiff(
      SMeshGateway,
      obj(old?.MeshGateway),
      obj(nu?.MeshGateway),
      [],
      "MeshGateway",
      contextual,
    ),
  );
  return diff;
}

function exposeDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  if (deepEqual(old, nu)) return null;
  const empty = (e: Obj) => e === null || list(e.Paths) === null;
  const diff = newObject("Expose", empty(old) ? "Added" : empty(nu) ? "Deleted" : "Edited");
  diff.Objects = append(
    diff.Objects,
    primitiveObjectSetDiff(SExposePath, list(old?.Paths), list(nu?.Paths), [], "Paths", contextual),
  );
  return diff;
}

/** Nomad always includes this object in a proxy diff, as type None when unchanged. */
function transparentProxyDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff {
  if (deepEqual(old, nu)) return newObject("TransparentProxy");
  const diff = structDiff(STProxy, old, nu, "TransparentProxy", contextual) ??
    newObject("TransparentProxy");
  for (
    const key of [
      "ExcludeInboundPorts",
      "ExcludeOutboundPorts",
      "ExcludeOutboundCIDRs",
      "ExcludeUIDs",
    ]
  ) {
    const asText = (v: unknown) => strs(v)?.map(String) ?? null;
    const set = stringSetDiff(asText(old?.[key]), asText(nu?.[key]), key, contextual);
    if (set && set.Type !== "None") diff.Objects = append(diff.Objects, set);
  }
  return diff;
}

function proxyDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  const diff = structDiff(SProxy, old, nu, "ConsulProxy", contextual);
  if (!diff) return null;
  diff.Objects = append(
    diff.Objects,
    keyedDiffs(
      list(old?.Upstreams),
      list(nu?.Upstreams),
      (u) => `${u.Datacenter}/${u.DestinationName}`,
      (o, n) => upstreamDiff(o, n, contextual),
    ),
  );
  diff.Objects = append(diff.Objects, exposeDiff(obj(old?.Expose), obj(nu?.Expose), contextual));
  diff.Objects = append(
    diff.Objects,
    transparentProxyDiff(obj(old?.TransparentProxy), obj(nu?.TransparentProxy), contextual),
  );
  diff.Objects = append(diff.Objects, mapDiff(old?.Config, nu?.Config, "Config", contextual));
  return diff;
}

function sidecarServiceDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  const diff = structDiff(SSidecarService, old, nu, "SidecarService", contextual);
  if (!diff) return null;
  diff.Objects = append(diff.Objects, proxyDiff(obj(old?.Proxy), obj(nu?.Proxy), contextual));
  return diff;
}

function sidecarTaskDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  const diff = structDiff(SSidecarTask, old, nu, "SidecarTask", contextual, {
    contextualFields: false,
  });
  if (!diff) return null;
  diff.Objects = append(diff.Objects, mapDiff(old?.Config, nu?.Config, "Config", contextual));
  diff.Objects = append(
    diff.Objects,
    resourcesDiff(obj(old?.Resources), obj(nu?.Resources), contextual),
  );
  diff.Objects = append(
    diff.Objects,
    identityDiffs(list(old?.Identities), list(nu?.Identities), contextual),
  );
  diff.Objects = append(
    diff.Objects,
    primitiveObjectDiff(
      SLogConfig,
      obj(old?.LogConfig),
      obj(nu?.LogConfig),
      [],
      "LogConfig",
      contextual,
    ),
  );
  diff.Objects = append(
    diff.Objects,
    volumeMountDiffs(list(old?.VolumeMounts), list(nu?.VolumeMounts), contextual),
  );
  return diff;
}

function connectDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  const diff = structDiff(SConnect, old, nu, "ConsulConnect", contextual);
  if (!diff) return null;
  diff.Objects = append(
    diff.Objects,
    sidecarServiceDiff(obj(old?.SidecarService), obj(nu?.SidecarService), contextual),
  );
  diff.Objects = append(
    diff.Objects,
    sidecarTaskDiff(obj(old?.SidecarTask), obj(nu?.SidecarTask), contextual),
  );
  // Gateways are free-form in our types: their settings show as flattened fields.
  diff.Objects = append(diff.Objects, mapDiff(old?.Gateway, nu?.Gateway, "Gateway", contextual));
  return diff;
}

function serviceDiff(old: Obj, nu: Obj, contextual: boolean): ObjectDiff | null {
  const diff = structDiff(SService, old, nu, "Service", contextual);
  if (!diff) return null;
  diff.Objects = append(
    diff.Objects,
    stringSetDiff(strs(old?.CanaryTags), strs(nu?.CanaryTags), "CanaryTags", contextual),
  );
  diff.Objects = append(
    diff.Objects,
    stringSetDiff(strs(old?.Tags), strs(nu?.Tags), "Tags", contextual),
  );
  diff.Objects = append(
    diff.Objects,
    keyedDiffs(
      list(old?.Checks),
      list(nu?.Checks),
      (c) => String(c.Name),
      (o, n) => checkDiff(o, n, contextual),
    ),
  );
  diff.Objects = append(diff.Objects, connectDiff(obj(old?.Connect), obj(nu?.Connect), contextual));
  diff.Objects = append(
    diff.Objects,
    identityDiff(obj(old?.Identity), obj(nu?.Identity), contextual),
  );
  diff.Objects = append(diff.Objects, weightsDiff(obj(old?.Weights), obj(nu?.Weights), contextual));
  return diff;
}

/**
 * Scores how well two services match: same position 1, same port label 2, same name 3; a
 * match needs more than 2.
 */
function bestMatch(s: SObj, index: number, others: SObj[], taken: Set<number>): number {
  let best = 0;
  let match = -1;
  others.forEach((o, i) => {
    if (taken.has(i)) return;
    let score = i === index ? 1 : 0;
    if (o.PortLabel === s.PortLabel) score += 2;
    if (o.Name === s.Name) score += 3;
    if (score > 2 && score > best) {
      best = score;
      match = i;
    }
  });
  return match;
}

/**
 * Services have no identity: a single service on each side is diffed directly; otherwise each
 * old service is matched to the best-scoring unmatched new one (by name, port label and
 * position), and the rest are Added or Deleted.
 */
export function serviceDiffs(
  old: SObj[] | null,
  nu: SObj[] | null,
  contextual: boolean,
): ObjectDiff[] | null {
  if (old?.length === 1 && nu?.length === 1) {
    const d = serviceDiff(old[0] ?? null, nu[0] ?? null, contextual);
    return d ? [d] : null;
  }
  const newList = nu ?? [];
  const taken = new Set<number>();
  const out: ObjectDiff[] = [];
  (old ?? []).forEach((o, i) => {
    const idx = bestMatch(o, i, newList, taken);
    if (idx >= 0) taken.add(idx);
    const d = serviceDiff(o, idx >= 0 ? newList[idx] ?? null : null, contextual);
    if (d) out.push(d);
  });
  newList.forEach((n, i) => {
    if (taken.has(i)) return;
    const d = serviceDiff(null, n, contextual);
    if (d) out.push(d);
  });
  return sortObjects(out);
}
