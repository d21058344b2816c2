import { assert, assertEquals } from "../../tests/assert.ts";
import type { AllocatedResources, AllocatedTaskResources, Allocation } from "../structs/mod.ts";
import {
  mockAlloc,
  mockJob,
  mockNode,
  MockPlan,
  MockState,
  PlainPlan,
} from "./feasible_testing.ts";
import {
  allocsFit,
  comparable,
  nodeCapacity,
  scoreFitBinPack,
  scoreFitSpread,
} from "./resources.ts";
import { countQuery, UsageCache } from "./resources_usage.ts";

function task(cpu: number, memory: number, cores: number[] | null = null): AllocatedTaskResources {
  return {
    Cpu: { CpuShares: cpu, ReservedCores: cores },
    Memory: { MemoryMB: memory, MemoryMaxMB: 0 },
    Networks: null,
    Devices: null,
  };
}

function resources(
  tasks: Record<string, AllocatedTaskResources>,
  lifecycles: AllocatedResources["TaskLifecycles"] = {},
  disk = 0,
): AllocatedResources {
  return {
    Tasks: tasks,
    TaskLifecycles: lifecycles,
    Shared: { Networks: null, DiskMB: disk, Ports: null },
  };
}

Deno.test("comparable() takes the peak of the prestart, main and poststop tasks", () => {
  const c = comparable(resources(
    { init: task(1000, 100), main: task(300, 200), side: task(100, 50), post: task(50, 900) },
    {
      init: { Hook: "prestart", Sidecar: false },
      side: { Hook: "prestart", Sidecar: true },
      post: { Hook: "poststop", Sidecar: false },
    },
    150,
  ));
  // prestart = init + side = 1100 MHz / 150 MB; main = main + side = 400 / 250; poststop = 50 / 900
  assertEquals(c, { cpu: 1100, memory: 900, disk: 150, cores: [] });
});

Deno.test("comparable() always counts tasks with reserved cores", () => {
  const c = comparable(resources(
    { pinned: task(2000, 100, [0, 1]), init: task(500, 10) },
    { init: { Hook: "prestart", Sidecar: false } },
  ));
  assertEquals(c, { cpu: 2500, memory: 100, disk: 0, cores: [0, 1] });
  assertEquals(comparable(null), { cpu: 0, memory: 0, disk: 0, cores: [] });
});

Deno.test("nodeCapacity() subtracts what the operator reserved", () => {
  const cap = nodeCapacity(mockNode());
  assertEquals([cap.cpu, cap.memory, cap.disk, cap.coreMhz], [3900, 7936, 98304, 1000]);
  assertEquals([...(cap.cores ?? [])], [0, 1, 2, 3]);
});

function alloc(res: AllocatedResources, patch: Partial<Allocation> = {}): Allocation {
  return { ...mockAlloc(mockJob(), mockNode(), res), ...patch };
}

Deno.test("allocsFit() names the first exhausted dimension in Nomad's order", () => {
  const node = mockNode();
  const fit = (tasks: Record<string, AllocatedTaskResources>, disk = 0) =>
    allocsFit(node, [alloc(resources(tasks, {}, disk))]).dimension;
  assertEquals(fit({ a: task(3900, 7936) }, 98304), "");
  assertEquals(fit({ a: task(3901, 99999) }), "cpu");
  assertEquals(fit({ a: task(100, 7937) }), "memory");
  assertEquals(fit({ a: task(100, 100) }, 98305), "disk");
  assertEquals(fit({ a: task(100, 100, [7]) }), "cores");
  const twice = alloc(resources({ a: task(100, 100, [1]) }));
  assertEquals(allocsFit(node, [twice, { ...twice, ID: "other" }]).dimension, "cores");
  const limited = { ...mockNode(), NodeMaxAllocs: 1 };
  assertEquals(allocsFit(limited, [twice, twice]).dimension, "max allocation exceeded");
});

Deno.test("allocsFit() ignores allocations the client finished", () => {
  const node = mockNode();
  const big = alloc(resources({ a: task(3000, 100) }));
  assert(!allocsFit(node, [big, big]).fit);
  assert(allocsFit(node, [big, { ...big, ClientStatus: "failed" }]).fit);
});

Deno.test("scoreFitBinPack() and scoreFitSpread() mirror each other over [0, 18]", () => {
  const cap = nodeCapacity(mockNode());
  const empty = { cpu: 0, memory: 0, disk: 0 };
  const full = { cpu: cap.cpu, memory: cap.memory, disk: 0 };
  const half = { cpu: cap.cpu / 2, memory: cap.memory / 2, disk: 0 };
  assertEquals(scoreFitBinPack(cap, empty), 0);
  assertEquals(scoreFitBinPack(cap, full), 18);
  assertEquals(scoreFitSpread(cap, empty), 18);
  assertEquals(scoreFitSpread(cap, full), 0);
  const expected = 20 - 2 * Math.sqrt(10);
  assert(Math.abs(scoreFitBinPack(cap, half) - expected) < 1e-9);
  assert(Math.abs(scoreFitSpread(cap, half) - (2 * Math.sqrt(10) - 2)) < 1e-9);
});

Deno.test("UsageCache.usage() recomputes a node only when its plan version changes", () => {
  const node = mockNode();
  const state = new MockState([node]);
  const plan = new MockPlan(state);
  const cache = new UsageCache(plan);
  const first = cache.usage(node);
  assertEquals(first.count, 0);
  assert(cache.usage(node) === first, "unchanged node reuses its usage");
  plan.place(mockAlloc(mockJob(), node, resources({ web: task(500, 256) })));
  const second = cache.usage(node);
  assertEquals([second.count, second.util.cpu, second.util.memory], [1, 500, 256]);
});

Deno.test("UsageCache.usage() compares proposed lists when the plan has no versions", () => {
  const node = mockNode();
  const job = mockJob();
  const state = new MockState([node]);
  const plan = new PlainPlan(state);
  const cache = new UsageCache(plan);
  const first = cache.usage(node);
  assert(cache.usage(node) === first);
  plan.place(mockAlloc(job, node, resources({ web: task(500, 256) })));
  assertEquals(cache.usage(node).util.cpu, 500);
  assertEquals(cache.count(node, countQuery("group", "", job.ID ?? "", "web")), 1);
  assertEquals(cache.count(node, countQuery("live-job", "default", job.ID ?? "", "")), 1);
  assertEquals(cache.count(node, countQuery("job", "other-namespace", job.ID ?? "", "")), 0);
});
