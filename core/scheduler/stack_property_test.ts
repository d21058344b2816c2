/**
 * Property tests of the placement stacks over random clusters, jobs and existing allocations
 * (seeded): a selection never overcommits a node or a port, never breaks a constraint, is the
 * same for the same seed, and a failed placement accounts for every node it looked at.
 */
import { assert, assertEquals } from "../../tests/assert.ts";
import type { Allocation, Constraint, Job, Node, Port, TaskGroup } from "../structs/mod.ts";
import { meetsConstraint } from "./constraints.ts";
import {
  mockAlloc,
  mockContext,
  mockGroup,
  mockJob,
  mockNode,
  MockPlan,
  MockState,
  mockTask,
  seededRandom,
} from "./feasible_testing.ts";
import { parsePortRanges } from "./network.ts";
import { allocsFit } from "./resources.ts";
import { isClientTerminal } from "./util.ts";
import { newGenericStack, nodeReady, readyNodesInDCsAndPool } from "./stack.ts";

type Rng = () => number;
const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

function randomNode(r: Rng): Node {
  const n = mockNode({
    Datacenter: pick(r, ["dc1", "dc1", "dc2", "eu1"]),
    Meta: { rack: `r${int(r, 1, 5)}` },
    NodeClass: pick(r, ["", "small", "large"]),
    NodeMaxAllocs: r() < 0.1 ? int(r, 1, 3) : 0,
  });
  if (r() < 0.1) n.Status = "down";
  if (r() < 0.05) n.SchedulingEligibility = "ineligible";
  n.Attributes = { ...n.Attributes, "kernel.name": r() < 0.8 ? "linux" : "windows" };
  const res = n.NodeResources!;
  const small = r() < 0.2;
  n.NodeResources = {
    ...res,
    Cpu: { ...res.Cpu, CpuShares: int(r, 500, 8000) },
    Memory: { MemoryMB: int(r, 512, 16384) },
    Disk: { DiskMB: int(r, 4200, 24000) },
    MinDynamicPort: small ? 20000 : 0,
    MaxDynamicPort: small ? 20000 + int(r, 0, 4) : 0,
  };
  n.ReservedResources = {
    ...n.ReservedResources!,
    Networks: { ReservedHostPorts: pick(r, ["22", "22,8080", "", "8000-8090"]) },
  };
  return n;
}

function port(label: string, value: number): Port {
  return {
    Label: label,
    Value: value,
    To: value === 0 ? -1 : 0,
    HostNetwork: "",
    IgnoreCollision: false,
  };
}

function randomGroup(r: Rng, name: string): TaskGroup {
  const tasks = Array.from({ length: int(r, 1, 2) }, (_, i) => {
    const t = mockTask(`${name}-t${i}`);
    t.Resources = { ...t.Resources!, CPU: int(r, 50, 1500), MemoryMB: int(r, 32, 2048) };
    if (i > 0 && r() < 0.5) t.Lifecycle = { Hook: "prestart", Sidecar: r() < 0.5 };
    return t;
  });
  const constraints: Constraint[] = [];
  if (r() < 0.5) {
    constraints.push({ LTarget: "${meta.rack}", Operand: "set_contains_any", RTarget: "r1,r2,r3" });
  }
  if (r() < 0.2) constraints.push({ LTarget: "", Operand: "distinct_hosts", RTarget: "" });
  const g = mockGroup(name, {
    Count: int(r, 1, 40),
    Tasks: tasks,
    Constraints: constraints.length > 0 ? constraints : null,
    EphemeralDisk: { Sticky: false, Migrate: false, SizeMB: int(r, 0, 500) },
  });
  const statics = [8080, 8081, 9000].filter(() => r() < 0.3).map((v) => port(`s${v}`, v));
  const dynamics = Array.from({ length: int(r, 0, 3) }, (_, i) => port(`d${i}`, 0));
  if (statics.length + dynamics.length > 0 || r() < 0.3) {
    g.Networks = [{
      Mode: "host",
      Device: "",
      CIDR: "",
      IP: "",
      DNS: null,
      ReservedPorts: statics.length > 0 ? statics : null,
      DynamicPorts: dynamics.length > 0 ? dynamics : null,
      Hostname: "",
      MBits: null,
      CNI: null,
    }];
  }
  if (r() < 0.2) {
    g.Spreads = [{ Attribute: "${meta.rack}", Weight: 50, SpreadTarget: null }];
  }
  if (r() < 0.2) {
    g.Affinities = [{ LTarget: "${node.datacenter}", Operand: "=", RTarget: "dc2", Weight: 50 }];
  }
  return g;
}

