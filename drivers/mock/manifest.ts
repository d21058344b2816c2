/**
 * The mock driver's manifest. It runs no process and touches only the task log files it
 * writes `stdout_string`/`stderr_string` to, inside the allocation directory: it gets read and
 * write there and nothing else (no `run`, `net`, `env`, `sys` or `ffi`).
 *
 * @module
 */
import type { PluginManifest } from "../../plugins/sdk.ts";

/**
 * The driver's name. Declared here, not in `driver.ts`, so that the agent, which imports the
 * manifest, does not load the driver's code: only its Worker does.
 */
export const MOCK_DRIVER_NAME = "mock_driver";

/** The mock driver's manifest. */
export const mockManifest: PluginManifest = {
  name: MOCK_DRIVER_NAME,
  version: "0.1.0",
  entry: new URL("./driver.ts", import.meta.url).href,
  permissions: {
    read: ["${alloc_dir}"],
    write: ["${alloc_dir}"],
  },
  // What the driver fingerprints while no plugin config asks otherwise: its Worker starts with
  // the first task that uses it.
  fingerprint: { attributes: { [`driver.${MOCK_DRIVER_NAME}`]: true } },
};
