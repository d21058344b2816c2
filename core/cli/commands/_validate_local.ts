/**
 * Local job validation, what Nomad's `job validate` falls back to without an agent: the job is
 * canonicalized (a copy; the input is not changed), then every validation rule runs.
 *
 * @module
 */
import { canonicalize, type Job, validateJob } from "../../structs/mod.ts";

/**
 * Validates a job as parsed from a job file.
 *
 * @returns Every problem found, each a sentence; empty when the job is valid.
 */
export function validateLocal(job: Job): string[] {
  return validateJob(canonicalize(job));
}
