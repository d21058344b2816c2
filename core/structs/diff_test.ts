import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { diffJobs } from "./diff.ts";
import type {
  DiffType,
  FieldDiff,
  JobDiff,
  ObjectDiff,
  TaskDiff,
  TaskGroupDiff,
} from "./diff_types.ts";
import { type Job, JobSpec, type TaskGroup, TaskGroupSpec } from "./job.ts";
import { NetworkResourceSpec, PortSpec, ResourcesSpec } from "./resources.ts";
import { zero } from "./schema.ts";
import { ServiceSpec } from "./services.ts";
import { type Task, TaskSpec } from "./task.ts";
import { TemplateSpec } from "./task_parts.ts";
import { SECOND } from "./duration.ts";

function task(over: Partial<Task> = {}): Task {
  return {
    ...zero(TaskSpec),
    Name: "redis",
    Driver: "docker",
    Config: { image: "redis:3.2", port_map: [{ db: 6379 }] },
    Resources: { ...zero(ResourcesSpec), CPU: 500, MemoryMB: 256 },
    KillTimeout: 5 * SECOND,
    ...over,
  };
}

function group(over: Partial<TaskGroup> = {}): TaskGroup {
  return { ...zero(TaskGroupSpec), Name: "cache", Count: 1, Tasks: [task()], ...over };
}

function job(over: Partial<Job> = {}): Job {
  return {
    ...zero(JobSpec),
    ID: "example",
    Name: "example",
    Namespace: "default",
    Region: "global",
    Type: "service",
    Priority: 50,
    Stop: false,
    Datacenters: ["dc1"],
    TaskGroups: [group()],
    ...over,
  };
}

/** A job with its one group changed. */
const withGroup = (over: Partial<TaskGroup>) => job({ TaskGroups: [group(over)] });
/** A job with its one task changed. */
const withTask = (over: Partial<Task>) => withGroup({ Tasks: [task(over)] });

const field = (Type: DiffType, Name: string, Old: string, New: string): FieldDiff => ({
  Type,
  Name,
  Old,
  New,
  Annotations: null,
});

function onlyGroup(a: Job, b: Job, contextual = false): TaskGroupDiff {
  const groups = diffJobs(a, b, { contextual }).TaskGroups ?? [];
  assertEquals(groups.length, 1);
  return groups[0] as TaskGroupDiff;
}

const onlyTask = (a: Job, b: Job, contextual = false): TaskDiff =>
  (onlyGroup(a, b, contextual).Tasks ?? [])[0] as TaskDiff;

Deno.test("diffJobs() of identical jobs is None with no fields or objects", () => {
  const diff = diffJobs(job(), job());
  assertEquals(diff.Type, "None");
  assertEquals(diff.ID, "example");
  assertEquals(diff.Fields, null);
  assertEquals(diff.Objects, null);
  assertEquals(diff.TaskGroups?.map((g) => [g.Type, g.Fields, g.Objects]), [["None", null, null]]);
  assertEquals(diff.TaskGroups?.[0]?.Tasks?.map((t) => t.Type), ["None"]);
  const none: JobDiff = { Type: "None", ID: "", Fields: null, Objects: null, TaskGroups: null };
  assertEquals(diffJobs(null, null), none);
});

Deno.test("diffJobs() ignores indexes, status, version, stability and submit time", () => {
  const running = job({
    Status: "dead",
    Version: 3,
    Stable: true,
    SubmitTime: 1,
    JobModifyIndex: 9,
  });
  const next = job({
    Status: "pending",
    Version: 4,
    Stable: false,
    SubmitTime: 2,
    ModifyIndex: 12,
  });
  assertEquals(diffJobs(running, next).Type, "None");
});

Deno.test("diffJobs() refuses jobs with different IDs", () => {
  assertThrows(
    () => diffJobs(job(), job({ ID: "other" })),
    TypeError,
    `"example" against job "other"`,
  );
});

Deno.test("diffJobs() shows a re-run stopped job's Stop and count change", () => {
  const diff = diffJobs(job({ Stop: true }), withGroup({ Count: 3 }));
  assertEquals(diff.Type, "Edited");
  assertEquals(diff.Fields, [field("Edited", "Stop", "true", "false")]);
  const tg = diff.TaskGroups?.[0];
  assertEquals(tg?.Type, "Edited");
  assertEquals(tg?.Fields, [field("Edited", "Count", "1", "3")]);
  assertEquals(tg?.Tasks?.map((t) => [t.Name, t.Type]), [["redis", "None"]]);
});

