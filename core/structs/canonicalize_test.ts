import { assert, assertEquals } from "../../tests/assert.ts";
import { canonicalize } from "./canonicalize.ts";
import { HOUR, MINUTE, SECOND } from "./duration.ts";
import { type Job, JobSpec, PeriodicConfigSpec, type TaskGroup, TaskGroupSpec } from "./job.ts";
import { zero } from "./schema.ts";
import { ServiceCheckSpec, ServiceSpec } from "./services.ts";
import { type Task, TaskSpec } from "./task.ts";
import { TaskArtifactSpec, TemplateSpec } from "./task_parts.ts";
import {
  ReschedulePolicySpec,
  RestartPolicySpec,
  ScalingPolicySpec,
  UpdateStrategySpec,
} from "./policies.ts";
import { AffinitySpec, SpreadSpec } from "./constraint.ts";
import { ResourcesSpec } from "./resources.ts";

/** `job "x" { type = ... group "g" { task "t" { driver = "raw_exec" } } }`, as parsed. */
function minimal(
  type: string | null,
  edit: (j: Job, g: TaskGroup, t: Task) => void = () => {},
): Job {
  const task: Task = { ...zero(TaskSpec), Name: "t", Driver: "raw_exec" };
  const group: TaskGroup = { ...zero(TaskGroupSpec), Name: "g", Tasks: [task] };
  const job: Job = { ...zero(JobSpec), ID: "x", Name: "x", Type: type, TaskGroups: [group] };
  edit(job, group, task);
  return job;
}

const SERVICE_RESTART = {
  Interval: 30 * MINUTE,
  Attempts: 2,
  Delay: 15 * SECOND,
  Mode: "fail",
  RenderTemplates: false,
};
const BATCH_RESTART = { ...SERVICE_RESTART, Interval: 24 * HOUR, Attempts: 3 };
const UPDATE = {
  Stagger: 30 * SECOND,
  MaxParallel: 1,
  HealthCheck: "checks",
  MinHealthyTime: 10 * SECOND,
  HealthyDeadline: 5 * MINUTE,
  ProgressDeadline: 10 * MINUTE,
  Canary: 0,
  AutoRevert: false,
  AutoPromote: false,
};

function expectedTask(restart: object): object {
  return {
    ...zero(TaskSpec),
    Name: "t",
    Driver: "raw_exec",
    Resources: {
      CPU: 100,
      Cores: 0,
      MemoryMB: 300,
      MemoryMaxMB: null,
      DiskMB: null,
      Networks: null,
      Devices: null,
      NUMA: null,
      SecretsMB: null,
      IOPS: null,
    },
    RestartPolicy: restart,
    KillTimeout: 5 * SECOND,
    LogConfig: { MaxFiles: 10, MaxFileSizeMB: 10, Enabled: null, Disabled: false },
  };
}

function expectedJob(type: string, parts: {
  restart: object;
  reschedule: object | null;
  update: object | null;
  migrate: object | null;
}): object {
  return {
    ...zero(JobSpec),
    Region: "global",
    Namespace: "default",
    ID: "x",
    Name: "x",
    Type: type,
    Priority: 50,
    AllAtOnce: false,
    NodePool: "",
    TaskGroups: [{
      ...zero(TaskGroupSpec),
      Name: "g",
      Count: 1,
      Tasks: [expectedTask(parts.restart)],
      RestartPolicy: parts.restart,
      ReschedulePolicy: parts.reschedule,
      EphemeralDisk: { Sticky: false, Migrate: false, SizeMB: 300 },
      Update: parts.update,
      Migrate: parts.migrate,
    }],
    Update: parts.update,
    Stop: false,
    ParentID: "",
    ConsulNamespace: "",
    VaultNamespace: "",
    NomadTokenID: "",
    Status: "",
    StatusDescription: "",
    Stable: false,
    Version: 0,
    CreateIndex: 0,
    ModifyIndex: 0,
    JobModifyIndex: 0,
  };
}

Deno.test("canonicalize() gives a minimal service job Nomad's full defaults", () => {
  assertEquals(
    canonicalize(minimal("service")),
    expectedJob("service", {
      restart: SERVICE_RESTART,
      reschedule: {
        Attempts: 0,
        Interval: 0,
        Delay: 30 * SECOND,
        DelayFunction: "exponential",
        MaxDelay: HOUR,
        Unlimited: true,
      },
      update: UPDATE,
      migrate: {
        MaxParallel: 1,
        HealthCheck: "checks",
        MinHealthyTime: 10 * SECOND,
        HealthyDeadline: 5 * MINUTE,
      },
    }),
  );
});

