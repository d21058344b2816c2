/**
 * The child process of `tests/state_crash_test.ts`: opens the state store on a KV file (or on
 * etcd, given `etcd:<endpoint>,<prefix>`) and applies entries in a loop until it is killed, printing `<index> <kind> <id>` for each write
 * once `apply` resolved (an acknowledged, so durable, write). Compaction is frequent so that
 * kills land in the middle of snapshots too; some entries are larger than a KV value.
 *
 * Usage: `deno run -A --unstable-kv crash_writer.ts <kv path | etcd:<endpoint>,<prefix>> <round>`
 *
 * @module
 */
import { KvLogBackend, type LogBackend, StateStore } from "../mod.ts";
import { EtcdLogBackend } from "../etcd/mod.ts";
import { mockAlloc, mockEval, mockJob, mockNode, planEntry } from "../_testing.ts";

const [path, roundArg] = Deno.args;
if (!path || !roundArg) throw new TypeError("usage: crash_writer.ts <kv path> <round>");
const r = `r${roundArg}`;
let backend: LogBackend;
if (path.startsWith("etcd:")) {
  const [endpoint, prefix] = path.slice("etcd:".length).split(",");
  // A small request limit, so that large entries and snapshots are chunked across requests.
  backend = new EtcdLogBackend({
    endpoints: [endpoint ?? ""],
    prefix: prefix ?? "",
    maxRequestBytes: 128 * 1024,
  });
} else {
  backend = await KvLogBackend.open(path);
}
const store = await StateStore.open({
  backend,
  compactEntries: 40,
  compactBytes: 256 * 1024,
});
const ack = (index: number, kind: string, id: string) => console.log(`${index} ${kind} ${id}`);

const nodes = [`${r}-n0`, `${r}-n1`, `${r}-n2`];
for (const id of nodes) {
  const { index } = await store.apply({ type: "NodeRegister", node: mockNode(id) });
  ack(index, "node", id);
}

for (let n = 1;; n++) {
  const jobId = `${r}-j${n}`;
  const evalId = `${r}-e${n}`;
  const meta = n % 5 === 0 ? { pad: "x".repeat(150_000) } : null;
  const job = mockJob(jobId, { Meta: meta }, 4);
  const node = nodes[n % 3] as string;
  await Promise.all([
    store.apply({ type: "JobRegister", job, eval: mockEval(evalId, job) }).then((a) => {
      ack(a.index, "job", jobId);
      ack(a.index, "eval", evalId);
    }),
    store.apply({
      type: "NodeStatus",
      nodeId: node,
      status: n % 2 ? "down" : "ready",
      updatedAt: n,
    })
      .then((a) => ack(a.index, "node", node)),
  ]);
  const stored = store.snapshot().job("default", jobId);
  if (!stored) throw new Error(`job ${jobId} vanished`);
  const allocs = [0, 1, 2, 3].map((k) =>
    mockAlloc(`${jobId}-a${k}`, stored, nodes[k % 3] as string, { EvalID: evalId })
  );
  const placed = await store.apply(planEntry(stored, evalId, allocs, {}, n * 1e9));
  for (const a of allocs) ack(placed.index, "alloc", a.ID);
  await Promise.all([
    store.apply({
      type: "AllocClientUpdate",
      allocs: allocs.slice(0, 2).map((a) => ({
        ID: a.ID,
        ClientStatus: "running",
        ClientDescription: "",
        TaskStates: null,
        DeploymentStatus: null,
        NetworkStatus: null,
      })),
    }).then((a) => {
      for (const x of allocs.slice(0, 2)) ack(a.index, "alloc", x.ID);
    }),
    store.apply({ type: "EvalUpsert", evals: [{ ...mockEval(evalId, job), Status: "complete" }] })
      .then((a) => ack(a.index, "eval", evalId)),
  ]);
}