Deno.test("diffJobs() diffs datacenters as a set", () => {
  const added = diffJobs(job(), job({ Datacenters: ["dc1", "dc2"] }));
  assertEquals(added.Objects, [{
    Type: "Added",
    Name: "Datacenters",
    Fields: [field("Added", "Datacenters", "", "dc2")],
    Objects: null,
  }]);
  const swapped = diffJobs(job(), job({ Datacenters: ["dc2"] }));
  assertEquals(swapped.Objects?.[0]?.Type, "Edited");
  assertEquals(swapped.Objects?.[0]?.Fields, [
    field("Added", "Datacenters", "", "dc2"),
    field("Deleted", "Datacenters", "dc1", ""),
  ]);
  assertEquals(diffJobs(job(), job({ Datacenters: ["dc1", "dc1"] })).Type, "None");
});

Deno.test("diffJobs() shows meta keys added, removed and edited as Meta[key] fields", () => {
  const diff = diffJobs(job({ Meta: { a: "1", b: "2" } }), job({ Meta: { b: "3", c: "4" } }));
  assertEquals(diff.Fields, [
    field("Deleted", "Meta[a]", "1", ""),
    field("Edited", "Meta[b]", "2", "3"),
    field("Added", "Meta[c]", "", "4"),
  ]);
});

Deno.test("diffJobs() shows an added constraint as an Added object", () => {
  const constraint = { LTarget: "${attr.kernel.name}", RTarget: "linux", Operand: "=" };
  const tg = onlyGroup(job(), withGroup({ Constraints: [constraint] }));
  assertEquals(tg.Objects, [{
    Type: "Added",
    Name: "Constraint",
    Fields: [
      field("Added", "LTarget", "", "${attr.kernel.name}"),
      field("Added", "Operand", "", "="),
      field("Added", "RTarget", "", "linux"),
    ],
    Objects: null,
  }]);
  // Set semantics: reordering constraints gives no constraint objects (though, as in Nomad,
  // the group still counts as edited because its value differs).
  const other = { LTarget: "${node.class}", RTarget: "large", Operand: "=" };
  const a = withGroup({ Constraints: [constraint, other] });
  assertEquals(onlyGroup(a, withGroup({ Constraints: [other, constraint] })).Objects, null);
});

Deno.test("diffJobs() flattens driver config keys like image and port_map[0][db]", () => {
  const t = onlyTask(
    job(),
    withTask({ Config: { image: "redis:7", port_map: [{ db: 6380 }], args: [1000000, true] } }),
  );
  assertEquals(t.Type, "Edited");
  assertEquals(t.Objects, [{
    Type: "Edited",
    Name: "Config",
    Fields: [
      field("Added", "args[0]", "", "1e+06"),
      field("Added", "args[1]", "", "true"),
      field("Edited", "image", "redis:3.2", "redis:7"),
      field("Edited", "port_map[0][db]", "6379", "6380"),
    ],
    Objects: null,
  }]);
});

Deno.test("diffJobs() prints durations as integer nanoseconds and bools as words", () => {
  const t = onlyTask(job(), withTask({ KillTimeout: 30 * SECOND, Leader: true, Env: { A: "" } }));
  assertEquals(t.Fields, [
    field("Edited", "KillTimeout", "5000000000", "30000000000"),
    field("Edited", "Leader", "false", "true"),
  ]);
  const rp = { Attempts: 2, Interval: 30 * 60 * SECOND, Delay: 15 * SECOND, Mode: "fail" };
  const tg = onlyGroup(job(), withGroup({ RestartPolicy: { ...rp, RenderTemplates: null } }));
  assertEquals(tg.Objects?.[0]?.Fields, [
    field("Added", "Attempts", "", "2"),
    field("Added", "Delay", "", "15000000000"),
    field("Added", "Interval", "", "1800000000000"),
    field("Added", "Mode", "", "fail"),
    field("Added", "RenderTemplates", "", "false"),
  ]);
});