function randomJob(r: Rng): Job {
  return mockJob({
    Type: r() < 0.7 ? "service" : "batch",
    Datacenters: pick(r, [["dc1"], ["dc*"], ["*"], ["dc2", "eu1"]]),
    Constraints: r() < 0.5
      ? [{ LTarget: "${attr.kernel.name}", Operand: "=", RTarget: "linux" }]
      : null,
    TaskGroups: Array.from({ length: int(r, 1, 2) }, (_, i) => randomGroup(r, `g${i}`)),
  });
}

/** Existing allocations of another job that fit their nodes, some holding port 9000. */
function existingAllocs(r: Rng, nodes: Node[]): Allocation[] {
  const other = mockJob({ ID: "other" });
  const out: Allocation[] = [];
  for (const node of nodes) {
    if (r() < 0.5) continue;
    const ip = node.NodeResources?.Networks?.[0]?.IP ?? "";
    const a = mockAlloc(other, node, {
      Tasks: {
        t: {
          Cpu: { CpuShares: int(r, 0, 400), ReservedCores: null },
          Memory: { MemoryMB: int(r, 0, 400), MemoryMaxMB: 0 },
          Networks: null,
          Devices: null,
        },
      },
      TaskLifecycles: {},
      Shared: {
        Networks: null,
        DiskMB: 0,
        Ports: r() < 0.5
          ? [{ Label: "p", Value: 9000, To: 0, HostIP: ip, IgnoreCollision: false }]
          : null,
      },
    });
    if (allocsFit(node, [a]).fit && node.NodeMaxAllocs !== 1) out.push(a);
  }
  return out;
}

interface Outcome {
  trace: string[];
  plan: MockPlan;
  state: MockState;
  job: Job;
}

function simulate(seed: number): Outcome {
  const r = seededRandom(seed);
  const nodes = Array.from({ length: int(r, 3, 30) }, () => randomNode(r));
  const state = new MockState(nodes, existingAllocs(r, nodes));
  const job = randomJob(r);
  const plan = new MockPlan(state);
  const stack = newGenericStack(state, plan, mockContext(seed), { batch: job.Type === "batch" });
  stack.setJob(job);
  const ready = readyNodesInDCsAndPool(state, job);
  stack.setNodes(ready.nodes);
  const candidates = new Set(ready.nodes.map((n) => n.ID));
  const trace: string[] = [];
  for (const tg of job.TaskGroups ?? []) {
    for (let i = 0; i < (tg.Count ?? 0); i++) {
      const s = stack.select(tg, { allocName: `${job.ID}.${tg.Name}[${i}]` });
      if (s === undefined) {
        const m = stack.metrics;
        assertEquals(
          m.NodesEvaluated,
          m.NodesFiltered + m.NodesExhausted,
          `seed ${seed}: every node accounted for`,
        );
        const dims = Object.values(m.DimensionExhausted ?? {}).reduce((a, b) => a + b, 0);
        assertEquals(dims, m.NodesExhausted, `seed ${seed}: every exhausted node has a dimension`);
        trace.push(`fail ${tg.Name} ${JSON.stringify(m.DimensionExhausted)}`);
        break;
      }
      assert(candidates.has(s.node.ID) && nodeReady(s.node), `seed ${seed}: candidate node`);
      const constraints = [...(job.Constraints ?? []), ...(tg.Constraints ?? [])];
      for (const c of constraints) assert(meetsConstraint(c, s.node), `seed ${seed}: ${c.LTarget}`);
      if ((tg.Constraints ?? []).some((c) => c.Operand === "distinct_hosts")) {
        const same = plan.proposedAllocs(s.node.ID).filter((a) =>
          a.JobID === job.ID && a.TaskGroup === tg.Name
        );
        assertEquals(same.length, 0, `seed ${seed}: distinct_hosts`);
      }
      plan.place(mockAlloc(job, s.node, s.resources, tg.Name ?? ""));
      const ports = (s.resources.Shared.Ports ?? []).map((p) => `${p.Label}=${p.Value}`);
      trace.push(`${nodes.indexOf(s.node)} ${ports.join(",")} ${s.score.toFixed(6)}`);
    }
  }
  return { trace, plan, state, job };
}

/** CPU and memory at the peak of an allocation, computed independently of resources.ts. */
function peak(a: Allocation): [number, number, number] {
  const sets: Record<string, [number, number]> = { pre: [0, 0], main: [0, 0], stop: [0, 0] };
  for (const [name, t] of Object.entries(a.AllocatedResources?.Tasks ?? {})) {
    const lc = a.AllocatedResources?.TaskLifecycles?.[name];
    const into = lc === undefined ? ["main"] : lc.Sidecar ? ["pre", "main"] : ["pre"];
    for (const k of into) {
      sets[k]![0] += t.Cpu.CpuShares;
      sets[k]![1] += t.Memory.MemoryMB;
    }
  }
  const all = Object.values(sets);
  return [
    Math.max(...all.map((x) => x[0])),
    Math.max(...all.map((x) => x[1])),
    a.AllocatedResources?.Shared.DiskMB ?? 0,
  ];
}

