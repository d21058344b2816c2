import { assert, assertEquals } from "../../tests/assert.ts";
import {
  type AllocatedResources,
  type Allocation,
  type Job,
  type PlanAnnotations,
  SchedulerConfigurationSpec,
  zero,
} from "../structs/mod.ts";
import { MemState, mockAlloc, mockEval, mockJob, mockNode, NOW } from "./_testing.ts";
import { PlanBuilder } from "./plan_builder.ts";
import {
  annotatePreemptions,
  preemptionAsk,
  preemptionEnabled,
  preemptionScore,
  type Preemptor,
  selectPreemptions,
} from "./preemption.ts";
import { emptyDesiredUpdates } from "./reconcile_types.ts";
import { computeUsage } from "./resources_usage.ts";

const NODE = mockNode(0);

function resources(cpu: number, memory = 256, ports: number[] = []): AllocatedResources {
  return {
    Tasks: {
      web: {
        Cpu: { CpuShares: cpu, ReservedCores: null },
        Memory: { MemoryMB: memory, MemoryMaxMB: 0 },
        Networks: null,
        Devices: null,
      },
    },
    TaskLifecycles: null,
    Shared: {
      Networks: null,
      DiskMB: 0,
      Ports: ports.length === 0 ? null : ports.map((p) => ({
        Label: `p${p}`,
        Value: p,
        To: 0,
        HostIP: "10.0.0.0",
        IgnoreCollision: false,
      })),
    },
  };
}

/** A running allocation of job `id` (priority `priority`) using `cpu` MHz on the node. */
function running(
  id: string,
  priority: number,
  cpu: number,
  patch: Partial<Allocation> = {},
  group: Parameters<typeof mockJob>[1] = {},
): Allocation {
  const job = mockJob({ ID: id, Name: id, Priority: priority }, group);
  return mockAlloc(job, 0, NODE.ID, {
    ID: `${id}-alloc`,
    AllocatedResources: resources(cpu),
    ...patch,
  });
}

function preemptor(priority: number, counts: Record<string, number> = {}): Preemptor {
  return {
    priority,
    namespace: "default",
    jobId: "sys",
    preemptedCount: (_ns, id, group) => counts[`${id}/${group}`] ?? 0,
  };
}

const ask = (cpu: number, ports: number[] = []) => ({ cpu, memory: 0, disk: 0, cores: 0, ports });
const ids = (list: readonly Allocation[] | null) => list?.map((a) => a.ID).sort() ?? null;

Deno.test("selectPreemptions() takes the smallest allocation that covers the shortfall", () => {
  // 4000 MHz: 1500 + 1000 + 600 used, 900 free; 1500 asked, so 600 are missing.
  const allocs = [running("a", 20, 1500), running("b", 20, 1000), running("c", 20, 600)];
  const chosen = selectPreemptions(computeUsage(NODE, allocs), ask(1500), preemptor(70));
  assertEquals(ids(chosen), ["c-alloc"]);
  const exact = selectPreemptions(computeUsage(NODE, allocs), ask(2400), preemptor(70));
  assertEquals(ids(exact), ["a-alloc"], "1500 missing: one allocation of 1500");
  const two = selectPreemptions(computeUsage(NODE, allocs), ask(2600), preemptor(70));
  assertEquals(ids(two), ["a-alloc", "c-alloc"], "1700 missing: 1500 + 600, not 1500 + 1000");
});

Deno.test("selectPreemptions() prefers lower priorities and spares what is not needed", () => {
  const allocs = [running("low", 10, 1500), running("mid", 40, 600), running("top", 55, 1000)];
  // 900 free, 1500 asked: the priority-10 allocation goes although the priority-40 one is closer.
  assertEquals(
    ids(selectPreemptions(computeUsage(NODE, allocs), ask(1500), preemptor(70))),
    ["low-alloc"],
  );
  // 2900 asked: the priority-10 allocation is not enough; the priority-40 one joins it.
  assertEquals(
    ids(selectPreemptions(computeUsage(NODE, allocs), ask(2900), preemptor(70))),
    ["low-alloc", "mid-alloc"],
  );
});

Deno.test("selectPreemptions() only preempts jobs at least 10 priorities lower", () => {
  const allocs = [running("svc", 50, 3800)];
  const usage = computeUsage(NODE, allocs);
  assertEquals(selectPreemptions(usage, ask(500), preemptor(59)), null, "a gap of 9");
  assertEquals(ids(selectPreemptions(usage, ask(500), preemptor(60))), ["svc-alloc"], "of 10");
  const own = [running("sys", 10, 3800)];
  assertEquals(
    selectPreemptions(computeUsage(NODE, own), ask(500), preemptor(70)),
    null,
    "never the placing job's own allocations",
  );
  const stopped = [running("svc", 10, 3800, { DesiredStatus: "stop" })];
  assertEquals(
    selectPreemptions(computeUsage(NODE, stopped), ask(500), preemptor(70)),
    null,
    "nor allocations already stopped",
  );
});

Deno.test("selectPreemptions() gives up when evicting every candidate would not be enough", () => {
  // 1000 preemptible + 2900 of a priority-65 job: at most 1100 can be freed for a 1500 ask.
  const allocs = [running("low", 20, 1000), running("high", 65, 2900)];
  assertEquals(selectPreemptions(computeUsage(NODE, allocs), ask(1500), preemptor(70)), null);
});

