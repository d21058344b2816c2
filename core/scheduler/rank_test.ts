import { assert, assertEquals } from "../../tests/assert.ts";
import type { Node, TaskGroup } from "../structs/mod.ts";
import {
  mockAlloc,
  mockGroup,
  mockJob,
  mockNode,
  MockPlan,
  MockState,
  mockTask,
  seededRandom,
} from "./feasible_testing.ts";
import { allocatedResources, BinPacker, type RankedNode } from "./rank.ts";
import { MetricsRecorder } from "./rank_metrics.ts";
import { selectBest } from "./rank_select.ts";
import { UsageCache } from "./resources_usage.ts";

function packer(nodes: Node[], plan?: MockPlan) {
  const ctx = { metrics: new MetricsRecorder() };
  const p = plan ?? new MockPlan(new MockState(nodes));
  const bp = new BinPacker(ctx, new UsageCache(p), seededRandom(7));
  return { ctx, bp, plan: p };
}

function withResources(
  tg: TaskGroup,
  patch: Partial<NonNullable<TaskGroup["Tasks"]>[number]["Resources"] & object>,
) {
  const t = tg.Tasks![0]!;
  return { ...tg, Tasks: [{ ...t, Resources: { ...t.Resources!, ...patch } }] };
}

Deno.test("BinPacker.rank() scores the fit and gives each task its CPU and memory", () => {
  const node = mockNode();
  const { ctx, bp } = packer([node]);
  const tg = { ...mockGroup(), EphemeralDisk: { Sticky: false, Migrate: false, SizeMB: 150 } };
  bp.setGroup(tg);
  const r = bp.rank(node);
  assert(r !== null);
  const expected = (20 - (10 ** (1 - 500 / 3900) + 10 ** (1 - 256 / 7936))) / 18;
  assert(Math.abs((r.scores[0] ?? 0) - expected) < 1e-12);
  assertEquals(ctx.metrics.metric.NodesExhausted, 0);
  const res = allocatedResources(r, tg);
  assertEquals(res.Tasks?.web, {
    Cpu: { CpuShares: 500, ReservedCores: null },
    Memory: { MemoryMB: 256, MemoryMaxMB: 0 },
    Networks: null,
    Devices: null,
  });
  assertEquals(res.Shared, { Networks: null, DiskMB: 150, Ports: null });
});

Deno.test("BinPacker.rank() exhausts the node on the dimension that ran out", () => {
  const node = mockNode();
  const { ctx, bp } = packer([node]);
  bp.setGroup(withResources(mockGroup(), { MemoryMB: 9000 }));
  assertEquals(bp.rank(node), null);
  bp.setGroup(withResources(mockGroup(), { CPU: 4000 }));
  assertEquals(bp.rank(node), null);
  assertEquals(ctx.metrics.metric.DimensionExhausted, { memory: 1, cpu: 1 });
  assertEquals(ctx.metrics.metric.ClassExhausted, { "linux-medium-pci": 2 });
});

Deno.test("BinPacker.rank() reserves whole cores and charges their bandwidth", () => {
  const base = mockNode();
  const reserved = { ...base.ReservedResources!, Cpu: { CpuShares: 0, ReservedCpuCores: null } };
  const node = { ...base, ReservedResources: reserved };
  const { ctx, bp, plan } = packer([node]);
  const tg = withResources(mockGroup(), { Cores: 2, CPU: 0 });
  bp.setGroup(tg);
  const r = bp.rank(node);
  assert(r !== null);
  const res = allocatedResources(r, tg);
  assertEquals(res.Tasks?.web?.Cpu, { CpuShares: 2000, ReservedCores: [0, 1] });
  plan.place(mockAlloc(mockJob(), node, res));
  const second = bp.rank(node);
  assertEquals(allocatedResources(second!, tg).Tasks?.web?.Cpu.ReservedCores, [2, 3]);
  plan.place(mockAlloc(mockJob(), node, allocatedResources(second!, tg)));
  assertEquals(bp.rank(node), null);
  assertEquals(ctx.metrics.metric.DimensionExhausted, { cores: 1 });
});

Deno.test("BinPacker.rank() sets memory_max only with memory oversubscription", () => {
  const node = mockNode();
  const { bp } = packer([node]);
  const tg = withResources(mockGroup(), { MemoryMaxMB: 1024, SecretsMB: 10 });
  bp.setGroup(tg);
  assertEquals(allocatedResources(bp.rank(node)!, tg).Tasks?.web?.Memory, {
    MemoryMB: 266,
    MemoryMaxMB: 0,
  });
  bp.configure("binpack", true);
  assertEquals(allocatedResources(bp.rank(node)!, tg).Tasks?.web?.Memory, {
    MemoryMB: 266,
    MemoryMaxMB: 1034,
  });
});

