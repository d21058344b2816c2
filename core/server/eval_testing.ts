/**
 * Evaluations for the server's tests and benchmarks.
 *
 * @module
 */
import { EvalStatus, type Evaluation, EvaluationSpec, zero } from "../structs/mod.ts";

let counter = 0;

/**
 * A pending service evaluation with a unique ID and job, at priority 50; `overrides` replace
 * any field.
 */
export function mockEval(overrides: Partial<Evaluation> = {}): Evaluation {
  counter++;
  return {
    ...zero(EvaluationSpec),
    ID: `eval-${counter}`,
    Namespace: "default",
    Priority: 50,
    Type: "service",
    TriggeredBy: "job-register",
    JobID: `job-${counter}`,
    Status: EvalStatus.Pending,
    ...overrides,
  };
}
