/**
 * Validation of services and their checks (`Service.Validate`, `ServiceCheck.validate*`,
 * `TaskGroup.validateServices`, `validateServices` of a task), with Nomad's wording.
 *
 * Validation sees services as the server does after its own canonicalization: `${JOB}`,
 * `${TASKGROUP}`, `${TASK}` and `${BASE}` are interpolated in names, and an unnamed check is
 * called `service: "<name>" check`.
 *
 * @module
 */
import { SECOND } from "./duration.ts";
import type { TaskGroup } from "./job.ts";
import type { NetworkResource } from "./resources.ts";
import type { Service, ServiceCheck } from "./services.ts";
import type { Task } from "./task.ts";
import { dur, goList, Problems, quote } from "./_validate_util.ts";

const ENV = /\$\{[a-zA-Z0-9_\-.]+\}/g;
const HTTP_METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
];
const CONSUL_KINDS = ["", "api-gateway", "ingress-gateway", "mesh-gateway", "terminating-gateway"];
const ON_UPDATE = ["", "ignore", "require_healthy", "ignore_warnings"];

/** The name a service is registered under once the server interpolates it. */
export function serviceName(s: Service, job: string, group: string, task: string | null): string {
  const owner = task ?? "group";
  const env: Record<string, string> = {
    JOB: job,
    TASKGROUP: group,
    TASK: owner,
    BASE: `${job}-${group}-${owner}`,
  };
  return s.Name.replace(ENV, (m) => env[m.slice(2, -1)] ?? m);
}

/** The name the server gives a check (`service: "<name>" check` when unnamed). */
export const checkName = (c: ServiceCheck, service: string): string =>
  c.Name === "" ? `service: ${quote(service)} check` : c.Name;

const requiresPort = (c: ServiceCheck): boolean => ["grpc", "http", "tcp"].includes(c.Type);

function checkCommonProblem(c: ServiceCheck, allowed: string[]): string | null {
  const type = c.Type.toLowerCase();
  if (!allowed.includes(type)) {
    return `invalid check type (${quote(type)}), must be one of ${allowed.join(", ")}`;
  }
  if (type === "http") {
    if (c.Path === "") return "http type must have http path";
    // Go's url.Parse rejects control characters and malformed escapes.
    // deno-lint-ignore no-control-regex
    if (/[\x00-\x1f\x7f]|%(?![0-9a-fA-F]{2})/.test(c.Path)) {
      return "http type must have valid http path";
    }
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(c.Path)) return "http type must have relative http path";
  }
  if (type === "script" && c.Command === "") return "script type must have a valid script path";
  if (c.Interval === 0) return "missing required value interval. Interval cannot be less than 1s";
  if (c.Interval < SECOND) return `interval (${dur(c.Interval)}) cannot be lower than 1s`;
  if (c.Timeout === 0) return "missing required value timeout. Timeout cannot be less than 1s";
  if (c.Timeout < SECOND) {
    return `timeout (${dur(c.Timeout)}) is lower than required minimum timeout 1s`;
  }
  if (!["", "passing", "warning", "critical"].includes(c.InitialStatus)) {
    return `invalid initial check state (${c.InitialStatus}), must be one of "passing", "warning", "critical" or empty`;
  }
  if (c.AddressMode === "auto") return `invalid address_mode "auto" - auto only valid for services`;
  if (!["", "host", "driver", "alloc", "alloc_ipv6"].includes(c.AddressMode)) {
    return `invalid address_mode ${quote(c.AddressMode)}`;
  }
  if (!ON_UPDATE.includes(c.OnUpdate)) {
    return `on_update must be "require_healthy", "ignore_warnings", or "ignore"; got ${
      quote(c.OnUpdate)
    }`;
  }
  const cr = c.CheckRestart;
  if (cr !== null) {
    if (c.OnUpdate === "ignore") {
      return `on_update value "ignore" is not compatible with check_restart`;
    }
    if (!cr.IgnoreWarnings && c.OnUpdate === "ignore_warnings") {
      return `on_update value "ignore_warnings" not supported with check_restart ignore_warnings value "false"`;
    }
    if (cr.Limit < 0) return `limit must be greater than or equal to 0 but found ${cr.Limit}`;
    if ((cr.Grace ?? 0) < 0) {
      return `grace period must be greater than or equal to 0 but found ${cr.Grace}`;
    }
  }
  return null;
}

function nomadCheckProblem(c: ServiceCheck): string | null {
  const common = checkCommonProblem(c, ["tcp", "http"]);
  if (common) return common;
  if (c.Expose) return "expose may only be set for Consul service checks";
  if (c.OnUpdate === "ignore_warnings") {
    return "on_update may only be set to ignore_warnings for Consul service checks";
  }
  if (c.CheckRestart?.IgnoreWarnings) {
    return "ignore_warnings on check_restart only supported for Consul service checks";
  }
  if (c.AddressMode === "driver") {
    return "address_mode = driver may only be set for Consul service checks";
  }
  if (c.Type === "http" && c.Method !== "" && !HTTP_METHODS.includes(c.Method.toUpperCase())) {
    return `method type ${quote(c.Method)} not supported in Nomad http check`;
  }
  for (
    const [field, name] of [
      ["SuccessBeforePassing", "success_before_passing"],
      ["FailuresBeforeCritical", "failures_before_critical"],
      ["FailuresBeforeWarning", "failures_before_warning"],
    ] as const
  ) {
    if (c[field] !== 0) return `${name} may only be set for Consul service checks`;
  }
  if (c.TLSServerName !== "") return "tls_server_name may only be set for Consul service checks";
  return null;
}

