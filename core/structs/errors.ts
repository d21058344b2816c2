/**
 * The domain errors every layer shares. Each carries structured fields so the HTTP layer and
 * the CLI can map it to a status code or exit code without parsing messages.
 *
 * @module
 */

/** Something the caller sent is invalid; `problems` lists every problem found, not just one. */
export class ValidationError extends Error {
  override readonly name = "ValidationError";
  /** Every problem, each a full sentence naming the object and the fix. */
  readonly problems: readonly string[];

  constructor(summary: string, problems: readonly string[], options?: ErrorOptions) {
    super(
      problems.length === 0
        ? summary
        : `${summary}:\n${problems.map((p) => `  * ${p}`).join("\n")}`,
      options,
    );
    this.problems = problems;
  }
}

/** The object asked for does not exist. */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The write conflicts with the current state (a stale index, an existing object). */
export class ConflictError extends Error {
  override readonly name = "ConflictError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The caller's token does not allow this. */
export class PermissionDeniedError extends Error {
  override readonly name = "PermissionDeniedError";
  constructor(message = "Permission denied", options?: ErrorOptions) {
    super(message, options);
  }
}
