/**
 * `GET /v1/event/stream`: the state's events as newline-delimited JSON, one
 * `{"Index":N,"Events":[...]}` line per log entry, and a `{}` line as a heartbeat every 30 s
 * so idle connections stay open. `?index=N` starts at the first buffered entry at or after N,
 * `?topic=Topic:Key` (repeatable; a topic alone means every key) selects events, and
 * `?namespace` (default `default`, `*` for all) their namespace. The stream ends when the
 * client disconnects, or when it falls further behind than the event buffer.
 *
 * @module
 */
import type { Hono } from "hono";
import { EventStreamDroppedError } from "../../state/mod.ts";
import { goJson } from "../../structs/json.ts";
import { CodedError } from "../errors.ts";
import { readOptions } from "./_util.ts";
import type { RouteDeps } from "./deps.ts";

/** How often an idle event stream sends `{}` (Nomad's JSON stream heartbeat), milliseconds. */
export const EVENT_HEARTBEAT_MS = 30_000;

/**
 * `?topic=` values as keys by topic; every topic and key when none is given.
 *
 * @throws {CodedError} 400 `Invalid topic query: ...` for `a:b:c`.
 */
export function parseTopics(values: readonly string[]): Record<string, string[]> {
  if (values.length === 0) return { "*": ["*"] };
  const topics: Record<string, string[]> = {};
  for (const value of values) {
    const parts = value.split(":");
    if (parts.length > 2) {
      throw new CodedError(
        400,
        `Invalid topic query: error parsing topics: Invalid key value pair for topic, topic: ${value}`,
      );
    }
    const [topic = "", key = "*"] = parts;
    (topics[topic] ??= []).push(key);
  }
  return topics;
}

/** Registers `/v1/event/stream`. */
export function eventRoutes(app: Hono, deps: RouteDeps): void {
  app.get("/v1/event/stream", (c) => {
    const params = new URL(c.req.url).searchParams;
    const rawIndex = params.get("index") || "0";
    if (!/^[+-]?\d+$/.test(rawIndex)) {
      throw new CodedError(
        400,
        `Unable to parse index: strconv.Atoi: parsing ${JSON.stringify(rawIndex)}: invalid syntax`,
      );
    }
    const topics = parseTopics(params.getAll("topic"));
    const q = readOptions(c, deps);
    const heartbeatMs = deps.eventHeartbeatMs ?? EVENT_HEARTBEAT_MS;
    const stop = new AbortController();
    const request = c.req.raw.signal;
    const onAbort = () => stop.abort();
    request.addEventListener("abort", onAbort, { once: true });
    const encoder = new TextEncoder();
    const events = deps.state.events(
      { fromIndex: Math.max(0, Number(rawIndex)), topics, namespace: q.namespace },
      stop.signal,
    );

    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (line: string) => {
          if (stop.signal.aborted) return;
          try {
            controller.enqueue(encoder.encode(line + "\n"));
          } catch {
            stop.abort();
          }
        };
        const heartbeat = setInterval(() => send("{}"), heartbeatMs);
        (async () => {
          try {
            for await (const batch of events) send(goJson(batch));
          } catch (e) {
            if (!(e instanceof EventStreamDroppedError)) {
              deps.logger.error("event stream failed", { error: (e as Error).message });
            }
          } finally {
            clearInterval(heartbeat);
            request.removeEventListener("abort", onAbort);
            try {
              controller.close();
            } catch {
              // Already closed or cancelled by the client.
            }
          }
        })();
      },
      cancel() {
        stop.abort();
      },
    });
    c.header("Content-Type", "application/json");
    c.header("Cache-Control", "no-cache");
    return c.body(body);
  });
}