function consulCheckProblem(c: ServiceCheck): string | null {
  const common = checkCommonProblem(c, ["grpc", "tcp", "http", "script"]);
  if (common) return common;
  const type = c.Type.toLowerCase();
  if (c.Expose && type !== "grpc" && type !== "http") {
    return "expose may only be set on HTTP or gRPC checks";
  }
  for (
    const [field, name] of [
      ["SuccessBeforePassing", "success_before_passing"],
      ["FailuresBeforeCritical", "failures_before_critical"],
      ["FailuresBeforeWarning", "failures_before_warning"],
    ] as const
  ) {
    if (c[field] < 0) return `${name} must be non-negative`;
    if (c[field] > 0 && !["tcp", "http", "grpc"].includes(c.Type)) {
      return `${name} not supported for check of type ${quote(c.Type)}`;
    }
  }
  if (c.Notes.length > 255) return "notes must not be longer than 255 characters";
  return null;
}

/** Checks one service on its own (`Service.Validate`); `name` is its interpolated name. */
export function validateService(s: Service, name: string, p: Problems): void {
  const stripped = name.replace(ENV, "ENV-VAR");
  if (!/^(?:[a-z0-9]|[a-z0-9][a-z0-9-]{0,61}[a-z0-9])$/i.test(stripped)) {
    p.add(
      "Service name must be valid per RFC 1123 and can contain only alphanumeric characters or " +
        `dashes and must be no longer than 63 characters: ${quote(name)}`,
    );
  }
  if (["host", "driver", "alloc", "alloc_ipv6"].includes(s.AddressMode)) {
    if (s.Address !== "") p.add(`Service address_mode must be "auto" if address is set`);
  } else if (s.AddressMode !== "" && s.AddressMode !== "auto") {
    p.add(`Service address_mode must be "auto", "host", or "driver"; not ${quote(s.AddressMode)}`);
  }
  if (!ON_UPDATE.includes(s.OnUpdate)) {
    p.add(
      `Service on_update must be "require_healthy", "ignore_warnings", or "ignore"; not ${
        quote(s.OnUpdate)
      }`,
    );
  }
  const provider = s.Provider === "" ? "consul" : s.Provider;
  if (provider === "consul" || provider === "nomad") {
    for (const c of s.Checks ?? []) {
      const cname = checkName(c, name);
      if (s.PortLabel === "" && c.PortLabel === "" && requiresPort(c)) {
        p.add(
          `Check ${cname} invalid: check requires a port but neither check nor service ${
            quote(name, true)
          } have a port`,
        );
      } else if (provider === "nomad") {
        const problem = nomadCheckProblem(c);
        if (problem) p.add(problem);
      } else if (c.Type === "tcp" && s.Connect?.SidecarService) {
        p.add(`Check ${cname} invalid: tcp checks are not valid for Connect enabled services`);
      } else {
        const problem = consulCheckProblem(c);
        if (problem) p.add(`Check ${cname} invalid: ${problem}`);
      }
    }
  }
  if (provider === "consul") {
    if (!CONSUL_KINDS.includes(s.Kind)) {
      p.add(`Service ${name} kind must be one of consul service kind or empty`);
    }
    const c = s.Connect;
    if (c !== null) {
      const count = Number(c.SidecarService !== null) + Number(c.Native) +
        Number(c.Gateway !== null);
      if (count !== 1) {
        p.add(
          "Consul Connect must be exclusively native, make use of a sidecar, or represent a Gateway",
        );
      }
      if (c.Native && s.TaskName === "") {
        p.add(`Service ${name} is Connect Native and requires setting the task`);
      }
      if (c.Native && s.PortLabel === "") {
        p.add(`Service ${name} is Connect Native and requires setting the port`);
      }
    }
  } else if (provider === "nomad") {
    if (s.Connect !== null) p.add("Service with provider nomad cannot include Connect blocks");
  } else {
    p.add(`Service provider must be "consul", or "nomad"; not ${quote(s.Provider)}`);
  }
  if (s.Identity !== null && (s.Identity.Audience ?? []).length === 0) {
    p.add("Service identity must provide at least one target aud value");
  }
}

