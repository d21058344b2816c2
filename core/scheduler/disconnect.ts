/**
 * What a task group's `disconnect` block says, and where an allocation stands in a disconnect
 * (Nomad's `TaskGroup.GetDisconnectLostTimeout`, `Replace`, `DisconnectStrategy.ReconcileStrategy`
 * and `Allocation.NeedsToReconnect`, `LastUnknown`, `Expired`, `DisconnectTimeout`,
 * `ReplaceOnDisconnect`, `WaitClientStop`).
 *
 * When a group has no `disconnect` block, the deprecated group fields stand in for it as in
 * Nomad 1.8: `max_client_disconnect` for `lost_after`, `prevent_reschedule_on_lost` for
 * `replace = false` and `stop_after_client_disconnect` for `stop_on_client_after`.
 *
 * All times are Unix nanoseconds.
 *
 * @module
 */
import {
  type Allocation,
  AllocClientStatus,
  type Job,
  SECOND,
  type TaskGroup,
} from "../structs/mod.ts";
import { allocJob, lookupTaskGroup, nsToTime, timeToNs } from "./util.ts";

/** One recorded transition of an allocation. */
type AllocState = NonNullable<Allocation["AllocStates"]>[number];

/** The `AllocState` field that records client status transitions. */
export const CLIENT_STATUS_FIELD = "ClientStatus";

/** How a reconnecting allocation and its replacement are reconciled. */
export const ReconcileOption = {
  BestScore: "best_score",
  KeepOriginal: "keep_original",
  KeepReplacement: "keep_replacement",
  LongestRunning: "longest_running",
} as const;

/** Nomad's `DefaultKillTimeout`. */
const DEFAULT_KILL_TIMEOUT = 5 * SECOND;

/** How long the group's allocations may stay `unknown` before they are lost (0: at once). */
export function groupLostAfter(tg: TaskGroup | null | undefined): number {
  if (tg === null || tg === undefined) return 0;
  if (tg.Disconnect !== null) return tg.Disconnect.LostAfter ?? 0;
  return tg.MaxClientDisconnect ?? 0;
}

/** Whether the group's allocations are replaced while their node is disconnected. */
export function groupReplaces(tg: TaskGroup | null | undefined): boolean {
  if (tg === null || tg === undefined) return true;
  if (tg.Disconnect !== null) return tg.Disconnect.Replace ?? true;
  return tg.PreventRescheduleOnLost !== true;
}

/** The group's reconcile strategy; `best_score` by default. */
export function groupReconcile(tg: TaskGroup | null | undefined): string {
  const r = tg?.Disconnect?.Reconcile ?? "";
  return r === "" ? ReconcileOption.BestScore : r;
}

/** How long a cut-off client keeps the group's allocations running; null when forever. */
export function groupStopOnClientAfter(tg: TaskGroup | null | undefined): number | null {
  if (tg === null || tg === undefined) return null;
  if (tg.Disconnect !== null) return tg.Disconnect.StopOnClientAfter;
  return tg.StopAfterClientDisconnect;
}

/** The group of the job the allocation runs. */
export function allocGroup(alloc: Allocation, job: Job | null): TaskGroup | undefined {
  return lookupTaskGroup(allocJob(alloc, job), alloc.TaskGroup);
}

/**
 * Whether the allocation's last client-status transition was to `unknown`: it was on a
 * disconnected node and has not reconnected yet.
 */
export function needsToReconnect(alloc: Allocation): boolean {
  const states = alloc.AllocStates ?? [];
  for (let i = states.length - 1; i >= 0; i--) {
    const s = states[i]!;
    if (s.Field !== CLIENT_STATUS_FIELD || s.Value === "") continue;
    return s.Value === AllocClientStatus.Unknown;
  }
  return false;
}

/** When the allocation last became `unknown` (the start of its latest run of them); 0 if never. */
export function lastUnknown(alloc: Allocation): number {
  const states = alloc.AllocStates ?? [];
  let last = 0;
  for (let i = states.length - 1; i >= 0; i--) {
    const s = states[i]!;
    if (s.Field !== CLIENT_STATUS_FIELD) continue;
    if (s.Value === AllocClientStatus.Unknown) last = timeToNs(s.Time);
    else if (last !== 0) break;
  }
  return last;
}

/** Whether an `unknown` allocation has been so for its group's `lost_after` by `now`. */
export function disconnectExpired(alloc: Allocation, job: Job | null, now: number): boolean {
  if (alloc.ClientStatus !== AllocClientStatus.Unknown) return false;
  const since = lastUnknown(alloc);
  if (since === 0) return false;
  const tg = allocGroup(alloc, job);
  if (tg === undefined) return false;
  return since + groupLostAfter(tg) <= now;
}

/** When an allocation disconnected at `now` turns lost: `now` plus its group's `lost_after`. */
export function disconnectTimeout(alloc: Allocation, job: Job | null, now: number): number {
  return now + groupLostAfter(allocGroup(alloc, job));
}

/** Whether the allocation may be replaced while its node is disconnected. */
export function replaceOnDisconnect(alloc: Allocation, job: Job | null): boolean {
  return groupReplaces(allocGroup(alloc, job));
}

/**
 * When a lost allocation with `stop_on_client_after` may be replaced: its first `lost`
 * transition (else `now`) plus that duration and the group's longest kill timeout; null when
 * the group has none.
 */
export function waitClientStop(alloc: Allocation, job: Job | null, now: number): number | null {
  const tg = allocGroup(alloc, job);
  const stopAfter = groupStopOnClientAfter(tg);
  if (tg === undefined || stopAfter === null || stopAfter === 0) return null;
  let since = 0;
  for (const s of alloc.AllocStates ?? []) {
    if (s.Field === CLIENT_STATUS_FIELD && s.Value === AllocClientStatus.Lost) {
      since = timeToNs(s.Time);
      break;
    }
  }
  if (since === 0) since = now;
  let kill = DEFAULT_KILL_TIMEOUT;
  for (const t of tg.Tasks ?? []) kill = Math.max(kill, t.KillTimeout ?? 0);
  return since + stopAfter + kill;
}

/** A copy of the allocation with a client-status transition recorded at `now`. */
export function withClientState(alloc: Allocation, value: string, now: number): Allocation {
  const state: AllocState = { Field: CLIENT_STATUS_FIELD, Value: value, Time: nsToTime(now) };
  return { ...alloc, AllocStates: [...(alloc.AllocStates ?? []), state] };
}

/** When the task last started (its last restart, else its start); 0 when it never did. */
export function lastStartOfTask(alloc: Allocation, task: string): number {
  const s = alloc.TaskStates?.[task];
  if (s === undefined) return 0;
  return timeToNs(s.Restarts > 0 ? s.LastRestart : s.StartedAt);
}
