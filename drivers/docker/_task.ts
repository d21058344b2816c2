/**
 * One task's container as the driver tracks it: the persisted driver state, when it started,
 * how it ended, and the log copier that follows it.
 *
 * @module
 */
import type { ExitResult, TaskConfig, TaskHandle, TaskStatus } from "../../plugins/sdk.ts";
import type { LogCopier } from "./_logs.ts";
import type { DockerStats } from "./_stats.ts";

/** What a docker handle's `DriverState` holds (layout version {@linkcode HANDLE_VERSION}). */
export interface DockerDriverState {
  /** The container's ID. */
  ContainerID: string;
  /** The image's ID (for image garbage collection). */
  ImageID: string;
  /** The image as the task names it. */
  Image: string;
  /** Whether the container has a TTY. */
  Tty: boolean;
  /** `port_map`, for the driver network. */
  PortMap: Record<string, number>;
}

/** The version of {@linkcode DockerDriverState}'s layout. */
export const HANDLE_VERSION = 1;

/**
 * Reads a handle's driver state.
 *
 * @throws {Error} For a handle this driver did not write.
 */
export function checkHandle(handle: TaskHandle): DockerDriverState {
  const ds = handle.DriverState as Partial<DockerDriverState> | null;
  if (handle.Version !== HANDLE_VERSION || !ds || typeof ds.ContainerID !== "string") {
    throw new Error(
      `cannot recover task "${handle.Config.ID}": its handle (version ${handle.Version}) ` +
        `was not written by this docker driver (version ${HANDLE_VERSION})`,
    );
  }
  return {
    ContainerID: ds.ContainerID,
    ImageID: ds.ImageID ?? "",
    Image: ds.Image ?? "",
    Tty: ds.Tty === true,
    PortMap: ds.PortMap ?? {},
  };
}

/** A docker timestamp (RFC 3339 with nanoseconds) in RFC 3339 with milliseconds. */
export function isoTime(ts: string | undefined): string {
  const t = ts ? Date.parse(ts) : NaN;
  return Number.isFinite(t) && t > 0 ? new Date(t).toISOString() : new Date().toISOString();
}

/** A tracked container. */
export class DockerTask {
  /** The task's config. */
  readonly config: TaskConfig;
  /** The persisted state. */
  readonly state: DockerDriverState;
  /** When the container started (RFC 3339). */
  readonly startedAt: string;
  /** When it ended, or `null`. */
  completedAt: string | null = null;
  /** How it ended, or `null` while it runs. */
  exit: ExitResult | null = null;
  /** Resolves with the exit. */
  readonly done: Promise<ExitResult>;
  /** Copies its logs, or `null` when log collection is off. */
  logs: LogCopier | null = null;
  /** Stops watching (the driver shuts down). */
  readonly watch = new AbortController();
  /** The last stats sample, for CPU rates. */
  lastStats: { sample: DockerStats; at: number } | null = null;
  #resolve!: (exit: ExitResult) => void;

  constructor(config: TaskConfig, state: DockerDriverState, startedAt: string) {
    this.config = config;
    this.state = state;
    this.startedAt = startedAt;
    this.done = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** Whether the container still runs (as far as the driver saw). */
  get running(): boolean {
    return this.exit === null;
  }

  /** Records the exit (once). */
  finish(exit: ExitResult, finishedAt?: string): void {
    if (this.exit !== null) return;
    this.exit = exit;
    const end = isoTime(finishedAt);
    this.completedAt = end < this.startedAt ? this.startedAt : end;
    this.#resolve(exit);
  }

  /** The task's status. */
  status(): TaskStatus {
    return {
      ID: this.config.ID,
      Name: this.config.Name,
      State: this.exit === null ? "running" : "exited",
      StartedAt: this.startedAt,
      CompletedAt: this.completedAt,
      ExitResult: this.exit,
      DriverAttributes: {
        container_id: this.state.ContainerID,
        image: this.state.Image,
        image_id: this.state.ImageID,
      },
    };
  }
}
