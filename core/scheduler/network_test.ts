import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import type { NetworkResource, Node, Port } from "../structs/mod.ts";
import { mockAlloc, mockJob, mockNode, seededRandom } from "./feasible_testing.ts";
import { networkBase, parsePortRanges, PortUsage } from "./network.ts";
import { allocatedPortsToNetwork, cidrAddresses, NetworkIndex } from "./network_index.ts";

function port(label: string, value = 0, patch: Partial<Port> = {}): Port {
  return { Label: label, Value: value, To: 0, HostNetwork: "", IgnoreCollision: false, ...patch };
}

function ask(reserved: Port[], dynamic: Port[], patch: Partial<NetworkResource> = {}) {
  return {
    Mode: "host",
    Device: "",
    CIDR: "",
    IP: "",
    DNS: null,
    ReservedPorts: reserved.length ? reserved : null,
    DynamicPorts: dynamic.length ? dynamic : null,
    Hostname: "",
    MBits: null,
    CNI: null,
    ...patch,
  } satisfies NetworkResource;
}

function index(node: Node, seed = 1): NetworkIndex {
  return new NetworkIndex(new PortUsage(networkBase(node)), seededRandom(seed));
}

function ipOf(node: Node): string {
  return node.NodeResources?.Networks?.[0]?.IP ?? "";
}

Deno.test("parsePortRanges() reads lists and ranges with Nomad's errors", () => {
  assertEquals(parsePortRanges(""), []);
  assertEquals(parsePortRanges("22, 80,8000-8002"), [22, 80, 8000, 8001, 8002]);
  assertThrows(() => parsePortRanges("0"), Error, "port must be > 0");
  assertThrows(() => parsePortRanges("90-80"), Error, "ending value (80) less than starting (90)");
  assertThrows(() => parsePortRanges("1-2-3"), Error, "can only parse single port numbers");
  assertThrows(() => parsePortRanges("x"), Error, 'parsing "x": invalid syntax');
  assertThrows(() => parsePortRanges("70000"), Error, "port must be < 65536");
});

Deno.test("networkBase() reserves the operator's ports on every address", () => {
  const node = mockNode();
  const base = networkBase(node);
  assertEquals(base.error, null);
  assert(base.reserved.get(ipOf(node))?.has(22));
  assert(!base.reserved.get(ipOf(node))?.has(23));
  assertEquals(base.groupIP, ipOf(node));
  assertEquals([...base.aliases], ["default"]);
  assertEquals(base.minDynamicPort, 20000);
  assertEquals(base.maxDynamicPort, 32000);
});

Deno.test("networkBase() converts a pre-0.12 node and notes a bad reserved spec", () => {
  const node = mockNode();
  const res = { ...node.NodeResources!, NodeNetworks: null };
  const legacy = networkBase({ ...node, NodeResources: res });
  assertEquals(legacy.hostNetworks.get("default"), [{ alias: "default", address: ipOf(node) }]);
  const reserved = { ...node.ReservedResources!, Networks: { ReservedHostPorts: "abc" } };
  const broken = networkBase({ ...node, ReservedResources: reserved });
  assert(broken.error?.startsWith("error parsing reserved_ports:"));
});

Deno.test("PortUsage.addAlloc() notes collisions with reserved ports and other allocations", () => {
  const node = mockNode();
  const job = mockJob();
  const usage = new PortUsage(networkBase(node));
  const mapping = (value: number) => ({
    Label: "p",
    Value: value,
    To: 0,
    HostIP: ipOf(node),
    IgnoreCollision: false,
  });
  const withPorts = (value: number) =>
    mockAlloc(job, node, {
      Tasks: {},
      TaskLifecycles: {},
      Shared: { Networks: null, DiskMB: 0, Ports: [mapping(value)] },
    });
  usage.addAlloc(withPorts(8080));
  assertEquals(usage.collision, null);
  assert(usage.used(ipOf(node), 8080));
  usage.addAlloc({ ...withPorts(8080), ClientStatus: "complete" });
  assertEquals(usage.collision, null, "client-terminal allocations hold no ports");
  usage.addAlloc(withPorts(22));
  assertStringIncludesAll(usage.collision ?? "", ["port 22 already in use"]);
});

function assertStringIncludesAll(text: string, parts: string[]): void {
  for (const p of parts) assert(text.includes(p), `${JSON.stringify(text)} lacks ${p}`);
}

