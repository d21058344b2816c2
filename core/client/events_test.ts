import { assert, assertEquals } from "../../tests/assert.ts";
import { MINUTE, SECOND } from "../structs/duration.ts";
import { ZERO_TIME } from "../structs/schema.ts";
import {
  appendTaskEvent,
  displayMessage,
  newTaskEvent,
  newTaskState,
  rfc3339,
  TaskEventType as T,
  taskSuccessful,
  updateTaskState,
} from "./events.ts";

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

Deno.test("newTaskEvent() gives Nomad's display messages for the common events", () => {
  const cases: [string, Parameters<typeof newTaskEvent>[1], string][] = [
    [T.Received, {}, "Task received by client"],
    [T.Setup, { message: T.BuildingTaskDir }, "Building Task Directory"],
    [T.Started, {}, "Task started by client"],
    [T.Terminated, { exitCode: 0, signal: 0 }, "Exit Code: 0"],
    [T.Terminated, { exitCode: 137, signal: 9 }, "Exit Code: 137, Signal: 9"],
    [
      T.Terminated,
      { exitCode: 1, exitMessage: "boom" },
      'Exit Code: 1, Exit Message: "boom"',
    ],
    [T.Killing, { killTimeout: 5 * SECOND }, "Sent interrupt. Waiting 5s before force killing"],
    [T.Killing, {}, "Sent interrupt"],
    [T.Killing, { killReason: "max run duration" }, "max run duration"],
    [T.Killed, {}, "Task successfully killed"],
    [T.Killed, { killError: "no such process" }, "no such process"],
    [
      T.Restarting,
      { startDelay: 15 * SECOND, restartReason: "Restart within policy" },
      "Task restarting in 15s",
    ],
    [
      T.Restarting,
      { startDelay: 90 * SECOND, restartReason: "Exceeded allowed attempts, applying a delay" },
      "Exceeded allowed attempts, applying a delay - Task restarting in 1m30s",
    ],
    [
      T.NotRestarting,
      { restartReason: 'Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"' },
      'Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"',
    ],
    [T.NotRestarting, {}, "Task exceeded restart policy"],
    [T.DriverFailure, { driverError: "exec not found" }, "exec not found"],
    [T.DriverFailure, {}, "Failed to start task"],
    [T.SetupFailure, {}, "Task setup failed"],
    [T.FailedValidation, {}, "Validation of task failed"],
    [T.SiblingFailed, { failedSibling: "db" }, 'Task\'s sibling "db" failed'],
    [T.Signaling, { taskSignal: "SIGHUP" }, "Task being sent signal SIGHUP"],
    [
      T.Signaling,
      { taskSignal: "SIGHUP", taskSignalReason: "template changed" },
      "Task being sent signal SIGHUP: template changed",
    ],
    [T.Signaling, {}, "Task being sent a signal"],
    [T.RestartSignal, {}, "Task signaled to restart"],
    [T.DownloadingArtifacts, {}, "Client is downloading artifacts"],
    [T.LeaderDead, {}, "Leader Task in Group dead"],
    [T.MainDead, {}, "Main tasks in the group died"],
    [T.ClientReconnected, {}, "Client reconnected"],
    [T.DriverMessage, { driverMessage: "pulling image" }, "pulling image"],
  ];
  for (const [type, fields, want] of cases) {
    assertEquals(
      newTaskEvent(type, fields, 1).DisplayMessage,
      want,
      `${type} ${JSON.stringify(fields)}`,
    );
  }
});

Deno.test("newTaskEvent() fills Details and the deprecated fields together", () => {
  const e = newTaskEvent(T.Terminated, { exitCode: 2, signal: 15, oomKilled: false }, 42);
  assertEquals(e.Type, "Terminated");
  assertEquals(e.Time, 42);
  assertEquals(e.ExitCode, 2);
  assertEquals(e.Signal, 15);
  assertEquals(e.Details, { exit_code: "2", signal: "15", oom_killed: "false" });
  const k = newTaskEvent(T.Killing, { killTimeout: 30 * SECOND, maxKillTimeout: 10 * SECOND });
  assertEquals(k.KillTimeout, 10 * SECOND, "the client's max_kill_timeout caps the task's");
  assertEquals(k.Details?.kill_timeout, "10s");
  const f = newTaskEvent(T.NotRestarting, { failsTask: true, restartReason: "r" });
  assertEquals(f.FailsTask, true);
  assertEquals(f.Details, { fails_task: "true", restart_reason: "r" });
  assertEquals(newTaskEvent(T.Restarting, { startDelay: 5 }).Details?.start_delay, "5");
});

