/**
 * The Docker calls behind the driver's lifecycle: create and start a container (replacing a
 * stopped one of the same name, re-attaching to a running one of the same allocation), wait
 * for it to stop through daemon outages, run a command in it, and stream its statistics.
 *
 * @module
 */
import {
  type ExecTaskResult,
  type ExitResult,
  RecoverableError,
  sleep,
  type TaskResourceUsage,
} from "../../plugins/sdk.ts";
import { type DockerApi, DockerApiError } from "./_api.ts";
import { LABEL_ALLOC_ID } from "./_container.ts";
import { type DockerStats, toUsage } from "./_stats.ts";
import { concatBytes, demux, jsonLines } from "./_streams.ts";
import type { DockerTask } from "./_task.ts";

const RETRY_MS = 1_000;
const LOGS_DRAIN_MS = 5_000;

/** The parts of `GET /containers/{id}/json` the driver reads. */
export interface Inspect {
  Id: string;
  State: {
    Running: boolean;
    ExitCode: number;
    OOMKilled: boolean;
    StartedAt: string;
    FinishedAt: string;
  };
  Config: { Labels?: Record<string, string> };
  NetworkSettings?: { IPAddress?: string; Networks?: Record<string, { IPAddress?: string }> };
}

/** A `.catch` that ignores Docker errors with these statuses (404 gone, 304/409 not running). */
export const ignoring = (...codes: number[]) => (err: unknown) => {
  if (!(err instanceof DockerApiError && codes.includes(err.status))) throw err;
};

/**
 * Creates and starts a container. A name already taken by a running container of the same
 * allocation is that container (re-attached, as Nomad does); by anything else, it is removed
 * and the create retried up to `attempts` times.
 *
 * @throws {RecoverableError} When Docker cannot create or start it (a port already in use, ...).
 */
export async function createAndStart(
  api: DockerApi,
  allocId: string,
  name: string,
  body: Record<string, unknown>,
  attempts: number,
): Promise<Inspect> {
  const byName = `/containers/${encodeURIComponent(name)}`;
  for (let attempt = 0;; attempt++) {
    let id: string;
    try {
      id = (await api.call<{ Id: string }>("POST", "/containers/create", { query: { name }, body }))
        .Id;
    } catch (err) {
      if (!(err instanceof DockerApiError && err.status === 409) || attempt >= attempts) {
        throw new RecoverableError(`failed to create container: ${(err as Error).message}`, true, {
          cause: err,
        });
      }
      const old = await api.call<Inspect>("GET", `${byName}/json`).catch(() => null);
      if (old?.State.Running && old.Config.Labels?.[LABEL_ALLOC_ID] === allocId) return old;
      await api.call("DELETE", byName, { query: { force: true, v: true } }).catch(ignoring(404));
      continue;
    }
    try {
      await api.call("POST", `/containers/${id}/start`);
      return await api.call<Inspect>("GET", `/containers/${id}/json`);
    } catch (err) {
      await api.call("DELETE", `/containers/${id}`, { query: { force: true, v: true } }).catch(
        () => {},
      );
      throw new RecoverableError(
        `Failed to start container ${id}: ${(err as Error).message}`,
        true,
        { cause: err },
      );
    }
  }
}

/**
 * Waits for the task's container to stop (retrying while dockerd does not answer), lets its
 * log copier drain, and records its exit: the exit code, `OOM Killed`, or a container removed
 * out of band. Returns without recording anything when `task.watch` aborts.
 */
export async function watchExit(
  api: DockerApi,
  task: DockerTask,
  onUnreachable: () => void,
): Promise<ExitResult | null> {
  const cid = task.state.ContainerID;
  const signal = task.watch.signal;
  while (!signal.aborted) {
    try {
      await api.call("POST", `/containers/${cid}/wait`, {
        query: { condition: "not-running" },
        timeoutMs: 0,
        signal,
      });
      break;
    } catch (err) {
      if (signal.aborted) return null;
      if (err instanceof DockerApiError && err.status === 404) {
        const exit = {
          ExitCode: 0,
          Signal: 0,
          OOMKilled: false,
          Err: `container ${cid} was removed out of band`,
        };
        task.finish(exit);
        return exit;
      }
      if (err instanceof DockerApiError && err.unreachable) onUnreachable();
      await sleep(RETRY_MS, signal);
    }
  }
  if (signal.aborted) return null;
  const c = await api.call<Inspect>("GET", `/containers/${cid}/json`).catch(() => null);
  if (task.logs) await Promise.race([task.logs.finished, sleep(LOGS_DRAIN_MS)]);
  const code = c?.State.ExitCode ?? 0;
  const oom = c?.State.OOMKilled === true;
  const err = oom
    ? "OOM Killed"
    : code !== 0
    ? `Docker container exited with non-zero exit code: ${code}`
    : null;
  const exit = { ExitCode: code, Signal: 0, OOMKilled: oom, Err: err };
  task.finish(exit, c?.State.FinishedAt);
  return exit;
}

/** Runs `command` in the container and collects its output and exit code. */
export async function execIn(
  api: DockerApi,
  cid: string,
  command: string[],
  timeoutMs: number,
): Promise<ExecTaskResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  const exec = await api.call<{ Id: string }>("POST", `/containers/${cid}/exec`, {
    body: { AttachStdout: true, AttachStderr: true, Tty: false, Cmd: command },
  });
  const stream = await api.stream("POST", `/exec/${exec.Id}/start`, {
    body: { Detach: false, Tty: false },
    signal,
  });
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  for await (const frame of demux(stream)) (frame.stream === 2 ? err : out).push(frame.data);
  const res = await api.call<{ ExitCode: number | null }>("GET", `/exec/${exec.Id}/json`);
  return {
    Stdout: concatBytes(...out),
    Stderr: concatBytes(...err),
    ExitResult: { ExitCode: res.ExitCode ?? 0, Signal: 0, OOMKilled: false, Err: null },
  };
}

/**
 * Docker's stats stream (a sample a second) as task usage, at most one every `intervalMs`; the
 * first sample is held back until there is a previous one to rate CPU against.
 */
export async function* statsOf(
  api: DockerApi,
  task: DockerTask,
  intervalMs: number,
  signal: AbortSignal,
  mhzPerCore: () => number,
): AsyncGenerator<TaskResourceUsage> {
  const stop = AbortSignal.any([signal, task.watch.signal]);
  const stream = await api.stream("GET", `/containers/${task.state.ContainerID}/stats`, {
    query: { stream: true },
    signal: stop,
  }).catch((err) => {
    if (stop.aborted) return null;
    throw err;
  });
  if (stream === null) return;
  let yieldedAt = 0;
  try {
    for await (const sample of jsonLines<DockerStats>(stream)) {
      const last = task.lastStats;
      const prev = last && Date.now() - last.at < 60_000 ? last.sample : null;
      task.lastStats = { sample, at: Date.now() };
      if (stop.aborted || !task.running) return;
      if (prev === null || Date.now() - yieldedAt < intervalMs / 2) continue;
      yieldedAt = Date.now();
      yield toUsage(sample, prev, mhzPerCore());
    }
  } catch (err) {
    if (!stop.aborted) throw err;
  } finally {
    await stream.cancel().catch(() => {});
  }
}
