/**
 * Validation of a task and its parts (`Task.Validate`, `Resources.Validate`,
 * `LogConfig.Validate`, `TaskArtifact.Validate`, `Template.Validate`, `Vault.Validate`, ...),
 * with Nomad's wording.
 *
 * @module
 */
import type { Job, TaskGroup } from "./job.ts";
import type { Resources } from "./resources.ts";
import type { Task } from "./task.ts";
import type { TaskArtifact, Template, WorkloadIdentity } from "./task_parts.ts";
import { eachValidated, validateAffinity, validateConstraint } from "./_validate_policies.ts";
import { serviceName, validateTaskServices } from "./_validate_services.ts";
import {
  dur,
  escapesAlloc,
  goList,
  isSubdirectory,
  parseUintProblem,
  type Problems,
  quote,
} from "./_validate_util.ts";

function validateResources(r: Resources, p: Problems): void {
  const cpu = r.CPU ?? 0, cores = r.Cores ?? 0, memory = r.MemoryMB ?? 0;
  if (cores > 0 && cpu > 0) p.add("Task can only ask for 'cpu' or 'cores' resource, not both.");
  if (cores < 0) p.add(`cores value (${cores}) cannot be negative`);
  if (cpu < 1 && cores === 0) p.add(`minimum CPU value is 1; got ${cpu}`);
  if (memory < 10) p.add(`minimum MemoryMB value is 10; got ${memory}`);
  const devices = new Set<string>();
  (r.Devices ?? []).forEach((d, i) => {
    const dp = p.at(`device ${i + 1} failed validation: `);
    if (d.Name === "") {
      dp.add(
        "device name must be given as one of the following: type, vendor/type, or vendor/type/name",
      );
    }
    (d.Constraints ?? []).forEach((c, j) => {
      if (c.Operand === "distinct_hosts" || c.Operand === "distinct_property") {
        dp.add(
          `Constraint ${j + 1} validation failed: using unsupported operand ${quote(c.Operand)}`,
        );
      } else validateConstraint(c, dp.at(`Constraint ${j + 1} validation failed: `));
    });
    eachValidated(d.Affinities, "Affinity", dp, validateAffinity);
    devices.add(d.Name);
  });
  if (r.NUMA !== null) {
    for (const device of r.NUMA.Devices ?? []) {
      if (!devices.has(device)) {
        p.add(`numa device ${quote(device)} not requested as task resource`);
      }
    }
    if (!["none", "prefer", "require"].includes(r.NUMA.Affinity)) {
      p.add("numa affinity must be one of none, prefer, or require");
    }
  }
  const memoryMax = r.MemoryMaxMB ?? 0, secrets = r.SecretsMB ?? 0;
  if (memoryMax !== 0 && memoryMax !== -1 && memoryMax < memory) {
    p.add(`MemoryMaxMB value (${memoryMax}) should be larger than MemoryMB value (${memory})`);
  }
  if (secrets > memory) {
    p.add(`SecretsMB value (${secrets}) cannot be larger than MemoryMB value (${memory})`);
  }
  if (secrets < 0) p.add(`SecretsMB value (${secrets}) cannot be negative`);
}

function checksumProblem(check: string): string | null {
  if (/\$\{[a-zA-Z0-9_\-.]+\}/.test(check)) return null;
  const trimmed = check.trim();
  if (trimmed === "") return "checksum value cannot be empty";
  const parts = trimmed.split(":");
  if (parts.length !== 2) return `checksum must be given as "type:value"; got ${quote(trimmed)}`;
  const [type = "", value = ""] = parts;
  const bad = /[^0-9a-fA-F]/.exec(value);
  if (bad) {
    const cp = bad[0].codePointAt(0) as number;
    return `invalid checksum: encoding/hex: invalid byte: U+${
      cp.toString(16).toUpperCase().padStart(4, "0")
    } '${bad[0]}'`;
  }
  if (value.length % 2 === 1) return "invalid checksum: encoding/hex: odd length hex string";
  const sizes: Record<string, number> = { md5: 16, sha1: 20, sha256: 32, sha512: 64 };
  const size = sizes[type];
  if (size === undefined) return `unsupported checksum type: ${type}`;
  return value.length / 2 === size ? null : `invalid ${type} checksum: ${value}`;
}

