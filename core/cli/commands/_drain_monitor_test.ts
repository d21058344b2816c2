import { assert, assertEquals, assertMatch } from "../../../tests/assert.ts";
import { CTX, simJob, simNode, waitForEval } from "../../server/server_testing.ts";
import type { Allocation } from "../../structs/mod.ts";
import { run } from "../mod.ts";
import { runCli, TextSink } from "../_testing.ts";
import { servedApi, withoutTimes } from "./_agent_testing.ts";
import { allocChange, drainStrategyText, goTimeString } from "./_drain_monitor.ts";

const A = "d7a1e5c0-1111-4b2c-9d3e-aabbccddeeff";
const B = "d7a1e5c0-2222-4b2c-9d3e-aabbccddeeff";

Deno.test("goTimeString() prints an API time as Go's time.Time String()", () => {
  assertEquals(goTimeString("2024-11-30T12:41:28.500000000Z"), "2024-11-30 12:41:28.5 +0000 UTC");
  assertEquals(goTimeString("2024-11-30T12:41:28+05:30"), "2024-11-30 12:41:28 +0530 +0530");
  assertEquals(
    drainStrategyText({
      Deadline: 3_600e9,
      IgnoreSystemJobs: true,
      ForceDeadline: "0001-01-01T00:00:00Z",
      StartedAt: "0001-01-01T00:00:00Z",
    }),
    "drain ignoring system jobs and deadline at 0001-01-01 00:00:00 +0000 UTC",
  );
});

Deno.test("allocChange() words an allocation's change as Nomad's drain monitor", () => {
  const a = (patch: Partial<Allocation>) =>
    ({
      ClientStatus: "running",
      DesiredStatus: "run",
      DesiredTransition: { Migrate: null },
      ...patch,
    }) as unknown as Allocation;
  const migrating = { DesiredTransition: { Migrate: true } } as Partial<Allocation>;
  assertEquals(allocChange(undefined, a({})), "");
  assertEquals(allocChange(a({}), a({ ClientStatus: "complete" })), "status running -> complete");
  assertEquals(allocChange(a({}), a(migrating)), "marked for migration");
  assertEquals(allocChange(a(migrating), a({ ...migrating, DesiredStatus: "stop" })), "draining");
  assertEquals(allocChange(a(migrating), a(migrating)), "");
});

/** Polls `probe` every 5 ms until it holds (at most 10 s). */
async function until(what: string, probe: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !probe(); i++) await new Promise((r) => setTimeout(r, 5));
  assert(probe(), `timed out waiting for ${what}`);
}

/** Runs the CLI with stdout captured as it is written. */
function startCli(args: string[], env: Record<string, string>) {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const code = run(args, { stdout, stderr, env, cwd: Deno.cwd(), stdoutIsTerminal: false });
  return { code, stdout, stderr };
}

Deno.test("node drain -enable follows the drain until the node is empty", async () => {
  const allocQueries: string[] = [];
  await using agent = await servedApi({
    nodes: [simNode(1, { ID: A })],
    onRequest: (req) => {
      const url = new URL(req.url);
      if (url.pathname === `/v1/node/${A}/allocations`) allocQueries.push(url.search);
    },
  });
  const { server, state } = agent.api;
  const reg = await server.registerJob({ Job: simJob("web", 2, { job: { Type: "batch" } }) }, CTX);
  await waitForEval(state, reg.EvalID);
  const placed = state.snapshot().allocsByNode(A);
  assertEquals(placed.length, 2);
  const report = (status: string) =>
    server.updateAllocsFromClient(
      placed.map((a) => ({
        ID: a.ID,
        NodeID: A,
        ClientStatus: status,
        ClientDescription: "",
        TaskStates: null,
        DeploymentStatus: null,
        NetworkStatus: null,
      })),
      CTX,
    );
  await report("running");
  await server.registerNode(simNode(2, { ID: B }), CTX);

  const cli = startCli(["node", "drain", "-enable", "-yes", "-force", "d7a1e5c0-11"], {
    ...agent.env,
    TZ: "UTC",
  });
  await until(
    "the allocations to be stopped",
    () => state.snapshot().allocsByNode(A).every((a) => a.DesiredStatus === "stop"),
  );
  await until("the monitor to block on the allocations", () => allocQueries.length >= 2);
  await report("complete");
  assertEquals(await cli.code, 0);
  assertEquals(cli.stderr.text, "");
  const lines = withoutTimes(cli.stdout.text).trimEnd().split("\n");
  assertEquals(lines.slice(0, 2), [
    "<time>: Ctrl-C to stop monitoring: will not cancel the node drain",
    `<time>: Node "${A}" drain strategy set`,
  ]);
  const rest = lines.slice(2);
  const stopped = rest.indexOf(`<time>: All allocations on node "${A}" have stopped`);
  assert(rest.includes(`<time>: Drain complete for node ${A}`), rest.join("\n"));
  assert(stopped >= rest.length - 2, rest.join("\n"));
  for (const a of placed) {
    const line = rest.indexOf(`<time>: Alloc "${a.ID}" status running -> complete`);
    assert(line >= 0 && line < stopped, rest.join("\n"));
  }
  const node = state.snapshot().node(A)!;
  assertEquals([node.DrainStrategy, node.SchedulingEligibility], [null, "ineligible"]);
  assertEquals(node.LastDrain?.Status, "complete");
  assertMatch(cli.stdout.text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: Ctrl-C/);
});

Deno.test("node drain -monitor follows a drain under way, and warns when there is none", async () => {
  await using agent = await servedApi({ nodes: [simNode(1, { ID: A })] });
  const { server, state } = agent.api;
  const none = await runCli(["node", "drain", "-monitor", A], { env: agent.env });
  assertEquals([none.code, none.stdout, none.stderr], [0, "", "No drain strategy set\n"]);

  const reg = await server.registerJob({ Job: simJob("web", 1, { job: { Type: "batch" } }) }, CTX);
  await waitForEval(state, reg.EvalID);
  const alloc = state.snapshot().allocsByNode(A)[0]!;
  await server.updateAllocsFromClient([{
    ID: alloc.ID,
    NodeID: A,
    ClientStatus: "complete",
    ClientDescription: "",
    TaskStates: null,
    DeploymentStatus: null,
    NetworkStatus: null,
  }], CTX);
  // The drain cannot finish while the node is the only one: start it without the drainer.
  await state.apply({
    type: "NodeDrain",
    nodeId: A,
    drain: {
      Deadline: 0,
      IgnoreSystemJobs: false,
      ForceDeadline: "0001-01-01T00:00:00Z",
      StartedAt: "2024-11-30T11:00:00Z",
    },
    markEligible: false,
    event: null,
    updatedAt: 1,
  });
  const cli = startCli(["node", "drain", "-monitor", A], agent.env);
  await new Promise((r) => setTimeout(r, 50));
  await server.updateNodeDrain(A, null, false, CTX);
  assertEquals(await cli.code, 0);
  const lines = withoutTimes(cli.stdout.text).trimEnd().split("\n").sort();
  assertEquals(lines, [
    `<time>: All allocations on node "${A}" have stopped`,
    `<time>: Drain complete for node ${A}`,
    `<time>: Monitoring node "${A}": Ctrl-C to detach monitoring`,
  ]);
});
