/**
 * The ranking half of the generic stack after bin packing — job anti-affinity, the node
 * rescheduling penalty, node affinities, spread, preemption, score normalisation — and the selection:
 * look at a limited number of ranked nodes (skipping up to three with a non-positive score
 * while others remain) and take the one with the highest score.
 *
 * @module
 */
import type { Affinity, Allocation, Job, TaskGroup } from "../structs/mod.ts";
import { meetsConstraint } from "./constraints.ts";
import type { CheckContext } from "./feasible.ts";
import { preemptionScore } from "./preemption.ts";
import type { RankedNode } from "./rank.ts";
import { NORM_SCORER_NAME } from "./rank_metrics.ts";
import { countIn, type CountQuery, countQuery } from "./resources_usage.ts";

/** Ranked nodes with a final score at or below this may be skipped by the limit. */
export const SKIP_SCORE_THRESHOLD = 0;
/** How many low-scoring nodes the limit may skip. */
export const MAX_SKIP = 3;

const NO_NODES: ReadonlySet<string> = new Set();

/**
 * Takes the best of at most `limit` ranked nodes from `next` (Nomad's LimitIterator feeding a
 * MaxScoreIterator). Ties keep the first node seen.
 */
export function selectBest(next: () => RankedNode | null, limit: number): RankedNode | null {
  let seen = 0;
  const skipped: RankedNode[] = [];
  let skippedIndex = 0;
  const nextOption = (): RankedNode | null => {
    const option = next();
    if (option === null && skippedIndex < skipped.length) return skipped[skippedIndex++] ?? null;
    return option;
  };
  const limited = (): RankedNode | null => {
    if (seen === limit) return null;
    let option = nextOption();
    if (option === null) return null;
    while (
      option !== null && option.finalScore <= SKIP_SCORE_THRESHOLD && skipped.length < MAX_SKIP
    ) {
      skipped.push(option);
      option = next();
    }
    seen++;
    return option ?? nextOption();
  };
  let max: RankedNode | null = null;
  for (let option = limited(); option !== null; option = limited()) {
    if (max === null || option.finalScore > max.finalScore) max = option;
  }
  return max;
}

/** The affinities of a job, a group and its tasks, in that order. */
export function groupAffinities(job: Job, tg: TaskGroup): Affinity[] {
  const out = [...(job.Affinities ?? []), ...(tg.Affinities ?? [])];
  for (const t of tg.Tasks ?? []) out.push(...(t.Affinities ?? []));
  return out;
}

/** Scores a ranked node by the scorers after bin packing; they append to `ranked.scores`. */
export class Scorers {
  readonly #ctx: CheckContext;
  #collisions: CountQuery = countQuery("group", "", "", "");
  #desired = 0;
  #penalty: ReadonlySet<string> = NO_NODES;
  #affinities: readonly Affinity[] = [];
  #sumWeight = 0;
  #byGroup = new WeakMap<TaskGroup, { job: Job; affinities: Affinity[]; sumWeight: number }>();

  constructor(ctx: CheckContext) {
    this.#ctx = ctx;
  }

  /** Prepares for one allocation of a group. */
  setGroup(job: Job, tg: TaskGroup, penaltyNodeIds: ReadonlySet<string> | undefined): void {
    this.#collisions = countQuery("group", "", job.ID ?? "", tg.Name ?? "");
    this.#desired = tg.Count ?? 0;
    this.#penalty = penaltyNodeIds ?? NO_NODES;
    let prep = this.#byGroup.get(tg);
    if (prep === undefined || prep.job !== job) {
      const affinities = groupAffinities(job, tg);
      const sumWeight = affinities.reduce((s, a) => s + Math.abs(a.Weight ?? 0), 0);
      prep = { job, affinities, sumWeight };
      this.#byGroup.set(tg, prep);
    }
    this.#affinities = prep.affinities;
    this.#sumWeight = prep.sumWeight;
  }

  /** Whether the group has affinities. */
  get hasAffinities(): boolean {
    return this.#affinities.length > 0;
  }

  /** Penalises nodes that already run allocations of the same job and group. */
  antiAffinity(r: RankedNode): void {
    const collisions = countIn(r.usage, this.#collisions);
    if (collisions > 0) {
      const penalty = -1 * (collisions + 1) / this.#desired;
      r.scores.push(penalty);
      this.#ctx.metrics.scoreNode(r.node, "job-anti-affinity", penalty);
    } else this.#ctx.metrics.scoreNode(r.node, "job-anti-affinity", 0);
  }

  /** Penalises the nodes a rescheduled allocation failed on. */
  reschedulingPenalty(r: RankedNode): void {
    if (this.#penalty.has(r.node.ID)) {
      r.scores.push(-1);
      this.#ctx.metrics.scoreNode(r.node, "node-reschedule-penalty", -1);
    } else this.#ctx.metrics.scoreNode(r.node, "node-reschedule-penalty", 0);
  }

  /** Scores how well a node meets the affinities (weights normalised to [-1, 1]). */
  affinity(r: RankedNode): void {
    if (!this.hasAffinities) {
      this.#ctx.metrics.scoreNode(r.node, "node-affinity", 0);
      return;
    }
    let total = 0;
    for (const a of this.#affinities) if (meetsConstraint(a, r.node)) total += a.Weight ?? 0;
    const norm = total / this.#sumWeight;
    r.scores.push(norm);
    this.#ctx.metrics.scoreNode(r.node, "node-affinity", norm);
  }

  /** Adds a non-zero spread score. */
  spread(r: RankedNode, score: number): void {
    if (score === 0) return;
    r.scores.push(score);
    this.#ctx.metrics.scoreNode(r.node, "allocation-spread", score);
  }

  /** Scores a node that fits only by preemption (Nomad's PreemptionScoringIterator). */
  preemption(r: RankedNode, preempted: readonly Allocation[]): void {
    const score = preemptionScore(preempted);
    r.scores.push(score);
    this.#ctx.metrics.scoreNode(r.node, "preemption", score);
  }

  /** Averages the scores into the final score. */
  normalize(r: RankedNode): void {
    normalizeScore(this.#ctx, r);
  }
}

/** Averages a ranked node's scores into its final score and records it. */
export function normalizeScore(ctx: CheckContext, r: RankedNode): void {
  if (r.scores.length === 0) return;
  r.finalScore = r.scores.reduce((a, b) => a + b, 0) / r.scores.length;
  ctx.metrics.scoreNode(r.node, NORM_SCORER_NAME, r.finalScore);
}
