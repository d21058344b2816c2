/**
 * Bytes on disk: log entries (JSON; a plan's allocations refer to the plan's job instead of
 * carrying a copy, and its stops and preemptions keep only the fields that are applied) and
 * snapshots (JSON lines, streamed; each distinct job object is written once and referred to).
 *
 * @module
 */
import type { Allocation, Job } from "../structs/mod.ts";
import type { Entry, PlanApplyEntry } from "./entries.ts";
import { CONFIG_KEY, type Db, type TableName, versionKey } from "./_tables.ts";
import { nsKey } from "./_util.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Marks an allocation's `Job` as "the plan's job" in a logged plan. */
const PLAN_JOB = 0;

function mapAllocs(
  byNode: Record<string, Allocation[]> | null | undefined,
  f: (a: Allocation) => unknown,
): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [node, list] of Object.entries(byNode ?? {})) out[node] = list.map(f);
  return out;
}

function compactPlan(e: PlanApplyEntry): unknown {
  const r = e.result;
  return {
    ...e,
    result: {
      ...r,
      NodeAllocation: mapAllocs(
        r.NodeAllocation,
        (a) => e.job !== null && a.Job === e.job ? { ...a, Job: PLAN_JOB } : a,
      ),
      NodeUpdate: mapAllocs(r.NodeUpdate, (a) => ({
        ID: a.ID,
        DesiredDescription: a.DesiredDescription,
        ClientStatus: a.ClientStatus,
        FollowupEvalID: a.FollowupEvalID,
        AllocStates: a.AllocStates,
      })),
      NodePreemptions: mapAllocs(r.NodePreemptions, (a) => ({
        ID: a.ID,
        PreemptedByAllocation: a.PreemptedByAllocation,
      })),
    },
  };
}

/** Encodes an entry for the log; throws a TypeError when it cannot be written as JSON. */
export function encodeEntry(entry: Entry): Uint8Array {
  try {
    return encoder.encode(JSON.stringify(entry.type === "PlanApply" ? compactPlan(entry) : entry));
  } catch (err) {
    throw new TypeError(`Cannot log a ${entry.type} entry: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Decodes a logged entry. */
export function decodeEntry(data: Uint8Array): Entry {
  const entry = JSON.parse(decoder.decode(data)) as Entry;
  if (entry.type === "PlanApply") {
    for (const list of Object.values(entry.result.NodeAllocation ?? {})) {
      for (const a of list) if ((a.Job as unknown) === PLAN_JOB) a.Job = entry.job;
    }
  }
  return entry;
}

/** The rows of every table at one index (references to immutable rows). */
export interface Capture {
  readonly index: number;
  readonly tableIndex: readonly (readonly [TableName, number])[];
  readonly jobs: readonly Job[];
  readonly versions: readonly Job[];
  readonly rows: readonly (readonly [string, readonly unknown[]])[];
  readonly allocs: readonly Allocation[];
}

/** Takes the rows of every table; cheap (arrays of references), valid forever. */
export function capture(db: Db): Capture {
  return {
    index: db.index,
    tableIndex: [...db.tableIndex],
    jobs: [...db.jobs.rows.values()],
    versions: [...db.jobVersions.rows.values()],
    rows: [
      ["e", [...db.evals.rows.values()]],
      ["n", [...db.nodes.rows.values()]],
      ["d", [...db.deployments.rows.values()]],
      ["s", [...db.summaries.rows.values()]],
      ["c", [...db.config.rows.values()]],
      ["p", [...db.periodicLaunches.rows.values()]],
      ["x", [...db.scalingEvents.rows.values()]],
    ],
    allocs: [...db.allocs.rows.values()],
  };
}

const FLUSH_CHARS = 1 << 20;

/** Streams a snapshot of a capture as JSON lines. */
export async function* writeSnapshot(c: Capture): AsyncGenerator<Uint8Array> {
  const pool = new Map<Job, number>();
  let lines: string[] = [];
  let size = 0;
  const push = (line: string) => {
    lines.push(line);
    size += line.length + 1;
  };
  const ref = (job: Job | null): number => {
    if (!job) return -1;
    let id = pool.get(job);
    if (id === undefined) {
      pool.set(job, id = pool.size);
      push(JSON.stringify(["J", id, job]));
    }
    return id;
  };
  push(JSON.stringify({ v: 1, index: c.index, tables: Object.fromEntries(c.tableIndex) }));
  for (const j of c.jobs) push(`["j",${ref(j)}]`);
  for (const j of c.versions) push(`["v",${ref(j)}]`);
  for (const [kind, rows] of c.rows) for (const r of rows) push(JSON.stringify([kind, r]));
  for (const a of c.allocs) {
    const id = ref(a.Job);
    push(JSON.stringify(["a", id, { ...a, Job: undefined }]));
    if (size >= FLUSH_CHARS) {
      yield encoder.encode(lines.join("\n") + "\n");
      lines = [];
      size = 0;
    }
  }
  if (lines.length > 0) yield encoder.encode(lines.join("\n") + "\n");
}

/** Loads a snapshot into empty tables; returns its index. */
export async function readSnapshot(chunks: AsyncIterable<Uint8Array>, db: Db): Promise<number> {
  const streamDecoder = new TextDecoder();
  const pool: Job[] = [];
  let rest = "";
  let index = -1;
  const line = (text: string) => {
    if (text === "") return;
    const v = JSON.parse(text);
    if (!Array.isArray(v)) {
      if (v.v !== 1) throw new Error(`Cannot read state snapshot version ${v.v}`);
      index = v.index;
      for (const [name, i] of Object.entries(v.tables as Record<string, number>)) {
        db.tableIndex.set(name as TableName, i);
      }
      return;
    }
    switch (v[0]) {
      case "J":
        pool[v[1]] = v[2];
        return;
      case "j": {
        const j = pool[v[1]] as Job;
        db.jobs.put(nsKey(j.Namespace, j.ID), j);
        return;
      }
      case "v": {
        const j = pool[v[1]] as Job;
        db.jobVersions.put(versionKey(j.Namespace, j.ID, j.Version ?? 0), j);
        return;
      }
      case "a": {
        const a = v[2] as Allocation;
        a.Job = v[1] < 0 ? null : pool[v[1]] as Job;
        db.allocs.put(a.ID, a);
        return;
      }
      case "e":
        db.evals.put(v[1].ID, v[1]);
        return;
      case "n":
        db.nodes.put(v[1].ID, v[1]);
        return;
      case "d":
        db.deployments.put(v[1].ID, v[1]);
        return;
      case "s":
        db.summaries.put(nsKey(v[1].Namespace, v[1].JobID), v[1]);
        return;
      case "c":
        db.config.put(CONFIG_KEY, v[1]);
        return;
      case "p":
        db.periodicLaunches.put(nsKey(v[1].Namespace, v[1].ID), v[1]);
        return;
      case "x":
        db.scalingEvents.put(nsKey(v[1].Namespace, v[1].JobID), v[1]);
        return;
      default:
        throw new Error(`Cannot read state snapshot: unknown row kind ${JSON.stringify(v[0])}`);
    }
  };
  for await (const chunk of chunks) {
    const text = rest + streamDecoder.decode(chunk, { stream: true });
    const parts = text.split("\n");
    rest = parts.pop() ?? "";
    for (const p of parts) line(p);
  }
  line(rest + streamDecoder.decode());
  if (index < 0) throw new Error("Cannot read state snapshot: it has no header");
  db.index = index;
  return index;
}
