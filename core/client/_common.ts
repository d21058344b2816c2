/**
 * What the client's parts share: the logger and clock they are given, and retry pacing.
 *
 * @module
 */
import type { Clock } from "./restarts.ts";

export type { Clock } from "./restarts.ts";

/** Where the client logs (the agent's logger, or a test's). */
export interface ClientLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything. */
export const SILENT_CLIENT_LOGGER: ClientLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** The wall clock. */
export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/**
 * The pause before retry number `attempt` (0-based): `base` doubling each time up to `max`,
 * with up to 25% random jitter added, so that many clients do not retry in step.
 */
export function backoff(attempt: number, base: number, max: number): number {
  const d = Math.min(max, base * 2 ** Math.min(attempt, 20));
  return d + Math.floor(Math.random() * d * 0.25);
}

/** The message of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
