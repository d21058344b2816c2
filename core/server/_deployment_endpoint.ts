/**
 * The deployment writes (Nomad's `Deployment.Fail`, `Pause`, `Promote`, `SetAllocHealth` and
 * `Unblock`): each checks its arguments and that the deployment exists and is active, with
 * Nomad's messages (`deployment not found`, `can't promote terminal deployment`, ...), then
 * hands the request to the deployment's watcher.
 *
 * `Unblock` concerns multiregion deployments only; as in Nomad's community edition it checks
 * the deployment and changes nothing.
 *
 * @module
 */
import { deploymentActive } from "../scheduler/mod.ts";
import type { Deployment } from "../structs/mod.ts";
import type { DeploymentUpdateResponse, RequestContext } from "./api.ts";
import type { DeploymentsWatcher } from "./_deployments_watcher.ts";

/** Nomad's errors for writes to a deployment that ended, by write. */
export const TERMINAL_ERRORS = {
  fail: "can't fail terminal deployment",
  pause: "can't pause terminal deployment",
  resume: "can't resume terminal deployment",
  promote: "can't promote terminal deployment",
  unblock: "can't unblock terminal deployment",
  health: "can't set health of allocations for a terminal deployment",
} as const;

/** The deployment endpoints over the deployments watcher. */
export class DeploymentEndpoint {
  readonly #watcher: DeploymentsWatcher;

  constructor(watcher: DeploymentsWatcher) {
    this.#watcher = watcher;
  }

  /** The active deployment `id`, or Nomad's error for `write`. */
  #active(id: string, write: keyof typeof TERMINAL_ERRORS): Deployment {
    if (id === "") throw new Error("missing deployment ID");
    const d = this.#watcher.core.store.snapshot().deployment(id);
    if (d === undefined) throw new Error("deployment not found");
    if (!deploymentActive(d)) throw new Error(TERMINAL_ERRORS[write]);
    return d;
  }

  /** `Deployment.Fail`: marks the deployment failed, rolling back with `auto_revert`. */
  async fail(id: string, _ctx: RequestContext): Promise<DeploymentUpdateResponse> {
    this.#active(id, "fail");
    return await this.#watcher.watcher(id).fail();
  }

  /** `Deployment.Pause`: pauses (`pause`) or resumes the deployment. */
  async pause(id: string, pause: boolean, _ctx: RequestContext): Promise<DeploymentUpdateResponse> {
    this.#active(id, pause ? "pause" : "resume");
    return await this.#watcher.watcher(id).pause(pause);
  }

  /** `Deployment.Promote`: promotes the canaries of `groups`, or of every group with `all`. */
  async promote(
    id: string,
    opts: { all: boolean; groups: string[] },
    _ctx: RequestContext,
  ): Promise<DeploymentUpdateResponse> {
    this.#active(id, "promote");
    return await this.#watcher.watcher(id).promote(opts.all, opts.groups);
  }

  /** `Deployment.SetAllocHealth`: the operator's verdict on allocations' health. */
  async setAllocHealth(
    id: string,
    opts: { healthy: string[]; unhealthy: string[] },
    _ctx: RequestContext,
  ): Promise<DeploymentUpdateResponse> {
    if (id === "") throw new Error("missing deployment ID");
    if (opts.healthy.length + opts.unhealthy.length === 0) {
      throw new Error("must specify at least one healthy/unhealthy allocation ID");
    }
    this.#active(id, "health");
    return await this.#watcher.watcher(id).setAllocHealth(opts.healthy, opts.unhealthy);
  }

  /** `Deployment.Unblock`: only checks the deployment (multiregion deployments only). */
  unblock(id: string, _ctx: RequestContext): Promise<DeploymentUpdateResponse> {
    return Promise.resolve().then(() => {
      this.#active(id, "unblock");
      return {
        EvalID: "",
        EvalCreateIndex: 0,
        DeploymentModifyIndex: 0,
        RevertedJobVersion: null,
        Index: 0,
      };
    });
  }
}
