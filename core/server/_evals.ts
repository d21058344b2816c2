/**
 * Evaluations the server creates (registrations, deregistrations, node updates, preemptions,
 * stops), in Nomad's shape.
 *
 * @module
 */
import { type Evaluation, EvaluationSpec, type Job, zero } from "../structs/mod.ts";

/**
 * A pending evaluation of a job, created now (`now` in Unix nanoseconds); `fields` override
 * the rest (NodeID, JobModifyIndex, Type of a deregistration, ...).
 */
export function newEval(
  id: string,
  job: Job,
  triggeredBy: string,
  now: number,
  fields: Partial<Evaluation> = {},
): Evaluation {
  return {
    ...zero(EvaluationSpec),
    ID: id,
    Namespace: job.Namespace ?? "default",
    Priority: job.Priority ?? 50,
    Type: job.Type ?? "service",
    TriggeredBy: triggeredBy,
    JobID: job.ID ?? "",
    Status: "pending",
    CreateTime: now,
    ModifyTime: now,
    ...fields,
  };
}
