/**
 * `GET /v1/operator/autopilot/health`: each server's health and, beyond Nomad's reply, the
 * health of the state's backend (`Backend`: etcd's members). As in Nomad, an unhealthy region
 * answers 429 with the same body, so that a load balancer's check fails.
 *
 * @module
 */
import type { Hono } from "hono";
import { respond } from "../respond.ts";
import { readOptions } from "./_util.ts";
import type { RouteDeps } from "./deps.ts";

/** Registers the operator's autopilot routes. */
export function operatorRoutes(app: Hono, deps: RouteDeps): void {
  app.get("/v1/operator/autopilot/health", async (c) => {
    readOptions(c, deps);
    const reply = await deps.server.autopilotHealth();
    return respond(c, reply, { status: reply.Healthy ? 200 : 429 });
  });
}
