import { assert, assertEquals } from "../../tests/assert.ts";
import {
  type Allocation,
  HOUR,
  type Job,
  MINUTE,
  type ReschedulePolicy,
  SECOND,
} from "../structs/mod.ts";
import { mockAlloc, mockJob, NOW } from "./_testing.ts";
import {
  nextDelay,
  nextRescheduleTime,
  nextRescheduleTracker,
  rescheduleEligible,
} from "./util_reschedule.ts";

function jobWith(policy: Partial<ReschedulePolicy>, type = "service"): Job {
  return mockJob({ Type: type }, {
    ReschedulePolicy: {
      Attempts: 0,
      Interval: 0,
      Delay: 5 * SECOND,
      DelayFunction: "constant",
      MaxDelay: 0,
      Unlimited: true,
      ...policy,
    },
  });
}

/** Follows a chain of reschedules, returning the delay each one used. */
function delays(job: Job, n: number): number[] {
  let alloc: Allocation = mockAlloc(job, 0, "n", { ClientStatus: "failed", ModifyTime: NOW });
  const out: number[] = [];
  let now = NOW;
  for (let i = 0; i < n; i++) {
    const tracker = nextRescheduleTracker(alloc, job, now);
    out.push(tracker.Events!.at(-1)!.Delay);
    alloc = { ...alloc, ID: `a${i}`, RescheduleTracker: tracker, ModifyTime: now + SECOND };
    now += SECOND;
  }
  return out;
}

Deno.test("nextDelay() follows the constant, exponential and fibonacci delay functions", () => {
  assertEquals(
    delays(jobWith({ DelayFunction: "constant" }), 4),
    [5, 5, 5, 5].map((d) => d * SECOND),
  );
  assertEquals(
    delays(jobWith({ DelayFunction: "exponential", MaxDelay: HOUR }), 5),
    [5, 10, 20, 40, 80].map((d) => d * SECOND),
  );
  assertEquals(
    delays(jobWith({ DelayFunction: "fibonacci", MaxDelay: HOUR }), 6),
    [5, 5, 10, 15, 25, 40].map((d) => d * SECOND),
  );
});

Deno.test("nextDelay() is capped by MaxDelay, and resets after a long quiet spell", () => {
  const job = jobWith({ DelayFunction: "exponential", MaxDelay: 30 * SECOND });
  assertEquals(delays(job, 5), [5, 10, 20, 30, 30].map((d) => d * SECOND));
  const capped: Allocation = mockAlloc(job, 0, "n", {
    ClientStatus: "failed",
    ModifyTime: NOW + 10 * MINUTE,
    RescheduleTracker: {
      Events: [{ RescheduleTime: NOW, PrevAllocID: "p", PrevNodeID: "n", Delay: 30 * SECOND }],
      LastReschedule: "ok",
    },
  });
  assertEquals(nextDelay(capped, job), 5 * SECOND, "failing long after the last reschedule resets");
});

Deno.test("rescheduleEligible() counts attempts inside the interval only", () => {
  const policy: ReschedulePolicy = {
    Attempts: 2,
    Interval: HOUR,
    Delay: 5 * SECOND,
    DelayFunction: "constant",
    MaxDelay: 0,
    Unlimited: false,
  };
  const ev = (ago: number) => ({
    RescheduleTime: NOW - ago,
    PrevAllocID: "",
    PrevNodeID: "",
    Delay: 0,
  });
  assert(rescheduleEligible(null, policy, NOW));
  assert(rescheduleEligible({ Events: [ev(MINUTE)], LastReschedule: "" }, policy, NOW));
  assert(
    !rescheduleEligible({ Events: [ev(MINUTE), ev(2 * MINUTE)], LastReschedule: "" }, policy, NOW),
  );
  assert(
    rescheduleEligible({ Events: [ev(2 * HOUR), ev(MINUTE)], LastReschedule: "" }, policy, NOW),
  );
  assert(!rescheduleEligible(null, { ...policy, Attempts: 0 }, NOW), "no attempts, not unlimited");
});

Deno.test("nextRescheduleTime() only considers failed allocations the servers did not stop", () => {
  const job = jobWith({ Delay: 30 * SECOND });
  const failed = mockAlloc(job, 0, "n", { ClientStatus: "failed", ModifyTime: NOW });
  assertEquals(nextRescheduleTime(failed, job), { time: NOW + 30 * SECOND, eligible: true });
  assertEquals(nextRescheduleTime({ ...failed, ClientStatus: "running" }, job).eligible, false);
  assertEquals(nextRescheduleTime({ ...failed, DesiredStatus: "stop" }, job).eligible, false);
});

Deno.test("nextRescheduleTracker() keeps the last five events of an unlimited policy", () => {
  const job = jobWith({});
  const events = Array.from({ length: 7 }, (_, i) => ({
    RescheduleTime: NOW - (10 - i) * MINUTE,
    PrevAllocID: `p${i}`,
    PrevNodeID: `n${i}`,
    Delay: 5 * SECOND,
  }));
  const prev = mockAlloc(job, 0, "node-9", {
    RescheduleTracker: { Events: events, LastReschedule: "ok" },
  });
  const t = nextRescheduleTracker(prev, job, NOW);
  assertEquals(t.Events!.map((e) => e.PrevAllocID), ["p2", "p3", "p4", "p5", "p6", prev.ID]);
  assertEquals(t.Events!.at(-1)!.PrevNodeID, "node-9");
  assertEquals(t.LastReschedule, "ok");
});
