import { assertEquals } from "../../../tests/assert.ts";
import { ApiClient } from "./client.ts";
import { FakeNomad } from "./_fake_nomad_testing.ts";
import { envClientConfig } from "../meta.ts";

const ALLOC = "95a0741c-aace-805c-c0b3-fedd8052db0b";
const CLIENT = `/v1/client/allocation/${ALLOC}`;

Deno.test("Allocations sends Nomad's verbs, paths and bodies", async () => {
  const fake = new FakeNomad({
    [`PUT /v1/allocation/${ALLOC}/stop`]: { EvalID: "e1", Index: 7 },
    [`PUT ${CLIENT}/restart`]: {},
    [`PUT ${CLIENT}/signal`]: {},
    [`GET ${CLIENT}/stats`]: { ResourceUsage: null, Tasks: {}, Timestamp: 1 },
    [`GET ${CLIENT}/checks`]: null,
    "GET /v1/allocations": [
      { ID: "a", CreateIndex: 1 },
      { ID: "b", CreateIndex: 2 },
    ],
  });
  const client = await ApiClient.create(envClientConfig({ NOMAD_ADDR: fake.address }));
  try {
    assertEquals(await client.allocations.stop(ALLOC, { reschedule: true }), {
      EvalID: "e1",
      Index: 7,
    });
    await client.allocations.restart(ALLOC, { task: "web" });
    await client.allocations.restart(ALLOC, { allTasks: true });
    await client.allocations.signal(ALLOC, "SIGHUP", { namespace: "ops" });
    assertEquals((await client.allocations.stats(ALLOC)).Timestamp, 1);
    assertEquals(await client.allocations.checks(ALLOC), {});
    assertEquals((await client.allocations.prefixList("a")).map((a) => a.ID), ["b", "a"]);
    const [stop, r1, r2, sig] = fake.requests;
    assertEquals(stop!.query.get("reschedule"), "true");
    assertEquals([r1!.body, r2!.body], [
      { TaskName: "web", AllTasks: false },
      { TaskName: "", AllTasks: true },
    ]);
    assertEquals([sig!.body, sig!.query.get("namespace")], [{ Task: "", Signal: "SIGHUP" }, "ops"]);
  } finally {
    client.close();
    await fake.close();
  }
});

Deno.test("Agent.localNodeID() reads the client's node ID from /v1/agent/self", async () => {
  const fake = new FakeNomad({
    "GET /v1/agent/self": { config: {}, member: {}, stats: { client: { node_id: "n-1" } } },
  });
  const client = await ApiClient.create(envClientConfig({ NOMAD_ADDR: fake.address }));
  try {
    assertEquals(await client.agent.localNodeID(), "n-1");
    fake.route("GET /v1/agent/self", { config: {}, member: {}, stats: { nomad: {} } });
    const err = await client.agent.localNodeID().catch((e: Error) => e.message);
    assertEquals(err, "Nomad not running in client mode");
  } finally {
    client.close();
    await fake.close();
  }
});
