/**
 * The scheduler of system and sysbatch jobs (Nomad's `SystemScheduler`): one allocation of each
 * group on every ready node of the job's datacenters and pool that passes the group's
 * feasibility checks; allocations on nodes that left are stopped, those of an older version
 * updated in place or replaced (`max_parallel` at a time, with a rolling follow-up after
 * `stagger`), and a sysbatch allocation that finished is not run again.
 *
 * A placement that does not fit a node may preempt allocations of lower-priority jobs there
 * when the scheduler configuration enables it (the default for system and sysbatch jobs).
 *
 * Simplification: no system deployments (Nomad 1.11 added them); rolling updates follow Nomad
 * 1.10, which paced them with follow-up evaluations.
 *
 * @module
 */
import {
  type AllocMetric,
  type DesiredUpdates,
  EvalStatus,
  type Evaluation,
  type Node,
  type PlanAnnotations,
} from "../structs/mod.ts";
import { createBlockedEval, eligibilityOf, nextRollingEval } from "./blocked.ts";
import { taintedNodes, updateNonTerminalAllocsToLost } from "./generic.ts";
import {
  exhaustResources,
  finishEvaluation,
  newAllocation,
  type StackFactories,
  systemHandles,
} from "./generic_types.ts";
import { destructiveChecker, inPlaceResources } from "./generic_update.ts";
import { PlanBuilder } from "./plan_builder.ts";
import { annotatePreemptions } from "./preemption.ts";
import type { ReadyNodes } from "./stack.ts";
import { type AllocTuple, reconcileNodes, splitTerminalAllocs } from "./reconcile_node.ts";
import { emptyDesiredUpdates, StopReason } from "./reconcile_types.ts";
import type { PlacementStack, ScheduleContext, ScheduleOutcome, SchedulerState } from "./types.ts";
import { isTerminal, jobStopped, nodeInDCs, nodeInPool } from "./util.ts";
import type { Job } from "../structs/mod.ts";

/** Options of {@link scheduleSystem}. */
export interface SystemOptions {
  readonly stacks: StackFactories;
}

interface SystemRun {
  readonly state: SchedulerState;
  readonly ctx: ScheduleContext;
  readonly evaluation: Evaluation;
  readonly job: Job;
  readonly plan: PlanBuilder;
  readonly stack: PlacementStack;
}

/** Updates in place what can be; returns the destructive updates and the in-place ones. */
function inplaceUpdate(run: SystemRun, updates: readonly AllocTuple[]): {
  destructive: AllocTuple[];
  inplace: AllocTuple[];
} {
  const destructive: AllocTuple[] = [];
  const inplace: AllocTuple[] = [];
  const changed = destructiveChecker(run.job);
  for (const u of updates) {
    const alloc = u.alloc!;
    const tg = u.taskGroup!;
    if (changed(alloc.Job ?? run.job, tg.Name ?? "")) {
      destructive.push(u);
      continue;
    }
    if (isTerminal(alloc)) {
      inplace.push(u);
      continue;
    }
    const node = run.state.node(alloc.NodeID);
    if (!node || !nodeInDCs(node, run.job.Datacenters) || !nodeInPool(node, run.job.NodePool)) {
      destructive.push(u);
      continue;
    }
    run.stack.setNodes([node]);
    run.plan.appendStoppedAlloc(alloc, StopReason.InPlace);
    const option = run.stack.select(tg, { allocName: alloc.Name });
    run.plan.popUpdate(alloc);
    // An update that fits only by preempting others is replaced instead (and preempts then).
    if (option === undefined || option.preempted !== undefined) {
      destructive.push(u);
      continue;
    }
    run.plan.appendAlloc({
      ...alloc,
      EvalID: run.evaluation.ID,
      Job: null,
      Resources: null,
      AllocatedResources: inPlaceResources(alloc, option, tg),
      Metrics: { ...run.stack.metrics },
      DeploymentID: "",
      DeploymentStatus: null,
    }, null);
    inplace.push(u);
  }
  return { destructive, inplace };
}

