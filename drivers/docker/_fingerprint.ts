/**
 * The docker driver's fingerprint, as Nomad's: `driver.docker` and the daemon's version, OS
 * type, runtimes and bridge IP when dockerd answers; `undetected` when it never answered,
 * `unhealthy` when it stopped answering after it had.
 *
 * @module
 */
import type { Fingerprint } from "../../plugins/sdk.ts";
import type { DockerApi } from "./_api.ts";
import { DOCKER_NAME, type DockerPluginConfig } from "./_config.ts";

/** Fingerprints dockerd, remembering whether it was ever detected. */
export class DockerFingerprinter {
  readonly #api: DockerApi;
  readonly #cfg: DockerPluginConfig;
  #detected = false;

  constructor(api: DockerApi, cfg: DockerPluginConfig) {
    this.#api = api;
    this.#cfg = cfg;
  }

  /** Whether dockerd answers a ping now. */
  async ping(): Promise<boolean> {
    try {
      await this.#api.call("GET", "/_ping", { timeoutMs: 5_000 });
      return true;
    } catch {
      return false;
    }
  }

  /** What to report when dockerd does not answer. */
  down(): Fingerprint {
    return {
      Attributes: {},
      Health: this.#detected ? "unhealthy" : "undetected",
      HealthDescription: "Failed to connect to docker daemon",
    };
  }

  /** A full fingerprint (version, info, bridge network). */
  async full(): Promise<Fingerprint> {
    let version: { Version?: string };
    try {
      version = await this.#api.call("GET", "/version", { timeoutMs: 10_000 });
    } catch {
      return this.down();
    }
    this.#detected = true;
    const attrs: Fingerprint["Attributes"] = {
      [`driver.${DOCKER_NAME}`]: true,
      [`driver.${DOCKER_NAME}.version`]: version.Version ?? "",
    };
    if (this.#cfg.allow_privileged) attrs[`driver.${DOCKER_NAME}.privileged.enabled`] = true;
    if (this.#cfg.volumes.enabled) attrs[`driver.${DOCKER_NAME}.volumes.enabled`] = true;
    if (this.#cfg.pids_limit > 0) attrs[`driver.${DOCKER_NAME}.pids.limit`] = this.#cfg.pids_limit;
    try {
      const nets = await this.#api.call<
        { Name: string; IPAM?: { Config?: { Gateway?: string }[] } }[]
      >(
        "GET",
        "/networks",
        { timeoutMs: 10_000 },
      );
      const gw = nets.find((n) => n.Name === "bridge")?.IPAM?.Config?.[0]?.Gateway;
      if (gw) attrs[`driver.${DOCKER_NAME}.bridge_ip`] = gw;
      const info = await this.#api.call<{ Runtimes?: Record<string, unknown>; OSType?: string }>(
        "GET",
        "/info",
        { timeoutMs: 10_000 },
      );
      attrs[`driver.${DOCKER_NAME}.runtimes`] = Object.keys(info.Runtimes ?? {}).sort().join(",");
      attrs[`driver.${DOCKER_NAME}.os_type`] = info.OSType ?? "";
    } catch {
      // Version answered: healthy, with fewer attributes (as Nomad only warns).
    }
    return { Attributes: attrs, Health: "healthy", HealthDescription: "Healthy" };
  }
}
