/**
 * The error of the HCL expression language: HCL's summary and detail wording plus the offset of
 * the problem in the text that was evaluated.
 *
 * @module
 */

/**
 * An HCL expression or template could not be parsed or evaluated.
 *
 * `summary` and `detail` use HCL's own wording (`Call to unknown function` /
 * `There is no function named "foo".`); `offset` is the 0-based offset, in the text given to
 * `evalTemplate` or `evalExpression`, where the problem starts.
 */
export class ExprError extends Error {
  override readonly name = "ExprError";
  /** 0-based offset of the problem in the evaluated text. */
  readonly offset: number;
  /** HCL's short summary, e.g. `Unsupported attribute`. */
  readonly summary: string;
  /** HCL's sentence saying what is wrong. */
  readonly detail: string;

  constructor(offset: number, summary: string, detail: string, options?: ErrorOptions) {
    super(`${summary}; ${detail}`, options);
    this.offset = offset;
    this.summary = summary;
    this.detail = detail;
  }

  /** The same error moved by `delta` characters, for text nested in a larger text. */
  shifted(delta: number): ExprError {
    return new ExprError(this.offset + delta, this.summary, this.detail, { cause: this.cause });
  }
}
