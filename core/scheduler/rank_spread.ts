/**
 * Spread scoring (Nomad's SpreadIterator): for each `spread` block of the job and group, boost
 * nodes whose attribute value is below its target share (percent targets) or below the least
 * used value (even spread), and penalise the others.
 *
 * @module
 */
import type { Job, Node, Spread, TaskGroup } from "../structs/mod.ts";
import { type PlacementTracker, PropertySet } from "./feasible_distinct.ts";
import type { UsageCache } from "./resources_usage.ts";

const IMPLICIT_TARGET = "*";

interface SpreadInfo {
  weight: number;
  desired: Map<string, number>;
}

/** Spread scoring across the placements of one job. */
export class SpreadScorer {
  #job: Job | null = null;
  #jobSpreads: readonly Spread[] = [];
  #groupSets = new Map<string, PropertySet[]>();
  #groupInfo = new Map<string, Map<string, SpreadInfo>>();
  // Nomad keeps these across groups and placements of one stack.
  #sumWeights = 0;
  #lowestBoost = -1;
  #sets: PropertySet[] = [];
  #info: Map<string, SpreadInfo> = new Map();

  /** Sets the job; group spread state is rebuilt for the new job. */
  setJob(job: Job): void {
    this.#job = job;
    if (job.Spreads !== null) this.#jobSpreads = job.Spreads;
    this.#groupSets = new Map();
    this.#groupInfo = new Map();
  }

  /** Prepares a group's property sets and desired counts; true when it has spreads. */
  setGroup(tg: TaskGroup, tracker: PlacementTracker, usage: UsageCache): boolean {
    const name = tg.Name ?? "";
    let sets = this.#groupSets.get(name);
    if (sets === undefined) {
      sets = [...this.#jobSpreads, ...(tg.Spreads ?? [])].map((s) =>
        new PropertySet({
          attribute: s.Attribute,
          group: name,
          targets: (s.SpreadTarget ?? []).map((t) => t.Value),
        })
      );
      this.#groupSets.set(name, sets);
    }
    let info = this.#groupInfo.get(name);
    if (info === undefined) {
      info = this.#computeInfo(tg);
      this.#groupInfo.set(name, info);
    }
    if (this.#job !== null) { for (const s of sets) s.populate(this.#job, tracker, usage); }
    this.#sets = sets;
    this.#info = info;
    return sets.length > 0;
  }

  #computeInfo(tg: TaskGroup): Map<string, SpreadInfo> {
    const out = new Map<string, SpreadInfo>();
    const total = tg.Count ?? 0;
    for (const spread of [...(tg.Spreads ?? []), ...this.#jobSpreads]) {
      const si: SpreadInfo = { weight: spread.Weight ?? 0, desired: new Map() };
      let sum = 0;
      for (const t of spread.SpreadTarget ?? []) {
        const d = (t.Percent / 100) * total;
        si.desired.set(t.Value, d);
        sum += d;
      }
      if (sum > 0 && sum < total) si.desired.set(IMPLICIT_TARGET, total - sum);
      out.set(spread.Attribute, si);
      this.#sumWeights += spread.Weight ?? 0;
    }
    return out;
  }

  /** The spread score of a node for the current group (0 when it has no spreads). */
  score(node: Node): number {
    let total = 0;
    for (const pset of this.#sets) {
      const raw = pset.valueOf(node);
      const { value, error, count } = pset.usedCount(node, raw);
      const used = count + 1;
      if (error !== "") {
        total -= 1;
        continue;
      }
      const details = this.#info.get(pset.attribute);
      if (details === undefined) continue;
      if (details.desired.size === 0) {
        total += evenSpreadBoost(pset, raw);
        continue;
      }
      const desired = details.desired.get(value) ?? details.desired.get(IMPLICIT_TARGET);
      if (desired === undefined) {
        total -= 1;
        continue;
      }
      const weight = details.weight / this.#sumWeights;
      if (desired === 0) {
        total += this.#lowestBoost;
        continue;
      }
      const boost = ((desired - used) / desired) * weight;
      total += boost;
      if (boost < this.#lowestBoost) this.#lowestBoost = boost;
    }
    return total;
  }
}

/**
 * The score of a node whose attribute has `value` when every value should get as many
 * allocations.
 */
export function evenSpreadBoost(pset: PropertySet, value: string | undefined): number {
  const use = pset.combinedUse();
  if (use.size === 0) return 0;
  if (value === undefined) return -1;
  const current = use.get(value) ?? 0;
  const { min, max } = pset.extremes();
  const deltaBoost = min === 0 ? -1 : (min - current) / min;
  if (current !== min) return deltaBoost;
  if (min === max) return -1;
  if (min === 0) return 1;
  return (max - min) / min;
}
