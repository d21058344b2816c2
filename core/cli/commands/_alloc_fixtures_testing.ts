/**
 * Canned allocations for the `alloc` command tests: the PostgreSQL allocation of the seed
 * document (`nomad alloc status 95a0741c`), in the JSON shape a Nomad 2.0 server and client
 * return, and a small stand-in agent answering for it.
 *
 * @module
 */
import {
  AllocatedResourcesSpec,
  type Allocation,
  type Job,
  type TaskEvent,
  TaskEventSpec,
  TaskGroupSpec,
  TaskSpec,
  type TaskState,
  zero,
} from "../../structs/mod.ts";
import type { AllocResourceUsage } from "../api/mod.ts";
import { FakeNomad, type Route } from "../api/_fake_nomad_testing.ts";
import { allocation, allocStub, job } from "./_fixtures_testing.ts";

/** 2024-11-30T12:07:25Z (17:37:25 in Asia/Kolkata): when the seed ran `alloc status`. */
export const SEED_NOW = Date.UTC(2024, 10, 30, 12, 7, 25);
/** Unix nanoseconds `seconds` before {@link SEED_NOW}. */
export const seedAgo = (seconds: number) => (SEED_NOW - seconds * 1000) * 1e6;
/** Unix nanoseconds of an RFC 3339 time. */
const nanos = (rfc3339: string) => Date.parse(rfc3339) * 1e6;

/** The seed's allocation ID. */
export const ALLOC_ID = "95a0741c-aace-805c-c0b3-fedd8052db0b";
/** The seed's node ID. */
export const NODE_ID = "f4834583-2a1b-4c3d-8e9f-0a1b2c3d4e5f";

/** A task event. */
export function taskEvent(o: Partial<TaskEvent>): TaskEvent {
  return { ...zero(TaskEventSpec), ...o };
}

/** A job with one group whose tasks are named (`{ name: lifecycle }` for lifecycle tasks). */
export function jobWithTasks(
  id: string,
  group: string,
  tasks: Record<string, { Hook: string; Sidecar: boolean } | null>,
  o: Partial<Job> = {},
): Job {
  return job({
    ID: id,
    Name: id,
    TaskGroups: [{
      ...zero(TaskGroupSpec),
      Name: group,
      Count: 1,
      Tasks: Object.entries(tasks).map(([name, lc]) => ({
        ...zero(TaskSpec),
        Name: name,
        Driver: "docker",
        Lifecycle: lc,
      })),
    }],
    ...o,
  });
}

function postgresState(): TaskState {
  return {
    State: "running",
    Failed: false,
    Restarts: 0,
    LastRestart: "0001-01-01T00:00:00Z",
    StartedAt: "2024-11-30T12:03:05Z",
    FinishedAt: "0001-01-01T00:00:00Z",
    Paused: "",
    Events: [
      taskEvent({ Type: "Received", Time: nanos("2024-11-30T12:02:11Z") }),
      taskEvent({
        Type: "Task Setup",
        Time: nanos("2024-11-30T12:02:11Z"),
        Message: "Building Task Directory",
      }),
      taskEvent({
        Type: "Driver",
        Time: nanos("2024-11-30T12:02:11Z"),
        DriverMessage: "Downloading image",
      }),
      taskEvent({ Type: "Started", Time: nanos("2024-11-30T12:03:05Z") }),
    ],
  };
}

/** The seed's allocation: job `postgres`, group `database`, task `postgres` on docker. */
export function postgresAlloc(o: Partial<Allocation> = {}): Allocation {
  const resources = zero(AllocatedResourcesSpec);
  resources.Tasks = {
    postgres: {
      Cpu: { CpuShares: 500, ReservedCores: null },
      Memory: { MemoryMB: 512, MemoryMaxMB: 0 },
      Networks: null,
      Devices: null,
    },
  };
  resources.Shared.DiskMB = 300;
  resources.Shared.Networks = [{
    Mode: "host",
    Device: "",
    CIDR: "",
    IP: "127.0.0.1",
    Hostname: "",
    MBits: 0,
    DNS: null,
    ReservedPorts: [
      { Label: "postgres", Value: 5432, To: 0, HostNetwork: "default", IgnoreCollision: false },
    ],
    DynamicPorts: null,
    CNI: null,
  }];
  resources.Shared.Ports = [
    { Label: "postgres", Value: 5432, To: 0, HostIP: "127.0.0.1", IgnoreCollision: false },
  ];
  return allocation({
    ID: ALLOC_ID,
    EvalID: "69f38b58-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
    Name: "postgres.database[0]",
    NodeID: NODE_ID,
    NodeName: "anshulbansal",
    JobID: "postgres",
    Job: jobWithTasks("postgres", "database", { postgres: null }),
    TaskGroup: "database",
    AllocatedResources: resources,
    ClientStatus: "running",
    ClientDescription: "Tasks are running",
    DeploymentID: "b1486482-5d6e-4f70-8a1b-2c3d4e5f6a7b",
    DeploymentStatus: {
      Healthy: true,
      Timestamp: "2024-11-30T12:03:15Z",
      Canary: false,
      ModifyIndex: 30,
    },
    TaskStates: { postgres: postgresState() },
    CreateIndex: 20,
    ModifyIndex: 30,
    CreateTime: seedAgo(314),
    ModifyTime: seedAgo(251),
    ...o,
  });
}

/** The client's stats of the seed's allocation: nothing used yet, as docker reports it. */
export function postgresStats(): AllocResourceUsage {
  const usage = {
    MemoryStats: {
      RSS: 0,
      Cache: 0,
      Swap: 0,
      Usage: 0,
      MaxUsage: 0,
      KernelUsage: 0,
      KernelMaxUsage: 0,
      Measured: ["RSS", "Cache", "Swap", "Usage", "Max Usage"],
    },
    CpuStats: {
      SystemMode: 0,
      UserMode: 0,
      TotalTicks: 0,
      ThrottledPeriods: 0,
      ThrottledTime: 0,
      Percent: 0,
      Measured: ["Throttled Periods", "Throttled Time", "Percent"],
    },
    DeviceStats: null,
  };
  return {
    ResourceUsage: usage,
    Tasks: { postgres: { ResourceUsage: usage, Timestamp: 0, Pids: null } },
    Timestamp: 0,
  };
}

/** A stand-in agent that knows `alloc` (found by prefix) and answers `routes` besides. */
export function allocAgent(
  alloc: Allocation,
  routes: Readonly<Record<string, Route>> = {},
): FakeNomad {
  const stub = allocStub({
    ID: alloc.ID,
    EvalID: alloc.EvalID,
    Name: alloc.Name,
    NodeID: alloc.NodeID,
    NodeName: alloc.NodeName,
    JobID: alloc.JobID,
    TaskGroup: alloc.TaskGroup,
    ClientStatus: alloc.ClientStatus,
    CreateIndex: alloc.CreateIndex,
    CreateTime: alloc.CreateTime,
    ModifyTime: alloc.ModifyTime,
  });
  return new FakeNomad({
    "GET /v1/allocations": (req) =>
      alloc.ID.startsWith(req.query.get("prefix") ?? "") ? [stub] : [],
    [`GET /v1/allocation/${alloc.ID}`]: alloc,
    ...routes,
  });
}
