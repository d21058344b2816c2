/**
 * The sections of `job status <job>` after the job's own block, as Nomad prints them:
 * `Summary`, `Children Job Summary`, `Evaluations` (with `-evals`), `Placement Failure`,
 * `Future Rescheduling Attempts`, `Latest Deployment`, `Actions`, `Allocations`, and the
 * launched children of periodic and parameterized jobs.
 *
 * @module
 */
import { formatDuration, type Job } from "../../structs/mod.ts";
import type { AllocationListStub, ApiClient, ApiEvaluation } from "../api/mod.ts";
import type { Context } from "../command.ts";
import { formatKV, formatList, limit } from "../format/columns.ts";
import { formatAllocMetrics, isParameterized, sortedFailedGroups } from "../format/metrics.ts";
import { goQuote } from "../format/quote.ts";
import {
  evalFailureStatus,
  formatDeploymentGroups,
  formatJobAllocListStubs,
} from "../format/tables.ts";
import { now, parseApiTime, prettyTimeDiff } from "../format/time.ts";
import { PROGRAM } from "../command.ts";
import { messageOf, paint } from "./_api.ts";

/** What the sections need to know of the command line. */
export interface StatusView {
  readonly client: ApiClient;
  readonly ctx: Context;
  /** ID length: 8, or 36 with `-verbose`. */
  readonly length: number;
  readonly verbose: boolean;
  readonly evals: boolean;
  readonly allAllocs: boolean;
}

/** How many task groups `Placement Failure` shows before pointing to `eval status`. */
const MAX_FAILED_GROUPS = 5;

const heading = (v: StatusView, title: string) =>
  v.ctx.ui.output(paint(v.ctx, `\n[bold]${title}[reset]`));

/** Prints `Summary` (and `Children Job Summary` when the job has children). */
export async function outputJobSummary(v: StatusView, job: Job): Promise<void> {
  let summary;
  try {
    summary = await v.client.jobs.summary(job.ID!, { namespace: job.Namespace ?? "" });
  } catch (err) {
    throw new Error(`Error querying job summary: ${messageOf(err)}`, { cause: err });
  }
  if (!summary) return;
  const periodic = job.Periodic !== null && job.Periodic !== undefined;
  const parameterized = isParameterized(job);
  if (!periodic && !parameterized) {
    await heading(v, "Summary");
    const rows = ["Task Group|Queued|Starting|Running|Failed|Complete|Lost|Unknown"];
    for (const tg of Object.keys(summary.Summary ?? {}).sort()) {
      const s = summary.Summary![tg]!;
      rows.push(
        [tg, s.Queued, s.Starting, s.Running, s.Failed, s.Complete, s.Lost, s.Unknown ?? 0]
          .join("|"),
      );
    }
    await v.ctx.ui.output(formatList(rows));
  }
  const c = summary.Children;
  if (c && (parameterized || periodic || c.Pending + c.Running + c.Dead > 0)) {
    await heading(v, parameterized ? "Parameterized Job Summary" : "Children Job Summary");
    await v.ctx.ui.output(
      formatList(["Pending|Running|Dead", `${c.Pending}|${c.Running}|${c.Dead}`]),
    );
  }
}

/** Prints the children a periodic (`/periodic-`) or parameterized (`/dispatch-`) job launched. */
export async function outputChildren(v: StatusView, job: Job, kind: "periodic" | "dispatch") {
  const id = job.ID!;
  let children;
  try {
    children = await v.client.jobs.prefixList(`${id}/${kind}-`);
  } catch (err) {
    throw new Error(`Error querying job: ${messageOf(err)}`, { cause: err });
  }
  if (children.length === 0) {
    await v.ctx.ui.output(
      kind === "periodic"
        ? "\nNo instances of periodic job found"
        : "\nNo dispatched instances of parameterized job found",
    );
    return;
  }
  const rows = ["ID|Status"];
  for (const child of children) if (child.ParentID === id) rows.push(`${child.ID}|${child.Status}`);
  await heading(v, kind === "periodic" ? "Previously Launched Jobs" : "Dispatched Jobs");
  await v.ctx.ui.output(formatList(rows));
}

/** Prints `Parameterized Job`, the summary and the dispatched children. */
export async function outputParameterizedInfo(v: StatusView, job: Job): Promise<void> {
  const p = job.ParameterizedJob!;
  await heading(v, "Parameterized Job");
  await v.ctx.ui.output(formatKV([
    `Payload|${p.Payload}`,
    `Required Metadata|${(p.MetaRequired ?? []).join(", ")}`,
    `Optional Metadata|${(p.MetaOptional ?? []).join(", ")}`,
  ]));
  await outputJobSummary(v, job);
  await outputChildren(v, job, "dispatch");
}

async function outputFailedPlacements(v: StatusView, failedEval: ApiEvaluation) {
  const groups = sortedFailedGroups(failedEval.FailedTGAllocs);
  if (groups.length === 0) return;
  await heading(v, "Placement Failure");
  for (const [i, tg] of groups.entries()) {
    if (i >= MAX_FAILED_GROUPS) break;
    const metrics = failedEval.FailedTGAllocs![tg]!;
    await v.ctx.ui.output(`Task Group ${goQuote(tg)}:`);
    await v.ctx.ui.output(paint(v.ctx, formatAllocMetrics(metrics, false, "  ")));
    if (i !== groups.length - 1) await v.ctx.ui.output("");
  }
  if (groups.length > MAX_FAILED_GROUPS) {
    await v.ctx.ui.output(
      `\nPlacement failures truncated. To see remainder run:\n${PROGRAM} eval-status ${failedEval.ID}`,
    );
  }
}