function assertNoOvercommit(seed: number, { plan, state }: Outcome): void {
  for (const node of state.nodes()) {
    const proposed = plan.proposedAllocs(node.ID);
    const fit = allocsFit(node, proposed);
    assert(fit.fit, `seed ${seed}: node ${node.ID} overcommitted on ${fit.dimension}`);
    const res = node.NodeResources!;
    const rsv = node.ReservedResources!;
    const total = proposed.filter((a) => !isClientTerminal(a)).map(peak).reduce(
      (acc, p) => [acc[0] + p[0], acc[1] + p[1], acc[2] + p[2]],
      [0, 0, 0],
    );
    assert(total[0] <= res.Cpu.CpuShares - rsv.Cpu.CpuShares, `seed ${seed}: cpu on ${node.ID}`);
    assert(
      total[1] <= res.Memory.MemoryMB - rsv.Memory.MemoryMB,
      `seed ${seed}: memory on ${node.ID}`,
    );
    assert(total[2] <= res.Disk.DiskMB - rsv.Disk.DiskMB, `seed ${seed}: disk on ${node.ID}`);
    if (node.NodeMaxAllocs > 0) {
      assert(proposed.length <= node.NodeMaxAllocs, `seed ${seed}: max allocs`);
    }
    const reserved = new Set(
      parsePortRanges(node.ReservedResources?.Networks.ReservedHostPorts ?? ""),
    );
    const [min, max] = [res.MinDynamicPort || 20000, res.MaxDynamicPort || 32000];
    const used = new Set<string>();
    for (const a of proposed) {
      if (isClientTerminal(a)) continue;
      for (const p of a.AllocatedResources?.Shared.Ports ?? []) {
        const key = `${p.HostIP}:${p.Value}`;
        assert(!used.has(key), `seed ${seed}: port ${key} given twice on ${node.ID}`);
        assert(
          !reserved.has(p.Value),
          `seed ${seed}: reserved port ${p.Value} given on ${node.ID}`,
        );
        if (p.Label.startsWith("d")) {
          assert(p.Value >= min && p.Value <= max, `seed ${seed}: dynamic ${p.Value}`);
        }
        used.add(key);
      }
    }
  }
}

Deno.test("generic stack never overcommits resources or ports and keeps constraints", () => {
  let placements = 0;
  let failures = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const outcome = simulate(seed);
    assertNoOvercommit(seed, outcome);
    placements += outcome.trace.filter((t) => !t.startsWith("fail")).length;
    failures += outcome.trace.length - outcome.trace.filter((t) => !t.startsWith("fail")).length;
  }
  assert(placements > 500, `the random cases place enough (${placements})`);
  assert(failures > 10, `the random cases also run out of room (${failures})`);
});

Deno.test("generic stack places the same way for the same seed", () => {
  for (let seed = 1; seed <= 40; seed++) {
    assertEquals(simulate(seed).trace, simulate(seed).trace, `seed ${seed}`);
  }
  assert(simulate(1).trace.join() !== simulate(2).trace.join());
});

Deno.test("generic stack names the dimension that ran out when nothing fits", () => {
  const cases: Array<[string, (n: Node) => Node]> = [
    [
      "cpu",
      (n) => ({
        ...n,
        NodeResources: { ...n.NodeResources!, Cpu: { ...n.NodeResources!.Cpu, CpuShares: 300 } },
      }),
    ],
    [
      "memory",
      (n) => ({ ...n, NodeResources: { ...n.NodeResources!, Memory: { MemoryMB: 400 } } }),
    ],
    ["disk", (n) => ({ ...n, NodeResources: { ...n.NodeResources!, Disk: { DiskMB: 4200 } } })],
    ["network: reserved port collision s8080=8080", (n) => ({
      ...n,
      ReservedResources: { ...n.ReservedResources!, Networks: { ReservedHostPorts: "8080" } },
    })],
  ];
  const r = seededRandom(5);
  for (const [dimension, shrink] of cases) {
    const nodes = Array.from({ length: int(r, 2, 12) }, () => shrink(mockNode()));
    const job = mockJob();
    const tg = job.TaskGroups![0]!;
    tg.Networks = [{
      Mode: "host",
      Device: "",
      CIDR: "",
      IP: "",
      DNS: null,
      ReservedPorts: [port("s8080", 8080)],
      DynamicPorts: null,
      Hostname: "",
      MBits: null,
      CNI: null,
    }];
    const state = new MockState(nodes);
    const stack = newGenericStack(state, new MockPlan(state), mockContext(1), { batch: false });
    stack.setJob(job);
    stack.setNodes(nodes);
    assertEquals(stack.select(tg, { allocName: "x" }), undefined);
    assertEquals(stack.metrics.DimensionExhausted, { [dimension]: nodes.length }, dimension);
  }
});
