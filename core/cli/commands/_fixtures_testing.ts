/**
 * Canned Nomad API objects for CLI tests, shaped as a Nomad 2.0 server returns them: full
 * objects start from the Go zero value of their struct, list stubs list every field.
 *
 * @module
 */
import {
  AllocationSpec,
  EvaluationSpec,
  JobSpec,
  JobSummarySpec,
  NodeSpec,
  zero,
} from "../../structs/mod.ts";
import type {
  Allocation,
  Evaluation,
  Job,
  JobSummary,
  Node,
  TaskGroupSummary,
} from "../../structs/mod.ts";
import type { AllocationListStub, JobListStub, NodeListStub } from "../api/mod.ts";

/** 2024-11-30T11:41:29Z (17:11:29 in Asia/Kolkata), the fixed "now" of the tests. */
export const NOW = Date.UTC(2024, 10, 30, 11, 41, 29);
/** Unix nanoseconds `seconds` before {@link NOW}. */
export const nanosAgo = (seconds: number) => (NOW - seconds * 1000) * 1e6;

/** An evaluation. */
export function evaluation(o: Partial<Evaluation> = {}): Evaluation {
  return {
    ...zero(EvaluationSpec),
    Namespace: "default",
    Priority: 50,
    Type: "service",
    TriggeredBy: "job-register",
    Status: "complete",
    CreateTime: nanosAgo(60),
    ModifyTime: nanosAgo(59),
    ...o,
  };
}

/** An allocation list stub. */
export function allocStub(o: Partial<AllocationListStub> = {}): AllocationListStub {
  return {
    ID: "",
    EvalID: "",
    Name: "",
    Namespace: "default",
    NodeID: "",
    NodeName: "",
    JobID: "",
    JobType: "service",
    JobVersion: 0,
    TaskGroup: "",
    DesiredStatus: "run",
    DesiredDescription: "",
    ClientStatus: "pending",
    ClientDescription: "",
    TaskStates: null,
    DeploymentStatus: null,
    FollowupEvalID: "",
    NextAllocation: "",
    RescheduleTracker: null,
    PreemptedAllocations: null,
    PreemptedByAllocation: "",
    CreateIndex: 10,
    ModifyIndex: 10,
    CreateTime: nanosAgo(267),
    ModifyTime: nanosAgo(204),
    ...o,
  } as AllocationListStub;
}

/** A full allocation. */
export function allocation(o: Partial<Allocation> = {}): Allocation {
  return { ...zero(AllocationSpec), Namespace: "default", DesiredStatus: "run", ...o };
}

/** A job as `GET /v1/job/:id` returns it (the fields `job status` reads filled in). */
export function job(o: Partial<Job> = {}): Job {
  return {
    ...zero(JobSpec),
    Region: "global",
    Namespace: "default",
    ID: "example",
    Name: "example",
    Type: "service",
    Priority: 50,
    Datacenters: ["dc1"],
    NodePool: "default",
    Status: "running",
    Stop: false,
    Stable: false,
    Version: 0,
    SubmitTime: nanosAgo(300),
    CreateIndex: 10,
    ModifyIndex: 10,
    JobModifyIndex: 10,
    ...o,
  };
}

/** A job list stub. */
export function jobStub(o: Partial<JobListStub> = {}): JobListStub {
  return {
    ID: "example",
    ParentID: "",
    Name: "example",
    Namespace: "default",
    Datacenters: ["dc1"],
    Type: "service",
    Priority: 50,
    Periodic: false,
    ParameterizedJob: false,
    Stop: false,
    Status: "running",
    StatusDescription: "",
    JobSummary: null,
    CreateIndex: 10,
    ModifyIndex: 10,
    JobModifyIndex: 10,
    SubmitTime: nanosAgo(300),
    ...o,
  } as JobListStub;
}

/** A job summary with the given counts per task group. */
export function summary(
  jobID: string,
  groups: Record<string, Partial<TaskGroupSummary>>,
): JobSummary {
  const out: JobSummary = { ...zero(JobSummarySpec), JobID: jobID, Namespace: "default" };
  out.Summary = {};
  for (const [name, counts] of Object.entries(groups)) {
    out.Summary[name] = {
      Queued: 0,
      Complete: 0,
      Failed: 0,
      Running: 0,
      Starting: 0,
      Lost: 0,
      Unknown: 0,
      ...counts,
    };
  }
  return out;
}

/** A node list stub. */
export function nodeStub(o: Partial<NodeListStub> = {}): NodeListStub {
  return {
    Address: "127.0.0.1",
    ID: "",
    Datacenter: "dc1",
    Name: "",
    NodeClass: "",
    NodePool: "default",
    Version: "2.0.6",
    Drain: false,
    SchedulingEligibility: "eligible",
    Status: "ready",
    StatusDescription: "",
    CreateIndex: 5,
    ModifyIndex: 5,
    ...o,
  } as NodeListStub;
}

/** A full node. */
export function node(o: Partial<Node> = {}): Node {
  return {
    ...zero(NodeSpec),
    Datacenter: "dc1",
    NodePool: "default",
    SchedulingEligibility: "eligible",
    Status: "ready",
    ...o,
  };
}
