/**
 * Following a deployment until it ends, as Nomad's `deployment status -monitor` (and the
 * monitor of `job run`) does: blocking reads of the deployment, its status text printed at
 * every change, and a rollback deployment followed when an `auto_revert` deployment failed.
 *
 * On a terminal the status is redrawn in place under a spinner, and the end is announced:
 *
 * ```
 *   ✓ Deployment "f8c3f3b5" successful
 *
 *     2024-06-09T16:16:29-07:00
 *     ID          = f8c3f3b5
 *     Job ID      = example
 *     ...
 * ```
 *
 * Elsewhere each change is printed below the last one (a blank line, the time, the status),
 * as Nomad does when stdout is not a terminal.
 *
 * @module
 */
import type { Deployment } from "../../structs/mod.ts";
import { formatDuration, SECOND } from "../../structs/mod.ts";
import type { ApiClient, QueryMeta } from "../api/mod.ts";
import type { Context } from "../command.ts";
import { limit } from "../format/columns.ts";
import { goQuote } from "../format/quote.ts";
import { formatAllocListStubs } from "../format/tables.ts";
import { formatTime, now } from "../format/time.ts";
import { messageOf, paint } from "./_api.ts";
import { formatDeployment, hasAutoRevert } from "./_deployment_parts.ts";

/** How a deployment is followed. */
export interface DeploymentMonitorOptions {
  /** The index to block after (0: read at once). */
  readonly index?: number;
  /** How long each blocking read may wait, in nanoseconds (0: the agent's default). */
  readonly waitNs?: number;
  /** Full IDs, and the deployment's allocations under its status. */
  readonly verbose?: boolean;
  /** Put before each status printed when not on a terminal (`job run`'s `"    "`). */
  readonly outputPrefix?: string;
  /** Put before each error printed (`job run`'s `"==> "`). */
  readonly errorPrefix?: string;
  /** The pause before looking for the rollback's deployment (Nomad: one second). */
  readonly rollbackDelayMs?: number;
}

/** How the watch ended: the deployment's last status, and whether reading it failed. */
export interface DeploymentMonitorResult {
  readonly status: string;
  readonly error: boolean;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const MAX_RETRIES = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Follows the deployment `id` until it is successful, failed, cancelled or blocked. */
export function monitorDeployment(
  client: ApiClient,
  ctx: Context,
  id: string,
  opts: DeploymentMonitorOptions = {},
): Promise<DeploymentMonitorResult> {
  return ctx.ui.terminal
    ? new TerminalMonitor(client, ctx, opts).run(id)
    : plainMonitor(client, ctx, id, opts);
}

async function statusText(
  client: ApiClient,
  d: Deployment,
  length: number,
  verbose: boolean,
): Promise<string> {
  let text = `${formatTime(now())}\n${formatDeployment(d, length)}`;
  if (!verbose) return text;
  text += "\n\n[bold]Allocations[reset]\n";
  try {
    text += formatAllocListStubs(await client.deployments.allocations(d.ID), verbose, length);
  } catch (err) {
    text += `Error fetching allocations: ${messageOf(err)}`;
  }
  return text;
}

async function read(
  client: ApiClient,
  id: string,
  index: number,
  waitNs: number,
): Promise<{ d: Deployment; index: number }> {
  let meta: QueryMeta | undefined;
  const d = await client.deployments.info(id, {
    stale: true,
    waitIndex: index,
    waitTime: waitNs,
    onMeta: (m) => meta = m,
  });
  return { d, index: meta?.lastIndex ?? index };
}

/** Nomad's `defaultMonitor`: every change printed below the last. */
async function plainMonitor(
  client: ApiClient,
  ctx: Context,
  id: string,
  opts: DeploymentMonitorOptions,
): Promise<DeploymentMonitorResult> {
  const verbose = opts.verbose ?? false;
  const length = verbose ? 36 : 8;
  const prefix = opts.outputPrefix ?? "";
  const error = (text: string) => ctx.ui.error(`${opts.errorPrefix ?? ""}${text}`);
  let index = opts.index ?? 0;
  for (;;) {
    let d: Deployment;
    try {
      ({ d, index } = await read(client, id, index, opts.waitNs ?? 0));
    } catch (err) {
      await error(`${formatTime(now())}: Error fetching deployment: ${messageOf(err)}`);
      return { status: "", error: true };
    }
    const text = await statusText(client, d, length, verbose);
    await ctx.ui.output(`${prefix}${paint(ctx, `\n${text}`)}`);
    switch (d.Status) {
      case "failed": {
        if (!hasAutoRevert(d)) return { status: d.Status, error: false };
        await sleep(opts.rollbackDelayMs ?? 1000);
        let rollback: Deployment | null;
        try {
          rollback = await client.jobs.latestDeployment(d.JobID);
        } catch (err) {
          await ctx.ui.output("");
          await error(
            `${formatTime(now())}: Error fetching deployment of previous job version: ${
              messageOf(err)
            }`,
          );
          return { status: d.Status, error: true };
        }
        await ctx.ui.output("");
        if (rollback !== null && rollback.ID !== d.ID) {
          await plainMonitor(client, ctx, rollback.ID, opts);
        }
        return { status: d.Status, error: false };
      }
      case "successful":
      case "cancelled":
      case "blocked":
        return { status: d.Status, error: false };
    }
  }
}

/** Nomad's terminal monitor: the status redrawn in place under a spinner. */
class TerminalMonitor {
  readonly #client: ApiClient;
  readonly #ctx: Context;
  readonly #opts: DeploymentMonitorOptions;
  readonly #length: number;
  #lines = 0;
  #frame: string[] = [];
  #spin = 0;
  /** The text beside the spinner on the first line; `""` once the spinner is gone. */
  #head = "";
  #writing: Promise<void> = Promise.resolve();

