/**
 * Finding the allocation and task the `alloc` commands act on, as Nomad's CLI does: an
 * allocation by a prefix of its ID (at least two characters, cut to an even number of hex
 * digits), or a random allocation of a job (`-job`, running ones preferred); a task by name,
 * or the only task of the allocation's group.
 *
 * @module
 */
import type { Allocation, TaskGroup } from "../../structs/mod.ts";
import type { AllocationListStub, ApiClient } from "../api/mod.ts";
import { sanitizeUUIDPrefix } from "../api/mod.ts";
import type { Context } from "../command.ts";
import { formatList, idLength, limit, SHORT_ID } from "../format/columns.ts";
import { goQuote } from "../format/quote.ts";
import { formatAllocListStubs } from "../format/tables.ts";
import { messageOf } from "./_api.ts";
import { jobIDByPrefix } from "./_prefix.ts";

/** How {@link findAlloc} reports. */
export interface FindAllocOptions {
  /** Full IDs in the candidate list. */
  readonly verbose: boolean;
  /** The error for a one-character ID (`alloc status` words it differently). */
  readonly tooShort?: string;
  /**
   * `alloc status` prints several candidates on stdout and succeeds; the other commands print
   * them as an error.
   */
  readonly candidatesAreOutput?: boolean;
}

/** The allocation found, or the exit code after the error was printed. */
export type FoundAlloc = { readonly alloc: Allocation } | { readonly code: number };

/** Finds the allocation `id` (a prefix of its ID) names, printing Nomad's errors. */
export async function findAlloc(
  client: ApiClient,
  ctx: Context,
  id: string,
  opts: FindAllocOptions,
): Promise<FoundAlloc> {
  if (id.length === 1) {
    await ctx.ui.error(opts.tooShort ?? "Alloc ID must contain at least two characters.");
    return { code: 1 };
  }
  const prefix = sanitizeUUIDPrefix(id);
  let stubs: AllocationListStub[];
  try {
    stubs = await client.allocations.prefixList(prefix);
  } catch (err) {
    await ctx.ui.error(`Error querying allocation: ${messageOf(err)}`);
    return { code: 1 };
  }
  if (stubs.length === 0) {
    await ctx.ui.error(`No allocation(s) with prefix or id ${goQuote(prefix)} found`);
    return { code: 1 };
  }
  if (stubs.length > 1) {
    const table = formatAllocListStubs(stubs, opts.verbose, idLength(opts.verbose));
    const text = `Prefix matched multiple allocations\n\n${table}`;
    if (opts.candidatesAreOutput) {
      await ctx.ui.output(text);
      return { code: 0 };
    }
    await ctx.ui.error(text);
    return { code: 1 };
  }
  try {
    return {
      alloc: await client.allocations.info(stubs[0]!.ID, { namespace: stubs[0]!.Namespace }),
    };
  } catch (err) {
    await ctx.ui.error(`Error querying allocation: ${messageOf(err)}`);
    return { code: 1 };
  }
}

/**
 * The allocation the first argument of `alloc logs` and `alloc fs` names: by ID prefix, or with
 * `-job` a random allocation of that job; the exit code when it cannot be found (the error is
 * printed).
 */
export async function allocFromArgs(
  client: ApiClient,
  ctx: Context,
  id: string,
  flags: { job: boolean; group: string; verbose: boolean },
): Promise<Allocation | number> {
  let allocID = id;
  if (flags.job) {
    try {
      const job = await jobIDByPrefix(client, id);
      try {
        allocID = await randomJobAllocID(client, job.id, flags.group, job.namespace);
      } catch (err) {
        await ctx.ui.error(`Error fetching allocations: ${messageOf(err)}`);
        return 1;
      }
    } catch (err) {
      await ctx.ui.error(messageOf(err));
      return 1;
    }
  }
  const found = await findAlloc(client, ctx, allocID, { verbose: flags.verbose });
  return "code" in found ? found.code : found.alloc;
}

/**
 * A random allocation of a job, running ones preferred (Nomad's `getRandomJobAlloc`), for
 * `-job`; only those of `group` when it is not `""`.
 *
 * @throws {Error} When the job cannot be read or has no allocations (in the group).
 */
export async function randomJobAllocID(
  client: ApiClient,
  jobID: string,
  group: string,
  namespace: string,
): Promise<string> {
  let allocs: AllocationListStub[];
  try {
    allocs = await client.jobs.allocations(jobID, false, { namespace });
  } catch (err) {
    throw new Error(`error querying job ${goQuote(jobID)}: ${messageOf(err)}`, { cause: err });
  }
  if (allocs.length === 0) {
    throw new Error(`job ${goQuote(jobID)} doesn't exist or it has no allocations`);
  }
  if (group !== "") {
    allocs = allocs.filter((a) => a.TaskGroup === group);
    if (allocs.length === 0) {
      throw new Error(`task group ${goQuote(group)} doesn't exist or it has no allocations`);
    }
  }
  const running = allocs.filter((a) => a.ClientStatus === "running");
  const pool = running.length > 0 ? running : allocs;
  return pool[Math.floor(Math.random() * pool.length)]!.ID;
}

/** The task group of an allocation, from the job it carries. */
export function allocTaskGroup(alloc: Allocation): TaskGroup | undefined {
  return (alloc.Job?.TaskGroups ?? []).find((g) => g.Name === alloc.TaskGroup);
}

/**
 * The only task of the allocation's group (Nomad's `lookupAllocTask`).
 *
 * @throws {Error} When the group is unknown, or lists its tasks when there are several.
 */
export function onlyAllocTask(alloc: Allocation): string {
  const tg = allocTaskGroup(alloc);
  if (!tg) throw new Error(`Could not find allocation task group: ${alloc.TaskGroup}`);
  const tasks = tg.Tasks ?? [];
  if (tasks.length === 1) return tasks[0]!.Name;
  let text = `Allocation ${goQuote(limit(alloc.ID, SHORT_ID))} is running the following tasks:\n`;
  for (const t of tasks) text += `  * ${t.Name}\n`;
  throw new Error(`${text}\nPlease specify the task.`);
}

/**
 * Checks that the allocation's group has the task `name` (Nomad's
 * `validateTaskExistsInAllocation`).
 *
 * @throws {Error} `Could not find task named: x, found:` and the group's tasks.
 */
export function checkAllocTask(alloc: Allocation, name: string): void {
  const tg = allocTaskGroup(alloc);
  if (!tg) throw new Error(`Could not find allocation task group: ${alloc.TaskGroup}`);
  const names = (tg.Tasks ?? []).map((t) => t.Name);
  if (names.includes(name)) return;
  throw new Error(`Could not find task named: ${name}, found:\n${formatList(names)}`);
}
