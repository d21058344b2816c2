/**
 * Rows the state keeps beside jobs, in Nomad's shape: the last launch of each periodic job
 * (so that a restarted leader neither launches twice nor misses a launch) and the scaling
 * events of each job's task groups (`GET /v1/job/:id/scale`).
 *
 * @module
 */

/**
 * When a periodic job last launched (Nomad's `PeriodicLaunch`). A periodic job that never
 * launched has the time it was registered, so that a launch due while no leader ran is seen.
 */
export interface PeriodicLaunch {
  /** The periodic job's ID. */
  ID: string;
  Namespace: string;
  /** Unix nanoseconds. */
  Launch: number;
  CreateIndex: number;
  ModifyIndex: number;
}

/** One scaling action or autoscaler report on a task group (Nomad's `ScalingEvent`). */
export interface ScalingEvent {
  /** Unix nanoseconds. */
  Time: number;
  /** The new count, or null for an event that did not change it. */
  Count: number | null;
  /** The group's count when the event was recorded. */
  PreviousCount: number;
  Message: string;
  /** Whether the event reports an error (of the autoscaler, say). */
  Error: boolean;
  Meta: Record<string, unknown> | null;
  /** The evaluation the scaling created, if any. */
  EvalID: string | null;
  /** The index at which the event was stored. */
  CreateIndex: number;
}

/** The scaling events of one job, newest first per task group (Nomad's `JobScalingEvents`). */
export interface JobScalingEvents {
  Namespace: string;
  JobID: string;
  ScalingEvents: Record<string, ScalingEvent[]>;
  ModifyIndex: number;
}

/** How many scaling events are kept per task group (Nomad's `JobTrackedScalingEvents`). */
export const JOB_TRACKED_SCALING_EVENTS = 20;

/** What separates a periodic job's ID from the launch time in its children's IDs. */
export const PERIODIC_LAUNCH_SUFFIX = "/periodic-";

/** What separates a parameterized job's ID from the rest in its dispatched children's IDs. */
export const DISPATCH_LAUNCH_SUFFIX = "/dispatch-";