function validateArtifact(a: TaskArtifact, p: Problems): void {
  if ((a.GetterSource ?? "") === "") p.add("source must be specified");
  const mode = a.GetterMode ?? "";
  if (!["", "any", "file", "dir"].includes(mode)) {
    p.add(`invalid artifact mode ${quote(mode)}; must be one of: any, file, dir`);
  }
  if (escapesAlloc("task", a.RelativeDest ?? "")) p.add("destination escapes allocation directory");
  const checksum = a.GetterOptions?.checksum;
  if (checksum !== undefined) {
    const problem = checksumProblem(checksum);
    if (problem) p.add(problem);
  }
}

function validateTemplate(t: Template, p: Problems): void {
  if ((t.SourcePath ?? "") === "" && (t.EmbeddedTmpl ?? "") === "") {
    p.add("Must specify a source path or have an embedded template");
  }
  const dest = t.DestPath ?? "";
  if (dest === "") p.add("Must specify a destination for the template");
  if (escapesAlloc("task", dest)) p.add("destination escapes allocation directory");
  switch (t.ChangeMode ?? "") {
    case "noop":
    case "restart":
      break;
    case "signal":
      if ((t.ChangeSignal ?? "") === "") {
        p.add("Must specify signal value when change mode is signal");
      }
      if (t.Envvars === true) p.add("cannot use signals with env var templates");
      break;
    case "script":
      if (t.ChangeScript === null) {
        p.add("must specify change script configuration value when change mode is script");
      } else if ((t.ChangeScript.Command ?? "") === "") {
        p.add("must specify script path value when change mode is script");
      }
      break;
    default:
      p.add("Invalid change mode. Must be one of the following: noop, signal, script, restart");
  }
  if ((t.Splay ?? 0) < 0) p.add("Must specify positive splay value");
  const perms = t.Perms ?? "";
  if (perms !== "") {
    const problem = parseUintProblem(perms, 8, 12);
    if (problem) p.add(`Failed to parse ${quote(perms)} as octal: ${problem}`);
  }
  const wait = t.Wait;
  if (wait !== null && wait.Min !== null && wait.Max !== null && wait.Min > wait.Max) {
    p.add(`wait min ${dur(wait.Min)} is greater than max ${dur(wait.Max)}`);
  }
}

function validateIdentity(wi: WorkloadIdentity, p: Problems): void {
  if (!/^[a-zA-Z0-9-_]{1,128}$/.test(wi.Name)) {
    p.add(`invalid name ${quote(wi.Name)}. Must match regex ^[a-zA-Z0-9-_]{1,128}$`);
  }
  (wi.Audience ?? []).forEach((aud, i) => {
    if (aud === "") p.add(`an empty string is an invalid audience (${i + 1})`);
  });
  const signal = wi.ChangeSignal.toUpperCase();
  if (["", "noop", "restart"].includes(wi.ChangeMode)) {
    if (signal !== "") {
      p.add(`can only use change_signal=${quote(signal)} with change_mode="signal"`);
    }
  } else if (wi.ChangeMode === "signal") {
    if (signal === "") p.add(`change_signal must be specified when using change_mode="signal"`);
  } else p.add(`invalid change_mode: ${wi.ChangeMode}`);
  if (wi.TTL > 0 && wi.Name === "default") p.add("ttl for default identity not yet supported");
  if (wi.TTL < 0) p.add("ttl must be >= 0");
  if (wi.Filepath !== "" && !wi.File) {
    p.add("file parameter must be true in order to specify filepath");
  }
}

/** Identities as the server holds them: the default one named and moved to `Identity`. */
function identitiesOf(t: Task): { main: WorkloadIdentity | null; others: WorkloadIdentity[] } {
  const server = (wi: WorkloadIdentity): WorkloadIdentity =>
    wi.Name === "" || wi.Name === "default"
      ? { ...wi, Name: "default", Audience: ["nomadproject.io"] }
      : wi;
  const named = (t.Identities ?? []).map(server);
  const lastDefault = named.map((wi) => wi.Name).lastIndexOf("default");
  if (lastDefault < 0) return { main: t.Identity && server(t.Identity), others: named };
  return { main: named[lastDefault] ?? null, others: named.filter((_, i) => i !== lastDefault) };
}

