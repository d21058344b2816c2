/**
 * The `Task`: one command, container or VM run by a driver on a client.
 *
 * @module
 */
import {
  anyMap,
  bool,
  dur,
  type Infer,
  list,
  omitEmpty,
  optDur,
  ref,
  str,
  strMap,
  struct,
} from "./schema.ts";
import { AffinitySpec, ConstraintSpec } from "./constraint.ts";
import { RestartPolicySpec, ScalingPolicySpec } from "./policies.ts";
import { ResourcesSpec } from "./resources.ts";
import { ConsulSpec, ServiceSpec } from "./services.ts";
import {
  ActionSpec,
  DispatchPayloadConfigSpec,
  LogConfigSpec,
  SecretSpec,
  TaskArtifactSpec,
  TaskCSIPluginConfigSpec,
  TaskLifecycleSpec,
  TaskScheduleSpec,
  TemplateSpec,
  VaultSpec,
  VolumeMountSpec,
  WorkloadIdentitySpec,
} from "./task_parts.ts";

/** A unit of work run by a task driver. */
export const TaskSpec = struct("Task", {
  Name: str({ name: "name", label: true }),
  Driver: str("driver"),
  User: str("user"),
  Lifecycle: ref(TaskLifecycleSpec, { name: "lifecycle", block: true }),
  /** The driver's own configuration, free-form; blocks become lists of objects. */
  Config: anyMap({ name: "config", block: true }),
  Constraints: list(ConstraintSpec, { name: "constraint", block: true }),
  Affinities: list(AffinitySpec, { name: "affinity", block: true }),
  Env: strMap({ name: "env", block: true }),
  Services: list(ServiceSpec, { name: "service", block: true }),
  Resources: ref(ResourcesSpec, { name: "resources", block: true }),
  RestartPolicy: ref(RestartPolicySpec, { name: "restart", block: true }),
  Meta: strMap({ name: "meta", block: true }),
  KillTimeout: optDur("kill_timeout"),
  LogConfig: ref(LogConfigSpec, { name: "logs", block: true }),
  Artifacts: list(TaskArtifactSpec, { name: "artifact", block: true }),
  Vault: ref(VaultSpec, { name: "vault", block: true }),
  Consul: ref(ConsulSpec, { name: "consul", block: true }),
  Templates: list(TemplateSpec, { name: "template", block: true }),
  DispatchPayload: ref(DispatchPayloadConfigSpec, { name: "dispatch_payload", block: true }),
  VolumeMounts: list(VolumeMountSpec, { name: "volume_mount", block: true }),
  CSIPluginConfig: omitEmpty(ref(TaskCSIPluginConfigSpec, { name: "csi_plugin", block: true })),
  Leader: bool("leader"),
  ShutdownDelay: dur("shutdown_delay"),
  KillSignal: str("kill_signal"),
  Kind: str("kind"),
  ScalingPolicies: list(ScalingPolicySpec, { name: "scaling", block: true }),
  Secrets: list(SecretSpec, { name: "secret", block: true }),
  /** The default identity (an `identity` block without a name). */
  Identity: ref(WorkloadIdentitySpec),
  /** Named identities (`identity` blocks with a `name`). */
  Identities: list(WorkloadIdentitySpec, { name: "identity", block: true }),
  Actions: list(ActionSpec, { name: "action", block: true }),
  Schedule: ref(TaskScheduleSpec, { name: "schedule", block: true }),
});
/** A unit of work run by a task driver. */
export type Task = Infer<typeof TaskSpec>;