function desiredUpdates(
  r: ReturnType<typeof reconcileNodes>,
  inplace: readonly AllocTuple[],
  destructive: readonly AllocTuple[],
): Record<string, DesiredUpdates> {
  const out: Record<string, DesiredUpdates> = {};
  const inc = (name: string, key: keyof DesiredUpdates) => {
    (out[name] ??= emptyDesiredUpdates())[key]++;
  };
  for (const t of r.stop) inc(t.alloc?.TaskGroup ?? "", "Stop");
  const groupOf = (t: AllocTuple) => t.taskGroup?.Name ?? "";
  for (const t of r.place) inc(groupOf(t), "Place");
  for (const t of r.ignore) inc(groupOf(t), "Ignore");
  for (const t of r.migrate) inc(groupOf(t), "Migrate");
  for (const t of r.disconnecting) inc(groupOf(t), "Disconnect");
  for (const t of r.reconnecting) inc(groupOf(t), "Reconnect");
  for (const t of inplace) inc(groupOf(t), "InPlaceUpdate");
  for (const t of destructive) inc(groupOf(t), "DestructiveUpdate");
  return out;
}

/**
 * Schedules one evaluation of a system or sysbatch job.
 *
 * @returns The plan (null when nothing changes), the evaluation with its final status, and new
 *   evaluations: a blocked one for a node that ran out of capacity, a rolling-update follow-up
 *   when `max_parallel` held updates back.
 */
export function scheduleSystem(
  evaluation: Evaluation,
  state: SchedulerState,
  ctx: ScheduleContext,
  opts: SystemOptions,
): ScheduleOutcome {
  const finish = (status: string, description: string, extra: {
    failed: Record<string, AllocMetric> | null;
    queued: Record<string, number> | null;
    annotations: PlanAnnotations | null;
  }) =>
    finishEvaluation({ ...evaluation, SnapshotIndex: state.index }, {
      status,
      description,
      deploymentId: "",
      failedTGAllocs: extra.failed,
      blockedEvalId: "",
      queuedAllocs: extra.queued,
      annotations: extra.annotations,
      now: ctx.now,
    });
  if (!systemHandles(evaluation.Type, evaluation.TriggeredBy)) {
    const desc = `scheduler cannot handle '${evaluation.TriggeredBy}' evaluation reason`;
    return {
      plan: null,
      evaluation: finish(EvalStatus.Failed, desc, {
        failed: null,
        queued: null,
        annotations: null,
      }),
      newEvals: [],
    };
  }

  const job = state.job(evaluation.Namespace, evaluation.JobID) ?? null;
  const stopped = jobStopped(job);
  const ready: ReadyNodes = !stopped && job !== null
    ? opts.stacks.readyNodesInDCsAndPool(state, job)
    : { nodes: [], byDC: {}, notReady: new Set() };
  const plan = new PlanBuilder(state, evaluation, job, ctx.now);
  const stack = opts.stacks.newSystemStack(state, plan, ctx);
  if (!stopped && job !== null) stack.setJob(job);

  const allocs = state.allocsByJob(evaluation.Namespace, evaluation.JobID);
  const tainted = taintedNodes(state, allocs);
  updateNonTerminalAllocsToLost(plan, tainted, allocs);
  const { live, terminal } = splitTerminalAllocs(allocs);
  const r = reconcileNodes({
    job,
    readyNodes: ready.nodes,
    notReady: ready.notReady,
    tainted,
    live,
    terminal,
    now: ctx.now,
  });
  for (const t of r.stop) plan.appendStoppedAlloc(t.alloc!, StopReason.NotNeeded);
  for (const t of r.migrate) plan.appendStoppedAlloc(t.alloc!, StopReason.NodeTainted);
  for (const t of r.lost) plan.appendStoppedAlloc(t.alloc!, StopReason.Lost, "lost");
  for (const t of r.disconnecting) plan.appendAlloc(t.alloc!, t.alloc!.Job);

  const queued: Record<string, number> = {};
  const newEvals: Evaluation[] = [];
  let failed: Record<string, AllocMetric> | null = null;
  let desired: Record<string, DesiredUpdates> = {};
  let rolling: Evaluation | null = null;
  if (job !== null && !stopped) {
    const run: SystemRun = { state, ctx, evaluation, job, plan, stack };
    // Reconnected allocations are updated in place so that their new state is recorded.
    const { destructive, inplace } = inplaceUpdate(run, [...r.update, ...r.reconnecting]);
    desired = desiredUpdates(r, inplace, destructive);
    if (evictAndPlace(run, r, destructive)) {
      // The rest of the update follows once the replaced allocations had time to be healthy.
      rolling = nextRollingEval(evaluation, {
        id: ctx.newId(),
        now: ctx.now,
        wait: job.Update?.MinHealthyTime ?? 0,
      });
      newEvals.push(rolling);
    }
    for (const tg of job.TaskGroups ?? []) queued[tg.Name ?? ""] = 0;
    for (const t of r.place) queued[t.taskGroup?.Name ?? ""]! += 1;
    failed = computeSystemPlacements(run, r, ready, { queued, desired, inplace }, newEvals);
  } else {
    desired = desiredUpdates(r, [], []);
  }

  const annotations: PlanAnnotations = { DesiredTGUpdates: desired, PreemptedAllocs: null };
  if (evaluation.AnnotatePlan) {
    annotatePreemptions(state, plan.plan, annotations);
    plan.plan.Annotations = annotations;
  }
  const noOp = plan.isNoOp();
  return {
    plan: noOp && !evaluation.AnnotatePlan ? null : plan.plan,
    evaluation: {
      ...finish(EvalStatus.Complete, "", { failed, queued, annotations }),
      NextEval: rolling?.ID ?? evaluation.NextEval,
    },
    newEvals,
  };
}

