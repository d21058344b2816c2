/**
 * The mock driver's manifest. It runs no process and touches only the task log files it
 * writes `stdout_string`/`stderr_string` to, inside the allocation directory: it gets read and
 * write there and nothing else (no `run`, `net`, `env`, `sys` or `ffi`).
 *
 * @module
 */
import type { PluginManifest } from "../../plugins/sdk.ts";
import { MOCK_DRIVER_NAME } from "./driver.ts";

/** The mock driver's manifest. */
export const mockManifest: PluginManifest = {
  name: MOCK_DRIVER_NAME,
  version: "0.1.0",
  entry: new URL("./driver.ts", import.meta.url).href,
  permissions: {
    read: ["${alloc_dir}"],
    write: ["${alloc_dir}"],
  },
};
