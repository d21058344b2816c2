import { join } from "node:path";
import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { AllocationSpec, JobSpec, TaskStateSpec, zero } from "../structs/mod.ts";
import { ClientStateDb, type PersistedTask } from "./_state_db.ts";

function randomHex(bytes: number): string {
  const buf = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 65_536) crypto.getRandomValues(buf.subarray(i, i + 65_536));
  return [...buf].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function task(n: number): PersistedTask {
  return {
    handle: null,
    network: null,
    state: { ...zero(TaskStateSpec), State: "running", Restarts: n },
    restart: { count: n, startTime: 1_700_000_000_000 },
    runComplete: false,
  };
}

Deno.test("ClientStateDb keeps allocations of any size, tasks in write order, and forgets", async () => {
  const dir = await Deno.makeTempDir({ prefix: "client-state-" });
  const path = join(dir, "state.kv");
  const db = await ClientStateDb.open(path);
  const peek = await Deno.openKv(path);
  try {
    assertEquals(await db.nodeIdentity(), null);
    await db.putNodeIdentity({ ID: "n1", SecretID: "s1" });
    assertEquals(await db.nodeIdentity(), { ID: "n1", SecretID: "s1" });

    // A job with 400 KB of incompressible meta: far over one KV value (64 KiB).
    const job = { ...zero(JobSpec), ID: "big", Meta: { blob: randomHex(200_000) } };
    const alloc = { ...zero(AllocationSpec), ID: "a1", Job: job };
    await db.putAlloc({ alloc, deploymentStatus: null });
    assertEquals(await db.allocs(), [{ alloc, deploymentStatus: null }]);
    const chunks = async () =>
      (await Array.fromAsync(peek.list({ prefix: ["alloc_chunk", "a1"] }))).length;
    const many = await chunks();
    assertEquals(many > 1, true, `split in chunks: ${many}`);

    const small = { ...alloc, Job: { ...job, Meta: {} } };
    await db.putAlloc({ alloc: small, deploymentStatus: null });
    assertEquals((await db.allocs())[0]?.alloc, small);
    assertEquals(await chunks(), 1, "the chunks of the bigger version are gone");

    // Writes to one record land in the order they were made.
    await Promise.all([1, 2, 3, 4, 5].map((n) => db.putTask("a1", "web", task(n))));
    await db.putTask("a1", "side", task(9));
    const tasks = await db.tasks("a1");
    assertEquals(tasks.get("web")?.restart?.count, 5);
    assertEquals([...tasks.keys()].sort(), ["side", "web"]);

    await db.deleteAlloc("a1");
    assertEquals(await db.allocs(), []);
    assertEquals((await db.tasks("a1")).size, 0);
    assertEquals(await chunks(), 0);
    assertEquals((await Array.fromAsync(peek.list({ prefix: ["task_chunk"] }))).length, 0);
  } finally {
    peek.close();
    await db.close();
  }
  const reopened = await ClientStateDb.open(path);
  assertEquals((await reopened.nodeIdentity())?.ID, "n1", "the identity survives a reopen");
  reopened.abandon();
  await assertRejects(() => reopened.putTask("a1", "web", task(1)), Error, "closed");
  await Deno.remove(dir, { recursive: true });
});