Deno.test("selectPreemptions() frees an allocation slot on a node at its allocation limit", () => {
  const node = mockNode(0, { NodeMaxAllocs: 3 });
  const allocs = [running("big", 20, 1000), running("small", 20, 100), running("b", 10, 100)];
  const chosen = selectPreemptions(computeUsage(node, allocs), ask(100), preemptor(70));
  assertEquals(ids(chosen), ["b-alloc"], "one slot, from the lowest priority");
  const level = [running("big", 20, 1000), running("small", 20, 100), running("c", 30, 100)];
  const tie = selectPreemptions(computeUsage(node, level), ask(100), preemptor(70));
  assertEquals(ids(tie), ["small-alloc"], "among equals, the smaller allocation");
});

Deno.test("selectPreemptions() evicts the holders of the static ports asked for", () => {
  const allocs = [
    running("web", 20, 100, { AllocatedResources: resources(100, 256, [8080]) }),
    running("other", 20, 100),
  ];
  const chosen = selectPreemptions(computeUsage(NODE, allocs), ask(100, [8080]), preemptor(70));
  assertEquals(ids(chosen), ["web-alloc"], "resources fit; the port does not");
});

Deno.test("selectPreemptions() avoids groups already preempted up to migrate.max_parallel", () => {
  const migrate = {
    MaxParallel: 1,
    HealthCheck: null,
    MinHealthyTime: null,
    HealthyDeadline: null,
  };
  const allocs = [running("a", 20, 600, {}, { Migrate: migrate }), running("b", 20, 600)];
  const usage = computeUsage(NODE, allocs);
  // 2800 free, 3400 asked: either allocation would do.
  assertEquals(ids(selectPreemptions(usage, ask(3400), preemptor(70))), ["a-alloc"]);
  const busy = preemptor(70, { "a/web": 1 });
  assertEquals(ids(selectPreemptions(usage, ask(3400), busy)), ["b-alloc"]);
});

Deno.test("preemptionAsk() flattens the group as the bin packer does", () => {
  const job = mockJob({}, { EphemeralDisk: { Sticky: false, Migrate: false, SizeMB: 300 } });
  const tg = job.TaskGroups![0]!;
  const task = tg.Tasks![0]!;
  tg.Tasks = [
    task,
    { ...task, Name: "init", Lifecycle: { Hook: "prestart", Sidecar: false } },
    { ...task, Name: "pinned", Resources: { ...task.Resources!, Cores: 2 } },
  ];
  assertEquals(preemptionAsk(tg, 1000), {
    cpu: 2500,
    memory: 512,
    disk: 300,
    cores: 2,
    ports: [],
  });
});

Deno.test("preemptionEnabled() follows the scheduler configuration per job type", () => {
  const config = zero(SchedulerConfigurationSpec);
  config.PreemptionConfig.SystemSchedulerEnabled = true;
  config.PreemptionConfig.BatchSchedulerEnabled = true;
  assertEquals(
    ["system", "sysbatch", "batch", "service"].map((t) => preemptionEnabled(config, t)),
    [true, false, true, false],
  );
  assertEquals(preemptionEnabled(null, "service"), true, "no configuration: Nomad's default");
});

Deno.test("preemptionScore() is lower for higher preempted priorities", () => {
  const of = (...priorities: number[]) =>
    preemptionScore(priorities.map((p) => running(`j${p}`, p, 100)));
  assert(of(20) > of(60));
  assert(of(20) > of(20, 20, 20), "more allocations, lower score");
  assert(Math.abs(of(2046, 2046) - 0.5) < 1e-9, "0.5 at a net priority of 2048");
});

Deno.test("PlanBuilder.appendPreemptions() evicts, links and counts; annotations list them", () => {
  const state = new MemState();
  state.upsertNode(NODE);
  const victim = running("svc", 50, 3800);
  state.upsertAllocs(victim);
  const job: Job = state.upsertJob(mockJob({ ID: "sys", Type: "system", Priority: 70 }));
  const plan = new PlanBuilder(state, mockEval(job), job, NOW);
  const placed = mockAlloc(job, 0, NODE.ID, { ID: "new" });
  plan.appendPreemptions(placed, [state.alloc(victim.ID)!]);
  plan.appendAlloc(placed, null);
  const evicted = plan.plan.NodePreemptions[NODE.ID]![0]!;
  assertEquals(
    [evicted.DesiredStatus, evicted.DesiredDescription, evicted.PreemptedByAllocation],
    ["evict", "Preempted by alloc ID new", "new"],
  );
  assertEquals(placed.PreemptedAllocations, [victim.ID]);
  assertEquals(plan.preemptedCount("default", "svc", "web"), 1);
  assertEquals(plan.proposedAllocs(NODE.ID).map((a) => a.ID), ["new"], "the victim is gone");
  const annotations: PlanAnnotations = {
    DesiredTGUpdates: { web: emptyDesiredUpdates() },
    PreemptedAllocs: null,
  };
  annotatePreemptions(state, plan.plan, annotations);
  assertEquals(annotations.PreemptedAllocs?.map((a) => [a.ID, a.Job?.Type]), [
    [victim.ID, "service"],
  ]);
  assertEquals(annotations.DesiredTGUpdates?.["web"]?.Preemptions, 1);
});
