import { assertEquals } from "../../tests/assert.ts";
import type { Job, Task } from "../structs/mod.ts";
import { mockJob } from "./_testing.ts";
import { deepEqual, tasksUpdated } from "./util_tasks.ts";

function withTask(patch: (t: Task) => Partial<Task>, job: Partial<Job> = {}): Job {
  const base = mockJob(job);
  const tg = base.TaskGroups![0]!;
  const task = tg.Tasks![0]!;
  return { ...base, TaskGroups: [{ ...tg, Tasks: [{ ...task, ...patch(task) }] }] };
}

Deno.test("tasksUpdated() finds the changes that need new allocations", async (t) => {
  const base = mockJob();
  const cases: Array<[string, Job, string]> = [
    ["driver", withTask(() => ({ Driver: "docker" })), "task driver"],
    ["config", withTask(() => ({ Config: { command: "/bin/other" } })), "task config"],
    ["env", withTask(() => ({ Env: { A: "1" } })), "task env"],
    ["cpu", withTask((x) => ({ Resources: { ...x.Resources!, CPU: 600 } })), "task cpu"],
    ["memory", withTask((x) => ({ Resources: { ...x.Resources!, MemoryMB: 512 } })), "task memory"],
    ["job meta", { ...base, Meta: { owner: "me" } }, "task meta"],
    ["user", withTask(() => ({ User: "nobody" })), "task user"],
  ];
  for (const [what, next, label] of cases) {
    await t.step(what, () => {
      assertEquals(tasksUpdated(base, next, "web"), { modified: true, label });
    });
  }
});

Deno.test("tasksUpdated() lets services, constraints, count and kill timeout change in place", () => {
  const base = mockJob();
  const tg = base.TaskGroups![0]!;
  const next: Job = {
    ...base,
    Constraints: [{ LTarget: "${attr.kernel.name}", RTarget: "linux", Operand: "=" }],
    TaskGroups: [{
      ...tg,
      Count: 9,
      Tasks: [{ ...tg.Tasks![0]!, KillTimeout: 30_000_000_000 }],
    }],
  };
  assertEquals(tasksUpdated(base, next, "web").modified, false);
});

Deno.test("tasksUpdated() ignores the value of dynamic ports but not their labels", () => {
  const net = (label: string, value: number) => ({
    Mode: "host",
    Device: "",
    CIDR: "",
    IP: "",
    DNS: null,
    ReservedPorts: null,
    DynamicPorts: [{
      Label: label,
      Value: value,
      To: 0,
      HostNetwork: "default",
      IgnoreCollision: false,
    }],
    Hostname: "",
    MBits: null,
    CNI: null,
  });
  const a = mockJob({}, { Networks: [net("http", 0)] });
  const b = mockJob({}, { Networks: [net("http", 25000)] });
  const c = mockJob({}, { Networks: [net("admin", 0)] });
  assertEquals(tasksUpdated(a, b, "web").modified, false);
  assertEquals(tasksUpdated(a, c, "web"), { modified: true, label: "network port map" });
});

Deno.test("deepEqual() treats missing, undefined and null alike", () => {
  assertEquals(deepEqual({ a: 1, b: null }, { a: 1 }), true);
  assertEquals(deepEqual({ a: [1, { x: 2 }] }, { a: [1, { x: 2 }] }), true);
  assertEquals(deepEqual({ a: [1] }, { a: [1, 2] }), false);
  assertEquals(deepEqual({ a: {} }, { a: [] }), false);
});