/**
 * Stops the destructive updates and queues their replacements, at most `max_parallel` per group
 * (the group's, else the job's; all when neither is set); returns whether some were held back.
 */
function evictAndPlace(
  run: SystemRun,
  r: ReturnType<typeof reconcileNodes>,
  destructive: readonly AllocTuple[],
): boolean {
  const jobMax = run.job.Update?.MaxParallel ?? 0;
  const jobLimit = jobMax > 0 ? jobMax : destructive.length;
  const limits = new Map<string, number>();
  for (const tg of run.job.TaskGroups ?? []) {
    const own = tg.Update?.MaxParallel ?? 0;
    limits.set(tg.Name ?? "", own > 0 ? own : jobLimit);
  }
  let limited = false;
  for (const t of destructive) {
    const name = t.taskGroup?.Name ?? "";
    const left = limits.get(name) ?? 0;
    if (left <= 0) {
      limited = true;
      continue;
    }
    run.plan.appendStoppedAlloc(t.alloc!, StopReason.Updating);
    r.place.push(t);
    limits.set(name, left - 1);
  }
  return limited;
}

function computeSystemPlacements(
  run: SystemRun,
  r: ReturnType<typeof reconcileNodes>,
  ready: ReadyNodes,
  counts: {
    queued: Record<string, number>;
    desired: Record<string, DesiredUpdates>;
    inplace: readonly AllocTuple[];
  },
  newEvals: Evaluation[],
): Record<string, AllocMetric> | null {
  const { queued, desired } = counts;
  const byId = new Map<string, Node>();
  for (const n of ready.nodes) byId.set(n.ID, n);
  // Groups that keep allocations (unchanged or updated in place) are not failing when some
  // nodes do not fit them.
  const existing = new Set<string>();
  for (const t of [...r.ignore, ...counts.inplace]) existing.add(t.taskGroup?.Name ?? "");
  let failed: Record<string, AllocMetric> | null = null;
  const filtered: Record<string, AllocMetric> = {};
  const nodes: Node[] = [];
  // Placed allocations leave the queue once the loop is over, as Nomad counts them after the
  // plan is submitted: during the loop only nodes that do not fit are taken off.
  const placedByGroup = new Map<string, number>();
  for (const missing of r.place) {
    const tg = missing.taskGroup!;
    const tgName = tg.Name ?? "";
    const node = byId.get(missing.nodeId);
    if (node === undefined) continue;
    nodes[0] = node;
    run.stack.setNodes(nodes);
    const option = run.stack.select(tg, { allocName: missing.name });
    const metrics: AllocMetric = {
      ...run.stack.metrics,
      NodesAvailable: ready.byDC,
      NodesInPool: ready.nodes.length,
      NodePool: run.job.NodePool ?? "",
    };
    if (option === undefined) {
      if (metrics.NodesFiltered > 0) {
        // The node does not fit the job: not a failure, just one node fewer.
        queued[tgName] = (queued[tgName] ?? 0) - 1;
        const du = desired[tgName];
        if (du && du.Place > 0) du.Place--;
        filtered[tgName] = mergeFiltered(filtered[tgName], metrics);
        if ((queued[tgName] ?? 0) <= 0 && !existing.has(tgName)) {
          (failed ??= {})[tgName] = filtered[tgName]!;
        }
        continue;
      }
      const prior = failed?.[tgName];
      if (prior !== undefined && prior.NodesFiltered === 0) {
        prior.CoalescedFailures += 1;
        exhaustResources(prior, tg.Tasks ?? []);
        continue;
      }
      exhaustResources(metrics, tg.Tasks ?? []);
      (failed ??= {})[tgName] = metrics;
      const blocked = createBlockedEval(run.evaluation, {
        id: run.ctx.newId(),
        now: run.ctx.now,
        eligibility: eligibilityOf(run.stack, run.job),
        failedTGAllocs: failed,
      });
      blocked.NodeID = node.ID;
      blocked.SnapshotIndex = run.state.index;
      newEvals.push(blocked);
      continue;
    }
    const alloc = newAllocation({
      id: run.ctx.newId(),
      evalId: run.evaluation.ID,
      name: missing.name,
      job: run.job,
      group: tgName,
      node: option.node,
      resources: option.resources,
      metrics,
      deploymentId: "",
      now: run.ctx.now,
    });
    if (missing.alloc !== null) alloc.PreviousAllocation = missing.alloc.ID;
    run.plan.appendPreemptions(alloc, option.preempted);
    run.plan.appendAlloc(alloc, null);
    placedByGroup.set(tgName, (placedByGroup.get(tgName) ?? 0) + 1);
  }
  for (const [name, n] of placedByGroup) queued[name] = (queued[name] ?? 0) - n;
  return failed;
}

/** Sums the filtering counts of placements on nodes that do not fit (Nomad's `mergeNodeFiltered`). */
function mergeFiltered(acc: AllocMetric | undefined, cur: AllocMetric): AllocMetric {
  if (acc === undefined) {
    return {
      ...cur,
      ClassFiltered: { ...(cur.ClassFiltered ?? {}) },
      ConstraintFiltered: { ...(cur.ConstraintFiltered ?? {}) },
    };
  }
  acc.NodesEvaluated += cur.NodesEvaluated;
  acc.NodesFiltered += cur.NodesFiltered;
  const add = (to: Record<string, number>, from: Record<string, number> | null) => {
    for (const [k, v] of Object.entries(from ?? {})) to[k] = (to[k] ?? 0) + v;
  };
  add(acc.ClassFiltered ??= {}, cur.ClassFiltered);
  add(acc.ConstraintFiltered ??= {}, cur.ConstraintFiltered);
  acc.AllocationTime += cur.AllocationTime;
  return acc;
}
