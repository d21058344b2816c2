/**
 * In-place versus destructive updates (Nomad's `genericAllocUpdateFn` and `inplaceUpdate`): an
 * allocation of an older job version is updated in place when no task changed destructively
 * and the new resources still fit its node; it keeps its node, ports and devices.
 *
 * @module
 */
import type { AllocatedResources, Allocation, Job, TaskGroup } from "../structs/mod.ts";
import type { PlanBuilder } from "./plan_builder.ts";
import { type AllocUpdateDecision, type AllocUpdateFn, StopReason } from "./reconcile_types.ts";
import type { PlacementStack, SchedulerState, Selection } from "./types.ts";
import { isTerminal, nodeInDCs, nodeInPool } from "./util.ts";
import { tasksUpdated } from "./util_tasks.ts";

const IGNORE: AllocUpdateDecision = { ignore: true, destructive: false, updated: null };
const DESTRUCTIVE: AllocUpdateDecision = { ignore: false, destructive: true, updated: null };

/**
 * Memoizes {@link tasksUpdated} per (old job object, group): allocations of one version share
 * their job object, so a thousand allocations cost one comparison.
 */
export function destructiveChecker(newJob: Job): (old: Job, group: string) => boolean {
  const cache = new WeakMap<Job, Map<string, boolean>>();
  return (old, group) => {
    let byGroup = cache.get(old);
    if (byGroup === undefined) cache.set(old, byGroup = new Map());
    let modified = byGroup.get(group);
    if (modified === undefined) {
      modified = tasksUpdated(newJob, old, group).modified;
      byGroup.set(group, modified);
    }
    return modified;
  };
}

/**
 * The resources of an in-place update: the newly selected CPU and memory, with the existing
 * allocation's networks, ports, devices and reserved cores (those cannot change in place).
 */
export function inPlaceResources(
  existing: Allocation,
  option: Selection,
  tg: TaskGroup,
): AllocatedResources {
  const old = existing.AllocatedResources;
  const tasks: AllocatedResources["Tasks"] = {};
  for (const [name, r] of Object.entries(option.resources.Tasks ?? {})) {
    const prev = old?.Tasks?.[name];
    tasks[name] = {
      ...r,
      Cpu: { ...r.Cpu, ReservedCores: prev?.Cpu.ReservedCores ?? null },
      Networks: prev?.Networks ?? null,
      Devices: prev?.Devices ?? null,
    };
  }
  return {
    Tasks: tasks,
    TaskLifecycles: option.resources.TaskLifecycles,
    Shared: {
      DiskMB: tg.EphemeralDisk?.SizeMB ?? option.resources.Shared.DiskMB,
      Networks: old?.Shared.Networks ?? null,
      Ports: old?.Shared.Ports ?? null,
    },
  };
}

/**
 * The reconciler's update decision for the generic scheduler: ignore allocations of the same job
 * modify index (and terminal ones), replace those whose tasks changed destructively or whose node
 * left the job's datacenters or pool, and otherwise try the new group on the same node: with the
 * old allocation discounted, the stack must still find room there.
 */
export function genericAllocUpdateFn(deps: {
  state: SchedulerState;
  plan: PlanBuilder;
  stack: PlacementStack;
  evalId: string;
  job: Job;
}): AllocUpdateFn {
  const changed = destructiveChecker(deps.job);
  return (existing, newJob, tg) => {
    const old = existing.Job ?? newJob;
    if ((old.JobModifyIndex ?? 0) === (newJob.JobModifyIndex ?? 0)) return IGNORE;
    if (changed(old, tg.Name ?? "")) return DESTRUCTIVE;
    // A completed batch allocation is left alone: nothing to update on the client.
    if (isTerminal(existing)) return IGNORE;
    const node = deps.state.node(existing.NodeID);
    if (node === undefined) return DESTRUCTIVE;
    if (!nodeInDCs(node, newJob.Datacenters) || !nodeInPool(node, newJob.NodePool)) {
      return DESTRUCTIVE;
    }
    deps.stack.setNodes([node]);
    deps.plan.appendStoppedAlloc(existing, StopReason.InPlace);
    const option = deps.stack.select(tg, { allocName: existing.Name });
    deps.plan.popUpdate(existing);
    if (option === undefined) return DESTRUCTIVE;
    const updated: Allocation = {
      ...existing,
      EvalID: deps.evalId,
      Job: null,
      Resources: null,
      AllocatedResources: inPlaceResources(existing, option, tg),
      Metrics: existing.Metrics,
    };
    return { ignore: false, destructive: false, updated };
  };
}