Deno.test("BinPacker.rank() places a legacy task network like seed 004's redis", () => {
  const node = mockNode();
  const { bp } = packer([node]);
  const dyn = { Label: "db", Value: 0, To: 0, HostNetwork: "", IgnoreCollision: false };
  const net = {
    Mode: "",
    Device: "",
    CIDR: "",
    IP: "",
    DNS: null,
    ReservedPorts: null,
    DynamicPorts: [dyn],
    Hostname: "",
    MBits: 10,
    CNI: null,
  };
  const tg = mockGroup("cache", { Tasks: [mockTask("redis")] });
  const tgNet = withResources(tg, { Networks: [net] });
  bp.setGroup(tgNet);
  const nw = allocatedResources(bp.rank(node)!, tgNet).Tasks?.redis?.Networks?.[0];
  assertEquals(nw?.IP, node.NodeResources?.Networks?.[0]?.IP);
  assertEquals(nw?.MBits, 10);
  assertEquals(nw?.Device, "eth0");
  const value = nw?.DynamicPorts?.[0]?.Value ?? 0;
  assert(value >= 20000 && value < 32000, `dynamic port ${value}`);
});

Deno.test("BinPacker.rank() marks a node whose allocations collide as exhausted", () => {
  const node = mockNode();
  const state = new MockState([node]);
  const plan = new MockPlan(state);
  const ip = node.NodeResources?.Networks?.[0]?.IP ?? "";
  const port = { Label: "x", Value: 22, To: 0, HostIP: ip, IgnoreCollision: false };
  plan.place(mockAlloc(mockJob(), node, {
    Tasks: {},
    TaskLifecycles: {},
    Shared: { Networks: null, DiskMB: 0, Ports: [port] },
  }));
  const { ctx, bp } = packer([node], plan);
  bp.setGroup(mockGroup());
  assertEquals(bp.rank(node), null);
  assertEquals(ctx.metrics.metric.DimensionExhausted, { "network: port collision": 1 });
});

function ranked(id: string, score: number): RankedNode {
  const node = mockNode({ ID: id });
  const usage = new UsageCache(new MockPlan(new MockState([node]))).usage(node);
  return {
    node,
    usage,
    scores: [score],
    finalScore: score,
    tasks: [],
    groupAsk: null,
    ports: null,
  };
}

function feed(list: RankedNode[]) {
  let i = 0;
  const pulled: string[] = [];
  const next = () => {
    const r = list[i++] ?? null;
    if (r !== null) pulled.push(r.node.ID);
    return r;
  };
  return { next, pulled };
}

Deno.test("selectBest() looks at `limit` nodes and keeps the first of equal scores", () => {
  const { next, pulled } = feed([
    ranked("a", 0.5),
    ranked("b", 0.7),
    ranked("c", 0.7),
    ranked("d", 0.9),
  ]);
  assertEquals(selectBest(next, 3)?.node.ID, "b");
  assertEquals(pulled, ["a", "b", "c"]);
});

Deno.test("selectBest() skips up to three non-positive scores while others remain", () => {
  const list = [ranked("a", -0.5), ranked("b", 0), ranked("c", 0.2), ranked("d", 0.1)];
  const { next, pulled } = feed(list);
  assertEquals(selectBest(next, 2)?.node.ID, "c");
  assertEquals(pulled, ["a", "b", "c", "d"]);
  const only = feed([ranked("a", -0.5), ranked("b", -0.2)]);
  assertEquals(
    selectBest(only.next, 2)?.node.ID,
    "b",
    "skipped nodes are used when nothing else is left",
  );
});

Deno.test("MetricsRecorder keeps the five best normalized scores, best first", () => {
  const m = new MetricsRecorder();
  const scores = [0.3, 0.9, 0.1, 0.5, 0.7, 0.2, 0.8];
  scores.forEach((s, i) => {
    const node = mockNode({ ID: `n${i}` });
    m.scoreNode(node, "binpack", s);
    m.scoreNode(node, "normalized-score", s);
  });
  m.populateScoreMetaData();
  const meta = m.metric.ScoreMetaData ?? [];
  assertEquals(meta.map((x) => x.NormScore), [0.9, 0.8, 0.7, 0.5, 0.3]);
  assertEquals(meta[0], { NodeID: "n1", Scores: { binpack: 0.9 }, NormScore: 0.9 });
});
