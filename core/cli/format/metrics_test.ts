import { assertEquals } from "../../../tests/assert.ts";
import { AllocMetricSpec, DesiredUpdatesSpec, JobSpec, zero } from "../../structs/mod.ts";
import type { JobPlanResponse } from "../api/mod.ts";
import { colorize } from "./color.ts";
import { formatAllocMetrics, formatDryRun, planExitCode } from "./metrics.ts";

Deno.test("formatAllocMetrics() lists every reason, sorted, drivers in red", () => {
  const m = {
    ...zero(AllocMetricSpec),
    NodesEvaluated: 5,
    NodesAvailable: { dc1: 5, dc2: 0 },
    ClassFiltered: { gpu: 1 },
    ConstraintFiltered: { "${attr.kernel.name} = windows": 3, "missing drivers": 1 },
    NodesExhausted: 1,
    ClassExhausted: { "": 1 },
    DimensionExhausted: { memory: 1, cpu: 1 },
    QuotaExhausted: ["cpu"],
  };
  assertEquals(
    formatAllocMetrics(m, false, "  "),
    `  * No nodes are available in datacenter "dc2"
  * Class "gpu": 1 nodes excluded by filter
  * Constraint "\${attr.kernel.name} = windows": 3 nodes excluded by filter
[red]  * Constraint "missing drivers": 1 nodes excluded by filter[reset]
  * Resources exhausted on 1 nodes
  * Class "" exhausted on 1 nodes
  * Dimension "cpu" exhausted on 1 nodes
  * Dimension "memory" exhausted on 1 nodes
  * Quota limit hit "cpu"`,
  );
  assertEquals(
    formatAllocMetrics(zero(AllocMetricSpec), false, ""),
    "* No nodes were eligible for evaluation",
  );
});

Deno.test("formatAllocMetrics() with scores adds a table of node scores", () => {
  const m = {
    ...zero(AllocMetricSpec),
    NodesEvaluated: 1,
    ScoreMetaData: [{
      NodeID: "n1",
      Scores: { binpack: 0.51234, "job-anti-affinity": 0 },
      NormScore: 0.25617,
    }],
  };
  assertEquals(
    formatAllocMetrics(m, true, ""),
    "Node  binpack  job-anti-affinity  final score\nn1    0.512    0                  0.256",
  );
});

function plan(o: Partial<JobPlanResponse> = {}): JobPlanResponse {
  return {
    JobModifyIndex: 7,
    CreatedEvals: null,
    Diff: { Type: "Edited", ID: "x", Fields: null, Objects: null, TaskGroups: null },
    Annotations: { DesiredTGUpdates: {}, PreemptedAllocs: null },
    FailedTGAllocs: null,
    NextPeriodicLaunch: "0001-01-01T00:00:00Z",
    Warnings: "",
    ...o,
  };
}

Deno.test("formatDryRun() announces success, a rolling update and the next launch", () => {
  const job = { ...zero(JobSpec), ID: "x", Type: "service" };
  const rolling = plan({
    CreatedEvals: [{ TriggeredBy: "rolling-update", Wait: 30e9 } as never],
  });
  assertEquals(
    colorize(formatDryRun(rolling, job), false),
    "- All tasks successfully allocated.\n- Rolling update, next evaluation will be in 30s.",
  );
});

Deno.test("formatDryRun() words failures for system jobs differently", () => {
  const job = { ...zero(JobSpec), ID: "x", Type: "system" };
  const failed = plan({
    FailedTGAllocs: { g: { ...zero(AllocMetricSpec), NodesEvaluated: 1, NodesExhausted: 1 } },
  });
  assertEquals(
    colorize(formatDryRun(failed, job), false),
    `- WARNING: Failed to place allocations on all nodes.
  Task Group "g" (failed to place 1 allocation):
    * Resources exhausted on 1 nodes`,
  );
});

Deno.test("planExitCode() is 1 only when allocations would be placed, stopped or replaced", () => {
  const updates = (o: Record<string, number>) =>
    plan({
      Annotations: {
        DesiredTGUpdates: { g: { ...zero(DesiredUpdatesSpec), ...o } },
        PreemptedAllocs: null,
      },
    });
  assertEquals(planExitCode(updates({ Place: 1 })), 1);
  assertEquals(planExitCode(updates({ DestructiveUpdate: 2 })), 1);
  assertEquals(planExitCode(updates({ InPlaceUpdate: 3, Ignore: 1 })), 0);
  const none = updates({ Place: 1 });
  none.Diff!.Type = "None";
  assertEquals(planExitCode(none), 0);
});
