/**
 * Canonical defaults of services, checks and Consul Connect blocks (`api/services.go`,
 * `api/consul.go`). Mutates the objects it is given; `canonicalize()` passes its own copy.
 *
 * Connect gateways and sidecar proxies are free-form maps in our types; their defaults are
 * applied to the API (PascalCase) keys that are present.
 *
 * @module
 */
import { SECOND } from "./duration.ts";
import {
  canonicalizeLogConfig,
  canonicalizeResources,
  canonicalizeVolumeMount,
  defaultResources,
  fill,
  nilIfEmpty,
} from "./_canonicalize_parts.ts";
import type { CheckRestart, ConsulConnect, Service } from "./services.ts";

/** Names of the job, group and (for task services) task a service belongs to. */
export interface ServiceOwner {
  readonly job: string;
  readonly group: string;
  readonly task: string | null;
}

/** Fills a service and its checks: default name, `auto` address mode, Consul provider. */
export function canonicalizeService(s: Service, owner: ServiceOwner): void {
  if (s.Name === "") {
    s.Name = owner.task === null
      ? `${owner.job}-${owner.group}`
      : `${owner.job}-${owner.group}-${owner.task}`;
  }
  if (s.AddressMode === "") s.AddressMode = "auto";
  if (s.OnUpdate === "") s.OnUpdate = "require_healthy";
  if (s.Provider === "") s.Provider = "consul";
  if (s.Cluster === "") s.Cluster = "default";
  s.Meta = nilIfEmpty(s.Meta);
  s.CanaryMeta = nilIfEmpty(s.CanaryMeta);
  s.TaggedAddresses = nilIfEmpty(s.TaggedAddresses);
  if (s.Connect !== null) canonicalizeConnect(s.Connect);
  if (s.Weights !== null) {
    if (s.Weights.Passing <= 0) s.Weights.Passing = 1;
    if (s.Weights.Warning <= 0) s.Weights.Warning = 1;
  }
  for (const check of s.Checks ?? []) {
    check.CheckRestart = mergeCheckRestart(s.CheckRestart, check.CheckRestart);
    if (check.CheckRestart !== null) check.CheckRestart.Grace ??= SECOND;
    if (check.SuccessBeforePassing < 0) check.SuccessBeforePassing = 0;
    if (check.FailuresBeforeCritical < 0) check.FailuresBeforeCritical = 0;
    if (check.FailuresBeforeWarning < 0) check.FailuresBeforeWarning = 0;
    if (check.OnUpdate === "") check.OnUpdate = s.OnUpdate;
  }
}

/** The service's `check_restart` with the check's own settings laid over it. */
function mergeCheckRestart(
  service: CheckRestart | null,
  check: CheckRestart | null,
): CheckRestart | null {
  if (service === null) return check;
  const merged = { ...service };
  if (check === null) return merged;
  if (check.Limit > 0) merged.Limit = check.Limit;
  if (check.Grace !== null) merged.Grace = check.Grace;
  if (check.IgnoreWarnings) merged.IgnoreWarnings = true;
  return merged;
}

function canonicalizeConnect(c: ConsulConnect): void {
  const sidecar = c.SidecarService;
  if (sidecar !== null) {
    sidecar.Tags = nilIfEmpty(sidecar.Tags);
    sidecar.Meta = nilIfEmpty(sidecar.Meta);
    if (sidecar.Proxy !== null) canonicalizeProxy(sidecar.Proxy);
  }
  const task = c.SidecarTask;
  if (task !== null) {
    task.Config = nilIfEmpty(task.Config);
    task.Env = nilIfEmpty(task.Env);
    if (task.Resources === null) task.Resources = defaultResources();
    else canonicalizeResources(task.Resources);
    task.LogConfig = canonicalizeLogConfig(task.LogConfig);
    task.Meta = nilIfEmpty(task.Meta);
    fill(task, { KillTimeout: 5 * SECOND, ShutdownDelay: 0 });
    for (const vm of task.VolumeMounts ?? []) canonicalizeVolumeMount(vm);
  }
  if (c.Gateway !== null) canonicalizeGateway(c.Gateway);
}

type FreeForm = Record<string, unknown>;

function isObject(v: unknown): v is FreeForm {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Sets present keys holding an empty list or map to `null`. */
function nullEmpty(obj: FreeForm, ...keys: string[]): void {
  for (const key of keys) {
    const v = obj[key];
    if (Array.isArray(v) && v.length === 0) obj[key] = null;
    else if (isObject(v) && Object.keys(v).length === 0) obj[key] = null;
  }
}

function canonicalizeProxy(proxy: FreeForm): void {
  if (isObject(proxy.Expose)) nullEmpty(proxy.Expose, "Paths", "Path");
  nullEmpty(proxy, "Upstreams", "Config");
  if (isObject(proxy.TransparentProxy)) {
    nullEmpty(
      proxy.TransparentProxy,
      "ExcludeInboundPorts",
      "ExcludeOutboundCIDRs",
      "ExcludeOutboundPorts",
      "ExcludeUIDs",
    );
  }
  if (Array.isArray(proxy.Upstreams)) {
    for (const upstream of proxy.Upstreams) if (isObject(upstream)) nullEmpty(upstream, "Config");
  }
}

function canonicalizeGateway(gateway: FreeForm): void {
  const proxy = gateway.Proxy;
  if (isObject(proxy)) {
    if (proxy.ConnectTimeout === null || proxy.ConnectTimeout === undefined) {
      proxy.ConnectTimeout = 5 * SECOND;
    }
    nullEmpty(proxy, "EnvoyGatewayBindAddresses", "Config");
  }
  const ingress = gateway.Ingress;
  if (isObject(ingress)) {
    nullEmpty(ingress, "Listeners");
    if (Array.isArray(ingress.Listeners)) {
      for (const listener of ingress.Listeners) {
        if (!isObject(listener)) continue;
        if (listener.Protocol === "" || listener.Protocol === undefined) listener.Protocol = "tcp";
        nullEmpty(listener, "Services");
      }
    }
  }
  if (isObject(gateway.Terminating)) nullEmpty(gateway.Terminating, "Services");
}
