/**
 * Finding the job a user means by an ID prefix, as Nomad's `JobIDByPrefix`: a prefix query of
 * at most 20 jobs; no match is an error, several are listed unless the prefix is exactly the
 * first one's ID (and, across all namespaces, no other namespace has that ID too).
 *
 * @module
 */
import type { ApiClient, JobListStub } from "../api/mod.ts";
import { UnexpectedResponseError } from "../api/mod.ts";
import { formatJobList } from "../format/tables.ts";
import { goQuote } from "../format/quote.ts";
import { messageOf } from "./_api.ts";

/** The most jobs a prefix lookup asks for. */
const MAX_RESULTS = 20;

/** A job found by prefix: its ID and namespace (`""` when the server could not say). */
export interface JobRef {
  readonly id: string;
  readonly namespace: string;
}

/** No job has the prefix (Nomad's `NoJobWithPrefixError`); commands may reword it. */
export class NoJobWithPrefixError extends Error {
  override readonly name = "NoJobWithPrefixError";
  readonly prefix: string;
  constructor(prefix: string) {
    super(`No job(s) with prefix or ID ${goQuote(prefix)} found`);
    this.prefix = prefix;
  }
}

/** Options of {@link jobIDByPrefix}. */
export interface JobPrefixOptions {
  /**
   * Only jobs this accepts (`job periodic force` wants periodic jobs). The prefix list is then
   * read whole and filtered here, as Nomad's CLI does when the server cannot filter.
   */
  readonly filter?: (job: JobListStub) => boolean;
}

/**
 * The job `prefix` names.
 *
 * @throws {NoJobWithPrefixError} `No job(s) with prefix or ID "x" found`.
 * @throws {Error} With Nomad's message: `Prefix "x" matched multiple jobs` followed by the job
 * table, or `Error querying job prefix`.
 */
export async function jobIDByPrefix(
  client: ApiClient,
  prefix: string,
  opts: JobPrefixOptions = {},
): Promise<JobRef> {
  const allNamespaces = client.namespace === "*";
  let jobs;
  try {
    jobs = opts.filter
      ? (await client.jobs.list({ prefix })).filter(opts.filter)
      : await client.jobs.list({ prefix, perPage: MAX_RESULTS });
  } catch (err) {
    if (err instanceof UnexpectedResponseError && err.message.includes("Permission denied")) {
      return { id: prefix, namespace: "" };
    }
    throw new Error(`Error querying job prefix ${goQuote(prefix)}: ${messageOf(err)}`, {
      cause: err,
    });
  }
  if (jobs.length === 0) throw new NoJobWithPrefixError(prefix);
  const first = jobs[0]!;
  if (jobs.length > 1) {
    const exact = prefix === first.ID;
    const elsewhere = allNamespaces && first.ID === jobs[1]!.ID;
    if (!exact || elsewhere) {
      const truncated = !opts.filter && jobs.length >= MAX_RESULTS
        ? "\n(results may be truncated)"
        : "";
      throw new Error(
        `Prefix ${goQuote(prefix)} matched multiple jobs\n\n${
          formatJobList(jobs, allNamespaces)
        }${truncated}`,
      );
    }
  }
  return { id: first.ID, namespace: first.JobSummary?.Namespace ?? first.Namespace ?? "" };
}
