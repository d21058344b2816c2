/**
 * Pure scheduling: (snapshot, evaluation, now, random) -> plan, for service, batch, system and
 * sysbatch jobs, as Nomad's scheduler does it.
 *
 * - {@link schedule} is the entry point: it dispatches on the evaluation's type to the generic
 *   scheduler (service, batch: the reconciler, in-place and destructive updates, deployments,
 *   rescheduling, blocked evaluations) or the system scheduler (one allocation per node).
 * - The placement stacks ({@link newGenericStack}, {@link newSystemStack}) check feasibility
 *   and rank nodes for one allocation.
 * - Helpers the server shares: allocation names and indexes, terminal predicates, the
 *   reconciler's {@link shouldFilter}, reschedule tracking, what a group's `disconnect` block
 *   says, and the evaluations the schedulers create.
 *
 * Nothing here does I/O; the server's worker submits the plan and retries on partial commits.
 *
 * @module
 */
export * from "./types.ts";
export * from "./schedule.ts";
export { scheduleGeneric, taintedNodes } from "./generic.ts";
export type { GenericOptions } from "./generic.ts";
export { scheduleSystem } from "./system.ts";
export type { SystemOptions } from "./system.ts";
export * from "./generic_types.ts";
export { genericAllocUpdateFn } from "./generic_update.ts";
export { allocMatrix, reconcile } from "./reconcile.ts";
export * from "./reconcile_types.ts";
export * from "./reconcile_deployment.ts";
export { type AllocSet, classifyAllocs, shouldFilter } from "./reconcile_filters.ts";
export {
  type AllocTuple,
  materializeSystemTaskGroups,
  type NodeReconcileResult,
  reconcileNodes,
  splitTerminalAllocs,
} from "./reconcile_node.ts";
export * from "./plan_builder.ts";
export * from "./blocked.ts";
export * from "./util.ts";
export * from "./util_names.ts";
export * from "./util_reschedule.ts";
export * from "./disconnect.ts";
export { type Comparison, tasksUpdated } from "./util_tasks.ts";
export * from "./stack.ts";
