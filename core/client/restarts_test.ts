import { assertEquals } from "../../tests/assert.ts";
import { HOUR, MINUTE, SECOND } from "../structs/duration.ts";
import {
  effectiveRestartPolicy,
  REASON_DELAY,
  REASON_NO_RESTARTS_ALLOWED,
  REASON_UNRECOVERABLE_ERROR,
  restartEvent,
  RestartTracker,
} from "./restarts.ts";
import { REASON_WITHIN_POLICY } from "./events.ts";

const FAIL = { ExitCode: 1, Signal: 0, OOMKilled: false, Err: null };
const OK = { ExitCode: 0, Signal: 0, OOMKilled: false, Err: null };

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

const policy = (
  p: Partial<{ Attempts: number; Interval: number; Delay: number; Mode: string }>,
) => ({
  Attempts: 2,
  Interval: 30 * MINUTE,
  Delay: 15 * SECOND,
  Mode: "fail",
  ...p,
});

Deno.test("RestartTracker restarts within policy with up to 25% jitter", () => {
  const lo = new RestartTracker(policy({}), "service", null, { clock: clock(), random: () => 0 });
  assertEquals(lo.setExitResult(FAIL).decide(), {
    state: "Restarting",
    delay: 15 * SECOND,
    reason: REASON_WITHIN_POLICY,
  });
  const hi = new RestartTracker(policy({}), "service", null, {
    clock: clock(),
    random: () => 0.999999,
  });
  const d = hi.setExitResult(FAIL).decide();
  assertEquals(d.state, "Restarting");
  assertEquals(d.delay > 15 * SECOND && d.delay < 15 * SECOND * 1.25, true, `${d.delay}`);
});

Deno.test("RestartTracker fails after the allowed attempts in mode fail", () => {
  const c = clock();
  const tr = new RestartTracker(policy({}), "service", null, { clock: c, random: () => 0 });
  assertEquals(tr.setExitResult(FAIL).decide().state, "Restarting");
  c.t += 1000;
  assertEquals(tr.setExitResult(FAIL).decide().state, "Restarting");
  c.t += 1000;
  const d = tr.setExitResult(FAIL).decide();
  assertEquals(d, {
    state: "Not Restarting",
    delay: 0,
    reason: 'Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"',
  });
  const ev = restartEvent(d, 7)!;
  assertEquals(ev.Type, "Not Restarting");
  assertEquals(ev.FailsTask, true);
  assertEquals(ev.DisplayMessage, d.reason);
});

Deno.test("RestartTracker in mode delay waits for the end of the interval", () => {
  const c = clock();
  const tr = new RestartTracker(
    policy({ Attempts: 1, Interval: 10 * MINUTE, Mode: "delay" }),
    "service",
    null,
    {
      clock: c,
      random: () => 0,
    },
  );
  assertEquals(tr.setExitResult(FAIL).decide().state, "Restarting");
  c.t += 4 * 60_000;
  const d = tr.setExitResult(FAIL).decide();
  assertEquals(d.state, "Restarting");
  assertEquals(d.reason, REASON_DELAY);
  assertEquals(d.delay, 6 * MINUTE);
  assertEquals(
    restartEvent(d)!.DisplayMessage,
    "Exceeded allowed attempts, applying a delay - Task restarting in 6m0s",
  );
});

Deno.test("RestartTracker starts counting again after the interval", () => {
  const c = clock();
  const tr = new RestartTracker(policy({ Attempts: 1, Interval: MINUTE }), "service", null, {
    clock: c,
    random: () => 0,
  });
  assertEquals(tr.setExitResult(FAIL).decide().state, "Restarting");
  assertEquals(tr.count, 1);
  c.t += 61_000;
  assertEquals(tr.setExitResult(FAIL).decide().state, "Restarting");
  assertEquals(tr.count, 1, "a new interval began");
});

Deno.test("RestartTracker leaves successful batch tasks dead and restarts service tasks", () => {
  const batch = new RestartTracker(policy({}), "batch", null, { clock: clock() });
  assertEquals(batch.setExitResult(OK).decide().state, "Terminated");
  assertEquals(restartEvent(batch.setExitResult(OK).decide()), null);
  const service = new RestartTracker(policy({}), "service", null, { clock: clock() });
  assertEquals(service.setExitResult(OK).decide().state, "Restarting");
  const prestart = new RestartTracker(policy({}), "service", { Hook: "prestart", Sidecar: false });
  assertEquals(prestart.setExitResult(OK).decide().state, "Terminated");
  const sidecar = new RestartTracker(policy({}), "service", { Hook: "prestart", Sidecar: true });
  assertEquals(sidecar.setExitResult(OK).decide().state, "Restarting");
  const poststop = new RestartTracker(policy({}), "service", { Hook: "poststop", Sidecar: true });
  assertEquals(poststop.restartsOnSuccess, false);
});

Deno.test("RestartTracker with zero attempts never restarts", () => {
  const tr = new RestartTracker(policy({ Attempts: 0 }), "service");
  assertEquals(tr.setExitResult(FAIL).decide(), {
    state: "Not Restarting",
    delay: 0,
    reason: REASON_NO_RESTARTS_ALLOWED,
  });
  const batch = new RestartTracker(policy({ Attempts: 0 }), "batch");
  assertEquals(batch.setExitResult(OK).decide().state, "Terminated");
});

Deno.test("RestartTracker restarts only recoverable start errors", () => {
  const tr = new RestartTracker(policy({}), "service", null, { clock: clock(), random: () => 0 });
  assertEquals(tr.setStartError(new Error("bad config")).decide(), {
    state: "Not Restarting",
    delay: 0,
    reason: REASON_UNRECOVERABLE_ERROR,
  });
  const recoverable = Object.assign(new Error("image pull timed out"), { recoverable: true });
  assertEquals(tr.setStartError(recoverable).decide().state, "Restarting");
});

Deno.test("RestartTracker: kills win, triggered restarts are immediate, nothing recorded is a no-op", () => {
  const tr = new RestartTracker(policy({}), "service", null, { clock: clock() });
  const killed = tr.setExitResult(FAIL).setKilled().decide();
  assertEquals(killed.state, "Killed");
  assertEquals(restartEvent(killed)!.DisplayMessage, "Task successfully killed");
  assertEquals(tr.setRestartTriggered(false).decide(), {
    state: "Restarting",
    delay: 0,
    reason: "",
  });
  assertEquals(tr.decide().state, "");
  const failure = tr.setRestartTriggered(true).decide();
  assertEquals(failure.reason, REASON_WITHIN_POLICY, "a failing triggered restart counts");
});

Deno.test("effectiveRestartPolicy() fills Nomad's defaults by job type", () => {
  assertEquals(effectiveRestartPolicy(null, "service"), {
    Attempts: 2,
    Interval: 30 * MINUTE,
    Delay: 15 * SECOND,
    Mode: "fail",
  });
  assertEquals(effectiveRestartPolicy(null, "batch").Interval, 24 * HOUR);
  assertEquals(
    effectiveRestartPolicy(
      { Attempts: 5, Interval: null, Delay: null, Mode: "delay", RenderTemplates: null },
      "batch",
    ),
    { Attempts: 5, Interval: 24 * HOUR, Delay: 15 * SECOND, Mode: "delay" },
  );
});
