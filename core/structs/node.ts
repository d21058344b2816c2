/**
 * A client node as the servers know it (`GET /v1/node/:id`): fingerprinted attributes,
 * resources, drivers, status and eligibility, in Nomad's JSON shape.
 *
 * @module
 */
import {
  anyMap,
  bool,
  type Infer,
  inline,
  int,
  intList,
  list,
  ref,
  str,
  strMap,
  struct,
  structMap,
  time,
} from "./schema.ts";
import { SNetwork as NetworkSpec } from "./_diff_server_parts.ts";

/** Node status: initializing, ready, down or disconnected. */
export const NodeStatus = {
  Init: "initializing",
  Ready: "ready",
  Down: "down",
  Disconnected: "disconnected",
} as const;

/** Whether the scheduler may place new allocations on a node. */
export const NodeEligibility = { Eligible: "eligible", Ineligible: "ineligible" } as const;

/** What the client knows about one task driver. */
export const DriverInfoSpec = struct("DriverInfo", {
  Attributes: strMap(),
  Detected: bool(),
  Healthy: bool(),
  HealthDescription: str(),
  UpdateTime: time(),
});
/** What the client knows about one task driver. */
export type DriverInfo = Infer<typeof DriverInfoSpec>;

/** A node's CPU: total shares in MHz and cores. */
export const NodeCpuResourcesSpec = struct("LegacyNodeCpuResources", {
  CpuShares: int(),
  TotalCpuCores: int(),
  ReservableCpuCores: intList(),
});

/** An address of a host network interface. */
export const NodeNetworkAddressSpec = struct("NodeNetworkAddress", {
  Family: str(),
  Alias: str(),
  Address: str(),
  ReservedPorts: str(),
  Gateway: str(),
});

/** A host network interface. */
export const NodeNetworkResourceSpec = struct("NodeNetworkResource", {
  Mode: str(),
  Device: str(),
  MacAddress: str(),
  Speed: int(),
  Addresses: list(NodeNetworkAddressSpec),
});

/** What a node offers. */
export const NodeResourcesSpec = struct("NodeResources", {
  Cpu: inline(NodeCpuResourcesSpec),
  Processors: anyMap(),
  Memory: inline(struct("NodeMemoryResources", { MemoryMB: int() })),
  Disk: inline(struct("NodeDiskResources", { DiskMB: int() })),
  Devices: list(struct("NodeDeviceResource", { Vendor: str(), Type: str(), Name: str() })),
  NodeNetworks: list(NodeNetworkResourceSpec),
  Networks: list(NetworkSpec),
  MinDynamicPort: int(),
  MaxDynamicPort: int(),
});
/** What a node offers. */
export type NodeResources = Infer<typeof NodeResourcesSpec>;

/** What the operator keeps back from the scheduler on a node. */
export const NodeReservedResourcesSpec = struct("NodeReservedResources", {
  Cpu: inline(
    struct("NodeReservedCpuResources", { CpuShares: int(), ReservedCpuCores: intList() }),
  ),
  Memory: inline(struct("NodeReservedMemoryResources", { MemoryMB: int() })),
  Disk: inline(struct("NodeReservedDiskResources", { DiskMB: int() })),
  Networks: inline(struct("NodeReservedNetworkResources", { ReservedHostPorts: str() })),
});
/** What the operator keeps back from the scheduler on a node. */
export type NodeReservedResources = Infer<typeof NodeReservedResourcesSpec>;

/** How a node is being drained. */
export const DrainStrategySpec = struct("DrainStrategy", {
  /** Nanoseconds; -1 means no deadline (force), 0 the default. */
  Deadline: int(),
  IgnoreSystemJobs: bool(),
  ForceDeadline: time(),
  StartedAt: time(),
});
/** How a node is being drained. */
export type DrainStrategy = Infer<typeof DrainStrategySpec>;

/** Something that happened to a node (registered, drained, heartbeat missed, ...). */
export const NodeEventSpec = struct("NodeEvent", {
  Message: str(),
  Subsystem: str(),
  Details: strMap(),
  Timestamp: time(),
  CreateIndex: int(),
});
/** Something that happened to a node. */
export type NodeEvent = Infer<typeof NodeEventSpec>;

/** A host volume a client offers. */
export const ClientHostVolumeSpec = struct("ClientHostVolumeConfig", {
  Name: str(),
  Path: str(),
  ReadOnly: bool(),
});

/** A named host network a client offers. */
export const ClientHostNetworkSpec = struct("ClientHostNetworkConfig", {
  Name: str(),
  CIDR: str(),
  Interface: str(),
  ReservedPorts: str(),
});

/** A client node. */
export const NodeSpec = struct("Node", {
  ID: str(),
  SecretID: str(),
  Datacenter: str(),
  Name: str(),
  CgroupParent: str(),
  HTTPAddr: str(),
  TLSEnabled: bool(),
  Attributes: strMap(),
  NodeResources: ref(NodeResourcesSpec),
  ReservedResources: ref(NodeReservedResourcesSpec),
  Links: strMap(),
  Meta: strMap(),
  NodeClass: str(),
  NodePool: str(),
  ComputedClass: str(),
  DrainStrategy: ref(DrainStrategySpec),
  SchedulingEligibility: str(),
  Status: str(),
  StatusDescription: str(),
  IdentitySigningKeyID: str(),
  StatusUpdatedAt: int(),
  Events: list(NodeEventSpec),
  Drivers: structMap(DriverInfoSpec),
  CSIControllerPlugins: anyMap(),
  CSINodePlugins: anyMap(),
  HostVolumes: structMap(ClientHostVolumeSpec),
  GCVolumesOnNodeGC: bool(),
  HostNetworks: structMap(ClientHostNetworkSpec),
  LastDrain: anyMap(),
  NodeMaxAllocs: int(),
  LastMissedHeartbeatIndex: int(),
  LastAllocUpdateIndex: int(),
  CreateIndex: int(),
  ModifyIndex: int(),
});
/** A client node. */
export type Node = Infer<typeof NodeSpec>;
