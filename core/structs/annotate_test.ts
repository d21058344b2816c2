import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { annotateDiff, type DesiredUpdates } from "./annotate.ts";
import { diffJobs } from "./diff.ts";
import type { JobDiff, TaskDiff, TaskGroupDiff } from "./diff_types.ts";
import { type Job, JobSpec, type TaskGroup, TaskGroupSpec } from "./job.ts";
import { zero } from "./schema.ts";
import { ServiceSpec } from "./services.ts";
import { type Task, TaskSpec } from "./task.ts";
import { LogConfigSpec } from "./task_parts.ts";
import { SECOND } from "./duration.ts";

function task(over: Partial<Task> = {}): Task {
  return {
    ...zero(TaskSpec),
    Name: "redis",
    Driver: "docker",
    Config: { image: "redis:3.2" },
    KillTimeout: 5 * SECOND,
    ...over,
  };
}

function group(over: Partial<TaskGroup> = {}): TaskGroup {
  return { ...zero(TaskGroupSpec), Name: "cache", Count: 1, Tasks: [task()], ...over };
}

function job(groups: TaskGroup[] = [group()], over: Partial<Job> = {}): Job {
  return {
    ...zero(JobSpec),
    ID: "example",
    Name: "example",
    Stop: false,
    TaskGroups: groups,
    ...over,
  };
}

const withTask = (over: Partial<Task>) => job([group({ Tasks: [task(over)] })]);

function desired(over: Partial<DesiredUpdates>): DesiredUpdates {
  return {
    Ignore: 0,
    Place: 0,
    Migrate: 0,
    Stop: 0,
    InPlaceUpdate: 0,
    DestructiveUpdate: 0,
    Canary: 0,
    Preemptions: 0,
    Disconnect: 0,
    Reconnect: 0,
    RescheduleNow: 0,
    RescheduleLater: 0,
    ...over,
  };
}

const firstGroup = (d: JobDiff) => d.TaskGroups?.[0] as TaskGroupDiff;
const firstTask = (d: JobDiff) => firstGroup(d).Tasks?.[0] as TaskDiff;
const taskNotes = (a: Job, b: Job) => firstTask(annotateDiff(diffJobs(a, b))).Annotations;

Deno.test("annotateDiff() marks a re-run stopped job's count increase as forcing creates", () => {
  const diff = diffJobs(job([group()], { Stop: true }), job([group({ Count: 3 })]), {
    contextual: true,
  });
  const plan = annotateDiff(diff, { cache: desired({ Place: 3 }) });
  assertEquals(plan.Fields?.map((f) => [f.Name, f.Old, f.New, f.Annotations]), [
    ["Stop", "true", "false", null],
  ]);
  const tg = firstGroup(plan);
  assertEquals(tg.Updates, { create: 3 });
  assertEquals(tg.Fields?.map((f) => [f.Name, f.Old, f.New, f.Annotations]), [
    ["Count", "1", "3", ["forces create"]],
  ]);
  // An unchanged task gets no annotation.
  assertEquals(firstTask(plan).Annotations, null);
});

Deno.test("annotateDiff() marks a count decrease as forcing destroys", () => {
  const plan = annotateDiff(diffJobs(job([group({ Count: 3 })]), job()));
  assertEquals(firstGroup(plan).Fields?.[0]?.Annotations, ["forces destroy"]);
});

Deno.test("annotateDiff() marks a driver config change as a destructive update", () => {
  assertEquals(taskNotes(job(), withTask({ Config: { image: "redis:7" } })), [
    "forces create/destroy update",
  ]);
});

Deno.test("annotateDiff() marks an env change as a destructive update", () => {
  assertEquals(taskNotes(withTask({ Env: { A: "1" } }), withTask({ Env: { A: "2" } })), [
    "forces create/destroy update",
  ]);
});

