import { assertEquals } from "../../tests/assert.ts";
import { DeploymentSpec, type Evaluation, MINUTE, zero } from "../structs/mod.ts";
import {
  deadlineVerdict,
  goTimeMs,
  latestEvalIndex,
  progressCutoff,
  rollbackTarget,
} from "./_deployment_rules.ts";
import { updateJob } from "./deployment_testing.ts";

const group = (edit: Record<string, unknown> = {}) => ({
  AutoRevert: false,
  AutoPromote: false,
  ProgressDeadline: 10 * MINUTE,
  RequireProgressBy: "2024-01-01T00:10:00Z",
  Promoted: false,
  PlacedCanaries: null,
  DesiredCanaries: 0,
  DesiredTotal: 2,
  PlacedAllocs: 2,
  HealthyAllocs: 1,
  UnhealthyAllocs: 0,
  ...edit,
});

Deno.test("goTimeMs() reads Go times, with fractions, offsets and the zero time", () => {
  assertEquals(goTimeMs("2024-01-01T00:00:01.5Z"), Date.UTC(2024, 0, 1) + 1500);
  assertEquals(goTimeMs("2024-01-01T01:00:00+01:00"), Date.UTC(2024, 0, 1));
  assertEquals(goTimeMs("0001-01-01T00:00:00Z"), 0);
  assertEquals(goTimeMs("junk"), 0);
});

Deno.test("progressCutoff() is the earliest deadline of the groups that are not done", () => {
  const d = {
    ...zero(DeploymentSpec),
    TaskGroups: {
      a: group({ RequireProgressBy: "2024-01-01T00:05:00Z" }),
      b: group({ RequireProgressBy: "2024-01-01T00:07:00Z" }),
    },
  };
  assertEquals(progressCutoff(d, []), Date.UTC(2024, 0, 1, 0, 5));
  const healthy = (id: string, tg: string) =>
    ({
      ID: id,
      TaskGroup: tg,
      DesiredStatus: "run",
      ClientStatus: "running",
      DeploymentStatus: { Healthy: true },
    }) as never;
  assertEquals(
    progressCutoff(d, [healthy("1", "a"), healthy("2", "a")]),
    Date.UTC(2024, 0, 1, 0, 7),
    "group a is done",
  );
});

Deno.test("deadlineVerdict() spares paused deployments and canaries that are healthy enough", () => {
  const job = updateJob("web", 2, "a", { AutoRevert: true });
  const d = { ...zero(DeploymentSpec), Status: "running", TaskGroups: { web: group() } };
  assertEquals(deadlineVerdict(d, job), { fail: true, rollback: true });
  assertEquals(deadlineVerdict({ ...d, Status: "paused" }, job), { fail: false, rollback: false });
  const canary = { ...d, TaskGroups: { web: group({ DesiredCanaries: 1, HealthyAllocs: 1 }) } };
  assertEquals(deadlineVerdict(canary, job), { fail: false, rollback: false });
});

Deno.test("latestEvalIndex() prefers snapshot indexes and skips cancelled evaluations", () => {
  const e = (status: string, create: number, snapshot: number) =>
    ({ Status: status, CreateIndex: create, SnapshotIndex: snapshot }) as Evaluation;
  assertEquals(latestEvalIndex([]), 0);
  assertEquals(latestEvalIndex([e("complete", 5, 9), e("pending", 12, 0)]), 12);
  assertEquals(latestEvalIndex([e("complete", 5, 9), e("canceled", 30, 31)]), 9);
});

Deno.test("rollbackTarget() describes each case as Nomad does", () => {
  const current = { ...updateJob("web", 1, "b"), Version: 1 };
  const stable = { ...updateJob("web", 1, "a"), Version: 0, Stable: true };
  const base = "Failed due to unhealthy allocations";
  assertEquals(
    rollbackTarget(current, stable, base).description,
    `${base} - rolling back to job version 0`,
  );
  assertEquals(rollbackTarget(current, stable, base).job?.Version, 0);
  const same = rollbackTarget(current, { ...current, Version: 0, Stable: true }, base);
  assertEquals(same, {
    job: null,
    description:
      `${base} - not rolling back to stable job version 0 as current job has same specification`,
  });
  assertEquals(rollbackTarget(current, undefined, base), {
    job: null,
    description: `${base} - no stable job version to auto revert to`,
  });
});
