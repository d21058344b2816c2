import { assert, assertEquals } from "../../tests/assert.ts";
import { canonicalize, decode, type Job, JobSpec, type Node } from "../structs/mod.ts";
import {
  mockAlloc,
  mockContext,
  mockGroup,
  mockJob,
  mockNode,
  MockPlan,
  MockState,
  PlainPlan,
} from "./feasible_testing.ts";
import { newGenericStack, newSystemStack, readyNodesInDCsAndPool, type Stack } from "./stack.ts";
import type { Selection } from "./types.ts";

async function seedJob(file: string): Promise<Job> {
  const url = new URL(`../../tests/fixtures/seeds/${file}`, import.meta.url);
  const raw = JSON.parse(await Deno.readTextFile(url)) as { Job: unknown };
  return canonicalize(decode(JobSpec, raw.Job).value);
}

const DRIVER = {
  Attributes: null,
  Detected: true,
  Healthy: true,
  HealthDescription: "",
  UpdateTime: "0001-01-01T00:00:00Z",
};

function dockerNode(patch: Partial<Node> = {}): Node {
  const n = mockNode(patch);
  return { ...n, Drivers: { ...n.Drivers, docker: DRIVER, raw_exec: DRIVER } };
}

interface Run {
  stack: Stack;
  plan: MockPlan;
  place(n: number, group?: string): Selection[];
}

function run(job: Job, nodes: Node[], opts: { batch?: boolean; system?: boolean } = {}): Run {
  const state = new MockState(nodes);
  const plan = new MockPlan(state);
  const stack = opts.system
    ? newSystemStack(state, plan, mockContext(3))
    : newGenericStack(state, plan, mockContext(3), { batch: opts.batch ?? false });
  stack.setJob(job);
  stack.setNodes(readyNodesInDCsAndPool(state, job).nodes);
  const place = (n: number, group?: string) => {
    const tg = job.TaskGroups?.find((g) => group === undefined || g.Name === group);
    if (tg === undefined) throw new Error("test job lacks the group");
    const out: Selection[] = [];
    for (let i = 0; i < n; i++) {
      const s = stack.select(tg, { allocName: `${job.ID}.${tg.Name}[${i}]` });
      if (s === undefined) break;
      plan.place(mockAlloc(job, s.node, s.resources, tg.Name ?? ""));
      out.push(s);
    }
    return out;
  };
  return { stack, plan, place };
}

Deno.test("readyNodesInDCsAndPool() keeps ready nodes of the job's datacenters and pool", () => {
  const a = mockNode({ Datacenter: "us-east-1" });
  const b = mockNode({ Datacenter: "us-west-1" });
  const c = mockNode({ Datacenter: "eu-west-1" });
  const down = mockNode({ Datacenter: "us-east-1", Status: "down" });
  const draining = mockNode({ Datacenter: "us-east-1", SchedulingEligibility: "ineligible" });
  const gpu = mockNode({ Datacenter: "us-east-1", NodePool: "gpu" });
  const state = new MockState([a, b, c, down, draining, gpu]);
  const ready = readyNodesInDCsAndPool(state, mockJob({ Datacenters: ["us-*"] }));
  assertEquals(ready.nodes.map((n) => n.ID).sort(), [a.ID, b.ID].sort());
  assertEquals(ready.byDC, { "us-east-1": 1, "us-west-1": 1 });
  assertEquals([...ready.notReady].sort(), [down.ID, draining.ID].sort());
  const all = readyNodesInDCsAndPool(state, mockJob({ Datacenters: null, NodePool: "all" }));
  assertEquals(all.nodes.length, 4);
  const pool = readyNodesInDCsAndPool(state, mockJob({ Datacenters: ["*"], NodePool: "gpu" }));
  assertEquals(pool.nodes.map((n) => n.ID), [gpu.ID]);
});

Deno.test("generic stack: seed 000's windows constraint filters every linux node", async () => {
  const job = await seedJob("000_windows_test.json");
  const nodes = [dockerNode(), dockerNode(), dockerNode()];
  const { stack, place } = run(job, nodes, { batch: true });
  assertEquals(place(1), []);
  const m = stack.metrics;
  assertEquals(m.NodesEvaluated, 3);
  assertEquals(m.NodesFiltered, 3);
  assertEquals(m.ConstraintFiltered, {
    "${attr.kernel.name} = windows": 1,
    "computed class ineligible": 2,
  });
  assertEquals(m.NodesAvailable, { dc1: 3 });
  assertEquals([m.NodesInPool, m.NodePool], [3, "default"]);
  assertEquals(m.NodesExhausted, 0);
  assert(m.AllocationTime > 0);
  const windows = dockerNode({ Attributes: { "kernel.name": "windows", "driver.raw_exec": "1" } });
  const second = run(job, [...nodes, windows], { batch: true });
  assertEquals(second.place(1).map((s) => s.node.ID), [windows.ID]);
});

