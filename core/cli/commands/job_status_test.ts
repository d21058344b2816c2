import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { errorAnswer, FakeNomad, withFixedNow } from "../api/_fake_nomad_testing.ts";
import { allocStub, evaluation, job, jobStub, summary } from "./_fixtures_testing.ts";
import { DeploymentSpec, zero } from "../../structs/mod.ts";

/** 2024-11-30T12:06:38Z: the seed's allocation was created 4m27s before. */
const NOW = Date.UTC(2024, 10, 30, 12, 6, 38);
const ago = (s: number) => (NOW - s * 1000) * 1e6;
const ENV = (fake: FakeNomad) => ({ NOMAD_ADDR: fake.address, TZ: "Asia/Kolkata" });

function postgresAgent(): FakeNomad {
  return new FakeNomad({
    "GET /v1/jobs": (req) =>
      req.query.get("prefix") === "postgres" || req.query.get("prefix") === "post"
        ? [jobStub({ ID: "postgres", Name: "postgres" })]
        : [],
    "GET /v1/job/postgres": job({
      ID: "postgres",
      Name: "postgres",
      SubmitTime: ago(267),
    }),
    "GET /v1/job/postgres/summary": summary("postgres", { database: { Running: 1 } }),
    "GET /v1/job/postgres/allocations": [
      allocStub({
        ID: "95a0741c-aace-805c-c0b3-fedd8052db0b",
        NodeID: "f4834583-0000-4000-8000-000000000000",
        TaskGroup: "database",
        ClientStatus: "running",
        CreateTime: ago(267),
        ModifyTime: ago(204),
      }),
    ],
    "GET /v1/job/postgres/evaluations": [evaluation({ ID: "69f38b58-1111", JobID: "postgres" })],
    "GET /v1/job/postgres/deployment": {
      ...zero(DeploymentSpec),
      ID: "b1486482-2222-4222-8222-222222222222",
      JobID: "postgres",
      Status: "successful",
      StatusDescription: "Deployment completed successfully",
      TaskGroups: {
        database: {
          AutoRevert: false,
          AutoPromote: false,
          ProgressDeadline: 600e9,
          RequireProgressBy: "2024-11-30T17:43:15.123456+05:30",
          Promoted: false,
          PlacedCanaries: null,
          DesiredCanaries: 0,
          DesiredTotal: 1,
          PlacedAllocs: 1,
          HealthyAllocs: 1,
          UnhealthyAllocs: 0,
        },
      },
    },
  });
}

Deno.test("job status <job> prints Nomad's status block, deployment and allocations", async () => {
  const fake = postgresAgent();
  try {
    const { code, stdout, stderr } = await withFixedNow(
      NOW,
      () => runCli(["job", "status", "post"], { env: ENV(fake) }),
    );
    assertEquals([code, stderr], [0, ""]);
    assertEquals(
      stdout,
      `ID            = postgres
Name          = postgres
Submit Date   = 2024-11-30T17:32:11+05:30
Type          = service
Priority      = 50
Datacenters   = dc1
Namespace     = default
Node Pool     = default
Status        = running
Periodic      = false
Parameterized = false

Summary
Task Group  Queued  Starting  Running  Failed  Complete  Lost  Unknown
database    0       0         1        0       0         0     0

Latest Deployment
ID          = b1486482
Status      = successful
Description = Deployment completed successfully

Deployed
Task Group  Desired  Placed  Healthy  Unhealthy  Progress Deadline
database    1        1       1        0          2024-11-30T17:43:15+05:30

Allocations
ID        Node ID   Task Group  Version  Desired  Status   Created    Modified
95a0741c  f4834583  database    0        run      running  4m27s ago  3m24s ago
`,
    );
    assertEquals(fake.requestsTo("GET /v1/jobs")[0]!.query.get("per_page"), "20");
  } finally {
    await fake.close();
  }
});

