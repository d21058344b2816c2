/**
 * The client's persistent state, in a Deno KV database under `<data_dir>/client`: the node's
 * identity, every allocation it runs (the last version the servers sent, and what the client
 * decided about it), and every task's handle, state and restart tracker.
 *
 * Everything is written before the client acts on it, so that a `kill -9` at any moment leaves
 * a record the next agent recovers from. Records are JSON, gzipped and split into chunks under
 * 64 KiB (an allocation carries its whole job); a record's chunks and its head are written in
 * one atomic commit, so a reader never sees half a record. Writes to the same record are
 * applied in the order they were made.
 *
 * Keys: `["node_identity"]`, `["alloc", allocId]` with `["alloc_chunk", allocId, i]`,
 * `["task", allocId, task]` with `["task_chunk", allocId, task, i]`.
 *
 * @module
 */
import type { Allocation, AllocDeploymentStatus, TaskState } from "../structs/alloc.ts";
import type { DriverNetwork, TaskHandle } from "../../plugins/sdk.ts";
import type { RestartTrackerState } from "./restarts.ts";

/** The node's identity, made once and kept. */
export interface NodeIdentity {
  /** The node's ID. */
  ID: string;
  /** Its secret, the token of its calls to the servers. */
  SecretID: string;
}

/** An allocation the client runs. */
export interface PersistedAlloc {
  /** The last version the servers sent. */
  alloc: Allocation;
  /** The deployment health the client set (null until set). */
  deploymentStatus: AllocDeploymentStatus | null;
}

/** One task of an allocation. */
export interface PersistedTask {
  /** The driver's handle while the task has a process (null before start and after exit). */
  handle: TaskHandle | null;
  /** The network the driver made for it. */
  network: DriverNetwork | null;
  /** Its state as reported to the servers. */
  state: TaskState;
  /** Its restart tracker. */
  restart: RestartTrackerState | null;
  /** Whether its run loop ended for good (dead and not waiting to be restarted). */
  runComplete: boolean;
}

interface BlobHead {
  chunks: number;
  bytes: number;
}

const CHUNK = 60 * 1024;

async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function gunzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The client's state database. */
export class ClientStateDb {
  readonly #kv: Deno.Kv;
  readonly #queues = new Map<string, Promise<void>>();
  #closed = false;

  private constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /** Opens (creating) the database file at `path`. */
  static async open(path: string): Promise<ClientStateDb> {
    return new ClientStateDb(await Deno.openKv(path));
  }

  /** The node's identity, or `null` on the first start. */
  async nodeIdentity(): Promise<NodeIdentity | null> {
    return (await this.#kv.get<NodeIdentity>(["node_identity"])).value;
  }

  /** Keeps the node's identity. */
  async putNodeIdentity(identity: NodeIdentity): Promise<void> {
    await this.#kv.set(["node_identity"], identity);
  }

  /** Keeps an allocation (replacing the previous record). */
  putAlloc(value: PersistedAlloc): Promise<void> {
    return this.#put("alloc", [value.alloc.ID], value);
  }

  /** Keeps a task's record. */
  putTask(allocId: string, task: string, value: PersistedTask): Promise<void> {
    return this.#put("task", [allocId, task], value);
  }

  /** Every allocation kept. */
  async allocs(): Promise<PersistedAlloc[]> {
    const out: PersistedAlloc[] = [];
    for await (const e of this.#kv.list<BlobHead>({ prefix: ["alloc"] })) {
      const id = e.key.slice(1).map(String);
      const v = await this.#read<PersistedAlloc>("alloc", id, e.value);
      if (v !== null) out.push(v);
    }
    return out;
  }

  /** Every task record of an allocation, by task name. */
  async tasks(allocId: string): Promise<Map<string, PersistedTask>> {
    const out = new Map<string, PersistedTask>();
    for await (const e of this.#kv.list<BlobHead>({ prefix: ["task", allocId] })) {
      const name = String(e.key[2]);
      const v = await this.#read<PersistedTask>("task", [allocId, name], e.value);
      if (v !== null) out.set(name, v);
    }
    return out;
  }

  /** Forgets an allocation and its tasks. */
  async deleteAlloc(allocId: string): Promise<void> {
    const tasks = await Array.fromAsync(this.#kv.list({ prefix: ["task", allocId] }));
    for (const t of tasks) await this.#delete("task", t.key.slice(1).map(String));
    await this.#delete("alloc", [allocId]);
  }

  /** Waits for pending writes, then closes the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await Promise.allSettled([...this.#queues.values()]);
    this.#closed = true;
    this.#kv.close();
  }

  /** Closes the database at once, dropping pending writes (a crash, for tests). */
  abandon(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#kv.close();
  }

  #serial(key: string, op: () => Promise<void>): Promise<void> {
    const prev = this.#queues.get(key) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(() => {
      if (this.#closed) throw new Error("Cannot write client state: the state database is closed");
      return op();
    });
    this.#queues.set(key, next);
    void next.catch(() => {}).finally(() => {
      if (this.#queues.get(key) === next) this.#queues.delete(key);
    });
    return next;
  }

  #put(coll: string, id: string[], value: unknown): Promise<void> {
    const json = new TextEncoder().encode(JSON.stringify(value));
    return this.#serial(`${coll}\0${id.join("\0")}`, async () => {
      const data = await gzip(json);
      const chunks = Math.max(1, Math.ceil(data.length / CHUNK));
      const old = (await this.#kv.get<BlobHead>([coll, ...id])).value;
      const op = this.#kv.atomic();
      for (let i = 0; i < chunks; i++) {
        op.set([`${coll}_chunk`, ...id, i], data.slice(i * CHUNK, (i + 1) * CHUNK));
      }
      for (let i = chunks; i < (old?.chunks ?? 0); i++) op.delete([`${coll}_chunk`, ...id, i]);
      op.set([coll, ...id], { chunks, bytes: data.length } satisfies BlobHead);
      const res = await op.commit();
      if (!res.ok) throw new Error(`Cannot write client state ${coll} ${id.join("/")}`);
    });
  }

  #delete(coll: string, id: string[]): Promise<void> {
    return this.#serial(`${coll}\0${id.join("\0")}`, async () => {
      const old = (await this.#kv.get<BlobHead>([coll, ...id])).value;
      const op = this.#kv.atomic().delete([coll, ...id]);
      for (let i = 0; i < (old?.chunks ?? 0); i++) op.delete([`${coll}_chunk`, ...id, i]);
      await op.commit();
    });
  }

  async #read<T>(coll: string, id: string[], head: BlobHead): Promise<T | null> {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < head.chunks; i++) {
      const c = await this.#kv.get<Uint8Array>([`${coll}_chunk`, ...id, i]);
      if (c.value === null) return null;
      parts.push(c.value);
    }
    const data = new Uint8Array(head.bytes);
    let off = 0;
    for (const p of parts) {
      data.set(p, off);
      off += p.length;
    }
    return JSON.parse(new TextDecoder().decode(await gunzip(data))) as T;
  }
}
