import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { errorAnswer, withFixedNow } from "../api/_fake_nomad_testing.ts";
import { AllocMetricSpec, zero } from "../../structs/mod.ts";
import {
  ALLOC_ID,
  allocAgent,
  jobWithTasks,
  postgresAlloc,
  postgresStats,
  SEED_NOW,
  seedAgo,
  taskEvent,
} from "./_alloc_fixtures_testing.ts";
import { allocStub } from "./_fixtures_testing.ts";
import { rescheduleInfo } from "./alloc_status.ts";

const ENV = { TZ: "Asia/Kolkata" };
const stats = `GET /v1/client/allocation/${ALLOC_ID}/stats`;

const status = (address: string, ...args: string[]) =>
  withFixedNow(
    SEED_NOW,
    () => runCli(["alloc", "status", ...args], { env: { ...ENV, NOMAD_ADDR: address } }),
  );

Deno.test("alloc status prints the seed's allocation as Nomad does", async () => {
  const fake = allocAgent(postgresAlloc(), { [stats]: postgresStats() });
  try {
    const { code, stdout, stderr } = await status(fake.address, "95a0741c");
    assertEquals([code, stderr], [0, ""]);
    assertEquals(
      stdout,
      `ID                  = 95a0741c-aace-805c-c0b3-fedd8052db0b
Eval ID             = 69f38b58
Name                = postgres.database[0]
Node ID             = f4834583
Node Name           = anshulbansal
Job ID              = postgres
Job Version         = 0
Client Status       = running
Client Description  = Tasks are running
Desired Status      = run
Desired Description = <none>
Created             = 5m14s ago
Modified            = 4m11s ago
Deployment ID       = b1486482
Deployment Health   = healthy

Allocation Addresses (mode = "host"):
Label      Dynamic  Address
*postgres  yes      127.0.0.1:5432

Task "postgres" is "running"
Task Resources:
CPU        Memory       Disk     Addresses
0/500 MHz  0 B/512 MiB  300 MiB  

Task Events:
Started At     = 2024-11-30T12:03:05Z
Finished At    = N/A
Total Restarts = 0
Last Restart   = N/A

Recent Events:
Time                       Type        Description
2024-11-30T17:33:05+05:30  Started     Task started by client
2024-11-30T17:32:11+05:30  Driver      Downloading image
2024-11-30T17:32:11+05:30  Task Setup  Building Task Directory
2024-11-30T17:32:11+05:30  Received    Task received by client
`,
    );
    assertEquals(fake.requestsTo("GET /v1/allocations")[0]!.query.get("prefix"), "95a0741c");
  } finally {
    await fake.close();
  }
});

