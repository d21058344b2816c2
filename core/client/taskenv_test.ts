import { assert, assertEquals } from "../../tests/assert.ts";
import { AllocatedTaskResourcesSpec, type Allocation, AllocationSpec } from "../structs/alloc.ts";
import { JobSpec, TaskGroupSpec } from "../structs/job.ts";
import { type Node, NodeSpec } from "../structs/node.ts";
import { zero } from "../structs/schema.ts";
import { type Task, TaskSpec } from "../structs/task.ts";
import { ConsulConnectSpec, ConsulSidecarServiceSpec, ServiceSpec } from "../structs/services.ts";
import { AllocDir } from "./allocdir.ts";
import { interpolate, interpolateConfig, replaceEnv } from "./interpolate.ts";
import { allocIndex, buildTaskEnv, cleanEnvVar, combinedTaskMeta } from "./taskenv.ts";

const ALLOC_ID = "a1b2c3d4-1111-2222-3333-444455556666";

function fixture(): { alloc: Allocation; task: Task; node: Node } {
  const task: Task = {
    ...zero(TaskSpec),
    Name: "web",
    Driver: "raw_exec",
    Meta: { owner: "web-team" },
    Env: {
      APP_PORT: "${NOMAD_PORT_http}",
      ARCH: "${attr.cpu.arch}",
      RACK: "${meta.rack}",
      NODE: "${node.unique.name}",
      UNKNOWN: "${nope}",
      COPY: "${APP_PORT}",
    },
  };
  const group = {
    ...zero(TaskGroupSpec),
    Name: "web",
    Meta: { tier: "front", owner: "group" },
    Tasks: [task, { ...zero(TaskSpec), Name: "sidecar" }],
  };
  const job = {
    ...zero(JobSpec),
    ID: "web-job",
    Name: "web-job",
    ParentID: "web-parent",
    Meta: { owner: "ops", "foo-bar": "x", "dc.zone": "z1" },
    TaskGroups: [group],
  };
  const alloc: Allocation = {
    ...zero(AllocationSpec),
    ID: ALLOC_ID,
    Name: "web-job.web[2]",
    JobID: "web-job",
    TaskGroup: "web",
    Namespace: "default",
    Job: job,
    AllocatedResources: {
      Tasks: {
        web: {
          ...zero(AllocatedTaskResourcesSpec),
          Cpu: { CpuShares: 500, ReservedCores: [0, 5, 6, 7] },
          Memory: { MemoryMB: 256, MemoryMaxMB: 512 },
          Networks: [{
            Mode: "host",
            Device: "eth0",
            CIDR: "",
            IP: "10.0.0.5",
            Hostname: "",
            MBits: 0,
            DNS: null,
            ReservedPorts: [{
              Label: "admin",
              Value: 9000,
              To: 0,
              HostNetwork: "",
              IgnoreCollision: false,
            }],
            DynamicPorts: [{
              Label: "http",
              Value: 24000,
              To: 0,
              HostNetwork: "",
              IgnoreCollision: false,
            }],
            CNI: null,
          }],
        },
        sidecar: {
          ...zero(AllocatedTaskResourcesSpec),
          Networks: [{
            Mode: "host",
            Device: "eth0",
            CIDR: "",
            IP: "10.0.0.5",
            Hostname: "",
            MBits: 0,
            DNS: null,
            ReservedPorts: null,
            DynamicPorts: [{
              Label: "metrics",
              Value: 25000,
              To: 0,
              HostNetwork: "",
              IgnoreCollision: false,
            }],
            CNI: null,
          }],
        },
      },
      TaskLifecycles: null,
      Shared: {
        Networks: null,
        DiskMB: 300,
        Ports: [
          { Label: "db", Value: 23000, To: 5432, HostIP: "10.0.0.5", IgnoreCollision: false },
          { Label: "v6", Value: 23001, To: 0, HostIP: "fd00::2", IgnoreCollision: false },
        ],
      },
    },
  };
  const node: Node = {
    ...zero(NodeSpec),
    ID: "node-1",
    Name: "host-a",
    Datacenter: "dc1",
    NodeClass: "big",
    NodePool: "default",
    Attributes: { "cpu.arch": "amd64" },
    Meta: { rack: "r1" },
  };
  return { alloc, task, node };
}

