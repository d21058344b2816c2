/**
 * Placing what the reconciler asked for (Nomad's `GenericScheduler.computePlacements`):
 * destructive updates first (their old allocations are stopped only if the new one fits), then
 * placements; failures are recorded per group with their metrics.
 *
 * When nothing fits and the scheduler configuration lets service (batch) jobs preempt, the
 * placement is tried again allowing preemption (Nomad's `selectNextOption`).
 *
 * Simplification: a non-canary placement during an unpromoted canary
 * deployment uses the job of the newest running non-canary allocation of an older version
 * (Nomad looks the version up through the job's deployments).
 *
 * @module
 */
import {
  type Allocation,
  type AllocMetric,
  type Job,
  type Node,
  NodeStatus,
  ZERO_TIME,
} from "../structs/mod.ts";
import { exhaustResources, newAllocation, type StackFactories } from "./generic_types.ts";
import type { PlanBuilder } from "./plan_builder.ts";
import { preemptionEnabled } from "./preemption.ts";
import type { ReadyNodes } from "./stack.ts";
import type { PlacementResult } from "./reconcile_types.ts";
import type { PlacementStack, ScheduleContext, SchedulerState, SelectOptions } from "./types.ts";
import {
  allocNameIndex,
  LAST_RESCHEDULE_FAILED_TO_PLACE,
  LAST_RESCHEDULE_SUCCESS,
  lookupTaskGroup,
} from "./util.ts";
import type { AllocNameIndex } from "./util_names.ts";
import { nextRescheduleTracker, withRescheduleNote } from "./util_reschedule.ts";

/** What placing needs from the scheduler run. */
export interface PlaceRun {
  readonly state: SchedulerState;
  readonly ctx: ScheduleContext;
  readonly stacks: StackFactories;
  readonly job: Job;
  readonly evalId: string;
  readonly plan: PlanBuilder;
  readonly stack: PlacementStack;
  /** The deployment new allocations join (when active), or "". */
  readonly deploymentId: string;
  /** Whether a deployment exists to take canaries. */
  readonly hasDeployment: boolean;
  /** The job and deployment of older, stable allocations, for downgraded placements. */
  readonly stable: { job: Job; deploymentId: string } | null;
  failedTGAllocs: Record<string, AllocMetric> | null;
  readonly queued: Record<string, number>;
}

function sameDCs(a: Job, b: Job): boolean {
  const x = a.Datacenters ?? [];
  const y = b.Datacenters ?? [];
  return x.length === y.length && x.every((d, i) => d === y[i]);
}

function nodeReady(n: Node): boolean {
  return n.Status === NodeStatus.Ready && n.DrainStrategy === null &&
    n.SchedulingEligibility !== "ineligible";
}

/** The previous allocation's node, when a sticky or migrating disk prefers it and it is ready. */
function preferredNode(run: PlaceRun, p: PlacementResult): Node | undefined {
  const prev = p.previousAlloc;
  if (prev === null) return undefined;
  const prevJob = prev.Job ?? run.job;
  if ((prevJob.NodePool ?? "") !== (run.job.NodePool ?? "") || !sameDCs(prevJob, run.job)) {
    return undefined;
  }
  const disk = p.taskGroup.EphemeralDisk;
  if (disk?.Sticky !== true && disk?.Migrate !== true) return undefined;
  const node = run.state.node(prev.NodeID);
  return node && nodeReady(node) ? node : undefined;
}

/** Options of one placement: penalize the nodes the allocation failed on, prefer a sticky node. */
export function selectOptions(
  name: string,
  prev: Allocation | null,
  preferred: Node | undefined,
): SelectOptions {
  const penalty = new Set<string>();
  if (prev !== null) {
    if (prev.ClientStatus === "failed") penalty.add(prev.NodeID);
    for (const e of prev.RescheduleTracker?.Events ?? []) penalty.add(e.PrevNodeID);
  }
  return {
    allocName: name,
    ...(prev !== null ? { penaltyNodeIds: penalty } : {}),
    ...(preferred ? { preferredNodes: [preferred] } : {}),
  };
}

/** Moves a failed allocation that could not be replaced from the stops to the updates, noted. */
function markFailedToReschedule(run: PlaceRun, original: Allocation): void {
  const updated = withRescheduleNote(original, LAST_RESCHEDULE_FAILED_TO_PLACE);
  run.plan.removeUpdate(original);
  if (!run.plan.swapAlloc(updated)) run.plan.appendAlloc(updated, run.job);
}

