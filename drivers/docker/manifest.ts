/**
 * The docker driver's manifest: its Worker reaches the Docker daemon's socket and nothing
 * else on the network, and writes only where it must.
 *
 * - `read`/`write` and `net` on the socket (`/var/run/docker.sock`, and `/run/docker.sock`,
 *   which it is on Debian): the Docker Engine API.
 * - `read`/`write` on `${alloc_dir}`: the driver appends each task's output to its log staging
 *   files there (the client's log pump rotates them).
 * - `read`/`write` on `${data_dir}`: where each container's log copy position is kept.
 * - `read` on `/proc/cpuinfo`: the CPU clock, for the MHz in task statistics.
 * - `env`: `docker-modem`'s `debug` dependency reads the environment when it loads.
 *
 * No `run`, `sys`, `ffi`. A plugin config with another `endpoint` needs a manifest that grants
 * that socket: {@linkcode dockerManifestFor}.
 *
 * @module
 */
import type { PluginManifest } from "../../plugins/sdk.ts";
import { DOCKER_NAME } from "./_config.ts";

/** The docker manifest for a daemon on `socketPath`. */
export function dockerManifestFor(...socketPaths: string[]): PluginManifest {
  return {
    name: DOCKER_NAME,
    version: "0.1.0",
    entry: new URL("./driver.ts", import.meta.url).href,
    permissions: {
      read: [...socketPaths, "${alloc_dir}", "${data_dir}", "/proc/cpuinfo"],
      write: [...socketPaths, "${alloc_dir}", "${data_dir}"],
      net: socketPaths.map((p) => `unix:${p}`),
      env: true,
    },
  };
}

/** The docker driver's manifest (the default socket). */
export const dockerManifest: PluginManifest = dockerManifestFor(
  "/var/run/docker.sock",
  "/run/docker.sock",
);
