/**
 * Job summaries: copies a transaction may change, and the recount from allocations.
 *
 * @module
 */
import type { Job, JobSummary } from "../structs/mod.ts";
import type { Txn } from "./_txn.ts";
import { isParameterized, isPeriodic, statusField } from "./_status.ts";
import { deepEqual, nsKey } from "./_util.ts";

/** A copy of a summary that may be changed (deep enough for counts). */
export function copySummary(s: JobSummary): JobSummary {
  const summary: JobSummary["Summary"] = {};
  for (const [tg, v] of Object.entries(s.Summary ?? {})) summary[tg] = { ...v };
  return { ...s, Summary: summary, Children: s.Children ? { ...s.Children } : null };
}

/** The stored summary of a job as a row this transaction may change, or undefined. */
export function mutableSummary(
  tx: Txn,
  namespace: string | null,
  jobId: string | null,
): JobSummary | undefined {
  return tx.mutable(tx.db.summaries, nsKey(namespace, jobId), copySummary);
}

/**
 * Recounts every job summary from the allocations of the current job instance (and the
 * children counts of periodic and parameterized parents). Queued counts are kept: Nomad
 * recomputes them by running the scheduler, which the state cannot do.
 */
export function reconcileSummaries(tx: Txn): void {
  const db = tx.db;
  const children = new Map<string, Job[]>();
  for (const job of db.jobs.rows.values()) {
    if (!job.ParentID) continue;
    const k = nsKey(job.Namespace, job.ParentID);
    children.set(k, [...(children.get(k) ?? []), job]);
  }
  for (const [key, job] of db.jobs.rows) {
    const old = db.summaries.get(key);
    if (isParameterized(job) || isPeriodic(job)) {
      if (!old) continue;
      const counts = { Pending: 0, Running: 0, Dead: 0 };
      for (const c of children.get(key) ?? []) {
        if (c.Status === "pending" || c.Status === "running" || c.Status === "dead") {
          counts[statusField(c.Status)]++;
        }
      }
      if (deepEqual(counts, old.Children) && Object.keys(old.Summary ?? {}).length === 0) continue;
      tx.put(db.summaries, key, {
        ...old,
        Summary: {},
        Children: counts,
        CreateIndex: job.CreateIndex ?? 0,
        ModifyIndex: tx.index,
      });
      continue;
    }
    const summary: JobSummary["Summary"] = {};
    for (const tg of job.TaskGroups ?? []) {
      const queued = old?.Summary?.[tg.Name ?? ""]?.Queued ?? 0;
      summary[tg.Name ?? ""] = {
        Queued: queued,
        Complete: 0,
        Failed: 0,
        Running: 0,
        Starting: 0,
        Lost: 0,
        Unknown: 0,
      };
    }
    for (const a of db.allocs.by("job", key)) {
      if (!a.Job || a.Job.CreateIndex !== job.CreateIndex) continue;
      const tg = summary[a.TaskGroup] ??= {
        Queued: 0,
        Complete: 0,
        Failed: 0,
        Running: 0,
        Starting: 0,
        Lost: 0,
        Unknown: 0,
      };
      const field = CLIENT_STATUS_FIELD[a.ClientStatus];
      if (field) tg[field]++;
    }
    tx.put(db.summaries, key, {
      JobID: job.ID ?? "",
      Namespace: job.Namespace ?? "",
      Summary: summary,
      Children: null,
      CreateIndex: job.CreateIndex ?? 0,
      ModifyIndex: tx.index,
    });
  }
  tx.bump("job_summary");
}

/** The summary counter of each client status. */
export const CLIENT_STATUS_FIELD: Readonly<
  Record<string, "Failed" | "Lost" | "Unknown" | "Complete" | "Running" | "Starting">
> = {
  failed: "Failed",
  lost: "Lost",
  unknown: "Unknown",
  complete: "Complete",
  running: "Running",
  pending: "Starting",
};
