/**
 * Deployments in the state: upsert, status changes, promotion, allocation health, deletion,
 * the counters that allocation changes move, and the scheduler configuration.
 *
 * @module
 */
import type {
  Allocation,
  Deployment,
  DeploymentState,
  SchedulerConfiguration,
} from "../structs/mod.ts";
import { NotFoundError } from "../structs/mod.ts";
import type {
  DeploymentAllocHealthEntry,
  DeploymentPromoteEntry,
  DeploymentStatusUpdateInput,
} from "./entries.ts";
import { CONFIG_KEY } from "./_tables.ts";
import type { Txn } from "./_txn.ts";
import { type ApplyConfig, updateJobStability } from "./_jobs.ts";
import { allocTerminal } from "./_status.ts";
import { isZeroTime, nanosToTime, timeToNanos } from "./_util.ts";

/** A deployment copy whose task group states may be changed. */
export function copyDeployment(d: Deployment): Deployment {
  const groups: Record<string, DeploymentState> = {};
  for (const [tg, s] of Object.entries(d.TaskGroups ?? {})) groups[tg] = { ...s };
  return { ...d, TaskGroups: groups };
}

/** Whether a deployment can still change. */
export function deploymentActive(d: Deployment): boolean {
  switch (d.Status) {
    case "running":
    case "paused":
    case "blocked":
    case "unblocking":
    case "initializing":
    case "pending":
      return true;
    default:
      return false;
  }
}

/** Stores a deployment (a fresh copy); a successful one makes its job version stable. */
export function upsertDeployment(tx: Txn, d: Deployment, cfg: ApplyConfig): void {
  const existing = tx.db.deployments.get(d.ID);
  if (existing && existing !== d) {
    d.CreateIndex = existing.CreateIndex;
    for (const [tg, s] of Object.entries(existing.TaskGroups ?? {})) {
      if (s.Promoted && d.TaskGroups?.[tg] && !d.TaskGroups[tg].Promoted) {
        throw new Error("deployment promotion cannot be undone");
      }
    }
  } else if (!existing) {
    d.CreateIndex = tx.index;
  }
  d.ModifyIndex = tx.index;
  tx.put(tx.db.deployments, d.ID, d);
  if (d.Status === "successful") {
    updateJobStability(tx, d.Namespace, d.JobID, d.JobVersion, true, cfg);
  }
}

function activeDeployment(tx: Txn, id: string): Deployment {
  const d = tx.db.deployments.get(id);
  if (!d) throw new NotFoundError(`Deployment ID "${id}" couldn't be updated as it does not exist`);
  if (!deploymentActive(d)) {
    throw new Error(`Deployment "${id}" has terminal status "${d.Status}":`);
  }
  return d;
}

/** Applies a status change to an active deployment. `updatedAt` is Unix nanoseconds. */
export function updateDeploymentStatus(
  tx: Txn,
  u: DeploymentStatusUpdateInput,
  updatedAt: number,
  cfg: ApplyConfig,
): void {
  const c = copyDeployment(activeDeployment(tx, u.DeploymentID));
  c.Status = u.Status;
  c.StatusDescription = u.StatusDescription;
  c.ModifyIndex = tx.index;
  c.ModifyTime = updatedAt;
  if (c.Status === "paused" || c.Status === "running") {
    for (const s of Object.values(c.TaskGroups ?? {})) {
      if (s.ProgressDeadline !== 0) {
        s.RequireProgressBy = nanosToTime(updatedAt + s.ProgressDeadline);
      }
    }
  }
  tx.put(tx.db.deployments, c.ID, c);
  if (c.Status === "successful") {
    updateJobStability(tx, c.Namespace, c.JobID, c.JobVersion, true, cfg);
  }
}

/**
 * Moves a deployment's placed/healthy/unhealthy counters for an allocation being stored
 * (`alloc` is the transaction's own copy; its DeploymentStatus may be replaced).
 */
