/**
 * Reschedule tracking (Nomad's `RescheduleTracker`, `Allocation.NextRescheduleTime`,
 * `NextDelay` and the scheduler's `UpdateRescheduleTracker`): when a failed allocation may be
 * replaced, after which delay (constant, exponential or fibonacci, capped by `MaxDelay`), and
 * the tracker the replacement carries.
 *
 * All times are Unix nanoseconds; 0 means unset.
 *
 * @module
 */
import type {
  Allocation,
  Job,
  RescheduleEvent,
  ReschedulePolicy,
  RescheduleTracker,
} from "../structs/mod.ts";
import { AllocClientStatus, AllocDesiredStatus } from "../structs/mod.ts";
import {
  allocJob,
  LAST_RESCHEDULE_SUCCESS,
  lastRescheduleFailed,
  lookupTaskGroup,
  timeToNs,
} from "./util.ts";

/** How many past reschedule events an unlimited policy keeps. */
export const MAX_PAST_RESCHEDULE_EVENTS = 5;

/** The reschedule policy of the allocation's group in the job it runs. */
export function reschedulePolicyOf(alloc: Allocation, job: Job | null): ReschedulePolicy | null {
  return lookupTaskGroup(allocJob(alloc, job), alloc.TaskGroup)?.ReschedulePolicy ?? null;
}

/**
 * When the allocation last changed: the latest `FinishedAt` of its tasks, else its
 * `ModifyTime` (Nomad's `LastEventTime`), in Unix nanoseconds.
 */
export function lastEventTime(alloc: Allocation): number {
  let last = 0;
  const states = alloc.TaskStates;
  if (states !== null) {
    for (const name in states) {
      const t = timeToNs(states[name]!.FinishedAt);
      if (t > last) last = t;
    }
  }
  return last === 0 ? alloc.ModifyTime : last;
}

function events(tracker: RescheduleTracker | null): RescheduleEvent[] {
  return tracker?.Events ?? [];
}

/**
 * How many reschedules happened within the policy's interval before `failTime`, and how many
 * the policy allows.
 */
export function rescheduleInfo(
  tracker: RescheduleTracker | null,
  policy: ReschedulePolicy | null,
  failTime: number,
): { attempted: number; attempts: number } {
  if (policy === null) return { attempted: 0, attempts: 0 };
  const attempts = policy.Attempts ?? 0;
  const interval = policy.Interval ?? 0;
  let attempted = 0;
  if (attempts > 0) {
    for (const e of events(tracker)) if (failTime - e.RescheduleTime < interval) attempted++;
  }
  return { attempted, attempts };
}

/** Whether the policy allows another reschedule (Nomad's `RescheduleTracker.RescheduleEligible`). */
export function rescheduleEligible(
  tracker: RescheduleTracker | null,
  policy: ReschedulePolicy | null,
  failTime: number,
): boolean {
  if (policy === null) return false;
  const attempts = policy.Attempts ?? 0;
  if (policy.Unlimited === true) return true;
  if (attempts <= 0) return false;
  if (events(tracker).length === 0) return true;
  return rescheduleInfo(tracker, policy, failTime).attempted < attempts;
}

/**
 * The delay before the next reschedule: the policy's `Delay` the first time, then doubled
 * (`exponential`) or the sum of the last two (`fibonacci`), capped at `MaxDelay`; once capped, a
 * failure later than the cap after the last reschedule starts the series again.
 */
export function nextDelay(alloc: Allocation, job: Job | null): number {
  const policy = reschedulePolicyOf(alloc, job);
  if (policy === null) return 0;
  const base = policy.Delay ?? 0;
  const maxDelay = policy.MaxDelay ?? 0;
  const evs = events(alloc.RescheduleTracker);
  if (evs.length === 0) return base;
  const last = evs[evs.length - 1]!;
  let delay = base;
  switch (policy.DelayFunction) {
    case "exponential":
      delay = last.Delay * 2;
      break;
    case "fibonacci":
      if (evs.length >= 2) {
        const n1 = last.Delay;
        const n2 = evs[evs.length - 2]!.Delay;
        // A capped series that was reset starts again from the base delay.
        delay = n2 === maxDelay && n1 === base ? n1 : n1 + n2;
      }
      break;
    default:
      return base;
  }
  if (maxDelay > 0 && delay > maxDelay) {
    delay = maxDelay;
    if (lastEventTime(alloc) - last.RescheduleTime > delay) delay = base;
  }
  return delay;
}