Deno.test("buildTaskEnv() gives a task Nomad's variables", () => {
  const { alloc, task, node } = fixture();
  const dir = new AllocDir("/data/alloc", ALLOC_ID);
  const { env } = buildTaskEnv({
    alloc,
    task,
    node,
    region: "global",
    taskDir: dir.taskDir("web"),
  });
  const want: Record<string, string> = {
    NOMAD_ALLOC_DIR: `/data/alloc/${ALLOC_ID}/alloc`,
    NOMAD_TASK_DIR: `/data/alloc/${ALLOC_ID}/web/local`,
    NOMAD_SECRETS_DIR: `/data/alloc/${ALLOC_ID}/web/secrets`,
    NOMAD_MEMORY_LIMIT: "256",
    NOMAD_MEMORY_MAX_LIMIT: "512",
    NOMAD_CPU_LIMIT: "500",
    NOMAD_CPU_CORES: "0,5-7",
    NOMAD_ALLOC_ID: ALLOC_ID,
    NOMAD_SHORT_ALLOC_ID: "a1b2c3d4",
    NOMAD_ALLOC_NAME: "web-job.web[2]",
    NOMAD_ALLOC_INDEX: "2",
    NOMAD_GROUP_NAME: "web",
    NOMAD_TASK_NAME: "web",
    NOMAD_JOB_ID: "web-job",
    NOMAD_JOB_NAME: "web-job",
    NOMAD_JOB_PARENT_ID: "web-parent",
    NOMAD_DC: "dc1",
    NOMAD_NAMESPACE: "default",
    NOMAD_REGION: "global",
    NOMAD_IP_http: "10.0.0.5",
    NOMAD_IPv4_http: "10.0.0.5",
    NOMAD_PORT_http: "24000",
    NOMAD_HOST_PORT_http: "24000",
    NOMAD_ADDR_http: "10.0.0.5:24000",
    NOMAD_PORT_admin: "9000",
    NOMAD_ADDR_sidecar_metrics: "10.0.0.5:25000",
    NOMAD_IP_sidecar_metrics: "10.0.0.5",
    NOMAD_PORT_sidecar_metrics: "25000",
    NOMAD_PORT_db: "5432",
    NOMAD_ALLOC_PORT_db: "5432",
    NOMAD_HOST_PORT_db: "23000",
    NOMAD_ADDR_db: "10.0.0.5:23000",
    NOMAD_HOST_ADDR_db: "10.0.0.5:23000",
    NOMAD_IP_db: "10.0.0.5",
    NOMAD_HOST_IP_db: "10.0.0.5",
    NOMAD_ADDR_v6: "[fd00::2]:23001",
    NOMAD_PORT_v6: "23001",
    NOMAD_META_owner: "web-team",
    NOMAD_META_OWNER: "web-team",
    NOMAD_META_tier: "front",
    NOMAD_META_TIER: "front",
    NOMAD_META_foo_bar: "x",
    NOMAD_META_FOO_BAR: "x",
    "NOMAD_META_DC.ZONE": "z1",
    APP_PORT: "24000",
    ARCH: "amd64",
    RACK: "r1",
    NODE: "host-a",
    UNKNOWN: "${nope}",
    COPY: "24000",
  };
  for (const [k, v] of Object.entries(want)) assertEquals(env[k], v, k);
  assertEquals(env["NOMAD_META_dc.zone"], "z1", "dots survive cleaning, as in Nomad");
  assert(!("NOMAD_META_foo-bar" in env), "dashes are cleaned out of meta keys");
  assert(!("NOMAD_PARENT_CGROUP" in env));
});

Deno.test("buildTaskEnv() maps ports through the driver network and uses container paths", () => {
  const { alloc, task, node } = fixture();
  const { env } = buildTaskEnv({
    alloc,
    task,
    node,
    taskDir: new AllocDir("/data/alloc", ALLOC_ID).taskDir("web"),
    fsIsolation: "image",
    driverNetwork: { PortMap: { http: 8080 }, IP: "172.17.0.2", AutoAdvertise: false },
    hostEnv: { PATH: "/usr/bin" },
  });
  assertEquals(env.NOMAD_PORT_http, "8080");
  assertEquals(env.NOMAD_HOST_PORT_http, "24000");
  assertEquals(env.APP_PORT, "8080");
  assertEquals(env.NOMAD_ALLOC_DIR, "/alloc");
  assertEquals(env.NOMAD_TASK_DIR, "/local");
  assertEquals(env.NOMAD_SECRETS_DIR, "/secrets");
  assert(!("PATH" in env), "image drivers do not inherit the host environment");
  assert(!("NOMAD_REGION" in env));
});

Deno.test("buildTaskEnv() inherits the host environment minus the denylist, never overriding", () => {
  const { alloc, task, node } = fixture();
  task.Env = { ...task.Env, HOME: "/task-home" };
  const { env } = buildTaskEnv({
    alloc,
    task,
    node,
    hostEnv: {
      PATH: "/usr/bin",
      HOME: "/root",
      VAULT_TOKEN: "s.secret",
      NOMAD_TOKEN: "tok",
      NOMAD_TASK_NAME: "evil",
    },
  });
  assertEquals(env.PATH, "/usr/bin");
  assertEquals(env.HOME, "/task-home", "the task's env wins over the host's");
  assertEquals(env.NOMAD_TASK_NAME, "web");
  assert(!("VAULT_TOKEN" in env) && !("NOMAD_TOKEN" in env));
});

