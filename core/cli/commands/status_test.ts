import { assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { FakeNomad } from "../api/_fake_nomad_testing.ts";
import { evaluation, job, jobStub, summary } from "./_fixtures_testing.ts";
import { resolveContext } from "./status.ts";

Deno.test("resolveContext() picks the exact match, or the only single match", () => {
  assertEquals(resolveContext("web", { jobs: ["web", "web2"], evals: [] }), { context: "jobs" });
  assertEquals(resolveContext("ab", { jobs: [], evals: ["abcd"] }), { context: "evals" });
  assertEquals(resolveContext("ab", { jobs: ["abx"], evals: ["abcd"] }), { ambiguous: true });
  assertEquals(resolveContext("ab", { jobs: ["abx", "aby"] }), { ambiguous: true });
  assertEquals(resolveContext("zz", { jobs: [] }), { none: true });
});

Deno.test("status without arguments lists the jobs like job status", async () => {
  const fake = new FakeNomad({ "GET /v1/jobs": [jobStub({ ID: "web" })] });
  try {
    const { code, stdout } = await runCli(["status"], {
      env: { NOMAD_ADDR: fake.address, TZ: "UTC" },
    });
    assertEquals(code, 0);
    assertEquals(
      stdout,
      "ID   Type     Priority  Status   Submit Date\nweb  service  50        running  2024-11-30T11:36:29Z\n",
    );
  } finally {
    await fake.close();
  }
});

Deno.test("status <id> finds what the ID names with a prefix search and shows it", async () => {
  const fake = new FakeNomad({
    "PUT /v1/search": { Matches: { jobs: ["web"], evals: [], nodes: [] }, Truncations: {} },
    "GET /v1/jobs": [jobStub({ ID: "web" })],
    "GET /v1/job/web": job({ ID: "web", Name: "web" }),
    "GET /v1/job/web/summary": summary("web", { web: { Running: 1 } }),
    "GET /v1/job/web/allocations": [],
    "GET /v1/job/web/evaluations": [],
    "GET /v1/job/web/deployment": null,
  });
  try {
    const { code, stdout } = await runCli(["status", "web"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(code, 0);
    assertEquals(stdout.split("\n")[0], "ID            = web");
    assertStringIncludes(stdout, "\nAllocations\nNo allocations placed\n");
    assertEquals(fake.requestsTo("PUT /v1/search")[0]!.body, { Prefix: "web", Context: "all" });
  } finally {
    await fake.close();
  }
});

Deno.test("status falls back to prefix lists when the agent has no search endpoint", async () => {
  const id = "ab12cd34-0000-0000-0000-000000000000";
  const fake = new FakeNomad({
    "GET /v1/jobs": [],
    "GET /v1/evaluations": (req) =>
      id.startsWith(req.query.get("prefix") ?? "") ? [evaluation({ ID: id, JobID: "web" })] : [],
    "GET /v1/nodes": [],
    "GET /v1/allocations": [],
    "GET /v1/deployments": [],
    [`GET /v1/evaluation/${id}`]: evaluation({ ID: id, JobID: "web" }),
    [`GET /v1/evaluation/${id}/allocations`]: [],
  });
  try {
    const { code, stdout } = await runCli(["status", "ab12"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(code, 0);
    assertEquals(stdout.split("\n")[0], "ID                 = ab12cd34");
  } finally {
    await fake.close();
  }
});

Deno.test("status lists every match of an ambiguous ID", async () => {
  const fake = new FakeNomad({
    "PUT /v1/search": { Matches: { jobs: ["abc"], evals: ["abcdef01"] }, Truncations: {} },
  });
  try {
    const { code, stderr } = await runCli(["status", "ab"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(code, 1);
    assertEquals(
      stderr,
      'Multiple matches found for id "ab"\n\nJobs:\nabc\n\nEvals:\nabcdef01\n',
    );
  } finally {
    await fake.close();
  }
});