Deno.test("annotateDiff() marks kill timeout, service and log size changes as in-place", () => {
  assertEquals(taskNotes(job(), withTask({ KillTimeout: 30 * SECOND })), [
    "forces in-place update",
  ]);
  const svc = { ...zero(ServiceSpec), Name: "redis", Tags: ["a"] };
  assertEquals(
    taskNotes(withTask({ Services: [svc] }), withTask({ Services: [{ ...svc, Tags: ["b"] }] })),
    ["forces in-place update"],
  );
  const logs = { ...zero(LogConfigSpec), MaxFiles: 10, MaxFileSizeMB: 10, Disabled: false };
  assertEquals(
    taskNotes(withTask({ LogConfig: logs }), withTask({ LogConfig: { ...logs, MaxFiles: 5 } })),
    ["forces in-place update"],
  );
  assertEquals(
    taskNotes(withTask({ LogConfig: logs }), withTask({ LogConfig: { ...logs, Disabled: true } })),
    ["forces create/destroy update"],
  );
});

Deno.test("annotateDiff() marks tasks of added and deleted groups as created and destroyed", () => {
  const web = group({ Name: "web", Tasks: [task({ Name: "nginx" })] });
  const plan = annotateDiff(diffJobs(job(), job([web])));
  assertEquals(
    plan.TaskGroups?.map((g) => [g.Name, g.Type, g.Tasks?.map((t) => t.Annotations)]),
    [["cache", "Deleted", [["forces destroy"]]], ["web", "Added", [["forces create"]]]],
  );
  // A task added to an existing group replaces the group's allocations.
  const twoTasks = job([group({ Tasks: [task(), task({ Name: "sidecar" })] })]);
  const added = annotateDiff(diffJobs(job(), twoTasks));
  assertEquals(firstGroup(added).Tasks?.map((t) => [t.Name, t.Annotations]), [
    ["redis", null],
    ["sidecar", ["forces create/destroy update"]],
  ]);
});

Deno.test("annotateDiff() fills Updates with the non-zero counts under Nomad's names", () => {
  const counts = desired({
    Ignore: 1,
    Place: 2,
    Migrate: 3,
    Stop: 4,
    Canary: 5,
    InPlaceUpdate: 6,
    DestructiveUpdate: 7,
    Preemptions: 8,
    RescheduleNow: 9,
  });
  const plan = annotateDiff(diffJobs(job(), job()), {
    cache: counts,
    other: desired({ Place: 1 }),
  });
  assertEquals(firstGroup(plan).Updates, {
    ignore: 1,
    create: 2,
    migrate: 3,
    destroy: 4,
    canary: 5,
    "in-place update": 6,
    "create/destroy update": 7,
  });
  assertEquals(
    firstGroup(annotateDiff(diffJobs(job(), job()), { cache: desired({}) })).Updates,
    {},
  );
  assertEquals(firstGroup(annotateDiff(diffJobs(job(), job()))).Updates, null);
});

Deno.test("annotateDiff() returns a new diff and leaves its input alone", () => {
  const diff = diffJobs(job(), job([group({ Count: 2, Tasks: [task({ Env: { A: "1" } })] })]));
  const before = structuredClone(diff);
  const plan = annotateDiff(diff, { cache: desired({ Place: 1 }) });
  assertEquals(diff, before);
  assertEquals(firstGroup(plan).Fields?.[0]?.Annotations, ["forces create"]);
  assertEquals(firstTask(plan).Annotations, ["forces create/destroy update"]);
});

Deno.test("annotateDiff() rejects a count that is not an integer", () => {
  const diff = diffJobs(job(), job([group({ Count: 2 })]));
  const tg = firstGroup(diff);
  const bad: JobDiff = {
    ...diff,
    TaskGroups: [{ ...tg, Fields: [{ ...tg.Fields![0]!, New: "two" }] }],
  };
  assertThrows(() => annotateDiff(bad), RangeError, `group "cache"`);
});
