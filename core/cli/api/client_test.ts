import { assert, assertEquals, assertRejects } from "../../../tests/assert.ts";
import { envClientConfig } from "../meta.ts";
import { errorAnswer, FakeNomad } from "./_fake_nomad_testing.ts";
import { ApiClient, type QueryMeta, RequestError, UnexpectedResponseError } from "./mod.ts";
import { JobSpec, zero } from "../../structs/mod.ts";

async function withAgent(
  routes: ConstructorParameters<typeof FakeNomad>[0],
  env: Record<string, string>,
  fn: (client: ApiClient, fake: FakeNomad) => Promise<void>,
) {
  const fake = new FakeNomad(routes);
  const client = await ApiClient.create(envClientConfig({ NOMAD_ADDR: fake.address, ...env }));
  try {
    await fn(client, fake);
  } finally {
    client.close();
    await fake.close();
  }
}

Deno.test("ApiClient sends the token, region and namespace of its configuration", async () => {
  await withAgent(
    { "GET /v1/jobs": [{ ID: "b" }, { ID: "a" }], "GET /v1/job/web": { ID: "web" } },
    { NOMAD_TOKEN: "secret", NOMAD_REGION: "eu", NOMAD_NAMESPACE: "prod" },
    async (client, fake) => {
      const jobs = await client.jobs.list({ prefix: "x", perPage: 20 });
      assertEquals(jobs.map((j) => j.ID), ["a", "b"], "sorted by ID as Nomad's client sorts");
      const req = fake.requests[0]!;
      assertEquals(req.headers.get("X-Nomad-Token"), "secret");
      assertEquals(req.query.toString(), "namespace=prod&per_page=20&prefix=x&region=eu");
      await client.jobs.info("web", { namespace: "other" });
      assertEquals(fake.requests[1]!.query.get("namespace"), "other");
    },
  );
});

Deno.test("ApiClient reports Nomad's error text with the status code", async () => {
  await withAgent(
    {
      "GET /v1/job/nope": errorAnswer(404, "job not found\n"),
      "GET /v1/job/x": errorAnswer(500, ""),
    },
    {},
    async (client) => {
      const err = await assertRejects(() => client.jobs.info("nope"), UnexpectedResponseError);
      assertEquals(err.message, "Unexpected response code: 404 (job not found)");
      const typed = err as UnexpectedResponseError;
      assertEquals([typed.statusCode, typed.body], [404, "job not found"]);
      const empty = await assertRejects(() => client.jobs.info("x"), UnexpectedResponseError);
      assertEquals(empty.message, "Unexpected response code: 500");
    },
  );
});

Deno.test("ApiClient makes blocking queries and reads the index headers", async () => {
  await withAgent(
    {
      "GET /v1/evaluation/e1": () =>
        new Response(JSON.stringify({ ID: "e1" }), {
          headers: { "X-Nomad-Index": "42", "X-Nomad-KnownLeader": "true" },
        }),
    },
    {},
    async (client, fake) => {
      let meta: QueryMeta | undefined;
      await client.evaluations.info("e1", {
        waitIndex: 41,
        waitTime: 5e9,
        onMeta: (m) => (meta = m),
      });
      assertEquals([meta?.lastIndex, meta?.knownLeader, meta?.nextToken], [42, true, ""]);
      const q = fake.requests[0]!.query;
      assertEquals([q.get("index"), q.get("wait"), q.get("related")], ["41", "5000ms", "true"]);
    },
  );
});

Deno.test("ApiClient.watch() yields an answer each time the index moves", async () => {
  let index = 10;
  await withAgent(
    {
      "GET /v1/job/web/summary": (req) => {
        if (Number(req.query.get("index") ?? 0) >= index) index++;
        return new Response(JSON.stringify({ JobID: "web", index }), {
          headers: { "X-Nomad-Index": String(index) },
        });
      },
    },
    {},
    async (client, fake) => {
      const seen: number[] = [];
      const stop = new AbortController();
      for await (
        const s of client.watch((q) => client.jobs.summary("web", q), { signal: stop.signal })
      ) {
        seen.push((s as unknown as { index: number }).index);
        if (seen.length === 3) stop.abort();
      }
      assertEquals(seen, [10, 11, 12]);
      assertEquals(fake.requests.map((r) => r.query.get("index")), [null, "10", "11"]);
    },
  );
});

