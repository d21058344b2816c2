import { assert, assertEquals } from "../../tests/assert.ts";
import type { Node, VolumeRequest } from "../structs/mod.ts";
import {
  type CheckContext,
  constraintChecker,
  csiVolumeChecker,
  deviceChecker,
  driverChecker,
  groupNeeds,
  hasDriver,
  hostVolumeChecker,
  networkChecker,
  secretsChecker,
} from "./feasible.ts";
import { mockGroup, mockNode, mockTask } from "./feasible_testing.ts";
import { MetricsRecorder } from "./rank_metrics.ts";

function ctx(): CheckContext & { metrics: MetricsRecorder } {
  return { metrics: new MetricsRecorder() };
}

Deno.test("constraintChecker() records the first unmet constraint by its text", () => {
  const c = ctx();
  const check = constraintChecker(c, [
    { LTarget: "${attr.kernel.name}", Operand: "=", RTarget: "linux" },
    { LTarget: "${attr.kernel.name}", Operand: "=", RTarget: "windows" },
  ]);
  const node = mockNode({ NodeClass: "small" });
  assert(!check(node));
  assertEquals(c.metrics.metric.NodesFiltered, 1);
  assertEquals(c.metrics.metric.ConstraintFiltered, { "${attr.kernel.name} = windows": 1 });
  assertEquals(c.metrics.metric.ClassFiltered, { small: 1 });
});

Deno.test("hasDriver() wants a detected, healthy driver or the legacy attribute", () => {
  const node = mockNode();
  assert(hasDriver(node, "exec"));
  const sick = { ...node.Drivers!.exec!, Healthy: false };
  assert(!hasDriver({ ...node, Drivers: { exec: sick } }, "exec"));
  assert(hasDriver({ ...node, Drivers: null, Attributes: { "driver.docker": "true" } }, "docker"));
  assert(!hasDriver({ ...node, Drivers: null, Attributes: { "driver.docker": "0" } }, "docker"));
  assert(!hasDriver(node, "docker"));
});

Deno.test("driverChecker() filters with Nomad's 'missing drivers'", () => {
  const c = ctx();
  assert(!driverChecker(c, new Set(["exec", "docker"]))(mockNode()));
  assertEquals(c.metrics.metric.ConstraintFiltered, { "missing drivers": 1 });
});

Deno.test("groupNeeds() gathers the group's and tasks' constraints and drivers", () => {
  const tg = mockGroup("web", {
    Constraints: [{ LTarget: "a", Operand: "=", RTarget: "a" }],
    Tasks: [
      mockTask("a", { Constraints: [{ LTarget: "b", Operand: "=", RTarget: "b" }] }),
      mockTask("b", { Driver: "docker" }),
    ],
  });
  const needs = groupNeeds(tg);
  assertEquals(needs.constraints.map((c) => c.LTarget), ["a", "b"]);
  assertEquals([...needs.drivers], ["exec", "docker"]);
});

Deno.test("networkChecker() needs the network mode and named host networks", () => {
  const c = ctx();
  const node = mockNode();
  const port = { Label: "http", Value: 0, To: 0, HostNetwork: "public", IgnoreCollision: false };
  const net = {
    Mode: "bridge",
    Device: "",
    CIDR: "",
    IP: "",
    DNS: null,
    ReservedPorts: null,
    DynamicPorts: null,
    Hostname: "",
    MBits: null,
    CNI: null,
  };
  assert(networkChecker(c, null)(node), "no network asks for host mode");
  assert(!networkChecker(c, net)(node));
  assert(networkChecker(c, { ...net, Mode: "none" })(node));
  const old = { ...node, Attributes: { "nomad.version": "0.11.3" } };
  assert(networkChecker(c, net)(old), "pre-0.12 clients may run bridge networks");
  assert(!networkChecker(c, { ...net, Mode: "host", DynamicPorts: [port] })(node));
  assertEquals(c.metrics.metric.ConstraintFiltered, {
    "missing network": 1,
    'missing host network "public" for port "http"': 1,
  });
  const bare: Node = { ...node, NodeResources: { ...node.NodeResources!, Networks: [] } };
  assert(!networkChecker(c, null)(bare), "a node without a host network takes no job");
});

