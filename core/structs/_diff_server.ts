/**
 * Nomad's server-side structs (`nomad/structs`), as far as the job diff needs them.
 *
 * The diff works on these shapes, not on the API ones: Nomad flattens its server structs, so a
 * field's Go kind decides whether it is shown (value fields are; pointers, slices and nested
 * structs are not, unless diffed as objects) and a nil API pointer held by value on the server
 * shows as its zero value (`"0"`, `"false"`, `""`). Field names are the server's (`Url`).
 *
 * @module
 */
import {
  anyMap,
  bool,
  bytes,
  dur,
  inline,
  int,
  list,
  optDur,
  ref,
  str,
  strList,
  strMap,
  struct,
  structMap,
} from "./schema.ts";
import {
  SAction,
  SAffinity,
  SArtifact,
  SConstraint,
  SCSIPlugin,
  SDisconnect,
  SDispatchPayload,
  SEphemeralDisk,
  SIdentity,
  SLifecycle,
  SLogConfig,
  SMigrate,
  SNetwork,
  SReschedule,
  SResources,
  SRestart,
  SScaling,
  SSchedule,
  SSecret,
  SSpread,
  STemplate,
  SUpdate,
  SVault,
  SVolumeMount,
  SVolumeRequest,
} from "./_diff_server_parts.ts";
import { SConsul, SService } from "./_diff_server_services.ts";

export const STask = struct("Task", {
  Name: str(),
  Driver: str(),
  User: str(),
  Config: anyMap(),
  Env: strMap(),
  Services: list(SService),
  Vault: ref(SVault),
  Secrets: list(SSecret),
  Consul: ref(SConsul),
  Templates: list(STemplate),
  Constraints: list(SConstraint),
  Affinities: list(SAffinity),
  Resources: ref(SResources),
  RestartPolicy: ref(SRestart),
  DispatchPayload: ref(SDispatchPayload),
  Lifecycle: ref(SLifecycle),
  Meta: strMap(),
  KillTimeout: dur(),
  LogConfig: ref(SLogConfig),
  Artifacts: list(SArtifact),
  Leader: bool(),
  ShutdownDelay: dur(),
  VolumeMounts: list(SVolumeMount),
  ScalingPolicies: list(SScaling),
  KillSignal: str(),
  Kind: str(),
  CSIPluginConfig: ref(SCSIPlugin),
  Identity: ref(SIdentity),
  Identities: list(SIdentity),
  Actions: list(SAction),
  Schedule: ref(SSchedule),
});

export const STaskGroup = struct("TaskGroup", {
  Name: str(),
  Count: int(),
  Update: ref(SUpdate),
  Migrate: ref(SMigrate),
  Constraints: list(SConstraint),
  Scaling: ref(SScaling),
  RestartPolicy: ref(SRestart),
  Disconnect: ref(SDisconnect),
  Tasks: list(STask),
  EphemeralDisk: ref(SEphemeralDisk),
  Meta: strMap(),
  ReschedulePolicy: ref(SReschedule),
  Affinities: list(SAffinity),
  Spreads: list(SSpread),
  Networks: list(SNetwork),
  Consul: ref(SConsul),
  Services: list(SService),
  Volumes: structMap(SVolumeRequest),
  ShutdownDelay: optDur(),
  MaxRunDuration: optDur(),
  StopAfterClientDisconnect: optDur(),
  MaxClientDisconnect: optDur(),
  PreventRescheduleOnLost: bool(),
});

export const SPeriodic = struct("PeriodicConfig", {
  Enabled: bool(),
  Spec: str(),
  Specs: strList(),
  SpecType: str(),
  ProhibitOverlap: bool(),
  TimeZone: str(),
});
export const SParameterized = struct("ParameterizedJobConfig", {
  Payload: str(),
  MetaRequired: strList(),
  MetaOptional: strList(),
});
export const SMRStrategy = struct("MultiregionStrategy", { MaxParallel: int(), OnFailure: str() });
export const SMRRegion = struct("MultiregionRegion", {
  Name: str(),
  Count: int(),
  Datacenters: strList(),
  NodePool: str(),
  Meta: strMap(),
});
export const SMultiregion = struct("Multiregion", {
  Strategy: ref(SMRStrategy),
  Regions: list(SMRRegion),
});
export const SUILink = struct("JobUILink", { Label: str(), Url: str() });
export const SUI = struct("JobUIConfig", { Description: str(), Links: list(SUILink) });
export const SVersionTag = struct("JobVersionTag", {
  Name: str(),
  Description: str(),
  TaggedTime: int(),
});

export const SJob = struct("Job", {
  Stop: bool(),
  Region: str(),
  Namespace: str(),
  ID: str(),
  ParentID: str(),
  Name: str(),
  Type: str(),
  Priority: int(),
  AllAtOnce: bool(),
  Datacenters: strList(),
  NodePool: str(),
  Constraints: list(SConstraint),
  Affinities: list(SAffinity),
  Spreads: list(SSpread),
  TaskGroups: list(STaskGroup),
  Update: inline(SUpdate),
  Multiregion: ref(SMultiregion),
  Periodic: ref(SPeriodic),
  ParameterizedJob: ref(SParameterized),
  Dispatched: bool(),
  DispatchIdempotencyToken: str(),
  Payload: bytes(),
  Meta: strMap(),
  ConsulNamespace: str(),
  VaultNamespace: str(),
  NomadTokenID: str(),
  Status: str(),
  StatusDescription: str(),
  Stable: bool(),
  Version: int(),
  SubmitTime: int(),
  CreateIndex: int(),
  ModifyIndex: int(),
  JobModifyIndex: int(),
  UI: ref(SUI),
  VersionTag: ref(SVersionTag),
});

/** A value converted to a server struct: field name to value, loosely typed. */
export type SObj = Record<string, unknown>;
