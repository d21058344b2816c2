/**
 * Test helpers for the schedulers: an in-memory {@link SchedulerState} that jobs, nodes and
 * allocations are registered into and plans are applied to (as the plan applier and state store
 * would), mock nodes, jobs, allocations and evaluations, and a seeded context. The first-fit
 * stack is in `_first_fit_testing.ts`.
 *
 * @module
 */
import {
  type AllocatedResources,
  type Allocation,
  AllocationSpec,
  canonicalize,
  type Deployment,
  type Evaluation,
  EvaluationSpec,
  type Job,
  JobSpec,
  type Node,
  NodeSpec,
  type SchedulerConfiguration,
  SchedulerConfigurationSpec,
  type TaskGroup,
  TaskGroupSpec,
  TaskSpec,
  zero,
} from "../structs/mod.ts";
import type { Plan, ScheduleContext, SchedulerState } from "./types.ts";

/** Now in the tests: 2023-11-14T22:13:20Z, in Unix nanoseconds. */
export const NOW = 1_700_000_000_000_000_000;

/** A seeded random source in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A context with a seeded random source and sequential IDs. */
export function testContext(seed = 1, now = NOW): ScheduleContext {
  let n = 0;
  return {
    now,
    random: seededRandom(seed),
    newId: () =>
      `${seed.toString(16).padStart(8, "0")}-0000-4000-8000-${
        (++n).toString(16).padStart(12, "0")
      }`,
  };
}

/** A ready node like Nomad's mock: 4000 MHz, 8 GiB, the exec driver. */
export function mockNode(i: number, patch: Partial<Node> = {}): Node {
  const ip = `10.0.${(i >> 8) & 255}.${i & 255}`;
  const node: Node = {
    ...zero(NodeSpec),
    ID: `node-${i.toString().padStart(5, "0")}`,
    Name: `node-${i}`,
    Datacenter: "dc1",
    NodeClass: "linux",
    NodePool: "default",
    ComputedClass: "",
    Status: "ready",
    SchedulingEligibility: "eligible",
    Attributes: { "kernel.name": "linux", "driver.exec": "1", "unique.hostname": `host-${i}` },
    Meta: {},
    Drivers: {
      exec: {
        Attributes: null,
        Detected: true,
        Healthy: true,
        HealthDescription: "",
        UpdateTime: "0001-01-01T00:00:00Z",
      },
    },
    NodeResources: {
      Cpu: { CpuShares: 4000, TotalCpuCores: 4, ReservableCpuCores: [0, 1, 2, 3] },
      Processors: null,
      Memory: { MemoryMB: 8192 },
      Disk: { DiskMB: 100 * 1024 },
      Devices: null,
      NodeNetworks: null,
      Networks: [{
        Mode: "host",
        Device: "eth0",
        CIDR: `${ip}/32`,
        IP: ip,
        Hostname: "",
        MBits: 1000,
        DNS: null,
        ReservedPorts: null,
        DynamicPorts: null,
        CNI: null,
      }],
      MinDynamicPort: 0,
      MaxDynamicPort: 0,
    },
    ReservedResources: null,
  };
  return { ...node, ...patch };
}

/** A canonical job of one group `web` with one exec task (500 MHz, 256 MB). */
export function mockJob(
  patch: Partial<Job> = {},
  group: Partial<TaskGroup> = {},
): Job {
  const task = { ...zero(TaskSpec), Name: "web", Driver: "exec", Config: { command: "/bin/app" } };
  task.Resources = {
    CPU: 500,
    Cores: null,
    MemoryMB: 256,
    MemoryMaxMB: null,
    DiskMB: null,
    Networks: null,
    Devices: null,
    NUMA: null,
    SecretsMB: null,
    IOPS: null,
  };
  const tg: TaskGroup = { ...zero(TaskGroupSpec), Name: "web", Count: 3, Tasks: [task], ...group };
  const job: Job = {
    ...zero(JobSpec),
    ID: "web",
    Name: "web",
    Type: "service",
    Datacenters: ["dc1"],
    NodePool: "default",
    TaskGroups: [tg],
    ...patch,
  };
  return canonicalize(job);
}

let evalCounter = 0;

