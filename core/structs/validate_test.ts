import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { canonicalize } from "./canonicalize.ts";
import { AffinitySpec, ConstraintSpec, SpreadSpec } from "./constraint.ts";
import { MINUTE, SECOND } from "./duration.ts";
import { ValidationError } from "./errors.ts";
import {
  type Job,
  JobSpec,
  ParameterizedJobConfigSpec,
  PeriodicConfigSpec,
  type TaskGroup,
  TaskGroupSpec,
} from "./job.ts";
import {
  MigrateStrategySpec,
  ReschedulePolicySpec,
  UpdateStrategySpec,
  VolumeRequestSpec,
} from "./policies.ts";
import { NetworkResourceSpec, PortSpec } from "./resources.ts";
import { zero } from "./schema.ts";
import { ServiceCheckSpec, ServiceSpec } from "./services.ts";
import { type Task, TaskSpec } from "./task.ts";
import {
  DispatchPayloadConfigSpec,
  TaskArtifactSpec,
  TemplateSpec,
  VolumeMountSpec,
} from "./task_parts.ts";
import { assertValidJob, validateJob } from "./validate.ts";

type Edit = (j: Job, g: TaskGroup, t: Task) => void;

/** A canonical job `x` of the given type with group `cache` and task `redis`, then edited. */
function job(type: string, edit: Edit = () => {}): Job {
  const input: Job = {
    ...zero(JobSpec),
    ID: "x",
    Name: "x",
    Type: type,
    TaskGroups: [{
      ...zero(TaskGroupSpec),
      Name: "cache",
      Tasks: [{ ...zero(TaskSpec), Name: "redis", Driver: "docker" }],
    }],
  };
  const j = canonicalize(input);
  const g = j.TaskGroups![0]!;
  edit(j, g, g.Tasks![0]!);
  return j;
}

const G = 'Task group "cache": ';
const T = `${G}Task "redis": `;

Deno.test("validateJob() finds nothing wrong with a canonical job of any type", () => {
  for (const type of ["service", "batch", "system", "sysbatch"]) {
    assertEquals(validateJob(job(type)), []);
  }
});

Deno.test("validateJob() reports every problem at once, each naming where it is", () => {
  const problems = validateJob(job("service", (j, g, t) => {
    j.ID = "my job";
    g.Count = -1;
    t.Driver = "";
    g.Tasks!.push({ ...t, Driver: "docker" });
  }));
  assertEquals(problems, [
    "Job ID contains a space",
    `${G}Task group count can't be negative`,
    `${G}Task 2 redefines 'redis' from task 1`,
    `${T}Missing task driver`,
  ]);
});

