/**
 * The docker driver's manifest: its Worker reaches the Docker daemon's socket and nothing
 * else on the network, and writes only where it must.
 *
 * - On each socket (`/var/run/docker.sock`, and `/run/docker.sock`, which it is on Debian):
 *   `read`, `write` and `net` `unix:<path>`. Deno asks all three of a `fetch` through an HTTP
 *   client whose transport is a unix socket (`Deno.createHttpClient({ proxy: { transport:
 *   "unix", path } })`): read and write on the path, net on `unix:<path>`.
 * - `net` on `docker.invalid:80`: Deno also checks the request URL's host, though the request
 *   goes down the socket. The driver's URLs use this name in the reserved `.invalid` domain
 *   (RFC 6761), which never resolves, so the grant reaches no host.
 * - `read`/`write` on `${alloc_dir}`: the driver appends each task's output to its log staging
 *   files there (the client's log pump rotates them).
 * - `read`/`write` on `${data_dir}`: where each container's log copy position is kept.
 * - `read` on `/proc/cpuinfo`: the CPU clock, for the MHz in task statistics.
 *
 * No `env`, `run`, `sys`, `ffi`. A plugin config with another `endpoint` needs a manifest that
 * grants that socket: {@linkcode dockerManifestFor}.
 *
 * This module imports nothing but types: the agent imports every driver's manifest, and only
 * the driver's Worker should load its code.
 *
 * @module
 */
import type { PluginManifest } from "../../plugins/sdk.ts";

/** The driver's name. */
export const DOCKER_NAME = "docker";

/** The host in the driver's request URLs (see the module doc); `_api.ts` uses it. */
export const DOCKER_API_HOST = "docker.invalid";

/** The docker manifest for a daemon on `socketPaths`. */
export function dockerManifestFor(...socketPaths: string[]): PluginManifest {
  return {
    name: DOCKER_NAME,
    version: "0.1.0",
    entry: new URL("./driver.ts", import.meta.url).href,
    permissions: {
      read: [...socketPaths, "${alloc_dir}", "${data_dir}", "/proc/cpuinfo"],
      write: [...socketPaths, "${alloc_dir}", "${data_dir}"],
      net: [...socketPaths.map((p) => `unix:${p}`), `${DOCKER_API_HOST}:80`],
    },
  };
}

/** The docker driver's manifest (the default socket). */
export const dockerManifest: PluginManifest = dockerManifestFor(
  "/var/run/docker.sock",
  "/run/docker.sock",
);