Deno.test("job status -evals -verbose adds the evaluations and full IDs and times", async () => {
  const fake = postgresAgent();
  fake.route("GET /v1/job/postgres/deployment", null);
  try {
    const { stdout } = await withFixedNow(
      NOW,
      () => runCli(["job", "status", "-evals", "-verbose", "postgres"], { env: ENV(fake) }),
    );
    const tail = stdout.slice(stdout.indexOf("\nEvaluations"));
    assertEquals(
      tail,
      `
Evaluations
ID             Priority  Triggered By  Status    Placement Failures
69f38b58-1111  50        job-register  complete  false

Allocations
ID                                    Eval ID  Node ID                               Node Name  Task Group  Version  Desired  Status   Created                    Modified
95a0741c-aace-805c-c0b3-fedd8052db0b  <none>   f4834583-0000-4000-8000-000000000000  <none>     database    0        run      running  2024-11-30T17:32:11+05:30  2024-11-30T17:33:14+05:30
`,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("job status lists the jobs, sorted by ID", async () => {
  const fake = new FakeNomad({
    "GET /v1/jobs": [
      jobStub({ ID: "web", Type: "service", SubmitTime: ago(60) }),
      jobStub({
        ID: "backup",
        Type: "batch",
        Periodic: true,
        Status: "dead",
        Stop: true,
        SubmitTime: ago(300),
      }),
    ],
  });
  try {
    const { code, stdout } = await runCli(["job", "status"], { env: ENV(fake) });
    assertEquals(code, 0);
    assertEquals(
      stdout,
      `ID      Type            Priority  Status          Submit Date
backup  batch/periodic  50        dead (stopped)  2024-11-30T17:31:38+05:30
web     service         50        running         2024-11-30T17:35:38+05:30
`,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("job status says so when there are no jobs", async () => {
  const fake = new FakeNomad({ "GET /v1/jobs": [] });
  try {
    const { code, stdout } = await runCli(["job", "status"], { env: ENV(fake) });
    assertEquals([code, stdout], [0, "No running jobs\n"]);
  } finally {
    await fake.close();
  }
});

Deno.test("job status lists the candidates of an ambiguous prefix", async () => {
  const fake = new FakeNomad({
    "GET /v1/jobs": [
      jobStub({ ID: "example-b", SubmitTime: ago(60) }),
      jobStub({ ID: "example-a", SubmitTime: ago(60) }),
    ],
  });
  try {
    const { code, stdout, stderr } = await runCli(["job", "status", "ex"], { env: ENV(fake) });
    assertEquals([code, stdout], [1, ""]);
    assertEquals(
      stderr,
      `Prefix "ex" matched multiple jobs

ID         Type     Priority  Status   Submit Date
example-a  service  50        running  2024-11-30T17:35:38+05:30
example-b  service  50        running  2024-11-30T17:35:38+05:30
`,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("job status reports an unknown job and an unreachable listing", async () => {
  const fake = new FakeNomad({ "GET /v1/jobs": [] });
  try {
    const missing = await runCli(["job", "status", "nope"], { env: ENV(fake) });
    assertEquals([missing.code, missing.stderr], [1, 'No job(s) with prefix or ID "nope" found\n']);
    fake.route("GET /v1/jobs", errorAnswer(403, "Permission denied"));
    fake.route("GET /v1/job/nope", errorAnswer(404, "job not found"));
    const denied = await runCli(["job", "status", "nope"], { env: ENV(fake) });
    assertEquals(
      [denied.code, denied.stderr],
      [1, "Error querying job: Unexpected response code: 404 (job not found)\n"],
    );
  } finally {
    await fake.close();
  }
});

Deno.test("job status -json prints the summary, allocations, deployment and evaluations", async () => {
  const fake = postgresAgent();
  try {
    const { code, stdout } = await runCli(["job", "status", "-json", "postgres"], {
      env: ENV(fake),
    });
    assertEquals(code, 0);
    const out = JSON.parse(stdout);
    assertEquals(Object.keys(out[0]), [
      "Summary",
      "Allocations",
      "LatestDeployment",
      "Evaluations",
    ]);
    assertEquals(out[0].Summary.Summary.database.Running, 1);
    assertEquals(stdout.startsWith('[\n    {\n        "Summary": {'), true);
  } finally {
    await fake.close();
  }
});

Deno.test("job status prints the Web UI hint when the agent shows CLI hints", async () => {
  const fake = new FakeNomad({
    "GET /v1/jobs": [jobStub({ ID: "web" })],
    "GET /v1/agent/self": { config: { UI: { Enabled: true, ShowCLIHints: true } }, stats: {} },
  });
  try {
    const shown = await runCli(["job", "status"], { env: ENV(fake) });
    assertEquals(
      shown.stderr,
      `\n\n==> View and manage Nomad jobs in the Web UI: ${fake.address}/ui/jobs\n`,
    );
    const off = await runCli(["job", "status"], {
      env: { ...ENV(fake), NOMAD_CLI_SHOW_HINTS: "false" },
    });
    assertEquals(off.stderr, "");
    fake.route("GET /v1/agent/self", { config: { UI: { ShowCLIHints: false } }, stats: {} });
    assertEquals((await runCli(["job", "status"], { env: ENV(fake) })).stderr, "");
  } finally {
    await fake.close();
  }
});

Deno.test("job status of a periodic job shows the next launch and its children", async () => {
  const periodic = job({
    ID: "backup",
    Name: "backup",
    Type: "batch",
    SubmitTime: ago(60),
    Periodic: {
      Enabled: true,
      Spec: "*/15 * * * *",
      Specs: null,
      SpecType: "cron",
      ProhibitOverlap: false,
      TimeZone: "UTC",
    },
  });
  const children = summary("backup", {});
  children.Children = { Pending: 0, Running: 1, Dead: 3 };
  const fake = new FakeNomad({
    "GET /v1/jobs": (req) =>
      req.query.get("prefix") === "backup/periodic-"
        ? [jobStub({ ID: "backup/periodic-1732966200", ParentID: "backup", Status: "dead" })]
        : [jobStub({ ID: "backup" })],
    "GET /v1/job/backup": periodic,
    "GET /v1/job/backup/summary": children,
  });
  try {
    const { code, stdout } = await withFixedNow(
      NOW,
      () => runCli(["job", "status", "backup"], { env: { NOMAD_ADDR: fake.address, TZ: "UTC" } }),
    );
    assertEquals(code, 0);
    assertEquals(
      stdout,
      `ID                   = backup
Name                 = backup
Submit Date          = 2024-11-30T12:05:38Z
Type                 = batch
Priority             = 50
Datacenters          = dc1
Namespace            = default
Node Pool            = default
Status               = running
Periodic             = true
Parameterized        = false
Next Periodic Launch = 2024-11-30T12:15:00Z (8m22s from now)

Children Job Summary
Pending  Running  Dead
0        1        3

Previously Launched Jobs
ID                          Status
backup/periodic-1732966200  dead
`,
    );
  } finally {
    await fake.close();
  }
});
