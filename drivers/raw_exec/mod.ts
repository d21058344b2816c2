/**
 * The raw_exec driver: host commands with no isolation, each under a detached `/bin/sh`
 * executor (a few hundred KB per task) so tasks outlive the agent.
 *
 * @module
 */
export { RawExecDriver } from "./driver.ts";
export { default as createRawExecDriver } from "./driver.ts";
export {
  CONFIG_SCHEMA as RAW_EXEC_CONFIG_SCHEMA,
  RAW_EXEC_NAME,
  TASK_SCHEMA as RAW_EXEC_TASK_SCHEMA,
} from "./_config.ts";
export { rawExecManifest } from "./manifest.ts";
export type { RawExecDriverState } from "./_task.ts";
