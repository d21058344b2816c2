/**
 * Following an evaluation to its end, as Nomad's `monitor` does after `job run`, `job stop`
 * and `job revert`: it polls the evaluation and its allocations every second and prints what
 * changed —
 *
 * ```
 * ==> 2024-11-30T17:11:28+05:30: Monitoring evaluation "ccb7b29c"
 *     2024-11-30T17:11:28+05:30: Evaluation triggered by job "postgres"
 *     2024-11-30T17:11:29+05:30: Evaluation within deployment: "c8172895"
 *     2024-11-30T17:11:29+05:30: Allocation "9085cb9c" created: node "91e820d7", group "database"
 *     2024-11-30T17:11:29+05:30: Evaluation status changed: "pending" -> "complete"
 * ==> 2024-11-30T17:11:29+05:30: Evaluation "ccb7b29c" finished with status "complete"
 * ```
 *
 * — then the placement failures, if any, and the next evaluation of the chain. When the
 * evaluation belongs to a deployment, it then prints `Monitoring deployment "<id>"` and follows
 * the deployment until it ends (see `_deployment_monitor.ts`).
 *
 * Exit codes are Nomad's: 0 when all was placed (or the deployment succeeded), 2 when
 * placement failed, 1 for any other error and for a deployment that did not succeed.
 *
 * @module
 */
import type { ApiClient } from "../api/mod.ts";
import type { Context } from "../command.ts";
import { limit } from "../format/columns.ts";
import { failedGroupHeading, formatAllocMetrics, sortedFailedGroups } from "../format/metrics.ts";
import { goQuote } from "../format/quote.ts";
import { formatTime, now } from "../format/time.ts";
import { formatDuration } from "../../structs/mod.ts";
import { messageOf, paint } from "./_api.ts";
import { monitorDeployment } from "./_deployment_monitor.ts";

interface AllocState {
  readonly group: string;
  readonly node: string;
  readonly desired: string;
  readonly client: string;
  readonly clientDesc: string;
  readonly index: number;
}

interface EvalState {
  status: string;
  node: string;
  deployment: string;
  job: string;
  wait: number;
  index: number;
  allocs: Map<string, AllocState>;
}

const pendingState = (): EvalState => ({
  status: "pending",
  node: "",
  deployment: "",
  job: "",
  wait: 0,
  index: 0,
  allocs: new Map(),
});

/** How the monitor waits between polls; tests shorten it. */
export interface MonitorOptions {
  /** Milliseconds between polls of an unfinished evaluation (Nomad: one second). */
  readonly pollInterval?: number;
  readonly signal?: AbortSignal;
}

/** Follows evaluations and prints their progress with Nomad's prefixes. */
export class EvalMonitor {
  readonly #client: ApiClient;
  readonly #ctx: Context;
  readonly #length: number;
  readonly #poll: number;
  readonly #signal: AbortSignal | undefined;
  #state: EvalState = pendingState();

  constructor(client: ApiClient, ctx: Context, length: number, opts: MonitorOptions = {}) {
    this.#client = client;
    this.#ctx = ctx;
    this.#length = length;
    this.#poll = opts.pollInterval ?? 1000;
    this.#signal = opts.signal;
  }