export function updateDeploymentWithAlloc(
  tx: Txn,
  alloc: Allocation,
  existing: Allocation | undefined,
): void {
  if (!alloc.DeploymentID) return;
  const stored = tx.db.deployments.get(alloc.DeploymentID);
  if (!stored?.TaskGroups?.[alloc.TaskGroup]) return;
  let placed = 0;
  let healthy = 0;
  let unhealthy = 0;
  const existingHealth = existing?.DeploymentStatus?.Healthy ?? null;
  const allocHealth = alloc.DeploymentStatus?.Healthy ?? null;
  if (!existing || existing.DeploymentID !== alloc.DeploymentID) {
    placed++;
  } else if (existingHealth === null && allocHealth !== null) {
    if (allocHealth) healthy++;
    else unhealthy++;
  } else if (existingHealth !== null && allocHealth !== null && existingHealth && !allocHealth) {
    healthy--;
    unhealthy++;
  }
  if (placed === 0 && healthy === 0 && unhealthy === 0) return;
  if (alloc.DeploymentStatus && healthy + unhealthy !== 0) {
    alloc.DeploymentStatus = { ...alloc.DeploymentStatus, ModifyIndex: tx.index };
  }
  const d = tx.mutable(tx.db.deployments, alloc.DeploymentID, copyDeployment) as Deployment;
  d.ModifyIndex = tx.index;
  d.ModifyTime = alloc.ModifyTime;
  const s = (d.TaskGroups as Record<string, DeploymentState>)[alloc.TaskGroup] as DeploymentState;
  s.PlacedAllocs += placed;
  s.HealthyAllocs += healthy;
  s.UnhealthyAllocs += unhealthy;
  if (alloc.DeploymentStatus?.Canary && !(s.PlacedCanaries ?? []).includes(alloc.ID)) {
    s.PlacedCanaries = [...(s.PlacedCanaries ?? []), alloc.ID];
  }
  const pd = s.ProgressDeadline;
  if (pd !== 0) {
    if (placed !== 0 && isZeroTime(s.RequireProgressBy)) {
      s.RequireProgressBy = nanosToTime(alloc.ModifyTime + pd);
    } else if (healthy !== 0) {
      const by = timeToNanos(alloc.DeploymentStatus?.Timestamp ?? "") + pd;
      if (by > timeToNanos(s.RequireProgressBy)) s.RequireProgressBy = nanosToTime(by);
    }
  }
}

/** Promotes the healthy canaries of a deployment's groups (or of all groups). */
export function promoteDeployment(tx: Txn, e: DeploymentPromoteEntry, cfg: ApplyConfig): void {
  const d = activeDeployment(tx, e.deploymentId);
  const groups = new Set(e.groups);
  const inScope = (tg: string) => e.all || groups.has(tg);
  const canaries = new Set(
    Object.values(d.TaskGroups ?? {}).flatMap((s) => s.PlacedCanaries ?? []),
  );
  const healthyCounts = new Map<string, number>();
  const promotable: Allocation[] = [];
  for (const a of tx.db.allocs.by("deployment", e.deploymentId)) {
    if (!canaries.has(a.ID) || !inScope(a.TaskGroup)) continue;
    if (allocTerminal(a) || a.DeploymentStatus?.Healthy !== true) continue;
    healthyCounts.set(a.TaskGroup, (healthyCounts.get(a.TaskGroup) ?? 0) + 1);
    promotable.push(a);
  }
  const problems: string[] = [];
  for (const [tg, s] of Object.entries(d.TaskGroups ?? {})) {
    if (!inScope(tg) || s.DesiredCanaries === 0) continue;
    const have = healthyCounts.get(tg) ?? 0;
    if (have < s.DesiredCanaries) {
      problems.push(`Task group "${tg}" has ${have}/${s.DesiredCanaries} healthy allocations`);
    }
  }
  if (problems.length > 0) {
    const n = problems.length;
    throw new Error(
      `${n} error${n === 1 ? "" : "s"} occurred:\n${
        problems.map((p) => `\t* ${p}`).join("\n")
      }\n\n`,
    );
  }
  const c = copyDeployment(d);
  for (const [tg, s] of Object.entries(c.TaskGroups ?? {})) {
    if (!inScope(tg)) continue;
    if (s.ProgressDeadline > 0 && !isZeroTime(s.RequireProgressBy)) {
      s.RequireProgressBy = nanosToTime(e.promotedAt + s.ProgressDeadline);
    }
    s.Promoted = true;
  }
  const needsPromotion = c.Status === "running" &&
    Object.values(c.TaskGroups ?? {}).some((s) => s.DesiredCanaries > 0 && !s.Promoted);
  if (!needsPromotion && c.Status === "running") c.StatusDescription = "Deployment is running";
  c.ModifyTime = e.promotedAt;
  upsertDeployment(tx, c, cfg);
  for (const a of promotable) {
    tx.put(tx.db.allocs, a.ID, {
      ...a,
      DeploymentStatus: {
        ...(a.DeploymentStatus as NonNullable<Allocation["DeploymentStatus"]>),
        Canary: false,
        ModifyIndex: tx.index,
      },
      ModifyIndex: tx.index,
      AllocModifyIndex: tx.index,
    });
  }
  tx.bump("allocs");
}