async function outputReschedulingEvals(v: StatusView, job: Job, allocs: AllocationListStub[]) {
  const latest = new Map<string, AllocationListStub>();
  for (const a of allocs) {
    const seen = latest.get(a.TaskGroup);
    if (!seen || a.ModifyTime > seen.ModifyTime) latest.set(a.TaskGroup, a);
  }
  const followUps = [...latest].filter(([, a]) => a.FollowupEvalID).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0
  );
  const rows: string[] = [];
  for (const [tg, alloc] of followUps) {
    let waitUntil: number | null;
    try {
      waitUntil = parseApiTime((await v.client.evaluations.info(alloc.FollowupEvalID)).WaitUntil);
    } catch {
      continue;
    }
    if (waitUntil === null || now() > waitUntil) continue;
    const evalTime = prettyTimeDiff(waitUntil, now());
    const evalID = limit(alloc.FollowupEvalID, v.length);
    if (v.verbose) {
      const rp = (job.TaskGroups ?? []).find((g) => g.Name === tg)?.ReschedulePolicy;
      rows.push(`${tg}|${reschedulePolicyText(rp)}|${evalID}|${evalTime}`);
    } else {
      rows.push(`${tg}|${evalID}|${evalTime}`);
    }
  }
  if (rows.length === 0) return;
  const head = v.verbose
    ? "Task Group|Reschedule Policy|Eval ID|Eval Time"
    : "Task Group|Eval ID|Eval Time";
  await heading(v, "Future Rescheduling Attempts");
  await v.ctx.ui.output(formatList([head, ...rows]));
}

/** A reschedule policy in words, as Nomad's `ReschedulePolicy.String`. */
export function reschedulePolicyText(
  rp: NonNullable<Job["Reschedule"]> | null | undefined,
): string {
  if (!rp) return "";
  const delay = `${rp.DelayFunction} delay, max_delay = ${formatDuration(rp.MaxDelay ?? 0)}`;
  if (rp.Unlimited) return `unlimited with ${delay}`;
  return `${rp.Attempts} in ${formatDuration(rp.Interval ?? 0)} with ${delay}`;
}

/** Prints the sections of a job that is neither periodic nor parameterized. */
export async function outputJobInfo(v: StatusView, job: Job): Promise<void> {
  const q = { namespace: job.Namespace ?? "" };
  const id = job.ID!;
  const query = async <T>(what: string, read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (err) {
      throw new Error(`Error querying ${what}: ${messageOf(err)}`, { cause: err });
    }
  };
  const allocs = await query(
    "job allocations",
    () => v.client.jobs.allocations(id, v.allAllocs, q),
  );
  const evals = await query("job evaluations", () => v.client.jobs.evaluations(id, q));
  const latest = await query("latest job deployment", () => v.client.jobs.latestDeployment(id, q));
  const actions: string[] = [];
  for (const tg of job.TaskGroups ?? []) {
    for (const task of tg.Tasks ?? []) {
      for (const a of task.Actions ?? []) actions.push(`${a.Name}|${tg.Name}|${task.Name}`);
    }
  }
  await outputJobSummary(v, job);

  let latestFailed: ApiEvaluation | undefined;
  let blocked = false;
  const rows = ["ID|Priority|Triggered By|Status|Placement Failures"];
  for (const e of evals) {
    const failure = evalFailureStatus(e);
    rows.push(
      `${limit(e.ID, v.length)}|${e.Priority}|${e.TriggeredBy}|${e.Status}|${failure.text}`,
    );
    if (e.Status === "blocked") blocked = true;
    if (!failure.has) continue;
    if (!latestFailed || latestFailed.CreateIndex < e.CreateIndex) latestFailed = e;
  }
  if (v.verbose || v.evals) {
    await heading(v, "Evaluations");
    await v.ctx.ui.output(formatList(rows));
  }
  if (blocked && latestFailed) await outputFailedPlacements(v, latestFailed);
  await outputReschedulingEvals(v, job, allocs);
  if (latest) {
    await heading(v, "Latest Deployment");
    let text = formatKV([
      `ID|${limit(latest.ID, v.length)}`,
      `Status|${latest.Status}`,
      `Description|${latest.StatusDescription}`,
    ]);
    if (Object.keys(latest.TaskGroups ?? {}).length > 0) {
      text += `\n\n[bold]Deployed[reset]\n${formatDeploymentGroups(latest.TaskGroups!)}`;
    }
    await v.ctx.ui.output(paint(v.ctx, text));
  }
  if (actions.length > 0) {
    await heading(v, "Actions");
    await v.ctx.ui.output(formatList(["Action Name|Task Group|Task", ...actions]));
  }
  await heading(v, "Allocations");
  await v.ctx.ui.output(formatJobAllocListStubs(allocs, job, v.verbose, v.length));
}
