import { assertEquals } from "../../../tests/assert.ts";
import { runCli } from "../_testing.ts";
import { errorAnswer, FakeNomad, withFixedNow } from "../api/_fake_nomad_testing.ts";
import {
  NodeReservedResourcesSpec,
  NodeResourcesSpec,
  ServerResourcesSpec,
  zero,
} from "../../structs/mod.ts";
import { allocation, job, node, nodeStub, NOW } from "./_fixtures_testing.ts";
import { formatFloat2 } from "./_node_status_detail.ts";

const NODE_ID = "33a379fc-4b2a-4c8e-9d1f-0a1b2c3d4e5f";

function agent(): FakeNomad {
  const resources = zero(NodeResourcesSpec);
  resources.Cpu.CpuShares = 4000;
  resources.Memory.MemoryMB = 8192;
  resources.Disk.DiskMB = 102400;
  const reserved = zero(NodeReservedResourcesSpec);
  reserved.Memory.MemoryMB = 192;
  return new FakeNomad({
    "GET /v1/nodes": (req) =>
      NODE_ID.startsWith(req.query.get("prefix") ?? "")
        ? [nodeStub({ ID: NODE_ID, Name: "masa-mackbook.local" })]
        : [],
    [`GET /v1/node/${NODE_ID}`]: node({
      ID: NODE_ID,
      Name: "masa-mackbook.local",
      NodeResources: resources,
      ReservedResources: reserved,
      Drivers: {
        docker: {
          Attributes: null,
          Detected: true,
          Healthy: false,
          HealthDescription: "",
          UpdateTime: "2024-11-30T11:00:00Z",
        },
        raw_exec: {
          Attributes: null,
          Detected: true,
          Healthy: true,
          HealthDescription: "",
          UpdateTime: "2024-11-30T11:00:00Z",
        },
      },
      Events: [
        {
          Message: "Node registered",
          Subsystem: "Cluster",
          Details: null,
          Timestamp: "2024-11-30T11:00:00Z",
          CreateIndex: 5,
        },
        {
          Message: "Driver docker is not detected",
          Subsystem: "Driver",
          Details: { driver: "docker" },
          Timestamp: "2024-11-30T11:00:05Z",
          CreateIndex: 6,
        },
      ],
    }),
    [`GET /v1/node/${NODE_ID}/allocations`]: [
      allocation({
        ID: "701f3254-0000-0000-0000-000000000000",
        NodeID: NODE_ID,
        TaskGroup: "cache",
        ClientStatus: "running",
        Job: job({ Version: 3 }),
        Resources: { ...zero(ServerResourcesSpec), CPU: 500, MemoryMB: 256, DiskMB: 300 },
        CreateTime: (NOW - 90_000) * 1e6,
        ModifyTime: (NOW - 30_000) * 1e6,
      }),
    ],
    "GET /v1/client/stats": errorAnswer(404, "Unknown node"),
  });
}

Deno.test("node status lists the nodes with Nomad's current columns", async () => {
  const fake = agent();
  try {
    const { code, stdout } = await runCli(["node", "status"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(code, 0);
    assertEquals(
      stdout,
      `ID        Node Pool  DC   Name                 Class   Drain  Eligibility  Status
33a379fc  default    dc1  masa-mackbook.local  <none>  false  eligible     ready
`,
    );
    const quiet = await runCli(["node", "status", "-quiet"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals(quiet.stdout, `${NODE_ID}\n`);
  } finally {
    await fake.close();
  }
});

Deno.test("node status <prefix> prints the node, its events, resources and allocations", async () => {
  const fake = agent();
  try {
    const { code, stdout, stderr } = await withFixedNow(
      NOW,
      () => runCli(["node", "status", "33a3"], { env: { NOMAD_ADDR: fake.address, TZ: "UTC" } }),
    );
    assertEquals(code, 0);
    assertEquals(
      stderr,
      "error fetching node stats: Unexpected response code: 404 (Unknown node)\n" +
        "error fetching node stats: actual resource usage not present\n",
    );
    assertEquals(
      stdout,
      `
ID              = 33a379fc-4b2a-4c8e-9d1f-0a1b2c3d4e5f
Name            = masa-mackbook.local
Node Pool       = default
Class           = <none>
DC              = dc1
Drain           = false
Eligibility     = eligible
Status          = ready
CSI Controllers = <none>
CSI Drivers     = <none>
Host Volumes    = <none>
Host Networks   = <none>
CSI Volumes     = <none>
Driver Status   = docker (unhealthy),raw_exec

Node Events
Time                  Subsystem       Message
2024-11-30T11:00:05Z  Driver: docker  Driver docker is not detected
2024-11-30T11:00:00Z  Cluster         Node registered

Allocated Resources
CPU           Memory           Disk             Alloc Count
500/4000 MHz  256 MiB/7.8 GiB  300 MiB/100 GiB  1


Allocations
ID        Node ID   Task Group  Version  Desired  Status   Created    Modified
701f3254  33a379fc  cache       3        run      running  1m30s ago  30s ago
`,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("node status -self shows the node of the agent it talks to", async () => {
  const fake = agent();
  fake.route("GET /v1/agent/self", {
    config: {},
    member: { Name: "masa-mackbook.local" },
    stats: { client: { node_id: NODE_ID } },
  });
  try {
    const { code, stdout, stderr } = await withFixedNow(
      NOW,
      () =>
        runCli(["node", "status", "-self", "-short"], {
          env: { NOMAD_ADDR: fake.address, TZ: "UTC", NOMAD_CLI_SHOW_HINTS: "false" },
        }),
    );
    assertEquals([code, stderr], [0, ""]);
    assertEquals(
      stdout,
      `ID              = ${NODE_ID}
Name            = masa-mackbook.local
Node Pool       = default
Class           = <none>
DC              = dc1
Drain           = false
Eligibility     = eligible
Status          = ready
CSI Controllers = <none>
CSI Drivers     = <none>
Host Volumes    = <none>
Host Networks   = <none>
CSI Volumes     = <none>
Drivers         = <none>

Allocations
ID        Node ID   Task Group  Version  Desired  Status   Created    Modified
701f3254  33a379fc  cache       3        run      running  1m30s ago  30s ago
`,
    );
    assertEquals(fake.requestsTo("GET /v1/nodes")[0]!.query.get("prefix"), NODE_ID);
    fake.route("GET /v1/agent/self", { config: {}, member: {}, stats: { nomad: {} } });
    const server = await runCli(["node", "status", "-self"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals([server.code, server.stderr], [1, "Nomad not running in client mode\n"]);
  } finally {
    await fake.close();
  }
});

Deno.test("node status reports a prefix that matches nothing", async () => {
  const fake = agent();
  try {
    const { code, stderr } = await runCli(["node", "status", "ffff"], {
      env: { NOMAD_ADDR: fake.address },
    });
    assertEquals([code, stderr], [1, 'No node(s) with prefix "ffff" found\n']);
  } finally {
    await fake.close();
  }
});

Deno.test("formatFloat2() groups thousands and keeps two decimals as humanize does", () => {
  assertEquals(formatFloat2(0), "0.00");
  assertEquals(formatFloat2(12345.678), "12,345.68");
  assertEquals(formatFloat2(99.5), "99.50");
});
