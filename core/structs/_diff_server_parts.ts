/**
 * Server-side shapes of the smaller structs the job diff reads: placement rules, policies,
 * task parts, networks and resources. See `_diff_server.ts`.
 *
 * @module
 */
import {
  anyMap,
  bool,
  dur,
  int,
  list,
  optBool,
  optDur,
  optInt,
  ref,
  str,
  strList,
  strMap,
  struct,
} from "./schema.ts";

export const SConstraint = struct("Constraint", { LTarget: str(), RTarget: str(), Operand: str() });
export const SAffinity = struct("Affinity", {
  LTarget: str(),
  RTarget: str(),
  Operand: str(),
  Weight: int(),
});
export const SSpreadTarget = struct("SpreadTarget", { Value: str(), Percent: int() });
export const SSpread = struct("Spread", {
  Attribute: str(),
  Weight: int(),
  SpreadTarget: list(SSpreadTarget),
});

export const SUpdate = struct("UpdateStrategy", {
  Stagger: dur(),
  MaxParallel: int(),
  HealthCheck: str(),
  MinHealthyTime: dur(),
  HealthyDeadline: dur(),
  ProgressDeadline: dur(),
  AutoRevert: bool(),
  AutoPromote: bool(),
  Canary: int(),
});
export const SMigrate = struct("MigrateStrategy", {
  MaxParallel: int(),
  HealthCheck: str(),
  MinHealthyTime: dur(),
  HealthyDeadline: dur(),
});
export const SRestart = struct("RestartPolicy", {
  Attempts: int(),
  Interval: dur(),
  Delay: dur(),
  Mode: str(),
  RenderTemplates: bool(),
});
export const SReschedule = struct("ReschedulePolicy", {
  Attempts: int(),
  Interval: dur(),
  Delay: dur(),
  DelayFunction: str(),
  MaxDelay: dur(),
  Unlimited: bool(),
});
export const SDisconnect = struct("DisconnectStrategy", {
  LostAfter: dur(),
  StopOnClientAfter: optDur(),
  Replace: optBool(),
  Reconcile: str(),
});
export const SEphemeralDisk = struct("EphemeralDisk", {
  Sticky: bool(),
  SizeMB: int(),
  Migrate: bool(),
});
export const SScaling = struct("ScalingPolicy", {
  ID: str(),
  Type: str(),
  Target: strMap(),
  Policy: anyMap(),
  Min: int(),
  Max: int(),
  Enabled: bool(),
  CreateIndex: int(),
  ModifyIndex: int(),
});
export const SMountOptions = struct("CSIMountOptions", { FSType: str(), MountFlags: strList() });
export const SVolumeRequest = struct("VolumeRequest", {
  Name: str(),
  Type: str(),
  Source: str(),
  ReadOnly: bool(),
  Sticky: bool(),
  AccessMode: str(),
  AttachmentMode: str(),
  MountOptions: ref(SMountOptions),
  PerAlloc: bool(),
});
export const SVolumeMount = struct("VolumeMount", {
  Volume: str(),
  Destination: str(),
  ReadOnly: bool(),
  PropagationMode: str(),
  SELinuxLabel: str(),
});
export const SLogConfig = struct("LogConfig", {
  MaxFiles: int(),
  MaxFileSizeMB: int(),
  Disabled: bool(),
});
export const SArtifact = struct("TaskArtifact", {
  GetterSource: str(),
  GetterOptions: strMap(),
  GetterHeaders: strMap(),
  GetterMode: str(),
  GetterInsecure: bool(),
  RelativeDest: str(),
  Chown: bool(),
});
export const SWaitConfig = struct("WaitConfig", { Min: optDur(), Max: optDur() });
export const SChangeScript = struct("ChangeScript", {
  Command: str(),
  Args: strList(),
  Timeout: dur(),
  FailOnError: bool(),
  RunOnFirstRender: bool(),
});
export const STemplate = struct("Template", {
  SourcePath: str(),
  DestPath: str(),
  EmbeddedTmpl: str(),
  ChangeMode: str(),
  ChangeSignal: str(),
  ChangeScript: ref(SChangeScript),
  Once: bool(),
  Splay: dur(),
  Perms: str(),
  Uid: optInt(),
  Gid: optInt(),
  LeftDelim: str(),
  RightDelim: str(),
  Envvars: bool(),
  VaultGrace: dur(),
  Wait: ref(SWaitConfig),
  ErrMissingKey: bool(),
});
export const SVault = struct("Vault", {
  Role: str(),
  Namespace: str(),
  Cluster: str(),
  Env: bool(),
  DisableFile: bool(),
  ChangeMode: str(),
  ChangeSignal: str(),
  AllowTokenExpiration: bool(),
});
export const SSecret = struct("Secret", {
  Name: str(),
  Provider: str(),
  Path: str(),
  Config: anyMap(),
  Env: strMap(),
});
export const SIdentity = struct("WorkloadIdentity", {
  Name: str(),
  Audience: strList(),
  ChangeMode: str(),
  ChangeSignal: str(),
  Env: bool(),
  File: bool(),
  Filepath: str(),
  ServiceName: str(),
  TTL: dur(),
  ExtraClaims: strList(),
});
export const SLifecycle = struct("TaskLifecycleConfig", { Hook: str(), Sidecar: bool() });
export const SDispatchPayload = struct("DispatchPayloadConfig", { File: str() });
export const SCSIPlugin = struct("TaskCSIPluginConfig", {
  ID: str(),
  Type: str(),
  MountDir: str(),
  StagePublishBaseDir: str(),
  HealthTimeout: dur(),
});
export const SAction = struct("Action", { Name: str(), Command: str(), Args: strList() });
export const SCron = struct("TaskScheduleCron", { Start: str(), End: str(), Timezone: str() });
export const SSchedule = struct("TaskSchedule", { Cron: ref(SCron) });

export const SPort = struct("Port", {
  Label: str(),
  Value: int(),
  To: int(),
  HostNetwork: str(),
  IgnoreCollision: bool(),
});
export const SDNS = struct("DNSConfig", {
  Servers: strList(),
  Searches: strList(),
  Options: strList(),
});
export const SCNI = struct("CNIConfig", { Args: strMap() });
export const SNetwork = struct("NetworkResource", {
  Mode: str(),
  Device: str(),
  CIDR: str(),
  IP: str(),
  Hostname: str(),
  MBits: int(),
  DNS: ref(SDNS),
  ReservedPorts: list(SPort),
  DynamicPorts: list(SPort),
  CNI: ref(SCNI),
});
export const SDevice = struct("RequestedDevice", {
  Name: str(),
  Count: int(),
  Constraints: list(SConstraint),
  Affinities: list(SAffinity),
});
export const SNUMA = struct("NUMA", { Affinity: str(), Devices: strList() });
export const SResources = struct("Resources", {
  CPU: int(),
  Cores: int(),
  MemoryMB: int(),
  MemoryMaxMB: int(),
  DiskMB: int(),
  IOPS: int(),
  Networks: list(SNetwork),
  Devices: list(SDevice),
  NUMA: ref(SNUMA),
  SecretsMB: int(),
});