Deno.test("buildTaskEnv() sets dispatch meta, alloc network and upstream variables", () => {
  const { alloc, task, node } = fixture();
  alloc.AllocatedResources!.Tasks!.web!.Cpu.ReservedCores = null;
  alloc.Job!.Dispatched = true;
  alloc.Job!.ParameterizedJob = {
    Payload: "optional",
    MetaRequired: null,
    MetaOptional: ["extra"],
  };
  alloc.Job!.TaskGroups![0]!.Services = [{
    ...zero(ServiceSpec),
    Connect: {
      ...zero(ConsulConnectSpec),
      SidecarService: {
        ...zero(ConsulSidecarServiceSpec),
        Proxy: { Upstreams: [{ DestinationName: "count-api", LocalBindPort: 8080 }] },
      },
    },
  }];
  const { env } = buildTaskEnv({
    alloc,
    task,
    node,
    networkStatus: { InterfaceName: "eth0", Address: "172.26.64.2" },
  });
  assertEquals(env.NOMAD_CPU_CORES, " ", "no reserved cores: Nomad's idset prints one space");
  assertEquals(env.NOMAD_META_extra, "");
  assertEquals(env.NOMAD_META_EXTRA, "");
  assertEquals(env.NOMAD_ALLOC_INTERFACE_db, "eth0");
  assertEquals(env.NOMAD_ALLOC_IP_db, "172.26.64.2");
  assertEquals(env.NOMAD_ALLOC_ADDR_db, "172.26.64.2:5432");
  assertEquals(env["NOMAD_UPSTREAM_ADDR_count-api"], "127.0.0.1:8080");
  assertEquals(env.NOMAD_UPSTREAM_ADDR_count_api, "127.0.0.1:8080");
  assertEquals(env.NOMAD_UPSTREAM_PORT_count_api, "8080");
});

Deno.test("buildTaskEnv() falls back to the task's resources without allocated resources", () => {
  const { alloc, node } = fixture();
  alloc.AllocatedResources = null;
  const task: Task = {
    ...zero(TaskSpec),
    Name: "web",
    Resources: { ...zero(TaskSpec).Resources, CPU: 100, MemoryMB: 300 } as Task["Resources"],
  };
  const { env } = buildTaskEnv({ alloc, task, node });
  assertEquals(env.NOMAD_CPU_LIMIT, "100");
  assertEquals(env.NOMAD_MEMORY_LIMIT, "300");
  assert(!("NOMAD_CPU_CORES" in env));
});

Deno.test("interpolate() resolves env, attr, meta and node references; unknown ones stay", () => {
  const { alloc, task, node } = fixture();
  const te = buildTaskEnv({ alloc, task, node, region: "eu" });
  const cases: [string, string][] = [
    ["${NOMAD_ALLOC_ID}", ALLOC_ID],
    ["${env.NOMAD_TASK_NAME}", "web"],
    ["${attr.cpu.arch}", "amd64"],
    ["${node.attr.cpu.arch}", "amd64"],
    ["${meta.rack}", "r1"],
    ["${node.meta.rack}", "r1"],
    ["${node.unique.id}/${node.unique.name}", "node-1/host-a"],
    ["${node.datacenter}-${node.class}-${node.pool}-${node.region}", "dc1-big-default-eu"],
    ["${not.there} and ${NOMAD_JOB_ID}", "${not.there} and web-job"],
    ["$NOMAD_JOB_ID ${ NOMAD_JOB_ID }", "$NOMAD_JOB_ID ${ NOMAD_JOB_ID }"],
  ];
  for (const [text, want] of cases) assertEquals(interpolate(text, te), want, text);
});

Deno.test("interpolateConfig() replaces strings in nested task config and keeps the rest", () => {
  const { alloc, task, node } = fixture();
  const te = buildTaskEnv({ alloc, task, node });
  const config = {
    command: "${NOMAD_TASK_DIR}/run",
    args: ["-port", "${NOMAD_PORT_http}", 3, true],
    mount: [{ "${key}": "${meta.rack}", n: null }],
  };
  const out = interpolateConfig(config, te);
  assertEquals(out, {
    command: "${NOMAD_TASK_DIR}/run",
    args: ["-port", "24000", 3, true],
    mount: [{ "${key}": "r1", n: null }],
  });
  assertEquals(config.args[1], "${NOMAD_PORT_http}", "the input is not changed");
});

Deno.test("replaceEnv(), cleanEnvVar(), allocIndex() and combinedTaskMeta() match Nomad's helpers", () => {
  assertEquals(replaceEnv("${a}${b}${c}", { a: "1" }, { b: "2", a: "x" }), "12${c}");
  assertEquals(cleanEnvVar("NOMAD_PORT_my-port.1"), "NOMAD_PORT_my_port.1");
  assertEquals(cleanEnvVar("9lives"), "_lives");
  assertEquals(allocIndex({ Name: "job.group[12]", JobID: "job", TaskGroup: "group" }), 12);
  assertEquals(allocIndex({ Name: "x", JobID: "job", TaskGroup: "group" }), 0);
  const { alloc } = fixture();
  assertEquals(combinedTaskMeta(alloc.Job, "web", "web"), {
    owner: "web-team",
    "foo-bar": "x",
    "dc.zone": "z1",
    tier: "front",
  });
});