Deno.test("ApiClient sends register, stop and plan bodies as Nomad's client does", async () => {
  await withAgent(
    {
      "PUT /v1/jobs": { EvalID: "e", EvalCreateIndex: 1, JobModifyIndex: 1, Warnings: "" },
      "DELETE /v1/job/web": { EvalID: "e2" },
      "PUT /v1/job/web/plan": { JobModifyIndex: 3 },
    },
    { NOMAD_HTTP_AUTH: "user:pa:ss" },
    async (client, fake) => {
      const job = { ...zero(JobSpec), ID: "web" };
      await client.jobs.register(job, { enforceIndex: 0, evalPriority: 70 });
      assertEquals(fake.requests[0]!.body, {
        Job: job,
        EnforceIndex: true,
        JobModifyIndex: 0,
        PolicyOverride: false,
        PreserveCounts: false,
        PreserveResources: false,
        EvalPriority: 70,
      });
      assertEquals(fake.requests[0]!.headers.get("Authorization"), `Basic ${btoa("user:pa:ss")}`);
      assertEquals(await client.jobs.deregister("web", { purge: true }), "e2");
      assertEquals(
        fake.requests[1]!.query.toString(),
        "eval_priority=0&global=false&no_shutdown_delay=false&purge=true",
      );
      assertEquals((await client.jobs.plan(job, { diff: true })).JobModifyIndex, 3);
      assertEquals(fake.requests[2]!.body, { Job: job, Diff: true, PolicyOverride: false });
    },
  );
});

Deno.test("ApiClient lists allocations and evaluations newest first", async () => {
  await withAgent(
    {
      "GET /v1/job/web/allocations": [{ ID: "a", CreateIndex: 1 }, { ID: "b", CreateIndex: 5 }],
      "GET /v1/evaluations": [{ ID: "x", CreateIndex: 2 }, { ID: "y", CreateIndex: 3 }],
    },
    {},
    async (client, fake) => {
      assertEquals((await client.jobs.allocations("web", true)).map((a) => a.ID), ["b", "a"]);
      assertEquals(fake.requests[0]!.query.get("all"), "true");
      assertEquals((await client.evaluations.list()).map((e) => e.ID), ["y", "x"]);
    },
  );
});

Deno.test("ApiClient says in Go's words when the agent cannot be reached", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const client = await ApiClient.create(
    envClientConfig({ NOMAD_ADDR: `http://127.0.0.1:${port}` }),
  );
  try {
    const err = await assertRejects(() => client.agent.self(), RequestError);
    assertEquals(
      err.message,
      `Get "http://127.0.0.1:${port}/v1/agent/self": dial tcp 127.0.0.1:${port}: connect: ` +
        "connection refused",
    );
  } finally {
    client.close();
  }
});

Deno.test("ApiClient.create() refuses a bad address and unreadable TLS files", async () => {
  await assertRejects(
    () => ApiClient.create(envClientConfig({ NOMAD_ADDR: "::nope" })),
    Error,
    "invalid address '::nope'",
  );
  await assertRejects(
    () => ApiClient.create(envClientConfig({ NOMAD_CACERT: "/nonexistent/ca.pem" })),
    Error,
    "Error loading CA File: open /nonexistent/ca.pem: no such file or directory",
  );
  const err = await assertRejects(
    () => ApiClient.create(envClientConfig({ NOMAD_CLIENT_CERT: "/x/cert.pem" })),
    Error,
  );
  assert(err.message.includes("Both client cert and client key must be provided"));
});
