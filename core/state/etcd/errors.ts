/**
 * The errors of the etcd client: each names the endpoint that answered (or failed) and carries
 * etcd's own message and gRPC status code, so that an operator sees "request is too large" or
 * "no leader" rather than a bare HTTP status.
 *
 * @module
 */

/** gRPC status codes that etcd's JSON gateway returns in `code`. */
export const GrpcCode = {
  Canceled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  FailedPrecondition: 9,
  OutOfRange: 11,
  Unavailable: 14,
  Unauthenticated: 16,
} as const;

/** Options of {@link EtcdError}. */
export interface EtcdErrorOptions {
  /** The endpoint that answered (or failed to). */
  readonly endpoint: string;
  /** The gRPC status code etcd returned; 0 when none (a network failure). */
  readonly code?: number;
  /** Whether the request may have been applied although it failed (a timeout after sending). */
  readonly uncertain?: boolean;
  readonly cause?: unknown;
}

/** A request that etcd refused, or that could not reach it. */
export class EtcdError extends Error {
  override readonly name: string = "EtcdError";
  /** The endpoint that answered (or failed to). */
  readonly endpoint: string;
  /** The gRPC status code (`GrpcCode`); 0 for a network failure. */
  readonly code: number;
  /** True when a write may have been applied although the request failed. */
  readonly uncertain: boolean;

  constructor(message: string, opts: EtcdErrorOptions) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.endpoint = opts.endpoint;
    this.code = opts.code ?? 0;
    this.uncertain = opts.uncertain ?? false;
  }
}

/**
 * The revision a read or watch asked for is older than etcd's compaction: history before
 * `compactRevision` is gone. Re-read the current state and continue from there.
 */
export class EtcdCompactedError extends EtcdError {
  override readonly name = "EtcdCompactedError";
  /** The oldest revision etcd still holds. */
  readonly compactRevision: number;

  constructor(message: string, compactRevision: number, opts: EtcdErrorOptions) {
    super(message, opts);
    this.compactRevision = compactRevision;
  }
}

/** No endpoint could serve a request; `errors` holds each endpoint's failure. */
export class EtcdUnavailableError extends EtcdError {
  override readonly name = "EtcdUnavailableError";
  /** The failure of each endpoint tried, in order. */
  readonly errors: readonly EtcdError[];

  constructor(what: string, errors: readonly EtcdError[], took = "") {
    const detail = errors.map((e) => e.message).join("; ");
    super(
      `Cannot ${what}: no etcd endpoint answered${took} (${detail}); check that a majority of the etcd cluster is up and reachable`,
      {
        endpoint: errors.map((e) => e.endpoint).join(","),
        code: GrpcCode.Unavailable,
        uncertain: errors.some((e) => e.uncertain),
        cause: errors[errors.length - 1],
      },
    );
    this.errors = errors;
  }
}

/** Whether etcd refused the request before applying anything, so another endpoint may take it. */
export function isRetryable(err: EtcdError): boolean {
  if (err.code === 0) return !err.uncertain;
  if (err.code !== GrpcCode.Unavailable) return false;
  // "no leader" and "not capable" are refused before the request is proposed to raft; "leader
  // changed" and "request timed out" may have been applied.
  return /no leader|not capable|too many requests/i.test(err.message);
}
