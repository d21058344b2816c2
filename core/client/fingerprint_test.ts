import { assert, assertEquals, assertMatch, assertThrows } from "../../tests/assert.ts";
import {
  cidrContains,
  defaultRouteInterface,
  driverInfoFromFingerprint,
  fingerprintNode,
  NOMAD_COMPAT_VERSION,
} from "./fingerprint.ts";
import { type HostProbe, type InterfaceAddress, systemProbe } from "./fingerprint_probe.ts";

const CPUINFO = [0, 1, 2, 3].map((i) =>
  `processor\t: ${i}\nmodel name\t: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz\ncpu MHz\t\t: 2494.140\n`
).join("\n");

const ROUTE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
eth1\t00000000\t010A0A0A\t0003\t0\t0\t600\t00000000\t0\t0\t0
eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0
`;

const MOUNTINFO = `22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
30 22 254:17 / /opt/nomad rw,relatime shared:2 - xfs /dev/vdb rw
31 30 0:45 / /opt/nomad\\040data/tmp rw - tmpfs tmpfs rw
`;

const IFACES: InterfaceAddress[] = [
  {
    family: "IPv4",
    name: "lo",
    address: "127.0.0.1",
    cidr: "127.0.0.1/8",
    mac: "00:00:00:00:00:00",
  },
  {
    family: "IPv4",
    name: "eth0",
    address: "10.0.0.5",
    cidr: "10.0.0.5/24",
    mac: "02:fc:00:00:00:01",
  },
  {
    family: "IPv6",
    name: "eth0",
    address: "fd00::5",
    cidr: "fd00::5/64",
    mac: "02:fc:00:00:00:01",
  },
  {
    family: "IPv6",
    name: "eth0",
    address: "fe80::fc:ff:fe00:1",
    cidr: "fe80::fc:ff:fe00:1/64",
    mac: "02:fc:00:00:00:01",
  },
  {
    family: "IPv4",
    name: "eth1",
    address: "192.168.7.9",
    cidr: "192.168.7.9/24",
    mac: "02:fc:00:00:00:02",
  },
];

function fakeProbe(files: Record<string, string> = {}, over: Partial<HostProbe> = {}): HostProbe {
  const all: Record<string, string> = {
    "/proc/cpuinfo": CPUINFO,
    "/sys/devices/system/cpu/online": "0-3\n",
    "/sys/devices/system/node/online": "0-1\n",
    "/sys/devices/system/node/node0/cpulist": "0-1\n",
    "/sys/devices/system/node/node1/cpulist": "2-3\n",
    "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq": "3900000\n",
    "/sys/devices/system/cpu/cpu0/cpufreq/base_frequency": "2500000\n",
    "/sys/devices/system/cpu/cpu1/cpufreq/base_frequency": "2500000\n",
    "/sys/devices/system/cpu/cpu2/cpufreq/base_frequency": "2500000\n",
    "/sys/devices/system/cpu/cpu3/cpufreq/base_frequency": "2500000\n",
    "/etc/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
    "/etc/debian_version": "12.7\n",
    "/etc/machine-id": "0123456789ABCDEF0123456789abcdef\n",
    "/proc/net/route": ROUTE,
    "/proc/self/mountinfo": MOUNTINFO,
    "/sys/class/net/eth0/speed": "10000\n",
    "/sys/fs/cgroup/cgroup.controllers": "cpuset cpu memory\n",
    ...files,
  };
  return {
    readFile: (p) => all[p] ?? null,
    hostname: () => "worker-7",
    kernelRelease: () => "6.1.0-18-amd64",
    machine: () => "x86_64",
    os: () => "linux",
    cpuCount: () => 4,
    memoryTotal: () => 16 * 1024 ** 3,
    interfaces: () => IFACES,
    statfs: () => ({ total: 100 * 1024 ** 3, available: 40 * 1024 ** 3 }),
    realPath: (p) => p,
    exists: (p) => p in all || p.startsWith("/opt/") || p === "/srv/data",
    ...over,
  };
}

const BASE = {
  nodeId: "9f1c6a54-0000-4000-8000-00000000abcd",
  secretId: "secret",
  dataDir: "/opt/nomad/alloc",
  httpAddr: "10.0.0.5:4646",
};

Deno.test("fingerprintNode() reports the host's attributes as Nomad does", () => {
  const node = fingerprintNode(
    { ...BASE, version: { nomadTs: "0.1.0", revision: "abc" } },
    fakeProbe(),
  );
  const a = node.Attributes!;
  const want: Record<string, string> = {
    "kernel.name": "linux",
    "kernel.version": "6.1.0-18-amd64",
    "kernel.arch": "x86_64",
    "cpu.arch": "amd64",
    "os.name": "debian",
    "os.version": "12.7",
    "os.cgroups.version": "2",
    "cpu.modelname": "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz",
    "cpu.numcores": "4",
    "cpu.frequency": "2500",
    "cpu.totalcompute": "10000",
    "cpu.usablecompute": "10000",
    "cpu.reservablecores": "4",
    "numa.node.count": "2",
    "numa.node0.cores": "0-1",
    "numa.node1.cores": "2-3",
    "memory.totalbytes": String(16 * 1024 ** 3),
    "unique.hostname": "worker-7",
    "unique.host_id": "0123456789abcdef0123456789abcdef",
    "unique.storage.volume": "/dev/vdb",
    "unique.storage.bytestotal": String(100 * 1024 ** 3),
    "unique.storage.bytesfree": String(40 * 1024 ** 3),
    "unique.network.ip-address": "10.0.0.5",
    "unique.advertise.address": "10.0.0.5:4646",
    "nomad.version": NOMAD_COMPAT_VERSION,
    "nomad.ts.version": "0.1.0",
    "nomad.revision": "abc",
    "nomad.service_discovery": "true",
  };
  for (const [k, v] of Object.entries(want)) assertEquals(a[k], v, k);
  assertEquals(NOMAD_COMPAT_VERSION, "2.0.6");
  assertMatch(a["os.signals"]!, /(^|,)SIGTERM(,|$)/);
  assert(a["os.signals"]!.split(",").includes("SIGHUP"));
});

Deno.test("fingerprintNode() fills identity, resources and defaults", () => {
  const node = fingerprintNode(BASE, fakeProbe());
  assertEquals(node.ID, BASE.nodeId);
  assertEquals(node.SecretID, "secret");
  assertEquals(node.Name, "worker-7");
  assertEquals(node.Datacenter, "dc1");
  assertEquals(node.NodePool, "default");
  assertEquals(node.Status, "initializing");
  assertEquals(node.SchedulingEligibility, "eligible");
  assertEquals(node.HTTPAddr, "10.0.0.5:4646");
  const r = node.NodeResources!;
  assertEquals(r.Cpu, { CpuShares: 10000, TotalCpuCores: 4, ReservableCpuCores: [0, 1, 2, 3] });
  assertEquals(r.Memory.MemoryMB, 16 * 1024);
  assertEquals(r.Disk.DiskMB, 100 * 1024);
  assertEquals([r.MinDynamicPort, r.MaxDynamicPort], [20000, 32000]);
  assertEquals(r.Networks?.map((n) => [n.Mode, n.Device, n.IP, n.CIDR, n.MBits]), [
    ["host", "eth0", "10.0.0.5", "10.0.0.5/32", 10000],
    ["host", "eth0", "fd00::5", "fd00::5/128", 10000],
  ]);
  assertEquals(r.NodeNetworks?.map((n) => [n.Device, n.MacAddress, n.Speed]), [
    ["eth0", "02:fc:00:00:00:01", 10000],
  ]);
  assertEquals(r.NodeNetworks?.[0]?.Addresses?.map((x) => [x.Family, x.Alias, x.Address]), [
    ["ipv4", "default", "10.0.0.5"],
    ["ipv6", "default", "fd00::5"],
  ]);
  const topo = (r.Processors as { Topology: { Cores: { NodeID: number }[] } }).Topology;
  assertEquals(topo.Cores.map((c) => c.NodeID), [0, 0, 1, 1]);
  assertEquals(
    node.Meta?.["connect.sidecar_image"],
    "docker.io/envoyproxy/envoy:v${NOMAD_envoy_version}",
  );
  assertEquals(node.ReservedResources?.Cpu, { CpuShares: 0, ReservedCpuCores: null });
});

Deno.test("fingerprintNode() applies the operator's configuration", () => {
  const node = fingerprintNode({
    ...BASE,
    name: "edge-1",
    datacenter: "eu-west",
    nodeClass: "gpu",
    nodePool: "batch",
    networkInterface: "eth1",
    networkSpeed: 500,
    meta: { rack: "r12", "connect.log_level": "debug" },
    reserved: { cpu: 500, cores: "3", memory: 1024, disk: 2048, reservedPorts: "22,8000-8100" },
    memoryTotalMB: 8192,
    diskTotalMB: 4096,
    cpuTotalCompute: 0,
    minDynamicPort: 21000,
    maxDynamicPort: 22000,
    hostVolumes: [{ name: "data", path: "/srv/data", readOnly: true }],
    hostNetworks: [{
      Name: "private",
      CIDR: "192.168.0.0/16",
      Interface: "",
      ReservedPorts: "9000",
    }],
    defaultIneligible: true,
    nomadServiceDiscovery: false,
    drivers: {
      raw_exec: driverInfoFromFingerprint(
        {
          Attributes: { "driver.raw_exec": true, "driver.raw_exec.version": "0.1.0" },
          Health: "healthy",
          HealthDescription: "Healthy",
        },
        Date.UTC(2026, 0, 1),
      ),
      docker: driverInfoFromFingerprint({
        Attributes: {},
        Health: "undetected",
        HealthDescription: "not found",
      }),
    },
  }, fakeProbe());
  assertEquals(
    [node.Name, node.Datacenter, node.NodeClass, node.NodePool, node.SchedulingEligibility],
    ["edge-1", "eu-west", "gpu", "batch", "ineligible"],
  );
  const a = node.Attributes!;
  assertEquals(a["driver.raw_exec"], "1", "Nomad marks a detected driver with 1");
  assertEquals(a["driver.raw_exec.version"], "0.1.0");
  assertEquals(a["driver.docker"], undefined);
  assertEquals(node.Drivers?.raw_exec?.Healthy, true);
  assertEquals(node.Drivers?.raw_exec?.UpdateTime, "2026-01-01T00:00:00Z");
  assertEquals(node.Drivers?.docker?.Detected, false);
  assertEquals(a["nomad.service_discovery"], "false");
  assertEquals(a["cpu.reservablecores"], "3", "reserved.cores leaves three usable cores");
  assertEquals(a["cpu.usablecompute"], String(3 * 2500 - 500));
  assertEquals(a["memory.totalbytes"], String(8192 * 1024 * 1024));
  assertEquals(a["unique.network.ip-address"], "192.168.7.9");
  const r = node.NodeResources!;
  assertEquals(r.Cpu.TotalCpuCores, 3);
  assertEquals(r.Memory.MemoryMB, 8192);
  assertEquals(r.Disk.DiskMB, 4096);
  assertEquals(r.Networks?.[0]?.MBits, 500);
  assertEquals([r.MinDynamicPort, r.MaxDynamicPort], [21000, 22000]);
  const eth1 = r.NodeNetworks?.find((n) => n.Device === "eth1");
  assertEquals(eth1?.Addresses?.map((x) => [x.Alias, x.ReservedPorts]), [["private", "9000"], [
    "default",
    "",
  ]]);
  assertEquals(node.ReservedResources, {
    Cpu: { CpuShares: 500, ReservedCpuCores: [3] },
    Memory: { MemoryMB: 1024 },
    Disk: { DiskMB: 2048 },
    Networks: { ReservedHostPorts: "22,8000-8100" },
  });
  assertEquals(node.Meta?.rack, "r12");
  assertEquals(node.Meta?.["connect.log_level"], "debug", "the operator's meta wins");
  assertEquals(node.HostVolumes, { data: { Name: "data", Path: "/srv/data", ReadOnly: true } });
  assertEquals(node.HostNetworks?.private?.CIDR, "192.168.0.0/16");
});

Deno.test("fingerprintNode() counts only the cores the agent's cgroup and config allow", () => {
  const probe = fakeProbe({ "/sys/fs/cgroup/cpuset.cpus.effective": "0-2\n" });
  assertEquals(fingerprintNode(BASE, probe).NodeResources?.Cpu.ReservableCpuCores, [0, 1, 2]);
  const node = fingerprintNode(
    { ...BASE, reservableCores: "1-3", reserved: { cores: "1" } },
    probe,
  );
  assertEquals(
    node.NodeResources?.Cpu.ReservableCpuCores,
    [1, 2],
    "reservable_cores wins over reserved.cores",
  );
  assertEquals(node.ReservedResources?.Cpu.ReservedCpuCores, null);
  const fixed = fingerprintNode({ ...BASE, cpuTotalCompute: 3000 }, probe);
  assertEquals(fixed.NodeResources?.Cpu.CpuShares, 3000);
  assertEquals(fixed.Attributes?.["cpu.totalcompute"], "3000");
});

Deno.test("fingerprintNode() falls back to cpuinfo without cpufreq, NUMA or cgroup files", () => {
  const probe = fakeProbe({}, {});
  const files: Record<string, string> = { "/proc/cpuinfo": CPUINFO, "/proc/net/route": ROUTE };
  const bare = { ...probe, readFile: (p: string) => files[p] ?? null, cpuCount: () => 2 };
  const node = fingerprintNode({ ...BASE, networkInterface: "lo" }, bare);
  const a = node.Attributes!;
  assertEquals(a["cpu.numcores"], "2");
  assertEquals(a["cpu.frequency"], "2494");
  assertEquals(a["cpu.totalcompute"], String(2 * 2494));
  assertEquals(a["numa.node.count"], undefined);
  assertEquals(a["os.name"], "linux");
  assertEquals(node.NodeResources?.Networks?.[0]?.IP, "127.0.0.1");
  assertEquals(node.NodeResources?.NodeNetworks?.[0]?.MacAddress, "", "loopback has no MAC");
  assertEquals(node.NodeResources?.Networks?.[0]?.MBits, 1000, "the default speed");
});

Deno.test("fingerprintNode() names the setting to fix for a bad interface or volume", () => {
  assertThrows(
    () => fingerprintNode({ ...BASE, networkInterface: "wlan9" }, fakeProbe()),
    Error,
    "network_interface",
  );
  assertThrows(
    () => fingerprintNode(BASE, fakeProbe({ "/proc/net/route": "Iface\n" })),
    Error,
    "default route",
  );
  assertThrows(
    () => fingerprintNode({ ...BASE, hostVolumes: [{ name: "x", path: "/nope" }] }, fakeProbe()),
    Error,
    'client.host_volume "x"',
  );
});

Deno.test("defaultRouteInterface() and cidrContains() read routes and match CIDRs", () => {
  assertEquals(defaultRouteInterface(fakeProbe()), "eth0", "the lowest metric wins");
  const v6 = fakeProbe({
    "/proc/net/route": "Iface\n",
    "/proc/net/ipv6_route":
      "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003     eth2\n",
  });
  assertEquals(defaultRouteInterface(v6), "eth2");
  assert(cidrContains("10.0.0.0/8", "10.200.1.1"));
  assert(!cidrContains("10.0.0.0/8", "11.0.0.1"));
  assert(cidrContains("fd00::/8", "fd12:3456::1"));
  assert(!cidrContains("fd00::/8", "10.0.0.1"));
  assert(cidrContains("0.0.0.0/0", "1.2.3.4"));
});

Deno.test("fingerprintNode() on this host is cheap and agrees with Deno", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "fingerprint-test-" });
  try {
    const t0 = performance.now();
    const node = fingerprintNode({ ...BASE, dataDir, networkInterface: "lo" }, systemProbe());
    const ms = performance.now() - t0;
    assert(ms < 50, `fingerprinting took ${ms.toFixed(1)} ms`);
    const a = node.Attributes!;
    assertEquals(a["kernel.name"], Deno.build.os);
    assertEquals(a["kernel.version"], Deno.osRelease());
    assertEquals(a["unique.hostname"], Deno.hostname());
    assertEquals(a["memory.totalbytes"], String(Deno.systemMemoryInfo().total));
    assert(Number(a["cpu.numcores"]) >= 1);
    assert(Number(a["cpu.totalcompute"]) > 0);
    assert(Number(a["unique.storage.bytestotal"]) > 0);
    assertEquals(a["unique.network.ip-address"], "127.0.0.1");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
