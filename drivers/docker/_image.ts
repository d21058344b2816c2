/**
 * Images for tasks, as Nomad's image coordinator handles them: use an image already present
 * (unless `force_pull` or the `latest` tag), otherwise pull it once however many tasks want it
 * at the same time, with the task's registry `auth`, reporting "Downloading image" and the
 * pull's progress as task events; count which tasks use which image, and remove an image
 * `gc.image_delay` after its last task went away (`gc.image`).
 *
 * @module
 */
import { RecoverableError } from "../../plugins/sdk.ts";
import { type DockerApi, DockerApiError } from "./_api.ts";
import type { DockerTaskConfig } from "./_config.ts";
import { jsonLines } from "./_streams.ts";

/** How often pull progress is reported. */
const PROGRESS_EVERY_MS = 10_000;

/** Splits `repo[:tag][@digest]`; the tag defaults to `latest`. */
export function parseImageRef(image: string): { repo: string; tag: string } {
  const at = image.indexOf("@");
  if (at >= 0) return { repo: image.slice(0, at), tag: image.slice(at + 1) };
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  if (colon > slash) return { repo: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { repo: image, tag: "latest" };
}

/** Emits a task event: message and annotations. */
export type EmitFn = (message: string, annotations?: Record<string, string>) => void;

/** Options of {@linkcode ImageCoordinator}. */
export interface ImageCoordinatorOptions {
  /** Remove unused images at all. */
  gc: boolean;
  /** How long an unused image is kept, in ms. */
  delayMs: number;
  /** A pull with no progress for this long fails (ms). */
  activityTimeoutMs: number;
  /** Logs a warning. */
  warn: (message: string, fields: Record<string, unknown>) => void;
}

/** One line of `POST /images/create`'s progress. */
interface PullMessage {
  id?: string;
  status?: string;
  error?: string;
  progressDetail?: { current?: number; total?: number };
}

interface PullProgress {
  layers: Map<string, { status: string; current: number; total: number }>;
  lastActivity: number;
}

/** Which tasks use which image, and the pulls in flight. */
export class ImageCoordinator {
  readonly #api: DockerApi;
  readonly #opts: ImageCoordinatorOptions;
  readonly #refs = new Map<string, Set<string>>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #pulls = new Map<string, Promise<void>>();

  constructor(api: DockerApi, opts: ImageCoordinatorOptions) {
    this.#api = api;
    this.#opts = opts;
  }

  /**
   * Makes sure the task's image is present and returns its ID, counting the task as a user.
   *
   * @throws {Error} "Failed to pull ..." when the image is missing and cannot be pulled
   *   (recoverable only for timeouts, as in Nomad).
   */
  async ensure(
    taskId: string,
    cfg: DockerTaskConfig,
    pullTimeoutMs: number,
    emit: EmitFn,
  ): Promise<{ id: string; user: string }> {
    const { repo, tag } = parseImageRef(cfg.image);
    if (!cfg.force_pull && tag !== "latest") {
      const found = await this.#inspect(cfg.image);
      if (found) return this.#use(found, taskId);
    }
    const ref = cfg.image.includes("@") ? cfg.image : `${repo}:${tag}`;
    emit("Downloading image", { image: ref });
    let pull = this.#pulls.get(ref);
    if (pull === undefined) {
      pull = this.#pull(repo, tag, cfg, pullTimeoutMs, emit).finally(() => this.#pulls.delete(ref));
      this.#pulls.set(ref, pull);
    }
    await pull;
    const found = await this.#inspect(ref);
    if (!found) throw new Error(`Failed to pull \`${cfg.image}\`: image not found after the pull`);
    return this.#use(found, taskId);
  }

  /** Counts `taskId` as a user of image `id` (a recovered task). */
  adopt(id: string, taskId: string): void {
    this.#use({ Id: id, Config: null }, taskId);
  }

  /** The task no longer uses image `id`; it is removed after the delay if nothing else does. */
  release(id: string, taskId: string): void {
    const refs = this.#refs.get(id);
    refs?.delete(taskId);
    if (!this.#opts.gc || (refs && refs.size > 0) || this.#timers.has(id)) return;
    this.#refs.delete(id);
    const timer = setTimeout(() => {
      this.#timers.delete(id);
      if ((this.#refs.get(id)?.size ?? 0) > 0) return;
      this.#api.call("DELETE", `/images/${encodeURIComponent(id)}`, { query: { force: false } })
        .catch((err: DockerApiError) => {
          if (err.status !== 404 && err.status !== 409) {
            this.#opts.warn("failed to remove image", { image_id: id, error: err.message });
          }
        });
    }, this.#opts.delayMs);
    this.#timers.set(id, timer);
  }

  /** Cancels pending removals (the driver shuts down). */
  close(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  #use(img: { Id: string; Config: { User?: string } | null }, taskId: string) {
    const timer = this.#timers.get(img.Id);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.#timers.delete(img.Id);
    }
    let refs = this.#refs.get(img.Id);
    if (refs === undefined) this.#refs.set(img.Id, refs = new Set());
    refs.add(taskId);
    return { id: img.Id, user: img.Config?.User ?? "" };
  }

  async #inspect(ref: string): Promise<{ Id: string; Config: { User?: string } | null } | null> {
    try {
      return await this.#api.call("GET", `/images/${encodeURIComponent(ref)}/json`);
    } catch (err) {
      if (err instanceof DockerApiError && err.status === 404) return null;
      throw err;
    }
  }

  async #pull(
    repo: string,
    tag: string,
    cfg: DockerTaskConfig,
    timeoutMs: number,
    emit: EmitFn,
  ): Promise<void> {
    const image = cfg.image;
    const ctl = new AbortController();
    const progress: PullProgress = { layers: new Map(), lastActivity: Date.now() };
    const timeout = setTimeout(() => ctl.abort(new Error("pull timed out")), timeoutMs);
    const watch = setInterval(() => {
      if (Date.now() - progress.lastActivity > this.#opts.activityTimeoutMs) {
        ctl.abort(new Error(`no activity for ${this.#opts.activityTimeoutMs / 1000}s`));
        return;
      }
      emit(`Docker image pull progress: ${describe(progress)}`, { image });
    }, Math.min(PROGRESS_EVERY_MS, this.#opts.activityTimeoutMs));
    const auth = cfg.auth && (cfg.auth.username || cfg.auth.password)
      ? {
        username: cfg.auth.username,
        password: cfg.auth.password,
        email: cfg.auth.email,
        serveraddress: cfg.auth.server_address,
      }
      : undefined;
    try {
      const stream = await this.#api.stream("POST", "/images/create", {
        query: { fromImage: repo, tag },
        signal: ctl.signal,
        ...(auth ? { auth } : {}),
      });
      const onChunk = () => progress.lastActivity = Date.now();
      for await (const msg of jsonLines<PullMessage>(stream, onChunk)) {
        if (msg.error) throw new Error(msg.error);
        if (msg.id && msg.status) {
          progress.layers.set(msg.id, {
            status: msg.status,
            current: msg.progressDetail?.current ?? 0,
            total: msg.progressDetail?.total ?? 0,
          });
        }
      }
    } catch (err) {
      const why = ctl.signal.aborted
        ? (ctl.signal.reason as Error).message
        : (err as Error).message;
      const message = `Failed to pull \`${image}\`: ${
        why.replace(/^Docker POST \S+ failed \(HTTP \d+\): /, "")
      }`;
      // Only a timeout is worth retrying, as in Nomad.
      throw new RecoverableError(message, ctl.signal.aborted, { cause: err });
    } finally {
      clearTimeout(timeout);
      clearInterval(watch);
    }
  }
}

function describe(p: PullProgress): string {
  const layers = [...p.layers.values()];
  const done = layers.filter((l) => /complete|exists/i.test(l.status)).length;
  const current = layers.reduce((s, l) => s + l.current, 0);
  const total = layers.reduce((s, l) => s + l.total, 0);
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `Pulled ${done}/${layers.length} (${mib(current)}/${mib(total)}) layers`;
}