Deno.test("generic stack: seed 001's static port fits once per node", async () => {
  const job = await seedJob("001_postgres.json");
  const nodes = [dockerNode(), dockerNode()];
  const { stack, place } = run(job, nodes);
  const placed = place(3);
  assertEquals(placed.length, 2);
  assertEquals(new Set(placed.map((s) => s.node.ID)).size, 2);
  const ports = placed[0]!.resources.Shared.Ports;
  assertEquals(ports, [{
    Label: "postgres",
    Value: 5432,
    To: 0,
    HostIP: placed[0]!.node.NodeResources?.Networks?.[0]?.IP ?? "",
    IgnoreCollision: false,
  }]);
  assertEquals(placed[0]!.resources.Shared.Networks?.[0]?.IP, ports?.[0]?.HostIP);
  assertEquals(stack.metrics.DimensionExhausted, {
    "network: reserved port collision postgres=5432": 2,
  });
  assertEquals(stack.metrics.NodesExhausted, 2);
});

Deno.test("generic stack: seed 004's legacy task network is placed", async () => {
  const job = await seedJob("004_example_count3.json");
  const { place } = run(job, [dockerNode(), dockerNode()]);
  const placed = place(3);
  assertEquals(placed.length, 3);
  for (const s of placed) {
    const net = s.resources.Tasks?.redis?.Networks?.[0];
    assertEquals(net?.IP, s.node.NodeResources?.Networks?.[0]?.IP);
    assertEquals(net?.MBits, 10);
    assertEquals(net?.DynamicPorts?.[0]?.Label, "db");
    assertEquals(s.resources.Tasks?.redis?.Cpu.CpuShares, 500);
    assertEquals(s.resources.Shared.DiskMB, 300);
  }
});

Deno.test("generic stack: a missing driver is reported as Nomad words it", () => {
  const job = mockJob();
  job.TaskGroups![0]!.Tasks![0]!.Driver = "docker";
  const { stack, place } = run(job, [mockNode(), mockNode()]);
  assertEquals(place(1), []);
  assertEquals(stack.metrics.ConstraintFiltered, {
    "missing drivers": 1,
    "computed class ineligible": 1,
  });
  assertEquals(stack.classEligibility(), {
    escaped: false,
    classes: { [Object.keys(stack.classEligibility().classes)[0]!]: false },
  });
});

Deno.test("generic stack: distinct_hosts puts each allocation on its own node", () => {
  const job = mockJob({ Constraints: [{ LTarget: "", Operand: "distinct_hosts", RTarget: "" }] });
  const { stack, place } = run(job, [mockNode(), mockNode(), mockNode()]);
  const placed = place(4);
  assertEquals(placed.length, 3);
  assertEquals(new Set(placed.map((s) => s.node.ID)).size, 3);
  assertEquals(stack.metrics.ConstraintFiltered, { distinct_hosts: 3 });
});

Deno.test("generic stack: distinct_property limits allocations per property value", () => {
  const c = { LTarget: "${meta.rack}", Operand: "distinct_property", RTarget: "2" };
  const job = mockJob({ TaskGroups: [mockGroup("web", { Constraints: [c] })] });
  const nodes = [1, 1, 2].map((r) => mockNode({ Meta: { rack: `r${r}` } }));
  const { stack, place } = run(job, nodes);
  const placed = place(10);
  assertEquals(placed.length, 4);
  const racks = placed.map((s) => s.node.Meta?.rack).sort();
  assertEquals(racks, ["r1", "r1", "r2", "r2"]);
  assertEquals(stack.metrics.ConstraintFiltered, {
    "distinct_property: ${meta.rack}=r1 used by 2 allocs": 2,
    "distinct_property: ${meta.rack}=r2 used by 2 allocs": 1,
  });
});

Deno.test("generic stack: services look at log2(n) nodes, batch jobs at two", () => {
  const nodes = Array.from({ length: 20 }, () => mockNode());
  const service = run(mockJob(), nodes);
  service.place(1);
  assertEquals(service.stack.metrics.NodesEvaluated, 5);
  assertEquals(service.stack.metrics.ScoreMetaData?.length, 5);
  const batch = run(mockJob({ Type: "batch" }), nodes, { batch: true });
  batch.place(1);
  assertEquals(batch.stack.metrics.NodesEvaluated, 2);
});

