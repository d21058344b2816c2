/**
 * The HTTP API on port 4646 (Nomad's /v1 paths and JSON shapes) and what its endpoints stand
 * on: the Hono app with Nomad's error, 404 and 405 conventions ({@link createApp}), query
 * options ({@link parseQueryOptions}), pagination ({@link paginate}), filter expressions
 * ({@link compileFilter}), JSON responses and query meta headers ({@link respond},
 * {@link setMeta}), request bodies ({@link readBody}), blocking queries
 * ({@link blockingQuery}) and `/v1/metrics` ({@link registerMetrics}).
 *
 * The endpoint handlers themselves are wired by the agent.
 *
 * @module
 */

export { consoleLogger, createApp, DEFAULT_MAX_BODY_BYTES } from "./app.ts";
export type { AppOptions } from "./app.ts";
export {
  CodedError,
  ERR_INVALID_METHOD,
  ERR_PERMISSION_DENIED,
  ERR_TOKEN_NOT_FOUND,
  errorReply,
  errorResponse,
  handleError,
  handleNotFound,
  invalidMethod,
  PLAIN_CONTENT_TYPE,
} from "./errors.ts";
export type { ErrorReply, HttpLogger } from "./errors.ts";
export { BexprError, compileFilter } from "./bexpr.ts";
export type { BexprPosition, Filter } from "./bexpr.ts";
export {
  ALL_NAMESPACES,
  DEFAULT_NAMESPACE,
  DEFAULT_QUERY_TIME,
  DEFAULT_REGION,
  JITTER_FRACTION,
  MAX_QUERY_TIME,
  parseConsistency,
  parseFilter,
  parseNamespace,
  parsePagination,
  parseQueryOptions,
  parseRegion,
  parseWait,
  parseWriteOptions,
  queryBool,
  queryInt,
  timeToBlock,
} from "./query.ts";
export type { ParseDefaults, QueryOptions, WriteOptions } from "./query.ts";
export {
  createIndexIdTokenizer,
  idTokenizer,
  modifyIndexTokenizer,
  namespaceIdTokenizer,
  paginate,
} from "./paginate.ts";
export type { Page, PaginateOptions, Tokenizer } from "./paginate.ts";
export {
  acceptsGzip,
  authToken,
  getField,
  GZIP_MIN_BYTES,
  isPretty,
  readBody,
  readJson,
  respond,
  setIndex,
  setKnownLeader,
  setLastContact,
  setMeta,
  setNextToken,
} from "./respond.ts";
export type { QueryMeta, RespondOptions } from "./respond.ts";
export { blockingQuery, runBlockingQuery } from "./blocking.ts";
export type { BlockingOptions, BlockingQueryOptions, BlockingResult } from "./blocking.ts";
export {
  goFloat,
  metricsHandler,
  PROMETHEUS_CONTENT_TYPE,
  prometheusName,
  prometheusText,
  registerMetrics,
} from "./metrics.ts";
export type { MetricsRouteOptions } from "./metrics.ts";
