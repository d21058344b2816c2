/**
 * Copies a container's output into the task's log staging files (the client's log pump rotates
 * them into `alloc/logs`), as Nomad's `docker_logger` does: it follows Docker's logs endpoint
 * with timestamps and remembers, in a small file in the plugin's data directory, the timestamp
 * of the last line copied. A copier started again for the same container (after an agent
 * restart) asks Docker only for what came after it, so no line is copied twice and none is
 * lost while no agent ran.
 *
 * @module
 */
import { join } from "node:path";
import { sleep } from "../../plugins/sdk.ts";
import { type DockerApi, DockerApiError } from "./_api.ts";
import { Demuxer, type Frame, LineSplitter } from "./_streams.ts";

/** What a copier needs. */
export interface LogCopierOptions {
  api: DockerApi;
  /** The container. */
  containerId: string;
  /** Whether the container has a TTY (its output is not multiplexed). */
  tty: boolean;
  /** The staging files to append to (`/dev/null` to drop). */
  stdoutPath: string;
  stderrPath: string;
  /** Where the copy position is kept. */
  stateDir: string;
  /** Reports problems (the copier keeps going). */
  onError: (err: Error) => void;
}

const RETRY_MS = 1_000;
const NS = 1_000_000_000n;

/** A Docker log timestamp (RFC 3339 with nanoseconds) as Unix nanoseconds, or -1. */
export function timestampNs(ts: string): bigint {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(ts);
  if (!m) return -1n;
  const secs = BigInt(Date.parse(`${m[1]}Z`) / 1000);
  return secs * NS + BigInt((m[2] ?? "").padEnd(9, "0"));
}

/** Follows one container's logs into the task's staging files. */
export class LogCopier {
  readonly #o: LogCopierOptions;
  readonly #stop = new AbortController();
  readonly #posPath: string;
  #last = -1n;
  #saved = -1n;
  #files: { out: Deno.FsFile | null; err: Deno.FsFile | null } = { out: null, err: null };
  /** Resolves when the container has stopped and everything it wrote is copied. */
  readonly finished: Promise<void>;

  constructor(opts: LogCopierOptions) {
    this.#o = opts;
    this.#posPath = join(opts.stateDir, `${opts.containerId}.since`);
    this.finished = this.#run().catch((err) => opts.onError(err as Error)).finally(() =>
      this.#close()
    );
  }

  /** Stops copying (the agent shuts down, or the task is destroyed). */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.finished;
  }

  async #run(): Promise<void> {
    await Deno.mkdir(this.#o.stateDir, { recursive: true });
    const text = await Deno.readTextFile(this.#posPath).catch(() => "");
    this.#last = this.#saved = /^\d+$/.test(text.trim()) ? BigInt(text.trim()) : -1n;
    this.#files.out = await openAppend(this.#o.stdoutPath);
    this.#files.err = await openAppend(this.#o.stderrPath);
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        await this.#follow(signal);
        if (signal.aborted || !(await this.#running())) return;
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof DockerApiError && (err.status === 404 || err.status === 501)) {
          if (err.status === 501) this.#o.onError(err); // a log driver Docker cannot read
          return;
        }
      }
      await sleep(RETRY_MS, signal);
    }
  }

  async #running(): Promise<boolean> {
    const c = await this.#o.api.call<{ State: { Running: boolean } }>(
      "GET",
      `/containers/${this.#o.containerId}/json`,
    );
    return c.State.Running;
  }

  async #follow(signal: AbortSignal): Promise<void> {
    const since = this.#last < 0n
      ? "0"
      : `${this.#last / NS}.${String(this.#last % NS).padStart(9, "0")}`;
    const stream = await this.#o.api.stream("GET", `/containers/${this.#o.containerId}/logs`, {
      query: { follow: 1, stdout: 1, stderr: 1, timestamps: 1, since },
      signal,
    });
    // The position is saved after each chunk's frames are written: a crash between the two
    // repeats at most that chunk (usually one line) when the copy resumes.
    const split = this.#o.tty ? new LineSplitter() : new Demuxer();
    for await (const chunk of stream) {
      for (const frame of split.push(chunk)) await this.#write(frame);
      await this.#save();
    }
  }

  async #write(frame: Frame): Promise<void> {
    const space = frame.data.indexOf(0x20);
    if (space < 0 || space > 40) return;
    const ts = timestampNs(new TextDecoder().decode(frame.data.subarray(0, space)));
    if (ts >= 0n && ts <= this.#last) return; // copied before a restart
    const file = frame.stream === 2 ? this.#files.err : this.#files.out;
    const data = frame.data.subarray(space + 1);
    let off = 0;
    while (file && off < data.length) off += await file.write(data.subarray(off));
    if (ts > this.#last) this.#last = ts;
  }

  async #save(): Promise<void> {
    if (this.#last === this.#saved) return;
    const value = this.#last;
    await Deno.writeTextFile(this.#posPath, String(value)).catch(() => {});
    this.#saved = value;
  }

  async #close(): Promise<void> {
    await this.#save();
    this.#files.out?.close();
    this.#files.err?.close();
    this.#files = { out: null, err: null };
  }

  /** Forgets the saved position (the container is removed). */
  static async forget(stateDir: string, containerId: string): Promise<void> {
    await Deno.remove(join(stateDir, `${containerId}.since`)).catch(() => {});
  }
}

async function openAppend(path: string): Promise<Deno.FsFile | null> {
  if (path === "/dev/null") return null;
  return await Deno.open(path, { append: true, create: true });
}
