/**
 * The reconciler's inputs and results (Nomad's `ReconcilerState`, `ReconcileResults`,
 * `AllocPlaceResult`, `allocDestructiveResult` and `AllocStopResult`).
 *
 * @module
 */
import type {
  Allocation,
  Deployment,
  DesiredUpdates,
  Evaluation,
  Job,
  Node,
  TaskGroup,
} from "../structs/mod.ts";
import type { DeploymentStatusUpdate } from "./types.ts";
import type { AllocNameIndex } from "./util_names.ts";

/** How an existing allocation relates to a new job version. */
export interface AllocUpdateDecision {
  /** Nothing to change (same job, or terminal). */
  ignore: boolean;
  /** Needs a new allocation (stop + place). */
  destructive: boolean;
  /** The allocation updated in place, when neither of the above. */
  updated: Allocation | null;
}

/** Decides between ignore, in-place and destructive for one allocation. */
export type AllocUpdateFn = (
  existing: Allocation,
  job: Job,
  group: TaskGroup,
) => AllocUpdateDecision;

/**
 * An allocation to place, possibly replacing a previous one. A destructive update carries
 * `stopPreviousDesc`: the previous allocation is stopped only if the replacement is placed.
 */
export interface PlacementResult {
  readonly name: string;
  readonly taskGroup: TaskGroup;
  readonly canary: boolean;
  /** The allocation this one replaces (rescheduled, lost, migrated or updated). */
  previousAlloc: Allocation | null;
  /** Replaces a failed allocation. */
  readonly reschedule: boolean;
  /** Replaces an allocation whose node is lost. */
  readonly lost: boolean;
  /** While canaries are unpromoted, a non-canary placement keeps the previous job version. */
  readonly downgradeNonCanary: boolean;
  readonly minJobVersion: number;
  /** Set on destructive updates: the description the previous allocation is stopped with. */
  readonly stopPreviousDesc: string | null;
}

/** An allocation to stop, with the client status and follow-up eval to record. */
export interface AllocStopResult {
  readonly alloc: Allocation;
  readonly clientStatus: string;
  readonly statusDescription: string;
  readonly followupEvalId: string;
}

/** What the reconciler compares. */
export interface ReconcileInput {
  /** The job's latest version; null when it was purged. */
  readonly job: Job | null;
  readonly jobId: string;
  readonly isBatch: boolean;
  /** The job's latest deployment (the reconciler works on a copy). */
  readonly deployment: Deployment | null;
  /** Every allocation of the job, terminal ones included. */
  readonly existingAllocs: readonly Allocation[];
  /** Nodes of the allocations that are down, draining or disconnected; null when deleted. */
  readonly taintedNodes: ReadonlyMap<string, Node | null>;
  readonly evalId: string;
  readonly evalPriority: number;
  /** Unix nanoseconds. */
  readonly now: number;
  readonly newId: () => string;
  readonly allocUpdateFn: AllocUpdateFn;
}

/** The changes the reconciler wants; the scheduler turns them into a plan. */
export interface ReconcileResults {
  /** A deployment to create. */
  deployment: Deployment | null;
  deploymentUpdates: DeploymentStatusUpdate[];
  place: PlacementResult[];
  destructiveUpdate: PlacementResult[];
  inplaceUpdate: Allocation[];
  stop: AllocStopResult[];
  /** Allocations updated without a job change (their follow-up eval ID). */
  attributeUpdates: Allocation[];
  /** Allocations of disconnected nodes now `unknown`, by ID (with their follow-up eval ID). */
  disconnectUpdates: Map<string, Allocation>;
  /** Allocations back from a disconnect, their `running` status recorded, by ID. */
  reconnectUpdates: Map<string, Allocation>;
  desiredTGUpdates: Record<string, DesiredUpdates>;
  /** Delayed evaluations for failed allocations to reschedule later, by group. */
  desiredFollowupEvals: Record<string, Evaluation[]>;
  /** The name index of each group, for de-duplicating placement names. */
  nameIndexes: Record<string, AllocNameIndex>;
}

/** Empty desired updates. */
export function emptyDesiredUpdates(): DesiredUpdates {
  return {
    Ignore: 0,
    Place: 0,
    Migrate: 0,
    Stop: 0,
    InPlaceUpdate: 0,
    DestructiveUpdate: 0,
    Canary: 0,
    Preemptions: 0,
    Disconnect: 0,
    Reconnect: 0,
    RescheduleNow: 0,
    RescheduleLater: 0,
  };
}

/** Nomad's descriptions of why the scheduler stopped an allocation. */
export const StopReason = {
  NotNeeded: "alloc not needed due to job update",
  Migrating: "alloc is being migrated",
  Updating: "alloc is being updated due to job update",
  Lost: "alloc is lost since its node is down",
  InPlace: "alloc updating in-place",
  NodeTainted: "alloc not needed as node is tainted",
  Rescheduled: "alloc was rescheduled because it failed",
  Reconnected: "alloc not needed due to disconnected client reconnect",
} as const;

/** Nomad's client description of an allocation whose node is disconnected. */
export const UNKNOWN_DESCRIPTION = "alloc is unknown since its node is disconnected";