Deno.test("alloc status -stats adds the measured memory and CPU figures", async () => {
  const fake = allocAgent(postgresAlloc(), { [stats]: postgresStats() });
  try {
    const { code, stdout } = await status(fake.address, "-stats", "95a0");
    assertEquals(code, 0);
    const start = stdout.indexOf("Task Resources:");
    assertEquals(
      stdout.slice(start, stdout.indexOf("Task Events:")),
      `Task Resources:
CPU        Memory       Disk     Addresses
0/500 MHz  0 B/512 MiB  300 MiB  

Memory Stats
Cache  Max Usage  RSS  Swap  Usage
0 B    0 B        0 B  0 B   0 B

CPU Stats
Percent  Throttled Periods  Throttled Time
0.00%    0                  0

`,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("alloc status -short prints the ages and one line per task", async () => {
  const alloc = postgresAlloc({
    Job: jobWithTasks("postgres", "database", {
      postgres: null,
      migrate: { Hook: "prestart", Sidecar: false },
      proxy: { Hook: "prestart", Sidecar: true },
    }),
  });
  alloc.TaskStates!.migrate = {
    ...alloc.TaskStates!.postgres!,
    State: "dead",
    Events: [taskEvent({ Type: "Terminated", Time: seedAgo(280) })],
  };
  alloc.TaskStates!.proxy = { ...alloc.TaskStates!.postgres!, Events: [] };
  const fake = allocAgent(alloc);
  try {
    const { code, stdout } = await status(fake.address, "-short", ALLOC_ID);
    assertEquals(code, 0);
    assertEquals(
      stdout,
      `ID       = 95a0741c-aace-805c-c0b3-fedd8052db0b
Name     = postgres.database[0]
Created  = 5m14s ago
Modified = 4m11s ago

Tasks
Name      State    Last Event  Time                       Lifecycle
migrate   dead     Terminated  2024-11-30T17:32:45+05:30  prestart
proxy     running  <none>      <none>                     prestart sidecar
postgres  running  Started     2024-11-30T17:33:05+05:30  main
`,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("alloc status -verbose shows full IDs, times and placement metrics", async () => {
  const metrics = { ...zero(AllocMetricSpec), NodesEvaluated: 1, AllocationTime: 125_000 };
  metrics.ScoreMetaData = [
    { NodeID: "f4834583-2a1b-4c3d-8e9f-0a1b2c3d4e5f", Scores: { binpack: 0.5 }, NormScore: 0.5 },
  ];
  const fake = allocAgent(postgresAlloc({ Metrics: metrics }), { [stats]: postgresStats() });
  try {
    const { code, stdout } = await status(fake.address, "-verbose", "95a0741c");
    assertEquals(code, 0);
    const lines = stdout.split("\n");
    assertEquals(lines.slice(0, 2), [
      "ID                  = 95a0741c-aace-805c-c0b3-fedd8052db0b",
      "Eval ID             = 69f38b58-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
    ]);
    assertEquals(lines[11], "Created             = 2024-11-30T17:32:11+05:30");
    assertEquals(lines.slice(15, 20), [
      "Evaluated Nodes     = 1",
      "Filtered Nodes      = 0",
      "Exhausted Nodes     = 0",
      "Allocation Time     = 125µs",
      "Failures            = 0",
    ]);
    assertEquals(
      stdout.slice(stdout.indexOf("\nPlacement Metrics")),
      `
Placement Metrics
Node                                  binpack  final score
f4834583-2a1b-4c3d-8e9f-0a1b2c3d4e5f  0.5      0.5
`,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("alloc status without the client's stats shows the resources asked for", async () => {
  const fake = allocAgent(postgresAlloc(), { [stats]: errorAnswer(500, "node down") });
  try {
    const { code, stdout, stderr } = await status(fake.address, "95a0741c");
    assertEquals(code, 0);
    assertEquals(stderr, "Couldn't retrieve stats: Unexpected response code: 500 (node down)\n");
    const start = stdout.indexOf("127.0.0.1:5432\n") + "127.0.0.1:5432\n".length;
    assertEquals(
      stdout.slice(start, stdout.indexOf("Task Events:")),
      `

Task "postgres" is "running"
Task Resources:
CPU      Memory   Disk     Addresses
500 MHz  512 MiB  300 MiB  

`,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("alloc status resolves prefixes as Nomad does", async (t) => {
  const fake = allocAgent(postgresAlloc());
  try {
    await t.step("one character is not enough", async () => {
      const { code, stderr } = await status(fake.address, "9");
      assertEquals([code, stderr], [1, "Identifier must contain at least two characters.\n"]);
    });
    await t.step("no match names the prefix, cut to whole bytes", async () => {
      const { code, stderr } = await status(fake.address, "abc");
      assertEquals([code, stderr], [1, 'No allocation(s) with prefix or id "ab" found\n']);
    });
    await t.step("several matches are listed on stdout", async () => {
      const times = { CreateTime: seedAgo(90), ModifyTime: seedAgo(30) };
      fake.route("GET /v1/allocations", [
        allocStub({ ID: "95a0741c-0000", NodeID: "f4834583", TaskGroup: "database", ...times }),
        allocStub({ ID: "95a0741d-0000", NodeID: "f4834583", TaskGroup: "database", ...times }),
      ]);
      const { code, stdout } = await status(fake.address, "95a0");
      assertEquals(code, 0);
      assertEquals(
        stdout,
        `Prefix matched multiple allocations

ID        Node ID   Task Group  Version  Desired  Status   Created    Modified
95a0741c  f4834583  database    0        run      pending  1m30s ago  30s ago
95a0741d  f4834583  database    0        run      pending  1m30s ago  30s ago
`,
      );
    });
  } finally {
    await fake.close();
  }
});

Deno.test("alloc status -json prints the allocation, or every allocation without one", async () => {
  const alloc = postgresAlloc();
  const fake = allocAgent(alloc);
  try {
    const one = await status(fake.address, "-json", "95a0741c");
    assertEquals(one.code, 0);
    assertEquals(JSON.parse(one.stdout).ID, ALLOC_ID);
    const all = await status(fake.address, "-json");
    assertEquals(JSON.parse(all.stdout).map((a: { ID: string }) => a.ID), [ALLOC_ID]);
    const none = await status(fake.address);
    assertEquals(
      none.stderr,
      "This command takes one of the following argument conditions:\n" +
        " * A single <allocation>\n" +
        " * No arguments, with output format specified\n" +
        "For additional help try 'nomad-ts alloc status -help'\n",
    );
  } finally {
    await fake.close();
  }
});

Deno.test("rescheduleInfo() counts the reschedules within the policy's interval", () => {
  const alloc = postgresAlloc();
  alloc.Job!.TaskGroups![0]!.ReschedulePolicy = {
    Attempts: 3,
    Interval: 600e9,
    Delay: 0,
    DelayFunction: "constant",
    MaxDelay: 0,
    Unlimited: false,
  };
  const event = (secondsAgo: number) => ({
    RescheduleTime: seedAgo(secondsAgo),
    PrevAllocID: "",
    PrevNodeID: "",
    Delay: 0,
  });
  alloc.RescheduleTracker = { Events: [event(2000), event(400), event(300)], LastReschedule: "" };
  assertEquals(rescheduleInfo(alloc), [2, 3]);
});
