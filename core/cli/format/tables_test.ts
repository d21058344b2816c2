import { assertEquals } from "../../../tests/assert.ts";
import { DesiredUpdatesSpec, zero } from "../../structs/mod.ts";
import type { DeploymentState } from "../../structs/mod.ts";
import { formatDeploymentGroups, formatPlanAnnotations } from "./tables.ts";

function state(o: Partial<DeploymentState>): DeploymentState {
  return {
    AutoRevert: false,
    AutoPromote: false,
    ProgressDeadline: 0,
    RequireProgressBy: "0001-01-01T00:00:00Z",
    Promoted: false,
    PlacedCanaries: null,
    DesiredCanaries: 0,
    DesiredTotal: 1,
    PlacedAllocs: 0,
    HealthyAllocs: 0,
    UnhealthyAllocs: 0,
    ...o,
  };
}

Deno.test("formatDeploymentGroups() adds revert, canary and deadline columns when used", () => {
  assertEquals(
    formatDeploymentGroups({
      web: state({ DesiredCanaries: 1, AutoRevert: true, PlacedAllocs: 1, DesiredTotal: 3 }),
      api: state({ ProgressDeadline: 600e9, RequireProgressBy: "2024-11-30T12:00:00Z" }),
    }),
    `Task Group  Auto Revert  Promoted  Desired  Canaries  Placed  Healthy  Unhealthy  Progress Deadline
api         false        N/A       1        0         0       0        0          2024-11-30T12:00:00Z
web         true         false     3        1         1       0        0          N/A`,
  );
  assertEquals(
    formatDeploymentGroups({ g: state({}) }),
    "Task Group  Desired  Placed  Healthy  Unhealthy\ng           1        0       0        0",
  );
});

Deno.test("formatPlanAnnotations() shows optional columns only when used or verbose", () => {
  const updates = { web: { ...zero(DesiredUpdatesSpec), Place: 2, RescheduleNow: 1 } };
  assertEquals(
    formatPlanAnnotations(updates, false),
    "Task Group  Ignore  Place  Stop  InPlace  Destructive  Reschedule Now\n" +
      "web         0       2      0     0        0            1",
  );
  assertEquals(formatPlanAnnotations(updates, true).split("\n")[0]!.split(/\s{2,}/).length, 13);
});
