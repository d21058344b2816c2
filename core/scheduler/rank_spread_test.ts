import { assert, assertEquals } from "../../tests/assert.ts";
import type { Job, Node, Spread } from "../structs/mod.ts";
import { PlacementTracker } from "./feasible_distinct.ts";
import {
  mockAlloc,
  mockGroup,
  mockJob,
  mockNode,
  MockPlan,
  MockState,
} from "./feasible_testing.ts";
import { SpreadScorer } from "./rank_spread.ts";
import { UsageCache } from "./resources_usage.ts";

const RES = {
  Tasks: {},
  TaskLifecycles: {},
  Shared: { Networks: null, DiskMB: 0, Ports: null },
};

function setup(spread: Spread) {
  const nodes: Record<string, Node> = {
    r1: mockNode({ Meta: { rack: "r1" } }),
    r2: mockNode({ Meta: { rack: "r2" } }),
    r3: mockNode({ Meta: { rack: "r3" } }),
  };
  const state = new MockState(Object.values(nodes));
  const plan = new MockPlan(state);
  const job: Job = mockJob({ TaskGroups: [mockGroup("web", { Count: 10, Spreads: [spread] })] });
  const tg = job.TaskGroups![0]!;
  const tracker = new PlacementTracker(state, job);
  const usage = new UsageCache(plan);
  const scorer = new SpreadScorer();
  scorer.setJob(job);
  const place = (rack: string, n: number) => {
    const node = nodes[rack]!;
    for (let i = 0; i < n; i++) plan.place(mockAlloc(job, node, RES, "web"));
    tracker.noteSelected(node);
  };
  const score = (rack: string) => {
    assert(scorer.setGroup(tg, tracker, usage));
    return scorer.score(nodes[rack]!);
  };
  return { place, score };
}

function close(actual: number, expected: number, why = ""): void {
  assert(Math.abs(actual - expected) < 1e-9, `${actual} != ${expected} ${why}`);
}

Deno.test("SpreadScorer.score() boosts values below their target percentage", () => {
  const { place, score } = setup({
    Attribute: "${meta.rack}",
    Weight: 50,
    SpreadTarget: [{ Value: "r1", Percent: 70 }, { Value: "r2", Percent: 30 }],
  });
  close(score("r1"), (7 - 1) / 7);
  close(score("r2"), (3 - 1) / 3);
  assertEquals(score("r3"), -1, "a value without a target share gets the full penalty");
  place("r2", 3);
  close(score("r2"), (3 - 4) / 3);
  close(score("r1"), (7 - 1) / 7);
});

Deno.test("SpreadScorer.score() sends other values to the implicit target", () => {
  const { place, score } = setup({
    Attribute: "${meta.rack}",
    Weight: 100,
    SpreadTarget: [{ Value: "r1", Percent: 50 }],
  });
  close(score("r3"), (5 - 1) / 5);
  place("r2", 2);
  close(score("r3"), (5 - 3) / 5, "r2 and r3 share the implicit target");
});

Deno.test("SpreadScorer.score() without targets evens out the values in use", () => {
  const { place, score } = setup({ Attribute: "${meta.rack}", Weight: 50, SpreadTarget: null });
  assertEquals(score("r1"), 0, "nothing placed yet");
  place("r1", 2);
  place("r2", 1);
  assertEquals(score("r1"), -1);
  assertEquals(score("r2"), 1);
  assertEquals(score("r3"), 1);
});