Deno.test("canonicalize() gives batch jobs Nomad's reschedule policy and no update", () => {
  assertEquals(
    canonicalize(minimal("batch")),
    expectedJob("batch", {
      restart: BATCH_RESTART,
      reschedule: {
        Attempts: 1,
        Interval: 24 * HOUR,
        Delay: 5 * SECOND,
        DelayFunction: "constant",
        MaxDelay: 0,
        Unlimited: false,
      },
      update: null,
      migrate: null,
    }),
  );
});

Deno.test("canonicalize() gives system jobs an update strategy and no reschedule policy", () => {
  assertEquals(
    canonicalize(minimal("system")),
    expectedJob("system", {
      restart: SERVICE_RESTART,
      reschedule: null,
      update: UPDATE,
      migrate: null,
    }),
  );
});

Deno.test("canonicalize() gives sysbatch jobs the batch restart policy and nothing else", () => {
  assertEquals(
    canonicalize(minimal("sysbatch")),
    expectedJob("sysbatch", {
      restart: BATCH_RESTART,
      reschedule: null,
      update: null,
      migrate: null,
    }),
  );
});

Deno.test("canonicalize() makes a job without a type a service job", () => {
  assertEquals(canonicalize(minimal(null)).Type, "service");
  assertEquals(canonicalize(minimal(null)).TaskGroups?.[0]?.Migrate?.MaxParallel, 1);
});

Deno.test("canonicalize() output serializes field by field like Nomad's parse endpoint", () => {
  // Nomad's JSON omits a null Task.CSIPluginConfig (`omitempty`): so does ours.
  const task = `{"Name":"t","Driver":"raw_exec","User":"","Lifecycle":null,"Config":null,` +
    `"Constraints":null,"Affinities":null,"Env":null,"Services":null,"Resources":{"CPU":100,` +
    `"Cores":0,"MemoryMB":300,"MemoryMaxMB":null,"DiskMB":null,"Networks":null,` +
    `"Devices":null,"NUMA":null,"SecretsMB":null,"IOPS":null},"RestartPolicy":{"Interval":` +
    `86400000000000,"Attempts":3,"Delay":15000000000,"Mode":"fail","RenderTemplates":false},` +
    `"Meta":null,"KillTimeout":5000000000,"LogConfig":{"MaxFiles":10,"MaxFileSizeMB":10,` +
    `"Enabled":null,"Disabled":false},"Artifacts":null,"Vault":null,"Consul":null,` +
    `"Templates":null,"DispatchPayload":null,"VolumeMounts":null,` +
    `"Leader":false,"ShutdownDelay":0,"KillSignal":"","Kind":"","ScalingPolicies":null,` +
    `"Secrets":null,"Identity":null,"Identities":null,"Actions":null,"Schedule":null}`;
  const group = `{"Name":"g","Count":1,"Constraints":null,"Affinities":null,"Tasks":[${task}],` +
    `"Spreads":null,"Volumes":null,"RestartPolicy":{"Interval":86400000000000,"Attempts":3,` +
    `"Delay":15000000000,"Mode":"fail","RenderTemplates":false},"Disconnect":null,` +
    `"ReschedulePolicy":{"Attempts":1,"Interval":86400000000000,"Delay":5000000000,` +
    `"DelayFunction":"constant","MaxDelay":0,"Unlimited":false},"EphemeralDisk":{` +
    `"Sticky":false,"Migrate":false,"SizeMB":300},"Update":null,"Migrate":null,` +
    `"Networks":null,"Meta":null,"Services":null,"ShutdownDelay":null,"MaxRunDuration":null,` +
    `"StopAfterClientDisconnect":null,"MaxClientDisconnect":null,"Scaling":null,` +
    `"Consul":null,"PreventRescheduleOnLost":null}`;
  const job = `{"Region":"global","Namespace":"default","ID":"x","Name":"x","Type":"batch",` +
    `"Priority":50,"AllAtOnce":false,"Datacenters":null,"NodePool":"","Constraints":null,` +
    `"Affinities":null,"TaskGroups":[${group}],"Update":null,"Multiregion":null,` +
    `"Spreads":null,"Periodic":null,"ParameterizedJob":null,"Reschedule":null,` +
    `"Migrate":null,"Meta":null,"UI":null,"Stop":false,"ParentID":"","Dispatched":false,` +
    `"DispatchIdempotencyToken":null,"Payload":null,"ConsulNamespace":"",` +
    `"VaultNamespace":"","NomadTokenID":"","Status":"","StatusDescription":"",` +
    `"Stable":false,"Version":0,"SubmitTime":null,"CreateIndex":0,"ModifyIndex":0,` +
    `"JobModifyIndex":0,"VersionTag":null}`;
  assertEquals(JSON.stringify(canonicalize(minimal("batch"))), job);
});

