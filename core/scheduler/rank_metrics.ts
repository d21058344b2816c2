/**
 * Filling an {@link AllocMetric} the way Nomad does during one placement: nodes evaluated,
 * filtered (by class and constraint), exhausted (by class and dimension), and the scores of the
 * top five nodes kept in a min-heap.
 *
 * @module
 */
import type { AllocMetric, Node } from "../structs/mod.ts";

/** The scores of one node. */
export type NodeScoreMeta = NonNullable<AllocMetric["ScoreMetaData"]>[number];

/** How many top-scoring nodes the metrics keep (Nomad's MaxRetainedNodeScores). */
export const MAX_RETAINED_NODE_SCORES = 5;
/** The scorer name of the final score. */
export const NORM_SCORER_NAME = "normalized-score";

function bump(map: Record<string, number> | null, key: string): Record<string, number> {
  const m = map ?? {};
  m[key] = (m[key] ?? 0) + 1;
  return m;
}

/** Records the metrics of one placement attempt. */
export class MetricsRecorder {
  /** The metrics being filled (a fresh object per placement). */
  readonly metric: AllocMetric = {
    NodesEvaluated: 0,
    NodesFiltered: 0,
    NodesInPool: 0,
    NodePool: "",
    NodesAvailable: null,
    ClassFiltered: null,
    ConstraintFiltered: null,
    NodesExhausted: 0,
    ClassExhausted: null,
    DimensionExhausted: null,
    QuotaExhausted: null,
    ResourcesExhausted: null,
    Scores: null,
    ScoreMetaData: null,
    AllocationTime: 0,
    CoalescedFailures: 0,
  };
  #currentId: string | null = null;
  readonly #names: string[] = [];
  readonly #values: number[] = [];
  readonly #heap: NodeScoreMeta[] = [];

  /** Counts a node taken from the candidates. */
  evaluateNode(): void {
    this.metric.NodesEvaluated++;
  }

  /** Counts a node a feasibility check removed, under the check's reason. */
  filterNode(node: Node, constraint: string): void {
    const m = this.metric;
    m.NodesFiltered++;
    if (node.NodeClass !== "") m.ClassFiltered = bump(m.ClassFiltered, node.NodeClass);
    if (constraint !== "") m.ConstraintFiltered = bump(m.ConstraintFiltered, constraint);
  }

  /** Counts a feasible node that lacks room, under the exhausted dimension. */
  exhaustedNode(node: Node, dimension: string): void {
    const m = this.metric;
    m.NodesExhausted++;
    if (node.NodeClass !== "") m.ClassExhausted = bump(m.ClassExhausted, node.NodeClass);
    if (dimension !== "") m.DimensionExhausted = bump(m.DimensionExhausted, dimension);
  }

  /**
   * Records one scorer's score of a node; the normalized score files the node in the top-five
   * heap (a node's scores only become an object when they make it there).
   */
  scoreNode(node: Node, name: string, score: number): void {
    if (this.#currentId !== node.ID) {
      this.#currentId = node.ID;
      this.#names.length = 0;
      this.#values.length = 0;
    }
    if (name !== NORM_SCORER_NAME) {
      // Each scorer scores a node once per pass, so names do not repeat.
      this.#names.push(name);
      this.#values.push(score);
      return;
    }
    this.#currentId = null;
    const h = this.#heap;
    if (h.length >= MAX_RETAINED_NODE_SCORES && !(score > (h[0]?.NormScore ?? 0))) return;
    const scores: Record<string, number> = {};
    for (let i = 0; i < this.#names.length; i++) {
      scores[this.#names[i] as string] = this.#values[i] as number;
    }
    this.#push({ NodeID: node.ID, Scores: scores, NormScore: score });
  }

  #less(i: number, j: number): boolean {
    return (this.#heap[i]?.NormScore ?? 0) < (this.#heap[j]?.NormScore ?? 0);
  }

  #swap(i: number, j: number): void {
    const h = this.#heap;
    [h[i], h[j]] = [h[j] as NodeScoreMeta, h[i] as NodeScoreMeta];
  }

  #up(j: number): void {
    for (;;) {
      const i = Math.trunc((j - 1) / 2);
      if (i === j || !this.#less(j, i)) break;
      this.#swap(i, j);
      j = i;
    }
  }

  #down(i0: number, n: number): boolean {
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n) break;
      let j = j1;
      if (j1 + 1 < n && this.#less(j1 + 1, j1)) j = j1 + 1;
      if (!this.#less(j, i)) break;
      this.#swap(i, j);
      i = j;
    }
    return i > i0;
  }

  #push(item: NodeScoreMeta): void {
    const h = this.#heap;
    if (h.length < MAX_RETAINED_NODE_SCORES) {
      h.push(item);
    } else if (item.NormScore > (h[0]?.NormScore ?? 0)) {
      h[0] = item;
      if (!this.#down(0, h.length)) this.#up(0);
    }
    this.#up(h.length - 1);
  }

  /** Moves the top scores into `ScoreMetaData`, best first (PopulateScoreMetaData). */
  populateScoreMetaData(): void {
    const h = this.#heap;
    if (h.length === 0) return;
    const out: NodeScoreMeta[] = new Array(h.length);
    for (let i = h.length - 1; h.length > 0; i--) {
      const n = h.length - 1;
      this.#swap(0, n);
      this.#down(0, n);
      out[i] = h.pop() as NodeScoreMeta;
    }
    this.metric.ScoreMetaData = out;
  }
}