Deno.test("diffJobs() shows a group's shutdown delay only when both groups exist", () => {
  const tg = onlyGroup(job(), withGroup({ ShutdownDelay: 5 * SECOND }));
  assertEquals(tg.Fields, [field("Added", "ShutdownDelay", "", "5000000000")]);
  const added = diffJobs(job({ TaskGroups: [] }), withGroup({ ShutdownDelay: 5 * SECOND }));
  assertEquals(added.TaskGroups?.[0]?.Fields?.map((f) => f.Name), [
    "Count",
    "PreventRescheduleOnLost",
  ]);
});

Deno.test("diffJobs() names a template's wait diff Template, as Nomad does", () => {
  const tmpl = { ...zero(TemplateSpec), DestPath: "local/a", EmbeddedTmpl: "x", Uid: 1000 };
  const t = onlyTask(
    withTask({ Templates: [tmpl] }),
    withTask({ Templates: [{ ...tmpl, Uid: 1001, Wait: { Min: SECOND, Max: null } }] }),
  );
  assertEquals(t.Objects, [{
    Type: "Edited",
    Name: "Template",
    Fields: [field("Edited", "Uid", "1000", "1001")],
    Objects: [{
      Type: "Added",
      Name: "Template",
      Fields: [field("Added", "Max", "", "nil"), field("Added", "Min", "", "1000000000")],
      Objects: null,
    }],
  }]);
});

Deno.test("diffJobs() shows env and resources changes of a task", () => {
  const t = onlyTask(
    withTask({ Env: { FOO: "1" } }),
    withTask({
      Env: { FOO: "2" },
      Resources: { ...zero(ResourcesSpec), CPU: 1000, MemoryMB: 256 },
    }),
  );
  assertEquals(t.Fields, [field("Edited", "Env[FOO]", "1", "2")]);
  assertEquals(t.Objects, [{
    Type: "Edited",
    Name: "Resources",
    Fields: [field("Edited", "CPU", "500", "1000")],
    Objects: null,
  }]);
});

Deno.test("diffJobs() shows whole groups added and deleted, sorted by name", () => {
  const web = group({ Name: "web", Count: 2, Tasks: [task({ Name: "nginx" })] });
  const diff = diffJobs(job(), job({ TaskGroups: [web] }));
  assertEquals(diff.TaskGroups?.map((g) => [g.Name, g.Type]), [["cache", "Deleted"], [
    "web",
    "Added",
  ]]);
  const added = diff.TaskGroups?.[1];
  assertEquals(added?.Fields, [
    field("Added", "Count", "", "2"),
    field("Added", "PreventRescheduleOnLost", "", "false"),
  ]);
  assertEquals(added?.Tasks?.map((t) => [t.Name, t.Type]), [["nginx", "Added"]]);
  const fields = added?.Tasks?.[0]?.Fields?.map((f) => `${f.Name}=${f.New}`);
  assertEquals(fields, [
    "Driver=docker",
    "KillTimeout=5000000000",
    "Leader=false",
    "ShutdownDelay=0",
  ]);
  assertEquals(diff.TaskGroups?.[0]?.Fields?.map((f) => [f.Type, f.Name, f.Old]), [
    ["Deleted", "Count", "1"],
    ["Deleted", "PreventRescheduleOnLost", "false"],
  ]);
});

Deno.test("diffJobs() of a new job shows its non-empty fields as Added", () => {
  const diff = diffJobs(null, job());
  assertEquals(diff.Type, "Added");
  assertEquals(diff.ID, "example");
  assertEquals(diff.Fields?.map((f) => `${f.Type} ${f.Name}=${f.New}`), [
    "Added AllAtOnce=false",
    "Added Dispatched=false",
    "Added Name=example",
    "Added Namespace=default",
    "Added Priority=50",
    "Added Region=global",
    "Added Stop=false",
    "Added Type=service",
  ]);
  assertEquals(diffJobs(job(), null).Type, "Deleted");
});

