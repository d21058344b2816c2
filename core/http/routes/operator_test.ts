// The autopilot health of a server alone, via app.request (servers on etcd: core/server).
import { assertEquals, assertMatch } from "../../../tests/assert.ts";
import { testApi } from "./_testing.ts";

Deno.test("GET /v1/operator/autopilot/health reports a server alone as healthy", async () => {
  await using api = await testApi();
  const res = await api.app.request("/v1/operator/autopilot/health");
  assertEquals(res.status, 200);
  const body = await res.json();
  assertEquals(
    [body.Healthy, body.FailureTolerance, body.Servers.length, body.Backend.Kind],
    [true, 0, 1, "deno-kv"],
  );
  const [s] = body.Servers;
  assertEquals(
    [s.Address, s.SerfStatus, s.Leader, s.Voter, s.Healthy, s.LastContact],
    ["127.0.0.1:4647", "alive", true, true, true, "0s"],
  );
  assertEquals([body.Leader, body.Voters], [s.ID, [s.ID]]);
  assertMatch(s.StableSince, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});
