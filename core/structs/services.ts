/**
 * Service registrations and health checks (`service` and `check` blocks), and the Consul
 * settings a group, task or service can carry.
 *
 * @module
 */
import {
  anyMap,
  bool,
  dur,
  type Infer,
  int,
  list,
  optDur,
  ref,
  str,
  strList,
  strListMap,
  strMap,
  struct,
} from "./schema.ts";
import { ResourcesSpec } from "./resources.ts";
import { LogConfigSpec, VolumeMountSpec, WorkloadIdentitySpec } from "./task_parts.ts";

/** Restart the task when its check stays unhealthy. */
export const CheckRestartSpec = struct("CheckRestart", {
  Limit: int("limit"),
  Grace: optDur("grace"),
  IgnoreWarnings: bool("ignore_warnings"),
});
/** Restart the task when its check stays unhealthy. */
export type CheckRestart = Infer<typeof CheckRestartSpec>;

/** A health check of a service. */
export const ServiceCheckSpec = struct("ServiceCheck", {
  Name: str("name"),
  Type: str("type"),
  Command: str("command"),
  Args: strList("args"),
  Path: str("path"),
  Protocol: str("protocol"),
  PortLabel: str("port"),
  Expose: bool("expose"),
  AddressMode: str("address_mode"),
  Advertise: str("advertise"),
  Interval: dur("interval"),
  Timeout: dur("timeout"),
  InitialStatus: str("initial_status"),
  Notes: str("notes"),
  TLSServerName: str("tls_server_name"),
  TLSSkipVerify: bool("tls_skip_verify"),
  Header: strListMap({ name: "header", block: true }),
  Method: str("method"),
  CheckRestart: ref(CheckRestartSpec, { name: "check_restart", block: true }),
  GRPCService: str("grpc_service"),
  GRPCUseTLS: bool("grpc_use_tls"),
  TaskName: str("task"),
  SuccessBeforePassing: int("success_before_passing"),
  FailuresBeforeCritical: int("failures_before_critical"),
  FailuresBeforeWarning: int("failures_before_warning"),
  Body: str("body"),
  OnUpdate: str("on_update"),
});
/** A health check of a service. */
export type ServiceCheck = Infer<typeof ServiceCheckSpec>;

/** The Consul namespace, cluster and partition a workload uses. */
export const ConsulSpec = struct("Consul", {
  Namespace: str("namespace"),
  Cluster: str("cluster"),
  Partition: str("partition"),
});
/** The Consul namespace, cluster and partition a workload uses. */
export type Consul = Infer<typeof ConsulSpec>;

/** The sidecar proxy service of a Connect service. */
export const ConsulSidecarServiceSpec = struct("ConsulSidecarService", {
  Tags: strList("tags"),
  Port: str("port"),
  Proxy: anyMap({ name: "proxy", block: true }),
  DisableDefaultTCPCheck: bool("disable_default_tcp_check"),
  Meta: strMap({ name: "meta", block: true }),
});
/** The sidecar proxy service of a Connect service. */
export type ConsulSidecarService = Infer<typeof ConsulSidecarServiceSpec>;

/** Overrides for the task that runs a Connect sidecar. */
export const SidecarTaskSpec = struct("SidecarTask", {
  Name: str("name"),
  Driver: str("driver"),
  User: str("user"),
  Config: anyMap({ name: "config", block: true }),
  Env: strMap({ name: "env", block: true }),
  Resources: ref(ResourcesSpec, { name: "resources", block: true }),
  Meta: strMap({ name: "meta", block: true }),
  KillTimeout: optDur("kill_timeout"),
  LogConfig: ref(LogConfigSpec, { name: "logs", block: true }),
  ShutdownDelay: optDur("shutdown_delay"),
  KillSignal: str("kill_signal"),
  VolumeMounts: list(VolumeMountSpec, { name: "volume_mount", block: true }),
  Identities: list(WorkloadIdentitySpec, { name: "identity", block: true }),
});
/** Overrides for the task that runs a Connect sidecar. */
export type SidecarTask = Infer<typeof SidecarTaskSpec>;

/** Consul Connect settings of a service. Gateways are kept as free-form maps. */
export const ConsulConnectSpec = struct("ConsulConnect", {
  Native: bool("native"),
  Gateway: anyMap({ name: "gateway", block: true }),
  SidecarService: ref(ConsulSidecarServiceSpec, { name: "sidecar_service", block: true }),
  SidecarTask: ref(SidecarTaskSpec, { name: "sidecar_task", block: true }),
});
/** Consul Connect settings of a service. */
export type ConsulConnect = Infer<typeof ConsulConnectSpec>;

/** DNS SRV weights of a service. */
export const ServiceWeightsSpec = struct("ServiceWeights", {
  Passing: int("passing"),
  Warning: int("warning"),
});
/** DNS SRV weights of a service. */
export type ServiceWeights = Infer<typeof ServiceWeightsSpec>;

/** A service registration, in Nomad's own catalog (`provider = "nomad"`) or in Consul. */
export const ServiceSpec = struct("Service", {
  Name: str("name"),
  Tags: strList("tags"),
  CanaryTags: strList("canary_tags"),
  EnableTagOverride: bool("enable_tag_override"),
  PortLabel: str("port"),
  AddressMode: str("address_mode"),
  Address: str("address"),
  Checks: list(ServiceCheckSpec, { name: "check", block: true }),
  CheckRestart: ref(CheckRestartSpec, { name: "check_restart", block: true }),
  Connect: ref(ConsulConnectSpec, { name: "connect", block: true }),
  Meta: strMap({ name: "meta", block: true }),
  CanaryMeta: strMap({ name: "canary_meta", block: true }),
  TaggedAddresses: strMap({ name: "tagged_addresses", block: true }),
  TaskName: str("task"),
  OnUpdate: str("on_update"),
  Identity: ref(WorkloadIdentitySpec, { name: "identity", block: true }),
  Weights: ref(ServiceWeightsSpec, { name: "weights", block: true }),
  Provider: str("provider"),
  Cluster: str("cluster"),
  Kind: str("kind"),
});
/** A service registration. */
export type Service = Infer<typeof ServiceSpec>;