  constructor(client: ApiClient, ctx: Context, opts: DeploymentMonitorOptions) {
    this.#client = client;
    this.#ctx = ctx;
    this.#opts = opts;
    this.#length = opts.verbose ? 36 : 8;
  }

  /** Replaces what was drawn with `lines`. */
  #draw(lines: string[]): Promise<void> {
    this.#frame = lines;
    const erase = this.#lines > 0 ? `\x1b[${this.#lines}F\x1b[J` : "";
    const text = lines.join("\n");
    this.#lines = lines.length;
    this.#writing = this.#writing.then(() => this.#ctx.ui.rawOutput(`${erase}${text}\n`));
    return this.#writing;
  }

  #spinnerLine(text: string): string {
    return `  ${SPINNER[this.#spin % SPINNER.length]} ${text}`;
  }

  async run(id: string): Promise<DeploymentMonitorResult> {
    const quoted = goQuote(limit(id, this.#length));
    const progress = `Deployment ${quoted} in progress...`;
    this.#head = progress;
    const ticker = setInterval(() => {
      this.#spin++;
      if (this.#frame.length > 0 && this.#head !== "") {
        this.#draw([this.#spinnerLine(this.#head), ...this.#frame.slice(1)]);
      }
    }, 100);
    try {
      await this.#draw([this.#spinnerLine(progress)]);
      let index = this.#opts.index ?? 0;
      let status: string[] = [];
      for (;;) {
        const got = await this.#fetch(id, index, progress);
        if (got === null) return { status: "", error: true };
        index = got.index;
        const d = got.d;
        const text = await statusText(this.#client, d, this.#length, this.#opts.verbose ?? false);
        status = ["", ...paint(this.#ctx, text).split("\n")].map((l) => l === "" ? "" : `    ${l}`);
        await this.#draw([this.#spinnerLine(progress), ...status]);
        const done = `Deployment ${quoted} ${d.Status}`;
        if (d.Status === "successful") {
          this.#head = "";
          await this.#draw([`  ✓ ${done}`, ...status, ""]);
          return { status: d.Status, error: false };
        }
        if (d.Status === "cancelled" || d.Status === "blocked") {
          this.#head = "";
          await this.#draw([`  ! ${done}`, ...status, ""]);
          return { status: d.Status, error: false };
        }
        if (d.Status !== "failed") continue;
        if (!hasAutoRevert(d)) {
          this.#head = "";
          await this.#draw([`  ! ${done}`, ...status, ""]);
          return { status: d.Status, error: false };
        }
        this.#head = done;
        await this.#draw([this.#spinnerLine(done), ...status, ""]);
        await sleep(this.#opts.rollbackDelayMs ?? 1000);
        let rollback: Deployment | null;
        try {
          rollback = await this.#client.jobs.latestDeployment(d.JobID);
        } catch (err) {
          this.#head = "";
          const t = formatTime(now());
          await this.#draw([
            ...this.#frame,
            `    ${t}: Error fetching rollback deployment: ${messageOf(err)}`,
            "",
          ]);
          return { status: d.Status, error: true };
        }
        this.#head = "";
        if (rollback === null || rollback.ID === d.ID) return { status: d.Status, error: false };
        this.#lines = 0;
        this.#frame = [];
        clearInterval(ticker);
        await new TerminalMonitor(this.#client, this.#ctx, this.#opts).run(rollback.ID);
        return { status: d.Status, error: false };
      }
    } finally {
      clearInterval(ticker);
      await this.#writing;
    }
  }

  /** Reads the deployment, retrying with a backoff; `null` once the retries are spent. */
  async #fetch(id: string, index: number, progress: string) {
    for (let attempt = 0;; attempt++) {
      try {
        return await read(this.#client, id, index, this.#opts.waitNs ?? 0);
      } catch (err) {
        if (attempt >= MAX_RETRIES) {
          this.#head = "";
          const t = formatTime(now());
          await this.#draw([`    ${t}: Error fetching deployment: ${messageOf(err)}`, ""]);
          return null;
        }
        const backoffMs = Math.min(1000 * 2 ** attempt, 12_000);
        await this.#draw([
          this.#spinnerLine(progress),
          `    Failed fetching deployment: ${messageOf(err)}, retrying in ${
            formatDuration(backoffMs * (SECOND / 1000))
          } (attempt ${attempt + 1}/${MAX_RETRIES})`,
        ]);
        await sleep(backoffMs);
      }
    }
  }
}
