/**
 * The HTTP API client of the nomad-ts CLI, in Nomad's API shapes: {@link ApiClient} with its
 * resources (`jobs`, `evaluations`, `allocations`, `allocFS`, `nodes`, `deployments`, `agent`,
 * `status`, `operator`, `system`, `search`), the errors it throws, the response types and
 * prefix resolution of short IDs.
 *
 * @module
 */
export { ApiClient, type QueryMeta, type QueryOptions, type WriteOptions } from "./client.ts";
export { isStatus, RequestError, UnexpectedResponseError } from "./errors.ts";
export type { AllocRestartOptions, AllocSignalOptions, AllocStopOptions } from "./allocations.ts";
export type { AgentMonitorOptions } from "./cluster.ts";
export {
  FrameDecodeError,
  type LogsOptions,
  type Origin,
  type ReadAtOptions,
  type ReconnectOptions,
  StreamInterruptedError,
  type StreamOptions,
} from "./fs.ts";
export type {
  DeregisterOptions,
  DispatchOptions,
  JobScaleStatus,
  RegisterOptions,
  ScalingRequest,
  TaskGroupScaleStatus,
  VersionsOptions,
} from "./jobs.ts";
export { matchPrefix, type PrefixMatch, sanitizeUUIDPrefix } from "./prefix.ts";
export type { Transport, TransportRequest, TransportResponse } from "./_transport.ts";
export type * from "./types.ts";