/**
 * Places the destructive updates, then the placements. Decrements `run.queued` per placement
 * made and records failures in `run.failedTGAllocs` (later failures of a group coalesce).
 */
export function computePlacements(
  run: PlaceRun,
  destructive: readonly PlacementResult[],
  place: readonly PlacementResult[],
  nameIndexes: Record<string, AllocNameIndex>,
): void {
  let ready: ReadyNodes = run.stacks.readyNodesInDCsAndPool(run.state, run.job);
  run.stack.setNodes(ready.nodes);
  const now = run.ctx.now;
  const jobId = run.job.ID ?? "";
  const preempt = preemptionEnabled(run.state.schedulerConfig(), run.job.Type);
  for (const list of [destructive, place]) {
    for (const missing of list) {
      let tg = missing.taskGroup;
      const tgName = tg.Name ?? "";
      let downgraded: Job | null = null;
      let deploymentId = run.deploymentId;
      if (missing.downgradeNonCanary && run.stable !== null) {
        const older = lookupTaskGroup(run.stable.job, tgName);
        if (older && (run.stable.job.Version ?? 0) >= missing.minJobVersion) {
          tg = older;
          downgraded = run.stable.job;
          deploymentId = run.stable.deploymentId;
        }
      }
      const failed = run.failedTGAllocs?.[tgName];
      if (failed !== undefined) {
        failed.CoalescedFailures += 1;
        exhaustResources(failed, tg.Tasks ?? []);
        continue;
      }
      const moveNodes = downgraded !== null &&
        ((downgraded.NodePool ?? "") !== (run.job.NodePool ?? "") || !sameDCs(downgraded, run.job));
      if (downgraded !== null) {
        run.stack.setJob(downgraded);
        if (moveNodes) {
          ready = run.stacks.readyNodesInDCsAndPool(run.state, downgraded);
          run.stack.setNodes(ready.nodes);
        }
      }
      const prev = missing.previousAlloc;
      const stopPrev = missing.stopPreviousDesc !== null && prev !== null;
      if (stopPrev) run.plan.appendStoppedAlloc(prev, missing.stopPreviousDesc!);
      const opts = selectOptions(missing.name, prev, preferredNode(run, missing));
      let option = run.stack.select(tg, opts);
      if (option === undefined && preempt) option = run.stack.select(tg, { ...opts, preempt });
      const metrics: AllocMetric = {
        ...run.stack.metrics,
        NodesAvailable: ready.byDC,
        NodesInPool: ready.nodes.length,
        NodePool: (downgraded ?? run.job).NodePool ?? "",
      };
      if (downgraded !== null) {
        run.stack.setJob(run.job);
        if (moveNodes) {
          ready = run.stacks.readyNodesInDCsAndPool(run.state, run.job);
          run.stack.setNodes(ready.nodes);
        }
      }

      if (option === undefined) {
        (run.failedTGAllocs ??= {})[tgName] = metrics;
        exhaustResources(metrics, tg.Tasks ?? []);
        if (stopPrev) run.plan.popUpdate(prev);
        if (prev !== null && missing.reschedule) markFailedToReschedule(run, prev);
        continue;
      }

      let name = missing.name;
      const nameIndex = nameIndexes[tgName];
      const index = allocNameIndex(name, jobId, tgName);
      if (nameIndex?.isDuplicate(index)) {
        name = nameIndex.next(1)[0]!;
        nameIndex.unsetIndex(index);
      }
      const alloc = newAllocation({
        id: run.ctx.newId(),
        evalId: run.evalId,
        name,
        job: run.job,
        group: tgName,
        node: option.node,
        resources: option.resources,
        metrics,
        deploymentId,
        now,
      });
      if (prev !== null) {
        alloc.PreviousAllocation = prev.ID;
        if (missing.reschedule) {
          alloc.RescheduleTracker = nextRescheduleTracker(prev, run.job, now);
          const noted = withRescheduleNote(prev, LAST_RESCHEDULE_SUCCESS);
          missing.previousAlloc = noted;
          run.plan.swapAlloc(noted);
        }
      }
      if (missing.canary && run.hasDeployment) {
        alloc.DeploymentStatus = {
          Healthy: null,
          Timestamp: ZERO_TIME,
          Canary: true,
          ModifyIndex: 0,
        };
      }
      run.plan.appendPreemptions(alloc, option.preempted);
      run.plan.appendAlloc(alloc, downgraded);
      run.queued[tgName] = (run.queued[tgName] ?? 1) - 1;
    }
  }
}