Deno.test("deviceChecker() counts matching healthy device instances", () => {
  const c = ctx();
  const gpu = { Vendor: "nvidia", Type: "gpu", Name: "1080ti" };
  const node = mockNode();
  const withGpu: Node = {
    ...node,
    NodeResources: {
      ...node.NodeResources!,
      Devices: [{
        ...gpu,
        Instances: [{ ID: "a", Healthy: true }, { ID: "b", Healthy: false }],
      }] as never,
    },
  };
  const want = (
    name: string,
    count: number,
  ) => [{ Name: name, Count: count, Constraints: null, Affinities: null }];
  assert(deviceChecker(c, want("gpu", 1))(withGpu));
  assert(deviceChecker(c, want("nvidia/gpu/1080ti", 1))(withGpu));
  assert(!deviceChecker(c, want("nvidia/gpu", 2))(withGpu), "only one instance is healthy");
  assert(!deviceChecker(c, want("amd/gpu", 1))(withGpu));
  assert(!deviceChecker(c, want("gpu", 1))(node));
  assertEquals(c.metrics.metric.ConstraintFiltered, { "missing devices": 3 });
});

Deno.test("secretsChecker() wants the provider's plugin attribute", () => {
  const c = ctx();
  const node = mockNode();
  const vaultNode = { ...node, Attributes: { "plugins.secrets.vault.version": "1.0" } };
  assert(secretsChecker(c, new Set(["vault"]))(vaultNode));
  assert(!secretsChecker(c, new Set(["vault"]))(node));
  assertEquals(c.metrics.metric.ConstraintFiltered, { "missing secrets provider": 1 });
});

function volume(patch: Partial<VolumeRequest>): VolumeRequest {
  return {
    Name: "data",
    Type: "host",
    Source: "data",
    ReadOnly: false,
    Sticky: false,
    AccessMode: "",
    AttachmentMode: "",
    MountOptions: null,
    PerAlloc: false,
    ...patch,
  };
}

Deno.test("hostVolumeChecker() wants the source, writable unless read-only, per alloc", () => {
  const c = ctx();
  const node = mockNode();
  const vols = (ro: boolean) => ({
    "data[1]": { Name: "data[1]", Path: "/d1", ReadOnly: ro },
    data: { Name: "data", Path: "/d", ReadOnly: ro },
  });
  const rw = { ...node, HostVolumes: vols(false) };
  const ro = { ...node, HostVolumes: vols(true) };
  assert(hostVolumeChecker(c, { v: volume({}) }, "j.g[0]")(rw));
  assert(!hostVolumeChecker(c, { v: volume({}) }, "j.g[0]")(ro));
  assert(hostVolumeChecker(c, { v: volume({ ReadOnly: true }) }, "j.g[0]")(ro));
  assert(hostVolumeChecker(c, { v: volume({ PerAlloc: true }) }, "j.g[1]")(rw));
  assert(!hostVolumeChecker(c, { v: volume({ PerAlloc: true }) }, "j.g[2]")(rw));
  assert(!hostVolumeChecker(c, { v: volume({}) }, "j.g[0]")(node));
  assertEquals(c.metrics.metric.ConstraintFiltered, { "missing compatible host volumes": 3 });
});

Deno.test("csiVolumeChecker() reports every requested CSI volume as missing", () => {
  const c = ctx();
  const check = csiVolumeChecker(c, { v: volume({ Type: "csi", Source: "db" }) }, "j.g[0]");
  assert(!check(mockNode()));
  assert(csiVolumeChecker(c, null, "j.g[0]")(mockNode()));
  assertEquals(c.metrics.metric.ConstraintFiltered, { "missing CSI volume(s) db": 1 });
});
