/**
 * The built-in task drivers, each a plugin module with a manifest: `raw_exec` (host commands,
 * outliving the agent through per-task executors) and `mock_driver` (Nomad's test driver,
 * steered by task config) and `docker` (containers through the Docker Engine API; healthy when
 * dockerd answers). exec, java and qemu come with issue #5.
 *
 * @module
 */
import type { PluginManifest } from "../plugins/sdk.ts";
import { dockerManifest } from "./docker/manifest.ts";
import { mockManifest } from "./mock/manifest.ts";
import { rawExecManifest } from "./raw_exec/manifest.ts";

export { dockerManifest } from "./docker/manifest.ts";
export { mockManifest } from "./mock/manifest.ts";
export { rawExecManifest } from "./raw_exec/manifest.ts";

/** The built-in drivers' manifests, by the name jobs use in `driver = "..."`. */
export const BUILTIN_DRIVERS: Readonly<Record<string, PluginManifest>> = {
  [rawExecManifest.name]: rawExecManifest,
  [mockManifest.name]: mockManifest,
  [dockerManifest.name]: dockerManifest,
};
