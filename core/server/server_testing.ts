/**
 * Fixtures for the server's tests and benchmarks: simulated nodes and jobs, a server on a
 * memory (or KV) state store, and waits on the state.
 *
 * @module
 */
import { mockJob, mockNode, seededRandom } from "../scheduler/_testing.ts";
import { type StateSnapshot, StateStore, TABLE_NAMES } from "../state/mod.ts";
import type { Job, Node, TaskGroup } from "../structs/mod.ts";
import type { RequestContext } from "./api.ts";
import { Server, type ServerOptions } from "./server.ts";

/** The request context of the tests: namespace `default`, region `global`. */
export const CTX: RequestContext = { namespace: "default", region: "global", token: "" };

/** A ready node like Nomad's mock (4000 MHz, 8 GiB, exec driver) with a secret ID. */
export function simNode(i: number, patch: Partial<Node> = {}): Node {
  return mockNode(i, { SecretID: `secret-${i}`, ...patch });
}

/**
 * A service job `id` with one group `web` of `count` exec tasks of `cpu` MHz and 256 MB, in
 * dc1 (as a client would submit it; the server canonicalizes it again).
 */
export function simJob(
  id: string,
  count: number,
  opts: { cpu?: number; job?: Partial<Job>; group?: Partial<TaskGroup> } = {},
): Job {
  const job = mockJob({ ID: id, Name: id, ...opts.job }, { Count: count, ...opts.group });
  const task = job.TaskGroups![0]!.Tasks![0]!;
  task.Resources!.CPU = opts.cpu ?? 500;
  return job;
}

/** Sequential IDs that look like UUIDs, so runs are reproducible. */
export function sequentialIds(prefix = "00000000"): () => string {
  let n = 0;
  return () => `${prefix}-0000-4000-8000-${(++n).toString(16).padStart(12, "0")}`;
}

/** A server on a fresh memory store with seeded randomness; `opts` override. */
export async function testServer(
  opts: Partial<ServerOptions> = {},
): Promise<{ server: Server; state: StateStore }> {
  const state = opts.state ?? await StateStore.open();
  const server = Server.start({
    numSchedulers: 2,
    random: seededRandom(7),
    newId: sequentialIds(),
    periodicGc: false,
    ...opts,
    state,
  });
  return { server, state };
}

/**
 * Waits until `probe` returns something other than undefined/false for a snapshot, re-reading
 * after every state change.
 *
 * @throws {Error} naming `what` when it does not happen within `timeoutMs`.
 */
export async function waitFor<T>(
  state: StateStore,
  what: string,
  probe: (snap: StateSnapshot) => T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    for (;;) {
      const snap = state.snapshot();
      const value = probe(snap);
      if (value !== undefined && value !== false) return value;
      try {
        await state.waitForIndex(TABLE_NAMES, snap.index, ctl.signal);
      } catch {
        throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the evaluation reaches one of the statuses; returns it. */
export function waitForEval(
  state: StateStore,
  evalId: string,
  statuses: readonly string[] = ["complete"],
) {
  return waitFor(state, `evaluation ${evalId} to be ${statuses.join("/")}`, (s) => {
    const e = s.eval(evalId);
    return e !== undefined && statuses.includes(e.Status) ? e : undefined;
  });
}

/** The job's allocations that are not terminal. */
export function liveAllocs(snap: StateSnapshot, jobId: string, namespace = "default") {
  return snap.allocsByJob(namespace, jobId).filter((a) =>
    a.DesiredStatus === "run" && !["complete", "failed", "lost"].includes(a.ClientStatus)
  );
}
