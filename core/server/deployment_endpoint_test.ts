// The deployment writes of the server (fail, pause/resume, promote, allocation health, unblock)
// and canary promotion by the watcher, on a fake clock.
import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import type { Deployment } from "../structs/mod.ts";
import type { StateStore } from "../state/mod.ts";
import type { FakeClock } from "./clock_testing.ts";
import type { Server } from "./server.ts";
import { CTX } from "./server_testing.ts";
import {
  deploy,
  deploymentServer,
  driveUntil,
  latest,
  reportHealth,
  unreported,
  updateJob,
} from "./deployment_testing.ts";

type Env = { server: Server; state: StateStore; clock: FakeClock };

/** Deploys version "a" of `id`, registers version "b" and waits for its first placements. */
async function secondVersion(
  env: Env,
  id: string,
  count: number,
  update: Parameters<typeof updateJob>[3],
): Promise<Deployment> {
  await deploy(env, updateJob(id, count, "a"));
  await env.server.registerJob({ Job: updateJob(id, count, "b", update) }, CTX);
  return await driveUntil(env.state, env.clock, `${id}'s new version`, (s) => {
    const d = latest(s, id);
    return d?.JobVersion === 1 && unreported(s, d).length > 0 ? d : undefined;
  });
}

/** Reports every new allocation healthy until the deployment succeeds. */
async function finish(env: Env, id: string): Promise<Deployment> {
  for (;;) {
    const d = await driveUntil(env.state, env.clock, `${id} to progress`, (s) => {
      const x = s.deployment(id);
      return x && (x.Status !== "running" || unreported(s, x).length > 0) ? x : undefined;
    });
    if (d.Status !== "running") return d;
    await reportHealth(env.server, env.clock, unreported(env.state.snapshot(), d));
  }
}

Deno.test("canaries wait for a manual promotion, which needs them healthy", async () => {
  await using env = await deploymentServer();
  const { server, state, clock } = env;
  const d = await secondVersion(env, "web", 2, { Canary: 1 });
  assertEquals(d.StatusDescription, "Deployment is running but requires manual promotion");
  const canaries = unreported(state.snapshot(), d);
  assertEquals(canaries.map((a) => a.DeploymentStatus?.Canary), [true]);

  const early = await assertRejects(() =>
    server.promoteDeployment(d.ID, { all: true, groups: [] }, CTX)
  );
  assertEquals(
    (early as Error).message,
    '1 error occurred:\n\t* Task group "web" has 0/1 healthy allocations\n\n',
  );

  await reportHealth(server, clock, canaries);
  clock.advance(5_000);
  await new Promise((r) => setTimeout(r, 20));
  assertEquals(state.snapshot().deployment(d.ID)?.TaskGroups?.web?.Promoted, false);

  const reply = await server.promoteDeployment(d.ID, { all: false, groups: ["web"] }, CTX);
  assert(reply.EvalID !== "");
  assertEquals(reply.EvalCreateIndex, reply.Index);
  assertEquals(reply.DeploymentModifyIndex, reply.Index);
  assertEquals(reply.RevertedJobVersion, null);
  const promoted = state.snapshot().deployment(d.ID)!;
  assertEquals(promoted.TaskGroups?.web?.Promoted, true);
  assertEquals(promoted.StatusDescription, "Deployment is running");
  const evaluation = state.snapshot().eval(reply.EvalID)!;
  assertEquals([evaluation.TriggeredBy, evaluation.DeploymentID], ["deployment-watcher", d.ID]);

  const done = await finish(env, d.ID);
  assertEquals(done.Status, "successful");
  assertEquals(state.snapshot().jobVersion("default", "web", 1)?.Stable, true);
});

Deno.test("auto_promote promotes the canaries once they are all healthy", async () => {
  await using env = await deploymentServer();
  const { server, state, clock } = env;
  const d = await secondVersion(env, "auto", 2, { Canary: 1, AutoPromote: true });
  assertEquals(d.StatusDescription, "Deployment is running pending automatic promotion");
  await reportHealth(server, clock, unreported(state.snapshot(), d));
  const promoted = await driveUntil(state, clock, "the automatic promotion", (s) => {
    const x = s.deployment(d.ID);
    return x?.TaskGroups?.web?.Promoted ? x : undefined;
  });
  assertEquals(promoted.StatusDescription, "Deployment is running");
  assertEquals((await finish(env, d.ID)).Status, "successful");
});