  #time(): string {
    return formatTime(now());
  }

  #info(text: string): Promise<void> {
    return this.#ctx.ui.output(`==> ${text}`);
  }

  #out(text: string): Promise<void> {
    return this.#ctx.ui.output(text === "" ? "" : `    ${text}`);
  }

  async #update(next: EvalState): Promise<void> {
    const old = this.#state;
    const t = this.#time();
    const id = (s: string) => goQuote(limit(s, this.#length));
    if (old.node === "" && next.node !== "") {
      await this.#out(`${t}: Evaluation triggered by node ${id(next.node)}`);
    }
    if (old.job === "" && next.job !== "") {
      await this.#out(`${t}: Evaluation triggered by job ${goQuote(next.job)}`);
    }
    if (old.deployment === "" && next.deployment !== "") {
      await this.#out(`${t}: Evaluation within deployment: ${id(next.deployment)}`);
    }
    for (const [allocID, a] of next.allocs) {
      const before = old.allocs.get(allocID);
      if (!before) {
        if (a.index < next.index) {
          await this.#out(
            `${t}: Allocation ${id(allocID)} modified: node ${id(a.node)}, group ${
              goQuote(a.group)
            }`,
          );
        } else if (a.desired === "run") {
          await this.#out(
            `${t}: Allocation ${id(allocID)} created: node ${id(a.node)}, group ${
              goQuote(a.group)
            }`,
          );
        }
      } else if (before.client !== a.client) {
        const desc = a.clientDesc !== "" ? ` (${a.clientDesc})` : "";
        await this.#out(
          `${t}: Allocation ${id(allocID)} status changed: ${goQuote(before.client)} -> ${
            goQuote(a.client)
          }${desc}`,
        );
      }
    }
    if (old.status !== "" && next.status !== "pending" && old.status !== next.status) {
      await this.#out(
        `${t}: Evaluation status changed: ${goQuote(old.status)} -> ${goQuote(next.status)}`,
      );
    }
    this.#state = next;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }

  /**
   * Follows `evalID` (and the evaluations it chains to) until it finishes.
   *
   * @returns 0 when everything was placed, 2 when some placements failed, 1 on errors.
   */
  async monitor(evalID: string): Promise<number> {
    let schedFailure = false;
    await this.#update(pendingState());
    await this.#info(
      `${this.#time()}: Monitoring evaluation ${goQuote(limit(evalID, this.#length))}`,
    );
    for (;;) {
      if (this.#signal?.aborted) return 1;
      let evaluation;
      try {
        evaluation = await this.#client.evaluations.info(evalID);
      } catch {
        await this.#ctx.ui.error(`==> No evaluation with id ${goQuote(evalID)} found`);
        return 1;
      }
      const state: EvalState = {
        status: evaluation.Status,
        node: evaluation.NodeID ?? "",
        job: evaluation.JobID ?? "",
        deployment: evaluation.DeploymentID ?? "",
        wait: evaluation.Wait ?? 0,
        index: evaluation.CreateIndex ?? 0,
        allocs: new Map(),
      };
      let allocs;
      try {
        allocs = await this.#client.evaluations.allocations(evaluation.ID);
      } catch (err) {
        await this.#ctx.ui.error(
          `==> ${this.#time()}: Error reading allocations: ${messageOf(err)}`,
        );
        return 1;
      }
      for (const a of allocs) {
        state.allocs.set(a.ID, {
          group: a.TaskGroup,
          node: a.NodeID,
          desired: a.DesiredStatus,
          client: a.ClientStatus,
          clientDesc: a.ClientDescription ?? "",
          index: a.CreateIndex,
        });
      }
      await this.#update(state);

      if (!["complete", "failed", "canceled"].includes(evaluation.Status)) {
        await this.#sleep(this.#poll);
        continue;
      }
      const eid = goQuote(limit(evaluation.ID, this.#length));
      const failed = sortedFailedGroups(evaluation.FailedTGAllocs);
      if (failed.length === 0) {
        await this.#info(
          `${this.#time()}: Evaluation ${eid} finished with status ${goQuote(evaluation.Status)}`,
        );
      } else {
        schedFailure = true;
        await this.#info(
          `${this.#time()}: Evaluation ${eid} finished with status ${
            goQuote(evaluation.Status)
          } but failed to place all allocations:`,
        );
        for (const tg of failed) {
          const metrics = evaluation.FailedTGAllocs![tg]!;
          await this.#out(`${this.#time()}: ${failedGroupHeading(tg, metrics)}`);
          const text = paint(this.#ctx, formatAllocMetrics(metrics, false, "  "));
          for (const line of text.split("\n")) await this.#out(line);
        }
        if (evaluation.BlockedEval) {
          await this.#out(
            `${this.#time()}: Evaluation ${
              goQuote(limit(evaluation.BlockedEval, this.#length))
            } waiting for additional capacity to place remainder`,
          );
        }
      }
      if (evaluation.NextEval) {
        if ((evaluation.Wait ?? 0) !== 0) {
          await this.#info(
            `${this.#time()}: Monitoring next evaluation ${
              goQuote(limit(evaluation.NextEval, this.#length))
            } in ${formatDuration(evaluation.Wait)}`,
          );
          await this.#sleep(evaluation.Wait / 1e6);
        }
        this.#state = pendingState();
        return await this.monitor(evaluation.NextEval);
      }
      break;
    }
    const deployment = this.#state.deployment;
    if (deployment !== "") {
      await this.#info(
        `${this.#time()}: Monitoring deployment ${goQuote(limit(deployment, this.#length))}`,
      );
      const { status, error } = await monitorDeployment(this.#client, this.#ctx, deployment, {
        waitNs: this.#state.wait,
        verbose: this.#length === 36,
        outputPrefix: "    ",
        errorPrefix: "==> ",
      });
      if (error || status !== "successful") return 1;
      schedFailure = false;
    }
    return schedFailure ? 2 : 0;
  }
}