/** Checks the services of a group against its tasks (`TaskGroup.validateServices`). */
export function validateGroupServices(g: TaskGroup, job: string, p: Problems): void {
  const group = g.Name ?? "";
  const tasks = new Set((g.Tasks ?? []).map((t) => t.Name));
  const ids = new Set<string>(), dups = new Set<string>(), providers = new Set<string>();
  const track = (name: string, owner: string, port: string, provider: string) => {
    const id = `${owner}->${name}${port === "" ? "" : `:${port}`}`;
    if (ids.has(id)) dups.add(id);
    ids.add(id);
    providers.add(provider === "" ? "consul" : provider);
  };
  for (const t of g.Tasks ?? []) {
    for (const s of t.Services ?? []) {
      const name = serviceName(s, job, group, t.Name);
      if (s.TaskName !== "" && s.TaskName !== t.Name) {
        p.add(
          `Service ${name} is invalid: may only specify task the service belongs to, got ${
            quote(s.TaskName)
          }`,
        );
      }
      track(name, t.Name, s.PortLabel, s.Provider);
    }
  }
  (g.Services ?? []).forEach((s, i) => {
    const name = serviceName(s, job, group, null);
    track(name, "group", s.PortLabel, s.Provider);
    const inner: string[] = [];
    validateService(s, name, new Problems(inner));
    if (inner.length > 0) {
      for (const problem of inner) p.add(`Service[${i}] ${name} validation failed: ${problem}`);
      return;
    }
    if (s.AddressMode === "driver") {
      p.add(
        `service ${
          quote(name)
        } cannot use address_mode="driver", only services defined in a "task" block can use this mode`,
      );
    }
    for (const c of s.Checks ?? []) {
      if (c.TaskName === "") continue;
      if (c.AddressMode === "driver") {
        p.add(
          `Check ${
            quote(name)
          } invalid: cannot use address_mode="driver", only checks defined in a "task" service block can use this mode`,
        );
      }
      if (!tasks.has(c.TaskName)) {
        p.add(`Check ${checkName(c, name)} invalid: refers to non-existent task ${c.TaskName}`);
      }
    }
  });
  if (dups.size > 0) p.add(`Services are not unique: ${goList([...dups].sort())}`);
  if (providers.size > 1) {
    p.add("Multiple service providers used: task group services must use the same provider");
  }
}

/** The port labels of a network. */
export const portLabels = (n: NetworkResource): string[] =>
  [...(n.ReservedPorts ?? []), ...(n.DynamicPorts ?? [])].map((port) => port.Label);

/** Checks the services of a task and the ports they use (`validateServices`). */
export function validateTaskServices(t: Task, g: TaskGroup, job: string, p: Problems): void {
  const servicePorts = new Map<string, Set<string>>();
  const usePort = (label: string, service: string) => {
    servicePorts.set(label, (servicePorts.get(label) ?? new Set()).add(service));
  };
  const known = new Set<string>();
  (t.Services ?? []).forEach((s, i) => {
    const name = serviceName(s, job, g.Name ?? "", t.Name);
    const inner = p.at(`service[${i}] ${quote(name, true)} validation failed: `);
    validateService(s, name, inner);
    for (const mode of ["alloc", "alloc_ipv6"]) {
      if (s.AddressMode === mode) {
        p.add(
          `service ${
            quote(name)
          } cannot use address_mode="${mode}", only services defined in a "group" block can use this mode`,
        );
      }
    }
    if (known.has(name + s.PortLabel)) p.add(`service ${quote(name)} is duplicate`);
    known.add(name + s.PortLabel);
    if (s.PortLabel !== "" && !(s.AddressMode === "driver" && /^[+-]?\d+$/.test(s.PortLabel))) {
      usePort(s.PortLabel, name);
    }
    if (s.Connect !== null) {
      p.add(
        `service ${
          quote(name)
        } cannot have "connect" block, only services defined in a "group" block can`,
      );
    }
    const checks = new Set<string>();
    for (const c of s.Checks ?? []) {
      const cname = checkName(c, name);
      if (checks.has(cname)) p.add(`check ${quote(cname)} is duplicate`);
      checks.add(cname);
      for (const mode of ["alloc", "alloc_ipv6"]) {
        if (c.AddressMode === mode) {
          p.add(
            `check ${
              quote(name)
            } cannot use address_mode="${mode}", only checks defined in a "group" service block can use this mode`,
          );
        }
      }
      if (!requiresPort(c)) continue;
      const port = c.PortLabel === "" ? s.PortLabel : c.PortLabel;
      if (port === "") {
        p.add(`check ${quote(cname)} is missing a port`);
        continue;
      }
      if (/^[+-]?\d+$/.test(port)) {
        const n = Number(port);
        if (c.AddressMode !== "driver") {
          p.add(
            `check ${
              quote(cname)
            } cannot use a numeric port ${n} without setting address_mode="driver"`,
          );
        } else if (n <= 0) p.add(`check ${quote(cname)} has invalid numeric port ${n}`);
        continue;
      }
      usePort(port, name);
    }
  });
  const labels = new Set<string>(g.Networks?.[0] ? portLabels(g.Networks[0]) : []);
  for (const n of t.Resources?.Networks ?? []) for (const l of portLabels(n)) labels.add(l);
  for (const label of [...servicePorts.keys()].sort()) {
    if (labels.has(label)) continue;
    const names = [...(servicePorts.get(label) ?? [])].sort().join(", ");
    p.add(`port label ${quote(label)} referenced by services ${names} does not exist`);
  }
}
