import { assert, assertEquals, assertNotEquals } from "../../tests/assert.ts";
import { constraintChecker } from "./feasible.ts";
import { computedClass, EvalEligibility, wrappedFeasible } from "./feasible_class.ts";
import { hasDistinctHosts, PropertySet } from "./feasible_distinct.ts";
import { mockJob, mockNode } from "./feasible_testing.ts";
import { MetricsRecorder } from "./rank_metrics.ts";

Deno.test("computedClass() ignores unique attributes and keeps everything Nomad hashes", () => {
  const a = mockNode();
  const b = mockNode();
  assertEquals(computedClass(a), computedClass(b), "nodes differ only in unique.hostname and IDs");
  const noUnique = { ...a, Attributes: { ...a.Attributes } };
  delete noUnique.Attributes["unique.hostname"];
  assertEquals(computedClass(noUnique), computedClass(a), "unique keys do not count at all");
  assertNotEquals(computedClass(a), computedClass({ ...a, Meta: { rack: "r2" } }));
  assertNotEquals(computedClass(a), computedClass({ ...a, Datacenter: "dc2" }));
  assertEquals(computedClass({ ...a, ComputedClass: "v1:42" }), "v1:42");
  assert(computedClass(a).startsWith("v1:"));
});

Deno.test("wrappedFeasible() checks a class once and filters the rest as class ineligible", () => {
  const ctx = { metrics: new MetricsRecorder() };
  const elig = new EvalEligibility();
  const job = mockJob({
    Constraints: [{ LTarget: "${attr.kernel.name}", Operand: "=", RTarget: "windows" }],
  });
  elig.setJob(job);
  let calls = 0;
  const counting = constraintChecker(ctx, job.Constraints ?? []);
  const checks = {
    job: [(n: Parameters<typeof counting>[0]) => (calls++, counting(n))],
    group: [],
    available: [],
  };
  const nodes = [mockNode(), mockNode(), mockNode()];
  for (const n of nodes) assert(!wrappedFeasible(ctx, elig, checks, "web", n));
  assertEquals(calls, 1);
  assertEquals(ctx.metrics.metric.ConstraintFiltered, {
    "${attr.kernel.name} = windows": 1,
    "computed class ineligible": 2,
  });
  assertEquals(elig.classes(), { [computedClass(nodes[0]!)]: false });
});

Deno.test("wrappedFeasible() checks every node when a constraint escapes the class", () => {
  const ctx = { metrics: new MetricsRecorder() };
  const elig = new EvalEligibility();
  const target = mockNode();
  const c = { LTarget: "${node.unique.id}", Operand: "=", RTarget: target.ID };
  const job = mockJob({ Constraints: [c] });
  elig.setJob(job);
  const checks = { job: [constraintChecker(ctx, [c])], group: [], available: [] };
  assert(!wrappedFeasible(ctx, elig, checks, "web", mockNode()));
  assert(wrappedFeasible(ctx, elig, checks, "web", target), "same class, other verdict");
  assert(elig.hasEscaped());
  // Only the group (whose checks do not escape) records the class.
  assertEquals(elig.classes(), { [computedClass(target)]: true });
});

Deno.test("wrappedFeasible() caches group verdicts per group and skips them when eligible", () => {
  const ctx = { metrics: new MetricsRecorder() };
  const elig = new EvalEligibility();
  elig.setJob(mockJob());
  let groupCalls = 0;
  let availableCalls = 0;
  const checks = {
    job: [],
    group: [() => (groupCalls++, true)],
    available: [() => (availableCalls++, true)],
  };
  for (let i = 0; i < 3; i++) assert(wrappedFeasible(ctx, elig, checks, "web", mockNode()));
  assertEquals([groupCalls, availableCalls], [1, 3]);
  assertEquals(Object.values(elig.classes()), [true]);
});

Deno.test("hasDistinctHosts() treats an empty or unparsable value as on", () => {
  const c = (RTarget: string) => [{ LTarget: "", Operand: "distinct_hosts", RTarget }];
  assert(hasDistinctHosts(c("")));
  assert(hasDistinctHosts(c("true")));
  assert(hasDistinctHosts(c("yes please")));
  assert(!hasDistinctHosts(c("false")));
  assert(!hasDistinctHosts(null));
});

Deno.test("PropertySet.forConstraint() explains an unusable count and a missing property", () => {
  const bad = PropertySet.forConstraint(
    { LTarget: "${meta.rack}", Operand: "distinct_property", RTarget: "two" },
    "",
  );
  assertEquals(
    bad.satisfies(mockNode()),
    'failed to convert RTarget "two" to uint64: strconv.ParseUint: parsing "two": invalid syntax',
  );
  const ok = PropertySet.forConstraint(
    { LTarget: "${meta.rack}", Operand: "distinct_property", RTarget: "" },
    "",
  );
  assertEquals(ok.allowed, 1);
  assertEquals(ok.satisfies(mockNode()), 'missing property "${meta.rack}"');
  assertEquals(ok.satisfies(mockNode({ Meta: { rack: "r1" } })), null);
});