/** An evaluation of the job, pending. */
export function mockEval(job: Job, patch: Partial<Evaluation> = {}): Evaluation {
  return {
    ...zero(EvaluationSpec),
    ID: `eval-${(++evalCounter).toString().padStart(4, "0")}`,
    Namespace: job.Namespace ?? "default",
    Priority: job.Priority ?? 50,
    Type: job.Type ?? "service",
    TriggeredBy: "job-register",
    JobID: job.ID ?? "",
    JobModifyIndex: job.JobModifyIndex ?? 0,
    Status: "pending",
    ...patch,
  };
}

const key = (ns: string, id: string) => `${ns}\u0000${id}`;

/**
 * An in-memory cluster state. Registering a job gives it the next version and indexes; applying
 * a plan commits it whole, as the plan applier and state store would (new allocations take the
 * plan's job, `NextAllocation` links, deployment canary and placement counts).
 */
export class MemState implements SchedulerState {
  index = 1;
  config: SchedulerConfiguration = zero(SchedulerConfigurationSpec);
  readonly #nodes = new Map<string, Node>();
  #sorted: Node[] | null = null;
  readonly #jobs = new Map<string, Job[]>();
  readonly #allocs = new Map<string, Allocation>();
  readonly #byNode = new Map<string, Set<string>>();
  readonly #byJob = new Map<string, Set<string>>();
  readonly #deployments = new Map<string, Deployment>();
  readonly #latestDeployment = new Map<string, string>();

  /** Adds or replaces a node. */
  upsertNode(node: Node): void {
    this.#nodes.set(node.ID, { ...node, ModifyIndex: ++this.index });
    this.#sorted = null;
  }

  /** Registers a job as its next version; returns the stored job. */
  upsertJob(job: Job): Job {
    const k = key(job.Namespace ?? "default", job.ID ?? "");
    const versions = this.#jobs.get(k) ?? [];
    const prev = versions[versions.length - 1];
    const index = ++this.index;
    const stored: Job = {
      ...job,
      Version: prev ? (prev.Version ?? 0) + 1 : 0,
      CreateIndex: prev?.CreateIndex ?? index,
      ModifyIndex: index,
      JobModifyIndex: index,
    };
    versions.push(stored);
    this.#jobs.set(k, versions);
    return stored;
  }

  /** Adds or replaces allocations. */
  upsertAllocs(...allocs: Allocation[]): void {
    const index = ++this.index;
    for (const a of allocs) {
      const old = this.#allocs.get(a.ID);
      this.#allocs.set(a.ID, { ...a, CreateIndex: old?.CreateIndex ?? index, ModifyIndex: index });
      let n = this.#byNode.get(a.NodeID);
      if (!n) this.#byNode.set(a.NodeID, n = new Set());
      n.add(a.ID);
      const k = key(a.Namespace, a.JobID);
      let j = this.#byJob.get(k);
      if (!j) this.#byJob.set(k, j = new Set());
      j.add(a.ID);
    }
  }

