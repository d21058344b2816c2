/**
 * `GET /v1/agent/monitor`: the agent's log lines as they are logged, at the level asked for
 * (`?log_level=`, INFO by default, below the agent's own level too), as hclog text or JSON
 * (`?log_json=true`). As in Nomad the answer is a stream of `StreamFrame` objects
 * (`{"Data":"<base64 lines>","FileEvent":"log"}`, `{}` heartbeats while idle), or the bare
 * lines with `?plain=true`. `?node_id=` streams that node's agent (proxied to it when it is not
 * this agent's node); `?server_id=` names this server (or `leader`). The stream ends when the
 * client goes away, or when the agent ends its log subscriptions.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { parseGoBool } from "../../structs/go_bool.ts";
import { CodedError } from "../errors.ts";
import { forward, stateLocator } from "./_client_forward.ts";
import { streamFrames } from "./_client_stream.ts";
import { readOptions } from "./_util.ts";
import type { LogSource, MonitorLevel, RouteDeps } from "./deps.ts";

const LEVELS: Readonly<Record<string, MonitorLevel>> = {
  trace: "TRACE",
  debug: "DEBUG",
  info: "INFO",
  warn: "WARN",
  error: "ERROR",
  off: "OFF",
};

/** A level as hclog's `LevelFromString` reads it (any case, spaces trimmed); else undefined. */
export function monitorLevel(text: string): MonitorLevel | undefined {
  const key = text.trim().toLowerCase();
  return Object.hasOwn(LEVELS, key) ? LEVELS[key] : undefined;
}

function boolParam(c: Context, name: string, what: string): boolean {
  const text = new URL(c.req.url).searchParams.get(name) ?? "";
  if (text === "") return false;
  const value = parseGoBool(text);
  if (value === undefined) {
    throw new CodedError(
      400,
      `Unknown option for ${what}: strconv.ParseBool: parsing ${JSON.stringify(text)}: ` +
        "invalid syntax",
    );
  }
  return value;
}

function isLogSource(x: unknown): x is LogSource {
  return typeof (x as Partial<LogSource> | null)?.subscribe === "function";
}

/** Whether `serverId` names this server: `leader`, or its name with or without the region. */
function isThisServer(deps: RouteDeps, serverId: string): boolean {
  const { name, region } = deps.server;
  const suffix = `.${region}`;
  const short = name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
  return ["leader", short, `${short}${suffix}`].includes(serverId);
}

const encoder = new TextEncoder();

/** Registers `GET /v1/agent/monitor`. */
export function monitorRoute(app: Hono, deps: RouteDeps): void {
  const locator = stateLocator(deps.state, () => deps.client?.nodeId ?? "", deps.nodeScheme);

  app.get("/v1/agent/monitor", async (c) => {
    readOptions(c, deps);
    const params = new URL(c.req.url).searchParams;
    const levelText = params.get("log_level") || "INFO";
    const level = monitorLevel(levelText);
    if (level === undefined) throw new CodedError(400, `Unknown log level: ${levelText}`);
    const json = boolParam(c, "log_json", "log json");
    const plain = boolParam(c, "plain", "plain");
    boolParam(c, "log_include_location", "log_include_location");
    const nodeId = params.get("node_id") ?? "";
    const serverId = params.get("server_id") ?? "";
    if (nodeId !== "" && serverId !== "") {
      throw new CodedError(400, "Cannot target node and server simultaneously");
    }
    if (nodeId !== "") {
      const target = await locator.node(c, nodeId);
      if (target.kind === "remote") return forward(c, target.urls);
    } else if (serverId !== "" && !isThisServer(deps, serverId)) {
      throw new CodedError(400, `unknown nomad server ${serverId}`);
    }
    const source = deps.logs ?? (isLogSource(deps.logger) ? deps.logger : null);
    if (source === null) {
      throw new CodedError(500, "this agent's log cannot be streamed: it has no log source");
    }
    const abort = new AbortController();
    const lines = source.subscribe({ level, json, signal: abort.signal });
    async function* frames() {
      for await (const line of lines) {
        yield { File: "", Offset: 0, Data: encoder.encode(`${line}\n`), FileEvent: "log" };
      }
    }
    return streamFrames(c, frames(), {
      plain,
      contentType: plain ? "text/plain" : "application/json",
      abort,
      logger: deps.logger,
      ...(deps.streamHeartbeatMs === undefined ? {} : { heartbeatMs: deps.streamHeartbeatMs }),
    });
  });
}
