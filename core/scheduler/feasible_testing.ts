/**
 * Test helpers for the placement stack: Nomad-like mock nodes, jobs and allocations, an
 * in-memory {@link SchedulerState}, a plan view that accumulates placements, and a seeded
 * random source.
 *
 * @module
 */
import {
  type Allocation,
  AllocationSpec,
  canonicalize,
  type Job,
  JobSpec,
  type Node,
  NodeSpec,
  type SchedulerConfiguration,
  SchedulerConfigurationSpec,
  type Task,
  type TaskGroup,
  TaskGroupSpec,
  TaskSpec,
  zero,
} from "../structs/mod.ts";
import type { ScheduleContext, SchedulerState } from "./types.ts";
import type { VersionedPlanView } from "./resources_usage.ts";
import type { Selection } from "./types.ts";

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

/** A schedule context with a seeded random source. */
export function mockContext(seed = 1): ScheduleContext {
  const random = seededRandom(seed);
  let n = 0;
  return {
    now: 1_700_000_000_000_000_000,
    random,
    newId: () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, "0")}`,
  };
}

let nodeCounter = 0;

/** A ready Linux node like Nomad's mock.Node: 4000 MHz, 8 GiB, exec driver, one host network. */
export function mockNode(patch: Partial<Node> = {}): Node {
  const n = ++nodeCounter;
  const ip = `192.168.${(n >> 8) & 255}.${n & 255}`;
  const node = zero(NodeSpec);
  Object.assign(
    node,
    {
      ID: `node-${n.toString().padStart(6, "0")}`,
      Name: `node-${n}`,
      Datacenter: "dc1",
      NodeClass: "linux-medium-pci",
      NodePool: "default",
      Status: "ready",
      SchedulingEligibility: "eligible",
      Attributes: {
        "kernel.name": "linux",
        "arch": "x86",
        "nomad.version": "1.10.0",
        "driver.exec": "1",
        "unique.hostname": `host-${n}`,
      },
      Meta: { pci: "true", database: "mysql" },
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
        NodeNetworks: [{
          Mode: "host",
          Device: "eth0",
          MacAddress: "",
          Speed: 1000,
          Addresses: [{
            Family: "ipv4",
            Alias: "default",
            Address: ip,
            ReservedPorts: "",
            Gateway: "",
          }],
        }],
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
      ReservedResources: {
        Cpu: { CpuShares: 100, ReservedCpuCores: null },
        Memory: { MemoryMB: 256 },
        Disk: { DiskMB: 4 * 1024 },
        Networks: { ReservedHostPorts: "22" },
      },
    } satisfies Partial<Node>,
  );
  return { ...node, ...patch };
}

/** A task like Nomad's mock: exec driver, 500 MHz, 256 MB. */
export function mockTask(name = "web", patch: Partial<Task> = {}): Task {
  const t = zero(TaskSpec);
  t.Name = name;
  t.Driver = "exec";
  t.Resources = {
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
  return { ...t, ...patch };
}

/** A group of one exec task. */
export function mockGroup(name = "web", patch: Partial<TaskGroup> = {}): TaskGroup {
  const g = zero(TaskGroupSpec);
  g.Name = name;
  g.Count = 10;
  g.Tasks = [mockTask(name)];
  return { ...g, ...patch };
}

/** A canonical service job with the given groups (one `web` group by default). */
export function mockJob(patch: Partial<Job> = {}): Job {
  const j = zero(JobSpec);
  j.ID = "example";
  j.Name = "example";
  j.Datacenters = ["dc1"];
  j.TaskGroups = [mockGroup()];
  return canonicalize({ ...j, ...patch });
}

/** A running allocation of a job's group on a node, with the given selection's resources. */
export function mockAlloc(
  job: Job,
  node: Node,
  resources: Selection["resources"],
  group?: string,
): Allocation {
  const a = zero(AllocationSpec);
  a.ID = `alloc-${++nodeCounter}`;
  a.Namespace = job.Namespace ?? "default";
  a.JobID = job.ID ?? "";
  a.TaskGroup = group ?? job.TaskGroups?.[0]?.Name ?? "";
  a.Name = `${a.JobID}.${a.TaskGroup}[0]`;
  a.NodeID = node.ID;
  a.AllocatedResources = resources;
  a.DesiredStatus = "run";
  a.ClientStatus = "running";
  return a;
}

/** An in-memory state over fixed nodes and allocations. */
export class MockState implements SchedulerState {
  readonly index = 100;
  readonly #nodes: Node[];
  readonly #byId: Map<string, Node>;
  readonly #allocs: Allocation[];
  config: SchedulerConfiguration = zero(SchedulerConfigurationSpec);

  constructor(nodes: Node[], allocs: Allocation[] = []) {
    this.#nodes = [...nodes].sort((a, b) => a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0);
    this.#byId = new Map(nodes.map((n) => [n.ID, n]));
    this.#allocs = allocs;
  }
  nodes(): readonly Node[] {
    return this.#nodes;
  }
  node(id: string): Node | undefined {
    return this.#byId.get(id);
  }
  job(): Job | undefined {
    return undefined;
  }
  jobVersion(): Job | undefined {
    return undefined;
  }
  allocsByJob(namespace: string, jobId: string): readonly Allocation[] {
    return this.#allocs.filter((a) => a.Namespace === namespace && a.JobID === jobId);
  }
  allocsByNode(nodeId: string): readonly Allocation[] {
    return this.#allocs.filter((a) => a.NodeID === nodeId);
  }
  alloc(id: string): Allocation | undefined {
    return this.#allocs.find((a) => a.ID === id);
  }
  latestDeployment(): undefined {
    return undefined;
  }
  deployment(): undefined {
    return undefined;
  }
  schedulerConfig(): SchedulerConfiguration {
    return this.config;
  }
}

/** A plan view that accumulates placements and stops, with a version per node. */
export class MockPlan implements VersionedPlanView {
  readonly #state: SchedulerState;
  readonly #placed = new Map<string, Allocation[]>();
  readonly #stopped = new Set<string>();
  readonly #versions = new Map<string, number>();
  readonly #cache = new Map<string, readonly Allocation[]>();

  constructor(state: SchedulerState) {
    this.#state = state;
  }
  #touch(nodeId: string): void {
    this.#versions.set(nodeId, (this.#versions.get(nodeId) ?? 0) + 1);
    this.#cache.delete(nodeId);
  }
  /** Places an allocation. */
  place(alloc: Allocation): void {
    const list = this.#placed.get(alloc.NodeID) ?? [];
    list.push(alloc);
    this.#placed.set(alloc.NodeID, list);
    this.#touch(alloc.NodeID);
  }
  /** Stops an allocation of the state. */
  stop(alloc: Allocation): void {
    this.#stopped.add(alloc.ID);
    this.#touch(alloc.NodeID);
  }
  /** Every allocation the plan places. */
  placements(): Allocation[] {
    return [...this.#placed.values()].flat();
  }
  nodeVersion(nodeId: string): number {
    return this.#versions.get(nodeId) ?? 0;
  }
  proposedAllocs(nodeId: string): readonly Allocation[] {
    let list = this.#cache.get(nodeId);
    if (list === undefined) {
      list = [
        ...this.#state.allocsByNode(nodeId).filter((a) =>
          !this.#stopped.has(a.ID) && !["complete", "failed", "lost"].includes(a.ClientStatus)
        ),
        ...(this.#placed.get(nodeId) ?? []),
      ];
      this.#cache.set(nodeId, list);
    }
    return list;
  }
}

/** A plan view without node versions (placements only), for the fallback cache path. */
export class PlainPlan {
  readonly #inner: MockPlan;
  constructor(state: SchedulerState) {
    this.#inner = new MockPlan(state);
  }
  /** Places an allocation. */
  place(alloc: Allocation): void {
    this.#inner.place(alloc);
  }
  proposedAllocs(nodeId: string): readonly Allocation[] {
    return [...this.#inner.proposedAllocs(nodeId)];
  }
}