Deno.test("NetworkIndex.assignPorts() gives static ports and picks free dynamic ones", () => {
  const node = mockNode();
  const idx = index(node);
  const offer = idx.assignPorts(ask([port("db", 5432)], [port("http", 0, { To: -1 })]));
  assert(offer.ok !== undefined);
  const [db, http] = offer.ok;
  assertEquals(db, { Label: "db", Value: 5432, To: 0, HostIP: ipOf(node), IgnoreCollision: false });
  assert(http !== undefined && http.Value >= 20000 && http.Value < 32000);
  assertEquals(http.To, http.Value, "to = -1 maps the task port to the host port");
});

Deno.test("NetworkIndex.assignPorts() reports a reserved port collision by label", () => {
  const node = mockNode();
  const idx = index(node);
  const offer = idx.assignPorts(ask([port("ssh", 22)], []));
  assertEquals(offer.error, "reserved port collision ssh=22");
  assertEquals(
    idx.assignPorts(ask([port("x", 70000)], [])).error,
    "invalid port 70000 (out of range)",
  );
});

Deno.test("NetworkIndex.assignPorts() needs the host network the port names", () => {
  const idx = index(mockNode());
  const offer = idx.assignPorts(ask([], [port("http", 0, { HostNetwork: "public" })]));
  assertEquals(offer.error, "no addresses available for public network");
});

Deno.test("NetworkIndex.assignPorts() falls back to a precise search when the range is nearly full", () => {
  const node = mockNode();
  node.NodeResources = { ...node.NodeResources!, MinDynamicPort: 30000, MaxDynamicPort: 30002 };
  const usage = new PortUsage(networkBase(node));
  usage.addReservedPorts([
    { Label: "a", Value: 30000, To: 0, HostIP: ipOf(node), IgnoreCollision: false },
    { Label: "b", Value: 30001, To: 0, HostIP: ipOf(node), IgnoreCollision: false },
  ]);
  const idx = new NetworkIndex(usage, seededRandom(3));
  const offer = idx.assignPorts(ask([], [port("http")]));
  assertEquals(offer.ok?.[0]?.Value, 30002);
  idx.addReservedPorts(offer.ok ?? []);
  assertEquals(idx.assignPorts(ask([], [port("more")])).error, "dynamic port selection failed");
});

Deno.test("NetworkIndex.assignTaskNetwork() offers the device IP within the bandwidth", () => {
  const node = mockNode();
  const idx = index(node);
  const offer = idx.assignTaskNetwork(ask([], [port("db")], { MBits: 10 }));
  assert(offer.ok !== undefined);
  assertEquals(offer.ok.IP, ipOf(node));
  assertEquals(offer.ok.Device, "eth0");
  assertEquals(offer.ok.MBits, 10);
  const db = offer.ok.DynamicPorts?.[0]?.Value ?? 0;
  assert(db >= 20000 && db < 32000);
  idx.addReserved(offer.ok);
  assert(idx.used(ipOf(node), db));
  assertEquals(idx.assignTaskNetwork(ask([], [], { MBits: 995 })).error, "bandwidth exceeded");
  assertEquals(
    idx.assignTaskNetwork(ask([port("ssh", 22)], [])).error,
    "reserved port collision ssh=22",
  );
});

Deno.test("NetworkIndex.assignTaskNetwork() needs a node network with a device", () => {
  const node = mockNode();
  node.NodeResources = { ...node.NodeResources!, Networks: [] };
  assertEquals(index(node).assignTaskNetwork(ask([], [port("db")])).error, "no networks available");
});

Deno.test("cidrAddresses() walks an IPv4 block from its network address", () => {
  assertEquals([...cidrAddresses("10.0.0.5/32")], ["10.0.0.5"]);
  assertEquals([...cidrAddresses("10.0.0.5/30")], ["10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7"]);
  assertEquals([...cidrAddresses("fe80::1/128")], []);
});

Deno.test("allocatedPortsToNetwork() fills dynamic ports and the node's address", () => {
  const node = mockNode();
  const a = ask([port("db", 5432)], [port("http", 0, { To: -1 })]);
  const offer = [
    { Label: "db", Value: 5432, To: 0, HostIP: ipOf(node), IgnoreCollision: false },
    { Label: "http", Value: 25000, To: 25000, HostIP: ipOf(node), IgnoreCollision: false },
  ];
  const nw = allocatedPortsToNetwork(a, offer, networkBase(node));
  assertEquals(nw.IP, ipOf(node));
  assertEquals(nw.MBits, 0);
  assertEquals(nw.DynamicPorts, [{ ...port("http", 25000), To: 25000 }]);
  assertEquals(nw.ReservedPorts, [port("db", 5432)]);
});