/** Checks a task of a group (`Task.Validate`); `p` already names the task. */
export function validateTask(t: Task, g: TaskGroup, job: Job, p: Problems): void {
  const type = job.Type ?? "";
  if (t.Name === "") p.add("Missing task name");
  if (t.Name === "alloc") p.add(`Task cannot be named "alloc"`);
  if (/[/\\]/.test(t.Name)) p.add("Task name cannot include slashes");
  else if (t.Name.includes("\0")) p.add("Task name cannot include null characters");
  if (t.Driver === "") p.add("Missing task driver");
  const kill = t.KillTimeout ?? 0, progress = g.Update?.ProgressDeadline ?? 0;
  if (kill < 0) p.add("KillTimeout must be a positive value");
  else if (type === "service" && g.Update !== null && progress > 0 && kill > progress) {
    p.add(`KillTimout (${dur(kill)}) longer than the group's ProgressDeadline (${dur(progress)})`);
  }
  if (t.ShutdownDelay < 0) p.add("ShutdownDelay must be a positive value");
  if (t.Resources === null) p.add("Missing task resources");
  else validateResources(t.Resources, p);
  const logs = t.LogConfig;
  if (logs === null) p.add("Missing Log Config");
  else {
    const files = logs.MaxFiles ?? 0, size = logs.MaxFileSizeMB ?? 0;
    if (files < 1) p.add(`minimum number of files is 1; got ${files}`);
    if (size < 1) p.add(`minimum file size is 1MB; got ${size}`);
    const disk = g.EphemeralDisk;
    if (disk !== null && (disk.SizeMB ?? 0) <= files * size) {
      p.add(
        `log storage (${files * size} MB) must be less than requested disk capacity (${
          disk.SizeMB ?? 0
        } MB)`,
      );
    }
  }
  (t.Constraints ?? []).forEach((c, i) => {
    validateConstraint(c, p.at(`Constraint ${i + 1} validation failed: `));
    if (c.Operand === "distinct_hosts" || c.Operand === "distinct_property") {
      p.add(`Constraint ${i + 1} has disallowed Operand at task level: ${c.Operand}`);
    }
  });
  if (type === "system") {
    if ((t.Affinities ?? []).length > 0) p.add("System jobs may not have an affinity block");
  } else eachValidated(t.Affinities, "Affinity", p, validateAffinity);
  validateTaskServices(t, g, job.Name ?? "", p);
  eachValidated(t.Artifacts, "Artifact", p, validateArtifact);
  const vault = t.Vault;
  if (vault !== null) {
    const mode = vault.ChangeMode ?? "";
    if (mode === "signal") {
      if ((vault.ChangeSignal ?? "") === "") {
        p.add(`Vault validation failed: Signal must be specified when using change mode "signal"`);
      }
    } else if (mode !== "noop" && mode !== "restart") {
      p.add(`Vault validation failed: Unknown change mode ${quote(mode)}`);
    }
  }
  const destinations = new Map<string, number>();
  (t.Templates ?? []).forEach((tmpl, i) => {
    validateTemplate(tmpl, p.at(`Template ${i + 1} validation failed: `));
    const dest = tmpl.DestPath ?? "";
    const other = destinations.get(dest);
    if (other !== undefined) p.add(`Template ${i + 1} has same destination as ${other}`);
    else destinations.set(dest, i + 1);
  });
  const actions = new Map<string, boolean>();
  for (const action of t.Actions ?? []) {
    const ap = p.at(`Action ${action.Name} validation failed: `);
    if (action.Command === "") ap.add("command cannot be empty");
    if (!/^[^\0\t\n\f\r ]{1,128}$/u.test(action.Name)) ap.add(`invalid name '${action.Name}'`);
    if (actions.get(action.Name) === false) {
      p.add(`Action ${action.Name} defined multiple times`);
      actions.set(action.Name, true);
    } else if (!actions.has(action.Name)) actions.set(action.Name, false);
  }
  if (t.DispatchPayload !== null && escapesAlloc("task/local/", t.DispatchPayload.File)) {
    p.add("Dispatch Payload validation failed: destination escapes allocation directory");
  }
  if (t.Lifecycle !== null) {
    const hook = t.Lifecycle.Hook;
    if (hook === "") p.add("Lifecycle validation failed: no lifecycle hook provided");
    else if (!["prestart", "poststart", "poststop"].includes(hook)) {
      p.add(`Lifecycle validation failed: invalid hook: ${hook}`);
    }
  }
  validateConnectProxyTask(t, g, job, p);
  (t.VolumeMounts ?? []).forEach((vm, i) => {
    const volume = vm.Volume ?? "";
    if (!knownVolumes(g).has(volume)) {
      p.add(`Volume Mount (${i}) references undefined volume ${volume}`);
    }
    const problems: string[] = [];
    if (volume === "") problems.push("volume mount references an empty volume");
    const mode = vm.PropagationMode ?? "";
    if (!["", "private", "host-to-task", "bidirectional"].includes(mode)) {
      problems.push(`volume mount has an invalid propagation mode: ${quote(mode)}`);
    }
    const label = vm.SELinuxLabel ?? "";
    if (!["", "z", "Z"].includes(label)) {
      problems.push(`volume mount has an invalid SELinux label: "${label}"`);
    }
    for (const problem of problems) p.add(`Volume Mount (${i}) is invalid: "${problem}"`);
  });
  const csi = t.CSIPluginConfig;
  if (csi) {
    if (csi.ID === "") p.add("CSIPluginConfig must have a non-empty PluginID");
    if (!["node", "controller", "monolith"].includes(csi.Type)) {
      p.add(
        `CSIPluginConfig PluginType must be one of 'node', 'controller', or 'monolith', got: "${csi.Type}"`,
      );
    }
    const { StagePublishBaseDir: base, MountDir: mount } = csi;
    if (base !== "" && mount !== "" && isSubdirectory(mount, base)) {
      p.add(
        `CSIPluginConfig StagePublishBaseDir must not be a subdirectory of MountDir, got: StagePublishBaseDir="${base}" MountDir="${mount}"`,
      );
    }
  }
  const { main, others } = identitiesOf(t);
  if (main !== null) validateIdentity(main, p.at(`Identity ${quote(main.Name)} is invalid: `));
  for (const wi of others) {
    if (wi.Name === "default") p.add("Duplicate default identities found");
    validateIdentity(wi, p.at(`Identity ${quote(wi.Name)} is invalid: `));
  }
  const secrets = new Set<string>();
  for (const s of t.Secrets ?? []) {
    if (secrets.has(s.Name)) p.add(`Duplicate secret ${quote(s.Name)} found`);
    secrets.add(s.Name);
    if (s.Provider === "vault" && vault === null) {
      p.add(`Secret ${quote(s.Name)} has provider "vault" but no vault block`);
    }
    const sp = p.at(`Secret ${quote(s.Name)} is invalid: `);
    if (s.Name === "") sp.add("secret name cannot be empty");
    if (!/^[a-zA-Z0-9_]{1,128}$/.test(s.Name)) {
      sp.add("secret name must match regex ^[a-zA-Z0-9_]{1,128}$");
    }
    if (s.Provider === "") sp.add("secret provider cannot be empty");
    if (s.Path === "") sp.add("secret path cannot be empty");
    if (s.Provider === "nomad" || s.Provider === "vault") {
      if (Object.keys(s.Env ?? {}).length > 0) {
        sp.add(`${s.Provider} provider cannot use the env block`);
      }
    } else if (Object.keys(s.Config ?? {}).length > 0) {
      sp.add(`custom plugin provider ${s.Provider} cannot use the config block`);
    }
  }
}