Deno.test("generic stack: job anti-affinity spreads a group over equal nodes", () => {
  const nodes = [mockNode(), mockNode()];
  const { stack, place } = run(mockJob(), nodes);
  const placed = place(2);
  assertEquals(new Set(placed.map((s) => s.node.ID)).size, 2);
  const scores = stack.metrics.ScoreMetaData ?? [];
  const penalised = scores.find((s) => (s.Scores?.["job-anti-affinity"] ?? 0) < 0);
  assertEquals(penalised?.Scores?.["job-anti-affinity"], -2 / 10);
});

Deno.test("generic stack: penalty nodes, preferred nodes and affinities steer the choice", () => {
  const [a, b] = [mockNode({ Meta: { rack: "r1" } }), mockNode({ Meta: { rack: "r2" } })];
  const job = mockJob();
  const tg = job.TaskGroups![0]!;
  const { stack } = run(job, [a!, b!]);
  for (let i = 0; i < 5; i++) {
    const s = stack.select(tg, { allocName: "x", penaltyNodeIds: new Set([a!.ID]) });
    assertEquals(s?.node.ID, b!.ID);
    assertEquals(stack.select(tg, { allocName: "x", preferredNodes: [a!] })?.node.ID, a!.ID);
  }
  const affine = mockJob({
    Affinities: [{ LTarget: "${meta.rack}", Operand: "=", RTarget: "r1", Weight: 100 }],
  });
  const r = run(affine, [a!, b!]);
  assertEquals(r.place(1)[0]?.node.ID, a!.ID);
  assertEquals(r.stack.metrics.ScoreMetaData?.[0]?.Scores?.["node-affinity"], 1);
});

Deno.test("generic stack: the spread algorithm prefers the emptier node", () => {
  const busy = mockNode();
  const idle = mockNode();
  const state = new MockState([busy, idle]);
  state.config = { ...state.config, SchedulerAlgorithm: "spread" };
  const plan = new MockPlan(state);
  const other = mockJob({ ID: "other" });
  const res = {
    Tasks: {
      web: {
        Cpu: { CpuShares: 2000, ReservedCores: null },
        Memory: { MemoryMB: 4000, MemoryMaxMB: 0 },
        Networks: null,
        Devices: null,
      },
    },
    TaskLifecycles: {},
    Shared: { Networks: null, DiskMB: 0, Ports: null },
  };
  plan.place(mockAlloc(other, busy, res));
  const stack = newGenericStack(state, plan, mockContext(9), { batch: false });
  const job = mockJob();
  stack.setJob(job);
  stack.setNodes([busy, idle]);
  assertEquals(stack.select(job.TaskGroups![0]!, { allocName: "x" })?.node.ID, idle.ID);
});

Deno.test("system stack: takes the first node that fits and counts the pool", () => {
  const nodes = [mockNode(), mockNode(), mockNode({ Attributes: { "kernel.name": "darwin" } })];
  const job = mockJob({
    Type: "system",
    Constraints: [{ LTarget: "${attr.kernel.name}", Operand: "=", RTarget: "linux" }],
  });
  const state = new MockState(nodes);
  const plan = new MockPlan(state);
  const stack = newSystemStack(state, plan, mockContext(1));
  stack.setJob(job);
  const tg = job.TaskGroups![0]!;
  for (const n of nodes) {
    stack.setNodes([n]);
    const s = stack.select(tg, { allocName: "x" });
    if (n.Attributes?.["kernel.name"] === "linux") {
      assertEquals(s?.node.ID, n.ID);
      assert((s?.score ?? 0) > 0);
    } else {
      assertEquals(s, undefined);
      assertEquals(stack.metrics.ConstraintFiltered, { "${attr.kernel.name} = linux": 1 });
    }
    assertEquals(stack.metrics.NodesInPool, 3);
  }
});

Deno.test("generic stack: a plan view without node versions gives the same placements", () => {
  const nodes = Array.from({ length: 12 }, () => mockNode());
  const job = mockJob();
  const tg = job.TaskGroups![0]!;
  const pick = (versioned: boolean) => {
    const state = new MockState(nodes);
    const plan = versioned ? new MockPlan(state) : new PlainPlan(state);
    const stack = newGenericStack(state, plan, mockContext(11), { batch: false });
    stack.setJob(job);
    stack.setNodes(nodes);
    const out: string[] = [];
    for (let i = 0; i < 30; i++) {
      const s = stack.select(tg, { allocName: `example.web[${i}]` });
      if (s === undefined) break;
      plan.place(mockAlloc(job, s.node, s.resources));
      out.push(s.node.ID);
    }
    return out;
  };
  const versioned = pick(true);
  assertEquals(versioned.length, 30);
  assertEquals(pick(false), versioned);
});
