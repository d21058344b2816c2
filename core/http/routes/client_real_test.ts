// The /v1/client routes over the real Client (a server and a client in this process, the mock
// driver running the task).
import { assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { withCluster } from "../../client/client_testing.ts";
import { MetricsRegistry } from "../../structs/metrics.ts";
import { recordingLogger } from "../_testing.ts";
import { createApi } from "../api.ts";
import { testAgent } from "./_testing.ts";

const JOB = `job "mock" {
  datacenters = ["dc1"]
  group "g" {
    task "app" {
      driver = "mock_driver"
      config {
        run_for       = "30s"
        stdout_string = "hello from mock\\n"
      }
      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
`;

Deno.test({
  name: "client routes serve a running allocation of the real client",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await withCluster({}, async (c) => {
      const app = createApi({
        server: c.server,
        state: c.state,
        metrics: new MetricsRegistry(),
        agent: testAgent(),
        logger: recordingLogger(),
        client: c.client,
      });
      await c.run(JOB);
      const alloc = await c.waitAlloc("mock", "running", (a) => a.ClientStatus === "running");
      const id = alloc.ID;
      await t.step("logs as plain text, once the log pump has copied them", async () => {
        const url = `/v1/client/fs/logs/${id}?task=app&type=stdout&plain=true`;
        let got: [number, string] = [0, ""];
        for (let i = 0; i < 100 && got[1] === ""; i++) {
          const res = await app.request(url);
          got = [res.status, await res.text()];
          if (got[1] === "") await new Promise((r) => setTimeout(r, 50));
        }
        assertEquals(got, [200, "hello from mock\n"]);
      });
      await t.step("the allocation directory", async () => {
        const res = await app.request(`/v1/client/fs/ls/${id}`);
        const names = (await res.json()).map((f: { Name: string }) => f.Name);
        assertEquals(names, ["alloc", "app"]);
      });
      await t.step("the client's own errors", async () => {
        const task = await app.request(`/v1/client/fs/logs/${id}?task=db&type=stdout`);
        assertEquals(task.status, 404);
        assertStringIncludes(await task.text(), 'has no task "db"');
        const gc = await app.request(`/v1/client/allocation/${id}/gc`, { method: "PUT" });
        assertEquals(gc.status, 400);
        assertStringIncludes(await gc.text(), "still running");
      });
      await t.step("stats and host stats", async () => {
        const stats = await app.request(`/v1/client/allocation/${id}/stats`);
        assertEquals(stats.status, 200);
        const host = await (await app.request("/v1/client/stats")).json();
        assertEquals(host.Memory.Total > 0, true);
      });
    });
  },
});
