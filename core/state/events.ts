/**
 * The event stream (`/v1/event/stream`): every applied entry publishes the rows it changed as
 * events with Nomad's topics, types, keys and payloads. Events are kept in a bounded buffer of
 * the last entries; a subscriber that falls further behind than the buffer is dropped with
 * {@link EventStreamDroppedError}, so a slow reader never makes the server hold more.
 *
 * @module
 */
import type { Allocation, Deployment, Evaluation, Job, Node } from "../structs/mod.ts";
import type { Change } from "./_txn.ts";

/** Nomad's event topics that the state publishes. */
export type Topic = "Job" | "Evaluation" | "Allocation" | "Node" | "Deployment";

/** One change, as the event stream sends it. */
export interface StreamEvent {
  readonly Topic: Topic;
  /** Why: the entry's event type (`JobRegistered`, `PlanResult`, `NodeRegistration`, ...). */
  readonly Type: string;
  /** The object's ID. */
  readonly Key: string;
  /** The object's namespace; "" for nodes. */
  readonly Namespace: string;
  /** Related keys a subscriber may filter on (job ID, deployment ID). */
  readonly FilterKeys: readonly string[] | null;
  readonly Index: number;
  /** `{ Job }`, `{ Evaluation }`, `{ Allocation }` (without its job), `{ Node }`, `{ Deployment }`. */
  readonly Payload: Readonly<Record<string, unknown>>;
}

/** The events of one log entry. */
export interface EventBatch {
  readonly Index: number;
  readonly Events: readonly StreamEvent[];
}

/** What to subscribe to. */
export interface EventsRequest {
  /** Start at the first buffered entry at or after this index (0: the oldest buffered). */
  readonly fromIndex?: number;
  /**
   * Keys by topic, `"*"` for all (a topic `"*"` matches every topic). A key matches an event's
   * `Key` or one of its `FilterKeys`. Default: everything.
   */
  readonly topics?: Readonly<Record<string, readonly string[]>>;
  /** Only events of this namespace (and those without one); `"*"` for all. Default "default". */
  readonly namespace?: string;
}

/** The subscriber fell more than the buffer behind; Nomad's message. Resubscribe. */
export class EventStreamDroppedError extends Error {
  override readonly name = "EventStreamDroppedError";
  constructor() {
    super("event dropped from buffer");
  }
}

interface Item {
  readonly index: number;
  readonly type: string;
  readonly changes: readonly Change[];
  events?: StreamEvent[];
}

function eventOf(c: Change, type: string, index: number): StreamEvent | undefined {
  const deleted = c.after === undefined;
  switch (c.table) {
    case "jobs": {
      const job = (deleted ? c.before : c.after) as Job;
      return {
        Topic: "Job",
        Type: type,
        Key: job.ID ?? "",
        Namespace: job.Namespace ?? "",
        FilterKeys: null,
        Index: index,
        Payload: deleted ? { Job: job, Deleted: true } : { Job: job },
      };
    }
    case "nodes": {
      const node = (deleted ? c.before : c.after) as Node;
      return {
        Topic: "Node",
        Type: type,
        Key: node.ID,
        Namespace: "",
        FilterKeys: null,
        Index: index,
        Payload: { Node: node.SecretID ? { ...node, SecretID: "" } : node },
      };
    }
    case "evals": {
      if (deleted) return undefined;
      const e = c.after as Evaluation;
      return {
        Topic: "Evaluation",
        Type: type,
        Key: e.ID,
        Namespace: e.Namespace,
        FilterKeys: [e.JobID, e.DeploymentID],
        Index: index,
        Payload: { Evaluation: e },
      };
    }
    case "allocs": {
      if (deleted) return undefined;
      const a = c.after as Allocation;
      return {
        Topic: "Allocation",
        Type: type,
        Key: a.ID,
        Namespace: a.Namespace,
        FilterKeys: [a.JobID, a.DeploymentID],
        Index: index,
        Payload: { Allocation: { ...a, Job: null, SignedIdentities: null } },
      };
    }
    case "deployment": {
      if (deleted) return undefined;
      const d = c.after as Deployment;
      return {
        Topic: "Deployment",
        Type: type,
        Key: d.ID,
        Namespace: d.Namespace,
        FilterKeys: [d.JobID],
        Index: index,
        Payload: { Deployment: d },
      };
    }
    default:
      return undefined;
  }
}

function eventsOf(item: Item): StreamEvent[] {
  if (item.events) return item.events;
  const out: StreamEvent[] = [];
  for (const c of item.changes) {
    const e = eventOf(c, item.type, item.index);
    if (e) out.push(e);
  }
  return item.events = out;
}

function matches(req: EventsRequest, e: StreamEvent): boolean {
  const ns = req.namespace ?? "default";
  if (e.Namespace !== "" && ns !== "*" && e.Namespace !== ns) return false;
  const topics = req.topics;
  if (!topics || Object.keys(topics).length === 0) return true;
  const keys = [...(topics["*"] ?? []), ...(topics[e.Topic] ?? [])];
  for (const k of keys) {
    if (k === "*" || k === e.Key || (e.FilterKeys?.includes(k) ?? false)) return true;
  }
  return false;
}

/** The bounded buffer of published entries and its subscribers. */
export class EventBroker {
  readonly #size: number;
  readonly #items: Item[] = [];
  /** The sequence number of `#items[0]`. */
  #head = 0;
  readonly #wake = new Set<() => void>();

  /** @param size how many entries to keep (Nomad's `event_buffer_size`, default 100). */
  constructor(size = 100) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`Cannot create the event buffer: size must be >= 1, got ${size}`);
    }
    this.#size = size;
  }

  /** How many entries are buffered. */
  get length(): number {
    return this.#items.length;
  }

  /** Publishes the changes of one entry (rows are immutable; events are built when read). */
  publish(index: number, type: string, changes: readonly Change[]): void {
    if (changes.length === 0) return;
    this.#items.push({ index, type, changes });
    if (this.#items.length > this.#size) {
      this.#items.shift();
      this.#head++;
    }
    const wake = [...this.#wake];
    this.#wake.clear();
    for (const w of wake) w();
  }

  /**
   * Drops every subscriber (they get {@link EventStreamDroppedError}) and the buffer: the
   * state was replaced by a snapshot, so the events between were never seen here.
   */
  dropAll(): void {
    this.#head += this.#items.length + 1;
    this.#items.length = 0;
    const wake = [...this.#wake];
    this.#wake.clear();
    for (const w of wake) w();
  }

  /** Streams batches of events; ends when `signal` aborts. */
  async *subscribe(req: EventsRequest, signal?: AbortSignal): AsyncGenerator<EventBatch> {
    let cursor = this.#head;
    const from = req.fromIndex ?? 0;
    if (from > 0) {
      const i = this.#items.findIndex((it) => it.index >= from);
      cursor = i < 0 ? this.#head + this.#items.length : this.#head + i;
    }
    while (!signal?.aborted) {
      if (cursor < this.#head) throw new EventStreamDroppedError();
      const item = this.#items[cursor - this.#head];
      if (!item) {
        await this.#next(signal);
        continue;
      }
      cursor++;
      const events = eventsOf(item).filter((e) => matches(req, e));
      if (events.length > 0) yield { Index: item.index, Events: events };
    }
  }

  #next(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener("abort", done);
        this.#wake.delete(done);
        resolve();
      };
      this.#wake.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
