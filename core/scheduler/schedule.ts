/**
 * The entry point of scheduling: one evaluation in, a plan and the evaluation's outcome out,
 * dispatched on the evaluation's type to the generic (service, batch) or system (system,
 * sysbatch) scheduler.
 *
 * @module
 */
import { EvalStatus, type Evaluation } from "../structs/mod.ts";
import { scheduleGeneric } from "./generic.ts";
import { finishEvaluation, type StackFactories } from "./generic_types.ts";
import { newGenericStack, newSystemStack, readyNodesInDCsAndPool } from "./stack.ts";
import { scheduleSystem } from "./system.ts";
import type { ScheduleContext, ScheduleOutcome, SchedulerState } from "./types.ts";

/** The placement stacks of the stack module. */
export const DEFAULT_STACKS: StackFactories = {
  newGenericStack,
  newSystemStack,
  readyNodesInDCsAndPool,
};

/** Options of {@link schedule}. */
export interface ScheduleOptions {
  /** Placement stacks to use instead of the default ones (benchmarks, tests). */
  readonly stacks?: StackFactories;
}

/**
 * Schedules one evaluation against a state snapshot. Pure and synchronous: the clock, random
 * source and IDs come from `ctx`.
 *
 * @param evaluation An evaluation of type `service`, `batch`, `system` or `sysbatch` (`_core`
 *   evaluations are the server's).
 * @param state A read-only snapshot of the cluster.
 * @param ctx Now (Unix ns), a seeded random source and an ID generator.
 * @returns The plan to submit (null when nothing changes), the evaluation with its new status
 *   and the evaluations to create (blocked, delayed follow-ups, rolling updates).
 * @throws {RangeError} When the evaluation's type is not one of the four.
 *
 * @example
 * ```ts
 * const { plan, evaluation, newEvals } = schedule(evaluation, snapshot, {
 *   now: Date.now() * 1e6,
 *   random: Math.random,
 *   newId: () => crypto.randomUUID(),
 * });
 * ```
 */
export function schedule(
  evaluation: Evaluation,
  state: SchedulerState,
  ctx: ScheduleContext,
  options: ScheduleOptions = {},
): ScheduleOutcome {
  const stacks = options.stacks ?? DEFAULT_STACKS;
  switch (evaluation.Type) {
    case "service":
      return scheduleGeneric(evaluation, state, ctx, { batch: false, stacks });
    case "batch":
      return scheduleGeneric(evaluation, state, ctx, { batch: true, stacks });
    case "system":
    case "sysbatch":
      return scheduleSystem(evaluation, state, ctx, { stacks });
    default:
      throw new RangeError(
        `Cannot schedule evaluation "${evaluation.ID}": its type "${evaluation.Type}" is not ` +
          `service, batch, system or sysbatch`,
      );
  }
}

/** Marks an evaluation failed with a description, without planning anything. */
export function failEvaluation(
  evaluation: Evaluation,
  description: string,
  now: number,
): ScheduleOutcome {
  return {
    plan: null,
    evaluation: finishEvaluation(evaluation, {
      status: EvalStatus.Failed,
      description,
      deploymentId: "",
      failedTGAllocs: null,
      blockedEvalId: "",
      queuedAllocs: null,
      annotations: null,
      now,
    }),
    newEvals: [],
  };
}