  /** Adds or replaces a deployment; a new one becomes its job's latest. */
  upsertDeployment(d: Deployment): void {
    const old = this.#deployments.get(d.ID);
    const index = ++this.index;
    this.#deployments.set(d.ID, {
      ...d,
      CreateIndex: old?.CreateIndex ?? index,
      ModifyIndex: index,
    });
    if (!old) this.#latestDeployment.set(key(d.Namespace, d.JobID), d.ID);
  }

  /** Commits a whole plan. */
  applyPlan(plan: Plan): void {
    const job = plan.Job;
    if (plan.Deployment) this.upsertDeployment(structuredClone(plan.Deployment));
    for (const u of plan.DeploymentUpdates) {
      const d = this.#deployments.get(u.DeploymentID);
      if (d) {
        this.upsertDeployment({ ...d, Status: u.Status, StatusDescription: u.StatusDescription });
      }
    }
    const changed: Allocation[] = [];
    const fresh: Allocation[] = [];
    for (
      const list of [...Object.values(plan.NodeUpdate), ...Object.values(plan.NodePreemptions)]
    ) {
      for (const s of list) {
        const old = this.#allocs.get(s.ID);
        if (old) changed.push({ ...old, ...s, Job: old.Job });
      }
    }
    for (const list of Object.values(plan.NodeAllocation)) {
      for (const a of list) {
        const old = this.#allocs.get(a.ID);
        changed.push({ ...a, Job: a.Job ?? job });
        if (old === undefined) fresh.push(a);
      }
    }
    this.upsertAllocs(...changed);
    for (const a of fresh) this.#placed(a);
  }

  #placed(a: Allocation): void {
    if (a.PreviousAllocation !== "") {
      const prev = this.#allocs.get(a.PreviousAllocation);
      if (prev) this.#allocs.set(prev.ID, { ...prev, NextAllocation: a.ID });
    }
    const d = this.#deployments.get(a.DeploymentID);
    const s = d?.TaskGroups?.[a.TaskGroup];
    if (d && s) {
      s.PlacedAllocs++;
      if (a.DeploymentStatus?.Canary) s.PlacedCanaries = [...(s.PlacedCanaries ?? []), a.ID];
    }
  }

  /** Changes an allocation as a client would report it. */
  updateAlloc(id: string, patch: Partial<Allocation>): void {
    const a = this.#allocs.get(id);
    if (!a) throw new RangeError(`Cannot update alloc "${id}": no such allocation`);
    this.upsertAllocs({ ...a, ...patch });
  }

  /** Every allocation. */
  allocs(): Allocation[] {
    return [...this.#allocs.values()];
  }

  nodes(): readonly Node[] {
    return this.#sorted ??= [...this.#nodes.values()].sort((a, b) => a.ID < b.ID ? -1 : 1);
  }
  node(id: string): Node | undefined {
    return this.#nodes.get(id);
  }
  job(namespace: string, id: string): Job | undefined {
    const v = this.#jobs.get(key(namespace, id));
    return v?.[v.length - 1];
  }
  jobVersion(namespace: string, id: string, version: number): Job | undefined {
    return this.#jobs.get(key(namespace, id))?.find((j) => j.Version === version);
  }
  allocsByJob(namespace: string, jobId: string): readonly Allocation[] {
    return [...(this.#byJob.get(key(namespace, jobId)) ?? [])].map((id) => this.#allocs.get(id)!);
  }
  allocsByNode(nodeId: string): readonly Allocation[] {
    return [...(this.#byNode.get(nodeId) ?? [])].map((id) => this.#allocs.get(id)!);
  }
  alloc(id: string): Allocation | undefined {
    return this.#allocs.get(id);
  }
  latestDeployment(namespace: string, jobId: string): Deployment | undefined {
    const id = this.#latestDeployment.get(key(namespace, jobId));
    return id === undefined ? undefined : this.#deployments.get(id);
  }
  deployment(id: string): Deployment | undefined {
    return this.#deployments.get(id);
  }
  schedulerConfig(): SchedulerConfiguration {
    return this.config;
  }
}

/** The resources a first-fit selection gives a group: its tasks' CPU and memory. */
export function resourcesFor(tg: TaskGroup): AllocatedResources {
  const tasks: AllocatedResources["Tasks"] = {};
  for (const t of tg.Tasks ?? []) {
    tasks[t.Name] = {
      Cpu: { CpuShares: t.Resources?.CPU ?? 0, ReservedCores: null },
      Memory: { MemoryMB: t.Resources?.MemoryMB ?? 0, MemoryMaxMB: 0 },
      Networks: null,
      Devices: null,
    };
  }
  return {
    Tasks: tasks,
    TaskLifecycles: null,
    Shared: { Networks: null, DiskMB: tg.EphemeralDisk?.SizeMB ?? 0, Ports: null },
  };
}

/** A running allocation `index` of the job's first group on a node. */
export function mockAlloc(
  job: Job,
  index: number,
  nodeId: string,
  patch: Partial<Allocation> = {},
): Allocation {
  const tg = job.TaskGroups?.[0];
  const group = tg?.Name ?? "web";
  return {
    ...zero(AllocationSpec),
    ID: `alloc-${group}-${index}-${(++allocCounter).toString().padStart(4, "0")}`,
    Namespace: job.Namespace ?? "default",
    EvalID: "eval-old",
    Name: `${job.ID}.${group}[${index}]`,
    NodeID: nodeId,
    NodeName: nodeId,
    JobID: job.ID ?? "",
    Job: job,
    TaskGroup: group,
    AllocatedResources: tg ? resourcesFor(tg) : null,
    DesiredStatus: "run",
    ClientStatus: "running",
    ...patch,
  };
}

let allocCounter = 0;
