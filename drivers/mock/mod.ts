/**
 * The mock driver (`mock_driver`): a real task driver steered by task config, with no process.
 *
 * @module
 */
export { MOCK_DRIVER_NAME, MockDriver } from "./driver.ts";
export { default as createMockDriver } from "./driver.ts";
export { mockManifest } from "./manifest.ts";
export type { MockCommand, MockTaskState } from "./_task.ts";