/** When an allocation may be rescheduled after failing at `failTime`, and whether it may. */
export function nextRescheduleTimeFrom(
  alloc: Allocation,
  job: Job | null,
  failTime: number,
): { time: number; eligible: boolean } {
  const policy = reschedulePolicyOf(alloc, job);
  if (policy === null) return { time: 0, eligible: false };
  const delay = nextDelay(alloc, job);
  const attempts = policy.Attempts ?? 0;
  const evs = events(alloc.RescheduleTracker);
  let eligible = policy.Unlimited === true || (attempts > 0 && evs.length === 0);
  if (attempts > 0 && evs.length > 0) {
    const info = rescheduleInfo(alloc.RescheduleTracker, policy, failTime);
    eligible = info.attempted < info.attempts && delay < (policy.Interval ?? 0);
  }
  return { time: failTime + delay, eligible };
}

/**
 * When a failed (or lost) allocation may be rescheduled and whether its policy allows it at all
 * (Nomad's `Allocation.NextRescheduleTime`).
 */
export function nextRescheduleTime(
  alloc: Allocation,
  job: Job | null,
): { time: number; eligible: boolean } {
  const none = { time: 0, eligible: false };
  const policy = reschedulePolicyOf(alloc, job);
  if (policy === null || ((policy.Attempts ?? 0) === 0 && policy.Unlimited !== true)) return none;
  const failTime = lastEventTime(alloc);
  const rescheduledBatch = allocJob(alloc, job)?.Type === "batch" &&
    alloc.DesiredTransition.Reschedule === true;
  const stopped = alloc.DesiredStatus === AllocDesiredStatus.Stop && !lastRescheduleFailed(alloc);
  const failed = alloc.ClientStatus === AllocClientStatus.Failed ||
    alloc.ClientStatus === AllocClientStatus.Lost;
  if (stopped || (!rescheduledBatch && !failed) || failTime === 0) return none;
  return nextRescheduleTimeFrom(alloc, job, failTime);
}

/**
 * The tracker a replacement of `prev` carries: the earlier events still inside the policy's
 * interval (or the last five for unlimited policies) plus this reschedule, which records the
 * delay that applied.
 */
export function nextRescheduleTracker(
  prev: Allocation,
  job: Job | null,
  now: number,
): RescheduleTracker {
  const policy = reschedulePolicyOf(prev, job);
  const past = events(prev.RescheduleTracker);
  let kept: RescheduleEvent[] = [];
  if ((policy?.Attempts ?? 0) > 0) {
    const interval = policy?.Interval ?? 0;
    kept = past.filter((e) => interval > 0 && now - e.RescheduleTime <= interval);
  } else {
    kept = past.slice(Math.max(0, past.length - MAX_PAST_RESCHEDULE_EVENTS));
  }
  const event: RescheduleEvent = {
    RescheduleTime: now,
    PrevAllocID: prev.ID,
    PrevNodeID: prev.NodeID,
    Delay: nextDelay(prev, job),
  };
  return {
    Events: [...kept.map((e) => ({ ...e })), event],
    LastReschedule: LAST_RESCHEDULE_SUCCESS,
  };
}

/** A copy of `alloc` whose tracker notes how its last reschedule went. */
export function withRescheduleNote(alloc: Allocation, note: string): Allocation {
  const tracker: RescheduleTracker = alloc.RescheduleTracker
    ? { ...alloc.RescheduleTracker, LastReschedule: note }
    : { Events: null, LastReschedule: note };
  return { ...alloc, RescheduleTracker: tracker };
}
