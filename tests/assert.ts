/**
 * The assertions our tests use, on top of `node:assert` (JSR's `@std/assert` is not reachable
 * from our build machines).
 *
 * @module
 */
import assert from "node:assert/strict";

/** Asserts deep, strict equality and shows a diff when it fails. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

/** Asserts that two values are not deeply equal. */
export function assertNotEquals<T>(actual: T, expected: T, message?: string): void {
  assert.notDeepStrictEqual(actual, expected, message);
}

/** Asserts that a condition holds. */
export function assert_(condition: unknown, message = "assertion failed"): asserts condition {
  assert.ok(condition, message);
}
export { assert_ as assert };

/** Asserts that `text` contains `part`. */
export function assertStringIncludes(text: string, part: string, message?: string): void {
  if (!text.includes(part)) {
    throw new assert.AssertionError({
      message: message ?? `expected text to include ${JSON.stringify(part)}:\n${text}`,
      actual: text,
      expected: part,
    });
  }
}

/** Asserts that `text` matches `pattern`. */
export function assertMatch(text: string, pattern: RegExp, message?: string): void {
  assert.match(text, pattern, message);
}

// deno-lint-ignore no-explicit-any
type ErrorClass = abstract new (...args: any[]) => Error;

function checkError(err: unknown, cls?: ErrorClass, includes?: string): Error {
  if (!(err instanceof Error)) throw new assert.AssertionError({ message: `threw a non-error` });
  const e: Error = err;
  if (cls && !(err instanceof cls)) {
    throw new assert.AssertionError({
      message: `expected ${cls.name}, got ${e.constructor.name}: ${e.message}`,
    });
  }
  if (includes !== undefined && !err.message.includes(includes)) {
    throw new assert.AssertionError({
      message: `expected the error message to include ${
        JSON.stringify(includes)
      }, got: ${err.message}`,
    });
  }
  return err;
}

/** Asserts that `fn` throws (an instance of `cls`, with `includes` in its message). */
export function assertThrows(fn: () => unknown, cls?: ErrorClass, includes?: string): Error {
  try {
    fn();
  } catch (err) {
    return checkError(err, cls, includes);
  }
  throw new assert.AssertionError({ message: "expected the function to throw" });
}

/** Asserts that `fn` rejects (with an instance of `cls`, with `includes` in its message). */
export async function assertRejects(
  fn: () => Promise<unknown>,
  cls?: ErrorClass,
  includes?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return checkError(err, cls, includes);
  }
  throw new assert.AssertionError({ message: "expected the promise to reject" });
}
