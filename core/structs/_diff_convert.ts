/**
 * Turns a canonicalized API job into the server-side job Nomad diffs: Nomad's API-to-server
 * conversion (`ApiJobToStructJob`) and the parts of its server canonicalization that only exist
 * server-side (a service's namespace, its checks' task names) or that the diff shows.
 *
 * @module
 */
import type { Job } from "./job.ts";
import { SJob, type SObj } from "./_diff_server.ts";
import { toServer } from "./_diff_flatten.ts";

type Raw = Record<string, unknown>;

const objs = (v: unknown): SObj[] => (Array.isArray(v) ? (v as SObj[]) : []);
const obj = (v: unknown): SObj | null =>
  v && typeof v === "object" && !Array.isArray(v) ? v as SObj : null;
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** Nomad's `args.ReplaceEnv`: replaces `${NAME}` with known values, leaves the rest. */
function replaceEnv(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([a-zA-Z0-9_\-.]+)\}/g, (all, key: string) => env[key] ?? all);
}

interface Where {
  job: string;
  group: string;
  /** The task's name, or `"group"` for group services (Nomad's convention). */
  task: string;
  namespace: string;
}

function canonicalizeService(s: SObj, where: Where): void {
  if (s.TaskName === "" && where.task !== "group") s.TaskName = where.task;
  s.Name = replaceEnv(str(s.Name), {
    JOB: where.job,
    TASKGROUP: where.group,
    TASK: where.task,
    BASE: `${where.job}-${where.group}-${where.task}`,
  });
  for (const c of objs(s.Checks)) {
    // Task-level checks lose their task name in the API conversion, then inherit the service's.
    if (where.task !== "group") c.TaskName = "";
    if (c.TaskName === "") c.TaskName = s.TaskName;
    if (c.OnUpdate === "") c.OnUpdate = s.OnUpdate;
    if (c.OnUpdate === "") c.OnUpdate = "require_healthy";
    if (c.Name === "") c.Name = `service: ${JSON.stringify(s.Name)} check`;
  }
  if (s.Provider === "") s.Provider = "consul";
  if (s.Namespace === "" && s.Provider === "consul") s.Namespace = "default";
  else if (s.Provider === "nomad") s.Namespace = where.namespace;
}

function canonicalizeNetworks(networks: unknown): void {
  for (const n of objs(networks)) {
    for (const p of [...objs(n.ReservedPorts), ...objs(n.DynamicPorts)]) {
      if (p.HostNetwork === "") p.HostNetwork = "default";
    }
  }
}

/** API scaling defaults applied by Nomad's conversion: enabled, max -1, min = count. */
function convertScaling(s: SObj | null, api: Raw | null, count: number): void {
  if (!s || !api) return;
  if (api.Enabled === null || api.Enabled === undefined) s.Enabled = true;
  if (api.Max === null || api.Max === undefined) s.Max = -1;
  if (api.Min === null || api.Min === undefined) s.Min = count;
  if (s.Type === "") s.Type = "horizontal";
}

function convertTask(t: SObj, api: Raw, where: Where, vaultNamespace: string): void {
  const res = obj(t.Resources);
  if (res) {
    // Nomad does not carry a task's disk over to the server (the group's ephemeral disk wins).
    res.DiskMB = 0;
    canonicalizeNetworks(res.Networks);
  }
  const vault = obj(t.Vault);
  if (vault) {
    if (vault.Namespace === "" && vaultNamespace !== "") vault.Namespace = vaultNamespace;
    if (vault.ChangeMode === "") vault.ChangeMode = "restart";
    vault.ChangeSignal = str(vault.ChangeSignal).toUpperCase();
  }
  for (const tmpl of objs(t.Templates)) tmpl.ChangeSignal = str(tmpl.ChangeSignal).toUpperCase();
  for (const s of objs(t.Services)) canonicalizeService(s, where);
  const schedule = obj(t.Schedule);
  if (schedule && !schedule.Cron) t.Schedule = null;
  const apiPolicies = Array.isArray(api.ScalingPolicies) ? api.ScalingPolicies as Raw[] : [];
  objs(t.ScalingPolicies).forEach((p, i) => convertScaling(p, apiPolicies[i] ?? null, 0));
  const apiMounts = Array.isArray(api.VolumeMounts) ? api.VolumeMounts as Raw[] : [];
  if (Array.isArray(t.VolumeMounts)) {
    const kept = objs(t.VolumeMounts).filter((_, i) => typeof apiMounts[i]?.Volume === "string");
    t.VolumeMounts = kept.length ? kept : null;
  }
}

function convertGroup(g: SObj, api: Raw, job: SObj): void {
  const where = {
    job: str(job.Name),
    group: str(g.Name),
    task: "group",
    namespace: str(job.Namespace) || "default",
  };
  canonicalizeNetworks(g.Networks);
  for (const s of objs(g.Services)) canonicalizeService(s, where);
  convertScaling(obj(g.Scaling), obj(api.Scaling), Number(g.Count));
  const volumes = obj(g.Volumes);
  if (volumes) {
    // Nomad drops volume requests of a type it does not know.
    const kept = Object.entries(volumes).filter(([, v]) => {
      const type = obj(v)?.Type;
      return type === "host" || type === "csi";
    });
    g.Volumes = kept.length ? Object.fromEntries(kept) : null;
  }
  const apiTasks = Array.isArray(api.Tasks) ? api.Tasks as Raw[] : [];
  objs(g.Tasks).forEach((t, i) => {
    convertTask(t, apiTasks[i] ?? {}, { ...where, task: str(t.Name) }, str(job.VaultNamespace));
  });
}

/** The server-side form of a canonicalized API job, as the diff sees it. */
export function serverJob(job: Job): SObj {
  const j = toServer(SJob, job);
  // Nomad's API conversion never copies the deprecated job-level Consul namespace.
  j.ConsulNamespace = "";
  const apiGroups = Array.isArray(job.TaskGroups) ? job.TaskGroups : [];
  objs(j.TaskGroups).forEach((g, i) => convertGroup(g, (apiGroups[i] ?? {}) as Raw, j));
  return j;
}