/** Sets the deployment health of allocations (and maybe the deployment's status). */
export function setAllocHealth(tx: Txn, e: DeploymentAllocHealthEntry, cfg: ApplyConfig): void {
  activeDeployment(tx, e.deploymentId);
  const ts = nanosToTime(e.timestamp);
  const set = (id: string, healthy: boolean) => {
    const old = tx.db.allocs.get(id);
    if (!old) throw new NotFoundError(`unknown alloc "${id}"`);
    if (old.DeploymentID !== e.deploymentId) {
      throw new Error(`alloc "${id}" is not part of deployment "${e.deploymentId}"`);
    }
    const c: Allocation = {
      ...old,
      DeploymentStatus: {
        Canary: old.DeploymentStatus?.Canary ?? false,
        Healthy: healthy,
        Timestamp: ts,
        ModifyIndex: tx.index,
      },
      ModifyTime: e.timestamp,
      ModifyIndex: tx.index,
    };
    updateDeploymentWithAlloc(tx, c, old);
    tx.put(tx.db.allocs, id, c);
  };
  for (const id of e.healthy) set(id, true);
  for (const id of e.unhealthy) set(id, false);
  if (e.healthy.length + e.unhealthy.length > 0) tx.bump("allocs");
  if (e.update) updateDeploymentStatus(tx, e.update, e.timestamp, cfg);
}

/** Deletes deployments. */
export function deleteDeployments(tx: Txn, ids: readonly string[]): void {
  if (ids.length === 0) return;
  for (const id of ids) tx.delete(tx.db.deployments, id);
  tx.bump("deployment");
}

/** The scheduler configuration a new cluster starts with (Nomad's defaults). */
export const DEFAULT_SCHEDULER_CONFIG: Readonly<SchedulerConfiguration> = Object.freeze({
  SchedulerAlgorithm: "binpack",
  PreemptionConfig: Object.freeze({
    SystemSchedulerEnabled: true,
    SysBatchSchedulerEnabled: true,
    BatchSchedulerEnabled: false,
    ServiceSchedulerEnabled: false,
  }),
  MemoryOversubscriptionEnabled: false,
  RejectJobRegistration: false,
  PauseEvalBroker: false,
  NodeLimitForFeasibilityChecks: 0,
  CreateIndex: 0,
  ModifyIndex: 0,
});

/** Sets the scheduler configuration; returns false when `cas` does not match. */
export function setSchedulerConfig(
  tx: Txn,
  config: SchedulerConfiguration,
  cas: number | undefined,
): boolean {
  const existing = tx.db.config.get(CONFIG_KEY);
  if (cas !== undefined && (existing?.ModifyIndex ?? 0) !== cas) return false;
  tx.put(tx.db.config, CONFIG_KEY, {
    ...config,
    PreemptionConfig: { ...config.PreemptionConfig },
    SchedulerAlgorithm: config.SchedulerAlgorithm || "binpack",
    CreateIndex: existing?.CreateIndex ?? tx.index,
    ModifyIndex: tx.index,
  });
  return true;
}
