/**
 * Server-side shapes of services, checks and Consul Connect for the job diff. See
 * `_diff_server.ts`.
 *
 * @module
 */
import {
  anyMap,
  bool,
  dur,
  inline,
  int,
  intList,
  list,
  optDur,
  ref,
  str,
  strList,
  strListMap,
  strMap,
  struct,
} from "./schema.ts";

import { SIdentity, SLogConfig, SResources, SVolumeMount } from "./_diff_server_parts.ts";

export const SCheckRestart = struct("CheckRestart", {
  Limit: int(),
  Grace: dur(),
  IgnoreWarnings: bool(),
});
export const SCheck = struct("ServiceCheck", {
  Name: str(),
  Type: str(),
  Command: str(),
  Args: strList(),
  Path: str(),
  Protocol: str(),
  PortLabel: str(),
  Expose: bool(),
  AddressMode: str(),
  Interval: dur(),
  Timeout: dur(),
  InitialStatus: str(),
  Notes: str(),
  TLSServerName: str(),
  TLSSkipVerify: bool(),
  Method: str(),
  Header: strListMap(),
  CheckRestart: ref(SCheckRestart),
  GRPCService: str(),
  GRPCUseTLS: bool(),
  TaskName: str(),
  SuccessBeforePassing: int(),
  FailuresBeforeCritical: int(),
  FailuresBeforeWarning: int(),
  Body: str(),
  OnUpdate: str(),
});
export const SMeshGateway = struct("ConsulMeshGateway", { Mode: str() });
export const SUpstream = struct("ConsulUpstream", {
  DestinationName: str(),
  DestinationNamespace: str(),
  DestinationPartition: str(),
  DestinationPeer: str(),
  DestinationType: str(),
  LocalBindPort: int(),
  Datacenter: str(),
  LocalBindAddress: str(),
  LocalBindSocketPath: str(),
  LocalBindSocketMode: str(),
  MeshGateway: inline(SMeshGateway),
  Config: anyMap(),
});
export const SExposePath = struct("ConsulExposePath", {
  Path: str(),
  Protocol: str(),
  LocalPathPort: int(),
  ListenerPort: str(),
});
export const SExpose = struct("ConsulExposeConfig", { Paths: list(SExposePath, "path") });
export const STProxy = struct("ConsulTransparentProxy", {
  UID: str(),
  OutboundPort: int(),
  ExcludeInboundPorts: strList(),
  ExcludeOutboundPorts: intList(),
  ExcludeOutboundCIDRs: strList(),
  ExcludeUIDs: strList(),
  NoDNS: bool(),
});
export const SProxy = struct("ConsulProxy", {
  LocalServiceAddress: str(),
  LocalServicePort: int(),
  Upstreams: list(SUpstream),
  Expose: ref(SExpose, "expose_config"),
  TransparentProxy: ref(STProxy),
  Config: anyMap(),
});
export const SSidecarService = struct("ConsulSidecarService", {
  Tags: strList(),
  Port: str(),
  Proxy: ref(SProxy),
  DisableDefaultTCPCheck: bool(),
  Meta: strMap(),
});
export const SSidecarTask = struct("SidecarTask", {
  Name: str(),
  Driver: str(),
  User: str(),
  Config: anyMap(),
  Env: strMap(),
  Resources: ref(SResources),
  Meta: strMap(),
  KillTimeout: optDur(),
  LogConfig: ref(SLogConfig),
  ShutdownDelay: optDur(),
  KillSignal: str(),
  VolumeMounts: list(SVolumeMount),
  Identities: list(SIdentity),
});
export const SConnect = struct("ConsulConnect", {
  Native: bool(),
  SidecarService: ref(SSidecarService),
  SidecarTask: ref(SSidecarTask),
  /** Kept free-form: our API types hold gateways as maps. */
  Gateway: anyMap(),
});
export const SWeights = struct("ServiceWeights", { Passing: int(), Warning: int() });
export const SService = struct("Service", {
  Name: str(),
  TaskName: str(),
  PortLabel: str(),
  AddressMode: str(),
  Address: str(),
  EnableTagOverride: bool(),
  Tags: strList(),
  CanaryTags: strList(),
  Checks: list(SCheck),
  Connect: ref(SConnect),
  Meta: strMap(),
  CanaryMeta: strMap(),
  Weights: ref(SWeights),
  TaggedAddresses: strMap(),
  Namespace: str(),
  OnUpdate: str(),
  Provider: str(),
  Cluster: str(),
  Identity: ref(SIdentity),
  Kind: str(),
});
export const SConsul = struct("Consul", { Namespace: str(), Cluster: str(), Partition: str() });
