/**
 * Test fixtures of the state store: nodes, jobs, evaluations, allocations and plans in the
 * shape the server hands to `apply`.
 *
 * @module
 */
import {
  type Allocation,
  AllocationSpec,
  type Evaluation,
  EvaluationSpec,
  type Job,
  JobSpec,
  type Node,
  NodeSpec,
  type TaskGroup,
  TaskGroupSpec,
  zero,
} from "../structs/mod.ts";
import type { PlanApplyEntry } from "./entries.ts";
import { StateStore, type StateStoreOptions } from "./state_store.ts";

/** A ready, eligible node. */
export function mockNode(id: string, edit: Partial<Node> = {}): Node {
  return {
    ...zero(NodeSpec),
    ID: id,
    Name: `node-${id}`,
    Datacenter: "dc1",
    NodePool: "default",
    SecretID: `secret-${id}`,
    Status: "ready",
    SchedulingEligibility: "eligible",
    StatusUpdatedAt: 1_700_000_000,
    ...edit,
  };
}

/** A service job with one group `web` of `count` (canonical enough for the state). */
export function mockJob(id: string, edit: Partial<Job> = {}, count = 3): Job {
  const group: TaskGroup = { ...zero(TaskGroupSpec), Name: "web", Count: count, Tasks: [] };
  return {
    ...zero(JobSpec),
    ID: id,
    Name: id,
    Namespace: "default",
    Type: "service",
    Priority: 50,
    Datacenters: ["dc1"],
    TaskGroups: [group],
    Version: 0,
    Stop: false,
    Status: "",
    ...edit,
  };
}

/** A pending evaluation of a job. */
export function mockEval(id: string, job: Job, edit: Partial<Evaluation> = {}): Evaluation {
  return {
    ...zero(EvaluationSpec),
    ID: id,
    Namespace: job.Namespace ?? "default",
    Priority: job.Priority ?? 50,
    Type: job.Type ?? "service",
    TriggeredBy: "job-register",
    JobID: job.ID ?? "",
    Status: "pending",
    ...edit,
  };
}

/** A new allocation of group `web` of a job on a node (its `Job` null: the plan's job). */
export function mockAlloc(
  id: string,
  job: Job,
  nodeId: string,
  edit: Partial<Allocation> = {},
): Allocation {
  return {
    ...zero(AllocationSpec),
    ID: id,
    Namespace: job.Namespace ?? "default",
    EvalID: "e1",
    Name: `${job.ID}.web[0]`,
    NodeID: nodeId,
    JobID: job.ID ?? "",
    Job: null,
    TaskGroup: "web",
    DesiredStatus: "run",
    ClientStatus: "pending",
    ...edit,
  };
}

/** A plan entry placing `allocs` (grouped by node) for `job`, from evaluation `evalId`. */
export function planEntry(
  job: Job | null,
  evalId: string,
  place: readonly Allocation[],
  edit: Partial<PlanApplyEntry["result"]> = {},
  updatedAt = 1_700_000_000_000_000_000,
): PlanApplyEntry {
  const byNode: Record<string, Allocation[]> = {};
  for (const a of place) (byNode[a.NodeID] ??= []).push(a);
  return {
    type: "PlanApply",
    job,
    evalId,
    updatedAt,
    result: {
      NodeUpdate: {},
      NodeAllocation: byNode,
      NodePreemptions: {},
      Deployment: null,
      DeploymentUpdates: [],
      RejectedNodes: [],
      IneligibleNodes: [],
      RefreshIndex: 0,
      AllocIndex: 0,
      ...edit,
    },
  };
}

/** A store on a memory log with frozen rows. */
export function memoryStore(opts: StateStoreOptions = {}): Promise<StateStore> {
  return StateStore.open({ freeze: true, ...opts });
}

/**
 * A store with nodes n1..n3, job `web` (count 3) registered with evaluation `e1`: the usual
 * starting point.
 */
export async function storeWithJob(
  opts: StateStoreOptions = {},
  job: Job = mockJob("web"),
): Promise<StateStore> {
  const store = await memoryStore(opts);
  for (const id of ["n1", "n2", "n3"]) {
    await store.apply({ type: "NodeRegister", node: mockNode(id) });
  }
  await store.apply({ type: "JobRegister", job, eval: mockEval("e1", job) });
  return store;
}
