/**
 * The built-in task drivers, each a plugin module with a manifest: `raw_exec` (host commands,
 * outliving the agent through per-task executors) and `mock_driver` (Nomad's test driver,
 * steered by task config). exec, docker, java and qemu come with issue #5.
 *
 * @module
 */
import type { PluginManifest } from "../plugins/sdk.ts";
import { mockManifest } from "./mock/mod.ts";
import { rawExecManifest } from "./raw_exec/mod.ts";

export { mockManifest } from "./mock/mod.ts";
export { rawExecManifest } from "./raw_exec/mod.ts";

/** The built-in drivers' manifests, by the name jobs use in `driver = "..."`. */
export const BUILTIN_DRIVERS: Readonly<Record<string, PluginManifest>> = {
  [rawExecManifest.name]: rawExecManifest,
  [mockManifest.name]: mockManifest,
};
