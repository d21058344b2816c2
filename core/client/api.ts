/**
 * What a running client offers the HTTP API of its agent (`/v1/client/...`): the files and logs
 * of its allocations, their resource usage, restarts, signals and garbage collection, and the
 * host's statistics. The server-side routes (`/v1/allocation/:id`, ...) never need this.
 *
 * Errors: `NotFoundError` (unknown allocation or task, path not found: 404), `ValidationError`
 * (bad path, escape attempt, bad signal: 400), `PermissionDeniedError` (secrets: 403).
 *
 * @module
 */
import type { AllocFileInfo, AllocFS, StreamFrame } from "./alloc_fs.ts";

/** CPU and memory usage of a task or an allocation, as Nomad's `ResourceUsage`. */
export interface ResourceUsage {
  MemoryStats: {
    RSS: number;
    Cache: number;
    Swap: number;
    Usage: number;
    MaxUsage: number;
    KernelUsage: number;
    KernelMaxUsage: number;
    Measured: string[] | null;
  };
  CpuStats: {
    SystemMode: number;
    UserMode: number;
    TotalTicks: number;
    ThrottledPeriods: number;
    ThrottledTime: number;
    Percent: number;
    Measured: string[] | null;
  };
  DeviceStats: unknown[] | null;
}

/** `GET /v1/client/allocation/:id/stats`. */
export interface AllocResourceUsage {
  ResourceUsage: ResourceUsage;
  Tasks: Record<
    string,
    { ResourceUsage: ResourceUsage; Timestamp: number; Pids: Record<string, ResourceUsage> | null }
  >;
  Timestamp: number;
}

/** `GET /v1/client/stats` (Nomad's `HostStats`). */
export interface HostStats {
  Memory: { Total: number; Available: number; Used: number; Free: number };
  CPU: { CPU: string; User: number; System: number; Idle: number }[];
  DiskStats: {
    Device: string;
    Mountpoint: string;
    Size: number;
    Used: number;
    Available: number;
    UsedPercent: number;
    InodesUsedPercent: number;
  }[];
  AllocDirStats: HostStats["DiskStats"][number] | null;
  DeviceStats: unknown[] | null;
  Uptime: number;
  Timestamp: number;
  CPUTicksConsumed: number;
}

/** Options of a log read (`/v1/client/fs/logs/:alloc`). */
export interface LogReadOptions {
  readonly task: string;
  readonly type: "stdout" | "stderr";
  readonly origin: "start" | "end";
  readonly offset: number;
  readonly follow: boolean;
  readonly signal?: AbortSignal;
}

/** The client as its agent's HTTP API sees it. */
export interface ClientApi {
  /** This node's ID. */
  readonly nodeId: string;
  /** The files of an allocation (paths confined to its directory). */
  allocFS(allocId: string): AllocFS;
  /** A task's stdout or stderr across its rotated files. */
  readLogs(allocId: string, opts: LogReadOptions): AsyncGenerator<StreamFrame>;
  allocStats(allocId: string, task?: string): Promise<AllocResourceUsage>;
  /** Restarts one task, or every task (`allTasks`), or the running ones when neither is given. */
  restartAlloc(allocId: string, opts: { task?: string; allTasks?: boolean }): Promise<void>;
  signalAlloc(allocId: string, opts: { task?: string; signal: string }): Promise<void>;
  /** Destroys a terminal allocation's directory now. */
  gcAlloc(allocId: string): Promise<void>;
  /** Destroys every terminal allocation's directory. */
  gcAll(): Promise<void>;
  hostStats(): Promise<HostStats>;
}

export type { AllocFileInfo };
