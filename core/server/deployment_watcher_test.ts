// The deployment watcher through the running server on a fake clock: rolling updates paced by
// allocation health, success and stable versions, failures, auto-revert and progress deadlines.
import { assert, assertEquals } from "../../tests/assert.ts";
import { MINUTE, SECOND } from "../structs/mod.ts";
import {
  deploy,
  deploymentServer,
  driveUntil,
  latest,
  liveByVersion,
  reportHealth,
  unreported,
  updateJob,
} from "./deployment_testing.ts";

Deno.test("the deployment watcher paces a rolling update of 3 by max_parallel 1 as allocations turn healthy", async () => {
  await using env = await deploymentServer();
  const { server, state, clock } = env;
  const first = await deploy(env, updateJob("web", 3, "a"));
  assertEquals(first.StatusDescription, "Deployment completed successfully");
  assertEquals(first.TaskGroups?.web?.HealthyAllocs, 3);
  const snap0 = state.snapshot();
  assertEquals(snap0.jobVersion("default", "web", 0)?.Stable, true);
  assert(
    snap0.evalsByJob("default", "web").some((e) =>
      e.TriggeredBy === "deployment-watcher" && e.DeploymentID === first.ID
    ),
    "the watcher asked for the evaluation that found the deployment complete",
  );

  await server.registerJob({ Job: updateJob("web", 3, "b") }, {
    namespace: "default",
    region: "global",
    token: "",
  });
  const replaced: number[] = [];
  for (let step = 1; step <= 3; step++) {
    const d = await driveUntil(state, clock, `step ${step} of the update`, (s) => {
      const d = latest(s, "web");
      return d?.JobVersion === 1 && unreported(s, d).length > 0 ? d : undefined;
    });
    const snap = state.snapshot();
    const live = liveByVersion(snap, "web");
    replaced.push(live.get(1)?.length ?? 0);
    assertEquals((live.get(0)?.length ?? 0) + (live.get(1)?.length ?? 0), 3);
    assertEquals(unreported(snap, d).length, 1, "one new allocation at a time");
    assertEquals(snap.jobVersion("default", "web", 1)?.Stable, false);
    await reportHealth(server, clock, unreported(snap, d));
  }
  assertEquals(replaced, [1, 2, 3]);
  const done = await driveUntil(state, clock, "the update to succeed", (s) => {
    const d = latest(s, "web");
    return d?.Status === "successful" ? d : undefined;
  });
  assertEquals(done.JobVersion, 1);
  assertEquals(done.StatusDescription, "Deployment completed successfully");
  assertEquals(state.snapshot().jobVersion("default", "web", 1)?.Stable, true);
});

Deno.test("an unhealthy allocation fails the deployment and auto_revert rolls back to the stable version", async () => {
  await using env = await deploymentServer();
  const { server, state, clock } = env;
  await deploy(env, updateJob("api", 2, "good"));
  const noReschedule = {
    ReschedulePolicy: {
      Attempts: 0,
      Interval: 0,
      Delay: 30 * SECOND,
      DelayFunction: "constant",
      MaxDelay: 0,
      Unlimited: false,
    },
  };
  await server.registerJob({
    Job: updateJob("api", 2, "bad", { AutoRevert: true }, noReschedule),
  }, { namespace: "default", region: "global", token: "" });
  const d = await driveUntil(state, clock, "the new version's first allocation", (s) => {
    const d = latest(s, "api");
    return d?.JobVersion === 1 && unreported(s, d).length > 0 ? d : undefined;
  });
  await reportHealth(server, clock, unreported(state.snapshot(), d), false);
  const failed = await driveUntil(state, clock, "the deployment to fail", (s) => {
    const x = s.deployment(d.ID);
    return x?.Status === "failed" ? x : undefined;
  });
  assertEquals(
    failed.StatusDescription,
    "Failed due to unhealthy allocations - rolling back to job version 0",
  );
  const snap = state.snapshot();
  const job = snap.job("default", "api")!;
  assertEquals(job.Version, 2);
  assertEquals(job.TaskGroups![0]!.Tasks![0]!.Env, { VERSION: "good" });
  const rollback = await driveUntil(state, clock, "the rollback's deployment", (s) => {
    const x = latest(s, "api");
    return x?.JobVersion === 2 ? x : undefined;
  });
  assertEquals(rollback.Status, "running");
});