Deno.test("canonicalize() keeps the values a user set", () => {
  const job = canonicalize(minimal("service", (j, g, t) => {
    j.Priority = 70;
    j.Region = "eu";
    g.Count = 3;
    g.RestartPolicy = { ...zero(RestartPolicySpec), Attempts: 5, Mode: "delay" };
    g.ReschedulePolicy = { ...zero(ReschedulePolicySpec), Delay: 10 * SECOND };
    t.Resources = { ...zero(ResourcesSpec), CPU: 500, MemoryMB: 256 };
    t.KillTimeout = 20 * SECOND;
    t.RestartPolicy = { ...zero(RestartPolicySpec), Delay: 25 * SECOND };
  }));
  const g = job.TaskGroups?.[0], t = g?.Tasks?.[0];
  assertEquals([job.Priority, job.Region, g?.Count], [70, "eu", 3]);
  assertEquals(g?.RestartPolicy, { ...SERVICE_RESTART, Attempts: 5, Mode: "delay" });
  assertEquals(g?.ReschedulePolicy?.Delay, 10 * SECOND);
  assertEquals(g?.ReschedulePolicy?.DelayFunction, "exponential");
  assertEquals([t?.Resources?.CPU, t?.Resources?.MemoryMB, t?.KillTimeout], [
    500,
    256,
    20 * SECOND,
  ]);
  assertEquals(t?.RestartPolicy, {
    ...SERVICE_RESTART,
    Attempts: 5,
    Mode: "delay",
    Delay: 25 * SECOND,
  });
});

Deno.test("canonicalize() merges the job's update block into each group's", () => {
  const job = canonicalize(minimal("service", (j, g) => {
    j.Update = { ...zero(UpdateStrategySpec), MaxParallel: 3, HealthCheck: "task_states" };
    g.Update = { ...zero(UpdateStrategySpec), Canary: 1, AutoPromote: true };
  }));
  assertEquals(job.Update, { ...UPDATE, MaxParallel: 3, HealthCheck: "task_states" });
  assertEquals(job.TaskGroups?.[0]?.Update, {
    ...UPDATE,
    MaxParallel: 3,
    HealthCheck: "task_states",
    Canary: 1,
    AutoPromote: true,
  });
});

Deno.test("canonicalize() gives a batch group the job's update block only when one is set", () => {
  const job = canonicalize(minimal("batch", (j) => {
    j.Update = { ...zero(UpdateStrategySpec), MaxParallel: 2 };
  }));
  assertEquals(job.TaskGroups?.[0]?.Update, { ...UPDATE, MaxParallel: 2 });
  assertEquals(canonicalize(minimal("batch")).TaskGroups?.[0]?.Update, null);
});

Deno.test("canonicalize() does not modify its input", () => {
  const input = minimal("service", (j, g, t) => {
    j.Update = { ...zero(UpdateStrategySpec), MaxParallel: 2 };
    g.RestartPolicy = { ...zero(RestartPolicySpec), Attempts: 1 };
    t.Services = [{ ...zero(ServiceSpec), Checks: [{ ...zero(ServiceCheckSpec), Type: "tcp" }] }];
  });
  const before = structuredClone(input);
  const output = canonicalize(input);
  assertEquals(input, before);
  assert(output.TaskGroups?.[0] !== input.TaskGroups?.[0], "groups must be new objects");
});

