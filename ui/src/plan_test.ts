import { assertEquals } from "../../tests/assert.ts";
import {
  diffLines,
  dryRunLines,
  jobFileErrors,
  planChangesAllocations,
  updateCounts,
} from "./plan.ts";
import type { AllocMetric, JobDiff, PlanResponse } from "./types.ts";

const IMAGE_CHANGE: JobDiff = {
  Type: "Edited",
  ID: "example",
  Fields: null,
  Objects: null,
  TaskGroups: [{
    Type: "Edited",
    Name: "cache",
    Fields: [{ Type: "Edited", Name: "Count", Old: "1", New: "3", Annotations: ["forces create"] }],
    Objects: null,
    Updates: { "create": 2, "in-place update": 1 },
    Tasks: [{
      Type: "Edited",
      Name: "redis",
      Fields: null,
      Annotations: ["forces create/destroy update"],
      Objects: [{
        Type: "Edited",
        Name: "Config",
        Fields: [
          { Type: "Edited", Name: "image", Old: "redis:3.2", New: "redis:7", Annotations: null },
          { Type: "None", Name: "port_map[0][db]", Old: "6379", New: "6379", Annotations: null },
        ],
        Objects: null,
      }],
    }],
  }],
};

Deno.test("diffLines() lays a diff out as `job plan` prints it", () => {
  const lines = diffLines(IMAGE_CHANGE);
  assertEquals(
    lines.map((l) => l.text).join("\n"),
    [
      '+/- Job: "example"',
      '+/- Task Group: "cache" (2 create, 1 in-place update)',
      '  +/- Count: "1" => "3" (forces create)',
      '  +/- Task: "redis" (forces create/destroy update)',
      "    +/- Config {",
      '      +/- image:           "redis:3.2" => "redis:7"',
      '          port_map[0][db]: "6379"',
      "        }",
    ].join("\n"),
  );
  assertEquals(lines.map((l) => l.kind), [
    "Edited",
    "Edited",
    "Edited",
    "Edited",
    "Edited",
    "Edited",
    "None",
    "Edited",
  ]);
  assertEquals(lines.filter((l) => l.heading).length, 3);
});

Deno.test("diffLines() shows an added job's task contents only when verbose", () => {
  const added: JobDiff = {
    Type: "Added",
    ID: "web",
    Fields: [{ Type: "Added", Name: "Priority", Old: "", New: "50", Annotations: null }],
    Objects: null,
    TaskGroups: [{
      Type: "Added",
      Name: "g",
      Fields: [{ Type: "Added", Name: "Count", Old: "", New: "2", Annotations: ["forces create"] }],
      Objects: null,
      Updates: { create: 2 },
      Tasks: [{
        Type: "Added",
        Name: "t",
        Fields: [{ Type: "Added", Name: "Driver", Old: "", New: "raw_exec", Annotations: null }],
        Objects: null,
        Annotations: ["forces create"],
      }],
    }],
  };
  assertEquals(diffLines(added).map((l) => l.text), [
    '+ Job: "web"',
    '+ Task Group: "g" (2 create)',
    '  + Task: "t" (forces create)',
  ]);
  assertEquals(diffLines(added, true).map((l) => l.text), [
    '+ Job: "web"',
    '+ Priority: "50"',
    '+ Task Group: "g" (2 create)',
    '  + Count: "2" (forces create)',
    '  + Task: "t" (forces create)',
    '    + Driver: "raw_exec"',
  ]);
});

Deno.test("updateCounts() sorts the kinds of updates", () => {
  assertEquals(updateCounts({ destroy: 1, create: 3 }), " (3 create, 1 destroy)");
  assertEquals(updateCounts(null), "");
});

const metric = (over: Partial<AllocMetric>): AllocMetric => ({
  NodesEvaluated: 1,
  NodesFiltered: 0,
  NodesAvailable: { dc1: 1 },
  ClassFiltered: null,
  ConstraintFiltered: null,
  NodesExhausted: 0,
  ClassExhausted: null,
  DimensionExhausted: null,
  QuotaExhausted: null,
  CoalescedFailures: 0,
  ...over,
});

const plan = (over: Partial<PlanResponse>): PlanResponse => ({
  JobModifyIndex: 0,
  Diff: null,
  FailedTGAllocs: null,
  Annotations: null,
  CreatedEvals: null,
  Warnings: "",
  NextPeriodicLaunch: "0001-01-01T00:00:00Z",
  ...over,
});

Deno.test("dryRunLines() says all tasks were allocated when nothing failed", () => {
  assertEquals(dryRunLines(plan({}), "service"), [
    { level: "ok", text: "- All tasks successfully allocated." },
  ]);
});

Deno.test("dryRunLines() lists each group's placement failures as the CLI does", () => {
  const failed = plan({
    FailedTGAllocs: {
      cache: metric({
        CoalescedFailures: 2,
        NodesExhausted: 1,
        DimensionExhausted: { memory: 1 },
        ConstraintFiltered: { "${attr.kernel.name} = windows": 1 },
      }),
    },
  });
  assertEquals(dryRunLines(failed, "service").map((l) => l.text), [
    "- WARNING: Failed to place all allocations.",
    '  Task Group "cache" (failed to place 3 allocations):',
    '    * Constraint "${attr.kernel.name} = windows": 1 nodes excluded by filter',
    "    * Resources exhausted on 1 nodes",
    '    * Dimension "memory" exhausted on 1 nodes',
  ]);
  assertEquals(
    dryRunLines(failed, "system")[0]?.text,
    "- WARNING: Failed to place allocations on all nodes.",
  );
});

Deno.test("planChangesAllocations() is true when a group places or stops allocations", () => {
  const updates = (u: Record<string, number>) =>
    plan({
      Diff: { Type: "Edited", ID: "x", Fields: null, Objects: null, TaskGroups: null },
      Annotations: { DesiredTGUpdates: { g: u }, PreemptedAllocs: null },
    });
  assertEquals(planChangesAllocations(updates({ Place: 2 })), true);
  assertEquals(planChangesAllocations(updates({ Ignore: 2, InPlaceUpdate: 1 })), false);
  assertEquals(planChangesAllocations(plan({})), false);
});

Deno.test("jobFileErrors() reads every positioned error of the parse endpoint", () => {
  const text = "Failed to parse job: input.hcl:3:5: Unsupported argument; An argument named " +
    '"cont" is not expected here.\ninput.hcl:6:3: Unsupported argument; An argument named "foo" ' +
    "is not expected here.";
  assertEquals(jobFileErrors(text), [
    {
      line: 3,
      column: 5,
      message: 'Unsupported argument; An argument named "cont" is not expected here.',
    },
    {
      line: 6,
      column: 3,
      message: 'Unsupported argument; An argument named "foo" is not expected here.',
    },
  ]);
});

Deno.test("jobFileErrors() keeps errors without a position, and reads HCL's line,col form", () => {
  assertEquals(jobFileErrors("Task group web validation failed"), [
    { line: 0, column: 0, message: "Task group web validation failed" },
  ]);
  assertEquals(jobFileErrors("job.hcl:2,13-14: Invalid block definition"), [
    { line: 2, column: 13, message: "Invalid block definition" },
  ]);
});