Deno.test("the progress deadline fails a deployment that does not progress", async (t) => {
  await using env = await deploymentServer();
  const { server, state, clock } = env;
  const ctx = { namespace: "default", region: "global", token: "" };

  await t.step("no allocation becomes healthy: failed at the deadline", async () => {
    await server.registerJob({
      Job: updateJob("slow", 1, "a", { ProgressDeadline: 2 * MINUTE, AutoRevert: true }),
    }, ctx);
    const d = await driveUntil(state, clock, "the deployment", (s) => latest(s, "slow"));
    const placedAt = clock.now();
    const failed = await driveUntil(state, clock, "the deadline", (s) => {
      const x = s.deployment(d.ID);
      return x?.Status === "failed" ? x : undefined;
    }, { stepMs: 5_000, maxMs: 600_000 });
    const waited = clock.now() - placedAt;
    assert(waited >= 120_000 && waited <= 125_000, `failed after ${waited} ms`);
    assertEquals(
      failed.StatusDescription,
      "Failed due to progress deadline - no stable job version to auto revert to",
    );
  });

  await t.step("a healthy allocation pushes the deadline back", async () => {
    await server.registerJob({
      Job: updateJob("steady", 2, "a", { ProgressDeadline: 2 * MINUTE }),
    }, ctx);
    const d = await driveUntil(state, clock, "the deployment", (s) => {
      const d = latest(s, "steady");
      return d && unreported(s, d).length === 2 ? d : undefined;
    });
    clock.advance(90_000);
    await reportHealth(server, clock, unreported(state.snapshot(), d).slice(0, 1));
    await driveUntil(state, clock, "the deadline to move", (s) => {
      const by = s.deployment(d.ID)?.TaskGroups?.web?.RequireProgressBy ?? "";
      return Date.parse(by) >= clock.now() + 60_000;
    });
    clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 20));
    assertEquals(state.snapshot().deployment(d.ID)?.Status, "running");
    const failed = await driveUntil(state, clock, "the moved deadline", (s) => {
      const x = s.deployment(d.ID);
      return x?.Status === "failed" ? x : undefined;
    }, { stepMs: 5_000, maxMs: 300_000 });
    assertEquals(failed.StatusDescription, "Failed due to progress deadline");
  });
});

Deno.test("an unhealthy allocation that can be rescheduled is marked for replacement instead", async () => {
  await using env = await deploymentServer();
  const { server, state, clock } = env;
  await server.registerJob({ Job: updateJob("retry", 1, "a") }, {
    namespace: "default",
    region: "global",
    token: "",
  });
  const d = await driveUntil(state, clock, "the deployment", (s) => {
    const d = latest(s, "retry");
    return d && unreported(s, d).length === 1 ? d : undefined;
  });
  const [alloc] = unreported(state.snapshot(), d);
  await reportHealth(server, clock, [alloc!], false);
  const marked = await driveUntil(state, clock, "the Reschedule transition", (s) => {
    const a = s.alloc(alloc!.ID);
    return a?.DesiredTransition?.Reschedule === true ? a : undefined;
  });
  assertEquals(marked.DeploymentStatus?.Healthy, false);
  const snap = state.snapshot();
  assertEquals(snap.deployment(d.ID)?.Status, "running");
  assert(
    snap.evalsByJob("default", "retry").some((e) =>
      e.TriggeredBy === "deployment-watcher" && e.DeploymentID === d.ID
    ),
  );
});