Deno.test("newTaskEvent() keeps an explicit display message", () => {
  const e = newTaskEvent(T.RestartSignal, { displayMessage: "Identity[vault]: new token" });
  assertEquals(e.DisplayMessage, "Identity[vault]: new token");
  assertEquals(displayMessage(e), "Task signaled to restart");
});

Deno.test("rfc3339() writes times as Go marshals them", () => {
  assertEquals(rfc3339(T0), "2026-01-02T03:04:05Z");
  assertEquals(rfc3339(T0 + 250), "2026-01-02T03:04:05.25Z");
  assertEquals(rfc3339(T0 + 7), "2026-01-02T03:04:05.007Z");
});

Deno.test("updateTaskState() follows a task from pending to running to dead", async (t) => {
  let s = newTaskState();
  assertEquals(s.State, "pending");
  assertEquals(s.StartedAt, ZERO_TIME);

  await t.step("received and building events leave it pending", () => {
    s = appendTaskEvent(s, newTaskEvent(T.Received, {}, T0 * 1e6));
    s = appendTaskEvent(s, newTaskEvent(T.Setup, { message: T.BuildingTaskDir }, T0 * 1e6));
    assertEquals(s.State, "pending");
    assertEquals(s.Events?.map((e) => e.Type), ["Received", "Task Setup"]);
  });

  await t.step("starting sets StartedAt", () => {
    s = updateTaskState(s, "running", { event: newTaskEvent(T.Started), now: T0 + 1000 });
    assertEquals(s.State, "running");
    assertEquals(s.StartedAt, "2026-01-02T03:04:06Z");
    const again = updateTaskState(s, "running", { now: T0 + 9000 });
    assertEquals(again.StartedAt, s.StartedAt, "staying running keeps StartedAt");
  });

  await t.step("a restart counts and sets LastRestart", () => {
    const ev = newTaskEvent(T.Restarting, { startDelay: 15 * SECOND }, (T0 + 2000) * 1e6);
    s = updateTaskState(s, "pending", { event: ev, now: T0 + 2000 });
    assertEquals(s.Restarts, 1);
    assertEquals(s.LastRestart, "2026-01-02T03:04:07Z");
    s = updateTaskState(s, "running", { event: newTaskEvent(T.Started), now: T0 + MINUTE / 1e6 });
    assertEquals(s.StartedAt, "2026-01-02T03:05:05Z", "a restart sets StartedAt again");
  });

  await t.step("a failing event marks the task failed; dead sets FinishedAt once", () => {
    s = updateTaskState(s, "dead", {
      event: newTaskEvent(T.NotRestarting, { failsTask: true }),
      now: T0 + 120_000,
    });
    assertEquals(s.Failed, true);
    assertEquals(s.FinishedAt, "2026-01-02T03:06:05Z");
    assertEquals(updateTaskState(s, "dead", { now: T0 + 999_000 }).FinishedAt, s.FinishedAt);
    assertEquals(taskSuccessful(s), false);
  });
});

Deno.test("appendTaskEvent() keeps the newest ten events and does not mutate its input", () => {
  let s = newTaskState();
  for (let i = 0; i < 12; i++) s = appendTaskEvent(s, newTaskEvent(T.Started, {}, i));
  assertEquals(s.Events?.length, 10);
  assertEquals(s.Events?.[0]?.Time, 2);
  assertEquals(s.Events?.[9]?.Time, 11);
  const before = s;
  const after = appendTaskEvent(before, newTaskEvent(T.Killed, {}, 99), 3);
  assertEquals(before.Events?.length, 10);
  assertEquals(after.Events?.map((e) => e.Time), [10, 11, 99]);
  assert(taskSuccessful(updateTaskState(newTaskState(), "dead")));
});