Deno.test("canonicalize() names services after job, group and task and fills their checks", () => {
  const job = canonicalize(minimal("service", (_j, g, t) => {
    g.Services = [{ ...zero(ServiceSpec), PortLabel: "http" }];
    t.Services = [{
      ...zero(ServiceSpec),
      OnUpdate: "ignore",
      CheckRestart: { Limit: 3, Grace: null, IgnoreWarnings: false },
      Checks: [{ ...zero(ServiceCheckSpec), Type: "tcp", SuccessBeforePassing: -2 }],
    }];
  }));
  const group = job.TaskGroups?.[0]?.Services?.[0];
  assertEquals([group?.Name, group?.AddressMode, group?.OnUpdate], [
    "x-g",
    "auto",
    "require_healthy",
  ]);
  assertEquals([group?.Provider, group?.Cluster], ["consul", "default"]);
  const task = job.TaskGroups?.[0]?.Tasks?.[0]?.Services?.[0];
  assertEquals(task?.Name, "x-g-t");
  const check = task?.Checks?.[0];
  assertEquals(check?.CheckRestart, { Limit: 3, Grace: SECOND, IgnoreWarnings: false });
  assertEquals([check?.OnUpdate, check?.SuccessBeforePassing], ["ignore", 0]);
});

Deno.test("canonicalize() fills templates and artifacts like Nomad", () => {
  const job = canonicalize(minimal("batch", (_j, _g, t) => {
    t.Templates = [{ ...zero(TemplateSpec), ChangeMode: "signal" }, {
      ...zero(TemplateSpec),
      ChangeSignal: "sigusr1",
    }];
    t.Artifacts = [
      { ...zero(TaskArtifactSpec), GetterSource: "https://e.com/a/app.tgz", GetterMode: "file" },
      { ...zero(TaskArtifactSpec), GetterSource: "https://e.com/b.zip", GetterOptions: {} },
    ];
  }));
  const task = job.TaskGroups?.[0]?.Tasks?.[0];
  const [signal, upper] = task?.Templates ?? [];
  assertEquals([signal?.ChangeSignal, upper?.ChangeMode, upper?.ChangeSignal], [
    "SIGHUP",
    "restart",
    "SIGUSR1",
  ]);
  assertEquals([upper?.Splay, upper?.Perms, upper?.LeftDelim, upper?.RightDelim], [
    5 * SECOND,
    "0644",
    "{{",
    "}}",
  ]);
  const [file, dir] = task?.Artifacts ?? [];
  assertEquals([file?.RelativeDest, dir?.RelativeDest, dir?.GetterMode], [
    "local/app.tgz",
    "local/",
    "any",
  ]);
  assertEquals(dir?.GetterOptions, null);
});

Deno.test("canonicalize() gives no CPU default to a task that asks for cores", () => {
  const job = canonicalize(minimal("batch", (_j, _g, t) => {
    t.Resources = { ...zero(ResourcesSpec), Cores: 2 };
  }));
  const r = job.TaskGroups?.[0]?.Tasks?.[0]?.Resources;
  assertEquals([r?.CPU, r?.Cores, r?.MemoryMB], [0, 2, 300]);
});

Deno.test("canonicalize() takes a group's count from its scaling minimum", () => {
  const job = canonicalize(minimal("service", (_j, g) => {
    g.Scaling = { ...zero(ScalingPolicySpec), Min: 2, Max: 5 };
  }));
  assertEquals(job.TaskGroups?.[0]?.Count, 2);
  assertEquals([job.TaskGroups?.[0]?.Scaling?.Enabled, job.TaskGroups?.[0]?.Scaling?.Type], [
    true,
    "horizontal",
  ]);
});

Deno.test("canonicalize() fills periodic blocks and weighs affinities and spreads", () => {
  const job = canonicalize(minimal("batch", (j, g) => {
    j.Periodic = { ...zero(PeriodicConfigSpec), Spec: "@daily", TimeZone: "" };
    j.Affinities = [{
      ...zero(AffinitySpec),
      LTarget: "${node.class}",
      Operand: "=",
      RTarget: "a",
    }];
    g.Spreads = [{ ...zero(SpreadSpec), Attribute: "${node.datacenter}" }];
  }));
  assertEquals(job.Periodic, {
    Enabled: true,
    Spec: "@daily",
    Specs: [],
    SpecType: "cron",
    ProhibitOverlap: false,
    TimeZone: "UTC",
  });
  assertEquals([job.Affinities?.[0]?.Weight, job.TaskGroups?.[0]?.Spreads?.[0]?.Weight], [50, 50]);
});