const cases: [string, string, Edit, string[]][] = [
  ["job ID", "service", (j) => j.ID = "a\0b", ["Job ID contains a null character"]],
  ["job type", "batch", (j) => j.Type = "web", ['Invalid job type: "web"']],
  ["priority", "service", (j) => j.Priority = 101, ["job priority must be between [1, 100]"]],
  ["datacenters", "service", (j) => j.Datacenters = ["dc1", ""], [
    "Job datacenter must be non-empty string",
  ]],
  ["no groups", "service", (j) => j.TaskGroups = [], ["Missing job task groups"]],
  ["group names", "service", (j, g) => j.TaskGroups!.push({ ...g }), [
    "Job task group 2 redefines 'cache' from group 1",
  ]],
  ["no tasks", "batch", (_j, g) => g.Tasks = [], [`${G}Missing tasks for task group`]],
  ["system count", "system", (_j, g) => g.Count = 2, [
    "Job task group cache has count 2. Count cannot exceed 1 with system scheduler",
  ]],
  ["task names", "batch", (_j, _g, t) => t.Name = "a/b", [
    `${G}Task "a/b": Task name cannot include slashes`,
  ]],
  ["leader", "batch", (_j, g, t) => {
    t.Leader = true;
    g.Tasks!.push({ ...t, Name: "other" });
  }, [`${G}Only one task may be marked as leader`]],
  ["lifecycle", "batch", (_j, _g, t) => t.Lifecycle = { Hook: "prestop", Sidecar: false }, [
    `${G}Task group cache must have at least one main task`,
    `${T}Lifecycle validation failed: invalid hook: prestop`,
  ]],
  ["resources", "batch", (_j, _g, t) => {
    t.Resources!.MemoryMB = 5;
    t.Resources!.Cores = 2;
  }, [
    `${T}Task can only ask for 'cpu' or 'cores' resource, not both.`,
    `${T}minimum MemoryMB value is 10; got 5`,
  ]],
  ["kill timeout", "service", (_j, _g, t) => t.KillTimeout = 11 * MINUTE, [
    `${T}KillTimout (11m0s) longer than the group's ProgressDeadline (10m0s)`,
  ]],
  [
    "restart policy",
    "service",
    (_j, g) =>
      g.RestartPolicy = { ...g.RestartPolicy!, Attempts: 3, Interval: 30 * SECOND, Mode: "retry" },
    [
      `${G}Unsupported restart mode: "retry"`,
      `${G}Nomad can't restart the TaskGroup 3 times in an interval of 30s with a delay of 15s`,
    ],
  ],
  [
    "reschedule policy",
    "batch",
    (_j, g) =>
      g.ReschedulePolicy = { ...g.ReschedulePolicy!, Delay: SECOND, DelayFunction: "linear" },
    [
      `${G}Delay cannot be less than 5s (got 1s)`,
      `${G}Invalid delay function "linear", must be one of ["constant" "exponential" "fibonacci"]`,
      `${G}Max Delay cannot be less than 5s (got 1s)`,
      `${G}Max Delay cannot be less than Delay 1s (got 0s)`,
    ],
  ],
  [
    "reschedule on system",
    "system",
    (_j, g) => g.ReschedulePolicy = { ...zero(ReschedulePolicySpec) },
    [
      `${G}System or sysbatch jobs should not have a reschedule policy`,
    ],
  ],
  [
    "update strategy",
    "service",
    (_j, g) => g.Update = { ...g.Update!, HealthCheck: "pings", MinHealthyTime: 6 * MINUTE },
    [
      `${G}Invalid health check given: "pings"`,
      `${G}Minimum healthy time must be less than healthy deadline: 6m0s > 5m0s`,
    ],
  ],
  [
    "update on batch",
    "batch",
    (_j, g) =>
      g.Update = {
        ...zero(UpdateStrategySpec),
        Stagger: SECOND,
        HealthCheck: "checks",
        HealthyDeadline: MINUTE,
      },
    [
      `${G}Job type "batch" does not allow update block`,
    ],
  ],
  ["migrate strategy", "service", (_j, g) => g.Migrate = { ...g.Migrate!, HealthCheck: "x" }, [
    `${G}Invalid HealthCheck: "x"`,
  ]],
  ["migrate on batch", "batch", (_j, g) => g.Migrate = { ...zero(MigrateStrategySpec) }, [
    `${G}Job type "batch" does not allow migrate block`,
  ]],
  ["ephemeral disk and logs", "batch", (_j, g) => g.EphemeralDisk!.SizeMB = 8, [
    `${G}minimum DiskMB value is 10; got 8`,
    `${T}log storage (100 MB) must be less than requested disk capacity (8 MB)`,
  ]],
  [
    "periodic",
    "service",
    (j) =>
      j.Periodic = {
        ...zero(PeriodicConfigSpec),
        Enabled: true,
        Spec: "61 * * * *",
        Specs: [],
        SpecType: "cron",
        TimeZone: "Mars/Base",
      },
    [
      `Periodic can only be used with "batch" or "sysbatch" scheduler`,
      `Invalid time zone "Mars/Base": unknown time zone Mars/Base`,
      `Invalid cron spec "61 * * * *": syntax error in minute field: '61'`,
    ],
  ],
  [
    "parameterized",
    "batch",
    (j) =>
      j.ParameterizedJob = {
        ...zero(ParameterizedJobConfigSpec),
        Payload: "maybe",
        MetaRequired: ["a", "b"],
        MetaOptional: ["b"],
      },
    [
      'Unknown payload requirement: "maybe"',
      "Required and optional meta keys should be disjoint. Following keys exist in both: [b]",
    ],
  ],
  ["constraints", "service", (j, g) => {
    j.Constraints = [{ ...zero(ConstraintSpec), LTarget: "${attr.kernel.name" }];
    g.Constraints = [{ LTarget: "${meta.rack}", Operand: "regexp", RTarget: "(?=a)" }];
  }, [
    "Constraint 1 validation failed: Missing constraint operand",
    'Constraint 1 validation failed: Unknown constraint type ""',
    'Constraint 1 validation failed: attribute "${attr.kernel.name" is missing a closing brace',
    `${G}Constraint 1 validation failed: Regular expression failed to compile: error parsing regexp: invalid or unsupported Perl syntax: \`(?=\``,
  ]],
  [
    "version constraint",
    "batch",
    (_j, _g, t) =>
      t.Constraints = [{ LTarget: "${attr.os.version}", Operand: "version", RTarget: ">= 1.x" }],
    [
      `${T}Constraint 1 validation failed: Version constraint is invalid: Malformed constraint: >= 1.x`,
    ],
  ],
  [
    "affinities",
    "service",
    (j) =>
      j.Affinities = [{
        ...zero(AffinitySpec),
        LTarget: "${node.class}",
        Operand: "=",
        RTarget: "a",
        Weight: 0,
      }],
    [
      "Affinity 1 validation failed: Affinity weight cannot be zero",
    ],
  ],
  ["system affinity", "system", (_j, g) => g.Affinities = [{ ...zero(AffinitySpec), Weight: 50 }], [
    `${G}System jobs may not have an affinity block`,
  ]],
  ["spreads", "batch", (_j, g) =>
    g.Spreads = [{
      ...zero(SpreadSpec),
      Attribute: "${node.datacenter}",
      Weight: 50,
      SpreadTarget: [{ Value: "a", Percent: 70 }, { Value: "b", Percent: 40 }],
    }], [
    `${G}Spread 1 validation failed: Sum of spread target percentages must not be greater than 100%; got 110%`,
  ]],
  ["templates", "batch", (_j, _g, t) => {
    const tmpl = {
      ...zero(TemplateSpec),
      EmbeddedTmpl: "x",
      DestPath: "../../../etc/x",
      ChangeMode: "restart",
      Perms: "999",
      Splay: 0,
    };
    t.Templates = [tmpl, { ...tmpl, Perms: "0644" }];
  }, [
    `${T}Template 1 validation failed: destination escapes allocation directory`,
    `${T}Template 1 validation failed: Failed to parse "999" as octal: strconv.ParseUint: parsing "999": invalid syntax`,
    `${T}Template 2 validation failed: destination escapes allocation directory`,
    `${T}Template 2 has same destination as 1`,
  ]],
  ["artifacts", "batch", (_j, _g, t) =>
    t.Artifacts = [{
      ...zero(TaskArtifactSpec),
      GetterSource: "",
      GetterMode: "tar",
      RelativeDest: "local/",
      GetterOptions: { checksum: "sha256:abcd" },
    }], [
    `${T}Artifact 1 validation failed: source must be specified`,
    `${T}Artifact 1 validation failed: invalid artifact mode "tar"; must be one of: any, file, dir`,
    `${T}Artifact 1 validation failed: invalid sha256 checksum: abcd`,
  ]],
  [
    "dispatch payload",
    "batch",
    (_j, _g, t) => t.DispatchPayload = { ...zero(DispatchPayloadConfigSpec), File: "../../../x" },
    [
      `${T}Dispatch Payload validation failed: destination escapes allocation directory`,
    ],
  ],
  ["volumes", "batch", (_j, g, t) => {
    g.Volumes = { data: { ...zero(VolumeRequestSpec), Name: "data", Type: "host", Source: "" } };
    t.VolumeMounts = [{
      ...zero(VolumeMountSpec),
      Volume: "logs",
      Destination: "/logs",
      PropagationMode: "private",
    }];
  }, [
    `${G}Task group volume validation for data failed: volume has an empty source`,
    `${T}Volume Mount (0) references undefined volume logs`,
  ]],
  ["ports", "service", (_j, g) => {
    const port = (Label: string, Value: number, To = 0) => ({
      ...zero(PortSpec),
      Label,
      Value,
      To,
    });
    g.Networks = [
      { ...zero(NetworkResourceSpec), ReservedPorts: [port("http", 8080), port("big", 70000)] },
      {
        ...zero(NetworkResourceSpec),
        ReservedPorts: [port("admin", 8080)],
        DynamicPorts: [port("http", 0, -2)],
      },
    ];
  }, [
    `${G}Task group network validation failed: Port big (70000) cannot be greater than 65535`,
    `${G}Task group network validation failed: Static port 8080 already reserved by taskgroup network:http`,
    `${G}Task group network validation failed: Port label http already in use by taskgroup network`,
    `${G}Task group network validation failed: Port "http" cannot be mapped to negative value -2`,
  ]],
  ["task services", "service", (_j, _g, t) => {
    const check = {
      ...zero(ServiceCheckSpec),
      Type: "http",
      Path: "/health",
      Interval: 0,
      Timeout: SECOND,
    };
    t.Services = [{
      ...zero(ServiceSpec),
      Name: "web",
      PortLabel: "http",
      Provider: "nomad",
      Checks: [check],
    }];
  }, [
    `${T}service[0] "web" validation failed: missing required value interval. Interval cannot be less than 1s`,
    `${T}port label "http" referenced by services web does not exist`,
  ]],
  ["group services", "service", (_j, g) => {
    const check = { ...zero(ServiceCheckSpec), Type: "tcp", Interval: SECOND, Timeout: SECOND };
    g.Services = [{ ...zero(ServiceSpec), Name: "db_1", Provider: "consul", Checks: [check] }];
  }, [
    `${G}Task group service validation failed: Service[0] db_1 validation failed: Service name must be valid per RFC 1123 and can contain only alphanumeric characters or dashes and must be no longer than 63 characters: "db_1"`,
    `${G}Task group service validation failed: Service[0] db_1 validation failed: Check service: "db_1" check invalid: check requires a port but neither check nor service "db_1" have a port`,
  ]],
];

for (const [family, type, edit, expected] of cases) {
  Deno.test(`validateJob() reports ${family} problems in Nomad's words`, () => {
    assertEquals(validateJob(job(type, edit)), expected);
  });
}

Deno.test("assertValidJob() throws a ValidationError listing every problem", () => {
  const err = assertThrows(
    () =>
      assertValidJob(job("batch", (j, _g, t) => {
        j.Priority = 0;
        t.Driver = "";
      })),
    ValidationError,
    'Job "x" is invalid',
  );
  assertEquals((err as ValidationError).problems, [
    `${T}Missing task driver`,
    "job priority must be between [1, 100]",
  ]);
  assertValidJob(job("batch"));
});
