/**
 * Evaluations in the state: upsert (queued counts into the job summary, blocked evaluations
 * cancelled by a successful one), delete, and the plan's modify-index bump.
 *
 * @module
 */
import type { Evaluation } from "../structs/mod.ts";
import { NotFoundError } from "../structs/mod.ts";
import { CONFIG_KEY } from "./_tables.ts";
import type { Txn } from "./_txn.ts";
import { type ApplyConfig, setJobStatuses } from "./_jobs.ts";
import { mutableSummary } from "./_summaries.ts";
import { nsKey } from "./_util.ts";

/** Stores one evaluation (a copy of `input`) without recomputing job statuses. */
export function upsertEval(tx: Txn, input: Evaluation): Evaluation {
  const db = tx.db;
  const existing = db.evals.get(input.ID);
  const e: Evaluation = {
    ...input,
    CreateIndex: existing ? existing.CreateIndex : tx.index,
    ModifyIndex: tx.index,
  };
  const queued = e.QueuedAllocations;
  const stored = db.summaries.get(nsKey(e.Namespace, e.JobID));
  if (queued && stored) {
    const differs = Object.entries(queued).some(([tg, n]) => {
      const s = stored.Summary?.[tg];
      return s !== undefined && s.Queued !== n;
    });
    if (differs) {
      const s = mutableSummary(tx, e.Namespace, e.JobID);
      if (s) {
        for (const [tg, n] of Object.entries(queued)) {
          const g = s.Summary?.[tg];
          if (g) g.Queued = n;
        }
        s.ModifyIndex = tx.index;
      }
    }
  }
  if (e.Status === "complete" && Object.keys(e.FailedTGAllocs ?? {}).length === 0) {
    for (const b of db.evals.by("job", nsKey(e.Namespace, e.JobID))) {
      if (b.Status !== "blocked" || b.ID === e.ID) continue;
      tx.put(db.evals, b.ID, {
        ...b,
        Status: "canceled",
        StatusDescription: `evaluation "${e.ID}" successful`,
        ModifyIndex: tx.index,
        ModifyTime: e.ModifyTime,
      });
    }
  }
  return tx.put(db.evals, e.ID, e);
}

/** Stores evaluations and recomputes the status of their jobs. */
export function upsertEvals(tx: Txn, evals: readonly Evaluation[], cfg: ApplyConfig): void {
  const jobs = new Map<string, string>();
  for (const e of evals) {
    upsertEval(tx, e);
    jobs.set(nsKey(e.Namespace, e.JobID), "");
  }
  setJobStatuses(tx, jobs, false, cfg);
}

/** Deletes evaluations and allocations (garbage collection, or an operator with the broker paused). */
export function deleteEvals(
  tx: Txn,
  evalIds: readonly string[],
  allocIds: readonly string[],
  userInitiated: boolean,
  cfg: ApplyConfig,
): void {
  const db = tx.db;
  if (userInitiated && !db.config.get(CONFIG_KEY)?.PauseEvalBroker) {
    throw new Error("eval broker is enabled; eval broker must be paused to delete evals");
  }
  const jobs = new Map<string, string>();
  for (const id of evalIds) {
    const e = tx.delete(db.evals, id);
    if (e) jobs.set(nsKey(e.Namespace, e.JobID), "");
  }
  for (const id of allocIds) tx.delete(db.allocs, id);
  setJobStatuses(tx, jobs, true, cfg);
}

/** Bumps the ModifyIndex of the evaluation a plan came from. */
export function touchEval(tx: Txn, evalId: string): void {
  const e = tx.db.evals.get(evalId);
  if (!e) throw new NotFoundError(`unable to find eval id "${evalId}"`);
  tx.put(tx.db.evals, evalId, { ...e, ModifyIndex: tx.index });
}