Deno.test("diffJobs() in contextual mode keeps unchanged fields of changed objects", () => {
  const rp = {
    Attempts: 2,
    Interval: 60 * SECOND,
    Delay: 15 * SECOND,
    Mode: "fail",
    RenderTemplates: false,
  };
  const a = withGroup({ RestartPolicy: rp, Meta: { owner: "a" } });
  const b = withGroup({ RestartPolicy: { ...rp, Attempts: 3 }, Meta: { owner: "b" } });
  const plain = onlyGroup(a, b).Objects?.[0];
  assertEquals(plain?.Fields, [field("Edited", "Attempts", "2", "3")]);
  const ctx = onlyGroup(a, b, true);
  assertEquals(ctx.Objects?.[0]?.Fields?.map((f) => `${f.Type} ${f.Name}`), [
    "Edited Attempts",
    "None Delay",
    "None Interval",
    "None Mode",
    "None RenderTemplates",
  ]);
  // Group-level fields and unchanged objects stay out even in contextual mode.
  assertEquals(ctx.Fields, [field("Edited", "Meta[owner]", "a", "b")]);
  assertEquals(ctx.Objects?.length, 1);
  assertEquals(diffJobs(a, a, { contextual: true }).Objects, null);
});

Deno.test("diffJobs() shows an update block change without its stagger", () => {
  const u = {
    Stagger: 30 * SECOND,
    MaxParallel: 1,
    HealthCheck: "checks",
    MinHealthyTime: 10 * SECOND,
    HealthyDeadline: 300 * SECOND,
    ProgressDeadline: 600 * SECOND,
    Canary: 0,
    AutoRevert: false,
    AutoPromote: false,
  };
  const tg = onlyGroup(
    withGroup({ Update: u }),
    withGroup({ Update: { ...u, MaxParallel: 2, Stagger: 1 } }),
  );
  assertEquals(tg.Objects, [{
    Type: "Edited",
    Name: "Update",
    Fields: [field("Edited", "MaxParallel", "1", "2")],
    Objects: null,
  }]);
});

Deno.test("diffJobs() shows a changed network as one deleted and one added network", () => {
  const net = (label: string) => ({
    ...zero(NetworkResourceSpec),
    Mode: "bridge",
    DynamicPorts: [{ ...zero(PortSpec), Label: label, To: 6379 }],
  });
  const tg = onlyGroup(
    withGroup({ Networks: [net("db")] }),
    withGroup({ Networks: [net("redis")] }),
  );
  assertEquals(tg.Objects?.map((o) => [o.Name, o.Type]), [["Network", "Added"], [
    "Network",
    "Deleted",
  ]]);
  const ports = (o?: ObjectDiff) => o?.Objects?.map((p) => [p.Name, p.Fields?.map((f) => f.Name)]);
  assertEquals(ports(tg.Objects?.[0]), [["Dynamic Port", ["HostNetwork", "Label", "To"]]]);
});

Deno.test("diffJobs() shows a service tag change inside the service", () => {
  const svc = { ...zero(ServiceSpec), Name: "redis-cache", PortLabel: "db", Tags: ["global"] };
  const t = onlyTask(
    withTask({ Services: [svc] }),
    withTask({ Services: [{ ...svc, Tags: ["global", "cache"] }] }),
  );
  assertEquals(t.Objects?.map((o) => [o.Name, o.Type]), [["Service", "Edited"]]);
  assertEquals(t.Objects?.[0]?.Fields, null);
  assertEquals(t.Objects?.[0]?.Objects, [{
    Type: "Added",
    Name: "Tags",
    Fields: [field("Added", "Tags", "", "cache")],
    Objects: null,
  }]);
  // A new service shows the server-side fields Nomad fills in.
  const added = onlyTask(job(), withTask({ Services: [svc] })).Objects?.[0];
  const names = added?.Fields?.map((f) => `${f.Name}=${f.New}`) ?? [];
  assert(names.includes("Namespace=default"), names.join(", "));
  assert(names.includes("Provider=consul"), names.join(", "));
  assert(names.includes("TaskName=redis"), names.join(", "));
});

Deno.test("diffJobs() keys artifacts by destination", () => {
  const art = {
    GetterSource: "https://example.com/a.tgz",
    GetterOptions: null,
    GetterHeaders: null,
    GetterMode: "any",
    GetterInsecure: false,
    RelativeDest: "local/",
    Chown: false,
  };
  const t = onlyTask(
    withTask({ Artifacts: [art] }),
    withTask({ Artifacts: [{ ...art, GetterSource: "https://example.com/b.tgz" }] }),
  );
  assertEquals(t.Objects, [{
    Type: "Edited",
    Name: "Artifact",
    Fields: [
      field("Edited", "GetterSource", "https://example.com/a.tgz", "https://example.com/b.tgz"),
    ],
    Objects: null,
  }]);
});