Deno.test("pause stops a rolling update and resume continues it with an evaluation", async () => {
  await using env = await deploymentServer();
  const { server, state, clock } = env;
  const d = await secondVersion(env, "web", 2, {});
  const paused = await server.pauseDeployment(d.ID, true, CTX);
  assertEquals([paused.EvalID, paused.EvalCreateIndex], ["", 0]);
  const stored = state.snapshot().deployment(d.ID)!;
  assertEquals([stored.Status, stored.StatusDescription], ["paused", "Deployment is paused"]);

  await reportHealth(server, clock, unreported(state.snapshot(), d));
  await driveUntil(
    state,
    clock,
    "the watcher's evaluation",
    (s) =>
      s.evalsByJob("default", "web").some((e) =>
        e.DeploymentID === d.ID && e.TriggeredBy === "deployment-watcher" && e.Status === "complete"
      ),
  );
  clock.advance(10 * 60_000);
  await new Promise((r) => setTimeout(r, 20));
  const still = state.snapshot().deployment(d.ID)!;
  assertEquals(still.Status, "paused", "no progress deadline while paused");
  assertEquals(unreported(state.snapshot(), still).length, 0, "nothing placed while paused");

  const resumed = await server.pauseDeployment(d.ID, false, CTX);
  assert(resumed.EvalID !== "");
  assertEquals(state.snapshot().deployment(d.ID)?.StatusDescription, "Deployment is running");
  assertEquals((await finish(env, d.ID)).Status, "successful");
});

Deno.test("fail marks a deployment failed and, with auto_revert, rolls back", async (t) => {
  await using env = await deploymentServer();
  const { server, state } = env;

  await t.step("without auto_revert", async () => {
    const d = await secondVersion(env, "plain", 2, {});
    const reply = await server.failDeployment(d.ID, CTX);
    assert(reply.EvalID !== "");
    assertEquals(reply.RevertedJobVersion, null);
    const failed = state.snapshot().deployment(d.ID)!;
    assertEquals([failed.Status, failed.StatusDescription], [
      "failed",
      "Deployment marked as failed",
    ]);
    const again = await assertRejects(() => server.failDeployment(d.ID, CTX));
    assertEquals((again as Error).message, "can't fail terminal deployment");
  });

  await t.step("with auto_revert", async () => {
    const d = await secondVersion(env, "reverting", 2, { AutoRevert: true });
    const reply = await server.failDeployment(d.ID, CTX);
    assertEquals(reply.RevertedJobVersion, 0);
    assertEquals(
      state.snapshot().deployment(d.ID)?.StatusDescription,
      "Deployment marked as failed - rolling back to job version 0",
    );
    const job = state.snapshot().job("default", "reverting")!;
    assertEquals([job.Version, job.TaskGroups![0]!.Tasks![0]!.Env], [2, { VERSION: "a" }]);
  });
});

Deno.test("setDeploymentAllocHealth() records health by hand; an unhealthy allocation fails", async () => {
  await using env = await deploymentServer();
  const { server, state } = env;
  const d = await secondVersion(env, "web", 2, { AutoRevert: true });
  const [alloc] = unreported(state.snapshot(), d);
  const ok = await server.setDeploymentAllocHealth(
    d.ID,
    { healthy: [alloc!.ID], unhealthy: [] },
    CTX,
  );
  assert(ok.EvalID !== "");
  assertEquals(state.snapshot().alloc(alloc!.ID)?.DeploymentStatus?.Healthy, true);
  assertEquals(state.snapshot().deployment(d.ID)?.TaskGroups?.web?.HealthyAllocs, 1);

  const bad = await server.setDeploymentAllocHealth(
    d.ID,
    { healthy: [], unhealthy: [alloc!.ID] },
    CTX,
  );
  assertEquals(bad.RevertedJobVersion, 0);
  const failed = state.snapshot().deployment(d.ID)!;
  assertEquals(
    [failed.Status, failed.StatusDescription],
    ["failed", "Failed due to unhealthy allocations - rolling back to job version 0"],
  );
});

Deno.test("the deployment writes answer Nomad's errors", async () => {
  await using env = await deploymentServer();
  const { server, state } = env;
  const done = await deploy(env, updateJob("web", 1, "a"));
  const cases: [() => Promise<unknown>, string][] = [
    [() => server.failDeployment("nope", CTX), "deployment not found"],
    [() => server.pauseDeployment(done.ID, true, CTX), "can't pause terminal deployment"],
    [() => server.pauseDeployment(done.ID, false, CTX), "can't resume terminal deployment"],
    [
      () => server.promoteDeployment(done.ID, { all: true, groups: [] }, CTX),
      "can't promote terminal deployment",
    ],
    [() => server.unblockDeployment(done.ID, CTX), "can't unblock terminal deployment"],
    [
      () => server.setDeploymentAllocHealth(done.ID, { healthy: ["x"], unhealthy: [] }, CTX),
      "can't set health of allocations for a terminal deployment",
    ],
    [
      () => server.setDeploymentAllocHealth(done.ID, { healthy: [], unhealthy: [] }, CTX),
      "must specify at least one healthy/unhealthy allocation ID",
    ],
  ];
  for (const [call, message] of cases) {
    const err = await assertRejects(call);
    assertEquals((err as Error).message, message);
  }
  assertEquals(state.snapshot().deployment(done.ID)?.Status, "successful");
});