/** The group volumes the server keeps: those of type `host` or `csi`. */
export function knownVolumes(g: TaskGroup): Set<string> {
  return new Set(
    Object.entries(g.Volumes ?? {}).filter(([, v]) => v.Type === "host" || v.Type === "csi").map(
      ([k]) => k,
    ),
  );
}

function validateConnectProxyTask(t: Task, g: TaskGroup, job: Job, p: Problems): void {
  const prefix = "connect-proxy:";
  if (!t.Kind.startsWith(prefix) || t.Kind.length <= prefix.length) return;
  if ((t.Services ?? []).length > 0) p.add("Connect proxy task must not have a service block");
  if (t.Leader) p.add("Connect proxy task must not have leader set");
  const target = t.Kind.slice(prefix.length);
  const names: string[] = [];
  for (const s of g.Services ?? []) {
    if (s.Connect?.SidecarService == null) continue;
    const name = serviceName(s, job.Name ?? "", g.Name ?? "", null);
    if (name === target) return;
    names.push(name);
  }
  if (names.length === 0) {
    p.add(`No Connect services in task group with Connect proxy (${quote(target)})`);
  } else {
    p.add(
      `Connect proxy service name (${
        quote(target)
      }) not found in Connect services from task group: ${goList(names)}`,
    );
  }
}
