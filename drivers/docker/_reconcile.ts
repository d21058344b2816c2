/**
 * Nomad's dangling container reconciler (`gc.dangling_containers`): every `period`, containers
 * that carry the Nomad allocation label, are older than `creation_grace` and belong to no task
 * the driver tracks are removed (or, with `dry_run`, only logged). Unlike Nomad, a container
 * counts as this agent's only when one of its bind mounts comes from this client's allocation
 * directory, so agents sharing one dockerd never remove each other's containers.
 *
 * @module
 */
import type { DockerApi } from "./_api.ts";
import { LABEL_ALLOC_ID } from "./_container.ts";

/** What the reaper needs. */
export interface ReaperOptions {
  api: DockerApi;
  /** This client's allocation directory. */
  allocDir: string;
  /** Whether the driver tracks container `id`. */
  tracked: (id: string) => boolean;
  periodMs: number;
  graceMs: number;
  dryRun: boolean;
  log: (message: string, fields: Record<string, unknown>) => void;
}

interface Listed {
  Id: string;
  Created: number;
  Mounts?: { Type?: string; Source?: string }[];
}

/** Removes this agent's containers that no task owns. */
export class DanglingReaper {
  readonly #o: ReaperOptions;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(opts: ReaperOptions) {
    this.#o = opts;
  }

  /** Starts the periodic pass. */
  start(): void {
    this.#timer ??= setInterval(() => void this.reap().catch(() => {}), this.#o.periodMs);
  }

  /** Stops it. */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One pass; resolves with the IDs of the containers removed (or that would be). */
  async reap(): Promise<string[]> {
    const list = await this.#o.api.call<Listed[]>("GET", "/containers/json", {
      query: { all: 1, filters: JSON.stringify({ label: [LABEL_ALLOC_ID] }) },
    });
    const root = this.#o.allocDir.replace(/\/+$/, "") + "/";
    const out: string[] = [];
    for (const c of list) {
      if (this.#o.tracked(c.Id)) continue;
      if (Date.now() - c.Created * 1000 < this.#o.graceMs) continue;
      if (!(c.Mounts ?? []).some((m) => m.Source?.startsWith(root))) continue;
      out.push(c.Id);
      this.#o.log(
        this.#o.dryRun ? "dangling container found (dry run)" : "removing dangling container",
        {
          container_id: c.Id,
        },
      );
      if (!this.#o.dryRun) {
        await this.#o.api.call("DELETE", `/containers/${c.Id}`, { query: { force: true, v: true } })
          .catch(() => {});
      }
    }
    return out;
  }
}
