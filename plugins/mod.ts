/**
 * Task driver plugins: the SDK a driver implements (`sdk.ts`: the contract, config schemas,
 * errors, helpers), the manifest format, and the plugin host that runs each driver in a Deno
 * Worker with only its manifest's permissions and hands the client a `DriverClient`.
 *
 * The conformance suite every driver passes is in `conformance.ts` (import it from tests).
 *
 * @example
 * ```ts
 * // BUILTIN_DRIVERS is in drivers/mod.ts; the agent hands it to the client, which may not import drivers.
 * const host = new PluginHost({ dataDir, allocDir, options: clientOptions });
 * const rawExec = await host.load(BUILTIN_DRIVERS.raw_exec!, { config: pluginBlock.config });
 * ```
 *
 * @module
 */
export * from "./sdk.ts";
export { DEFAULT_TIMEOUTS, DriverClient, PluginHost } from "./host.ts";
export type {
  HostTimeouts,
  LoadOptions,
  PluginHostOptions,
  PluginLogRecord,
  PluginStatus,
} from "./host.ts";
export { loadManifestFile, parseManifest, resolvePermissions } from "./manifest.ts";
export type { ManifestPermissions, ManifestVariables, PermissionValue } from "./manifest.ts";
