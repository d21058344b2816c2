/**
 * The agent's logger, writing Nomad's (hclog's) line format at the configured level:
 *
 * ```
 *     2024-11-30T17:11:28.000Z [INFO]  nomad: starting scheduling worker(s): num_workers=2
 * ```
 *
 * or one JSON object per line with `-log-json`. Lines go through a {@link LogOutput} that holds
 * them back until the startup banner is printed (Nomad's gated writer), then streams them.
 *
 * @module
 */

/** Nomad's log levels, most verbose first; `OFF` logs nothing. */
export type LogLevel = "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" | "OFF";

const RANK: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, OFF: 5 };

/** Parses a `log_level` value (any case); unknown levels give `undefined`. */
export function parseLogLevel(text: string): LogLevel | undefined {
  const upper = text.toUpperCase();
  return upper in RANK ? upper as LogLevel : undefined;
}

/**
 * Where log lines go: held back until {@link LogOutput.open}, then written in order. Writes
 * are queued, so logging never waits.
 */
export class LogOutput {
  readonly #write: (line: string) => Promise<void>;
  #held: string[] | null = [];
  #queue: Promise<void> = Promise.resolve();

  /** @param write Writes one line (without its newline), e.g. `(l) => ui.output(l)`. */
  constructor(write: (line: string) => Promise<void>) {
    this.#write = write;
  }

  /** Writes a line, or holds it while the output is gated. */
  line(text: string): void {
    if (this.#held) {
      this.#held.push(text);
      return;
    }
    this.#queue = this.#queue.then(() => this.#write(text)).catch(() => {});
  }

  /** Releases the held lines and streams from now on. */
  open(): void {
    const held = this.#held ?? [];
    this.#held = null;
    for (const line of held) this.line(line);
  }

  /** Resolves when every line written so far is out. */
  flush(): Promise<void> {
    return this.#queue;
  }
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** hclog's timestamp: local time with milliseconds and the zone offset (`Z` for UTC). */
export function hclogTime(d: Date, micro = false): string {
  const offset = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + offset * 60_000);
  const iso = local.toISOString().slice(0, 23) + (micro ? "000" : "");
  if (offset === 0) return `${iso}Z`;
  const sign = offset > 0 ? "+" : "-";
  const abs = Math.abs(offset);
  return `${iso}${sign}${pad2(Math.floor(abs / 60))}${micro ? ":" : ""}${pad2(abs % 60)}`;
}

function quoteIfNeeded(s: string): string {
  return s === "" || /[\s"=\\]|[^\x20-\x7e]/.test(s) ? JSON.stringify(s) : s;
}

/** How hclog prints a field value. */
export function formatValue(v: unknown): string {
  if (typeof v === "string") return quoteIfNeeded(v);
  if (v instanceof Error) return quoteIfNeeded(v.message);
  if (Array.isArray(v)) {
    return `[${
      v.map((x) => (typeof x === "string" ? JSON.stringify(x) : formatValue(x))).join(", ")
    }]`;
  }
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "object") return quoteIfNeeded(JSON.stringify(v));
  return String(v);
}

/** Options of {@link Logger}. */
export interface LoggerOptions {
  readonly level: LogLevel;
  readonly json?: boolean;
  /** The subsystem, e.g. `nomad` or `http` (printed as `nomad: `). */
  readonly name?: string;
  readonly now?: () => Date;
}

/**
 * A leveled logger with named children (`logger.named("http")`), as hclog. It satisfies the
 * loggers the server and the HTTP API take.
 *
 * @example
 * ```ts
 * const out = new LogOutput((line) => ui.output(line));
 * const log = new Logger(out, { level: "INFO" }).named("agent");
 * log.info("detected plugin", { name: "raw_exec", type: "driver" });
 * ```
 */
export class Logger {
  readonly #out: LogOutput;
  readonly #opts: LoggerOptions;

  constructor(out: LogOutput, opts: LoggerOptions) {
    this.#out = out;
    this.#opts = opts;
  }

  /** The level this logger writes at. */
  get level(): LogLevel {
    return this.#opts.level;
  }

  /** A child logger for a subsystem: `nomad` under `agent` is `agent.nomad`. */
  named(name: string): Logger {
    const full = this.#opts.name ? `${this.#opts.name}.${name}` : name;
    return new Logger(this.#out, { ...this.#opts, name: full });
  }

  /** Whether a message at `level` would be written. */
  enabled(level: LogLevel): boolean {
    return level !== "OFF" && RANK[level] >= RANK[this.#opts.level];
  }

  /** Writes a message at `level` with `key=value` fields. */
  log(level: Exclude<LogLevel, "OFF">, message: string, fields?: Record<string, unknown>): void {
    if (!this.enabled(level)) return;
    const now = (this.#opts.now ?? (() => new Date()))();
    const name = this.#opts.name ?? "";
    if (this.#opts.json) {
      const obj: Record<string, unknown> = {
        "@level": level.toLowerCase(),
        "@message": message,
        ...(name ? { "@module": name } : {}),
        "@timestamp": hclogTime(now, true),
      };
      for (const [k, v] of Object.entries(fields ?? {})) {
        obj[k] = v instanceof Error ? v.message : v;
      }
      this.#out.line(JSON.stringify(obj));
      return;
    }
    const kv = Object.entries(fields ?? {}).map(([k, v]) => `${k}=${formatValue(v)}`);
    const text = kv.length > 0 ? `${message}: ${kv.join(" ")}` : message;
    const tag = `[${level}]`.padEnd(7);
    this.#out.line(`    ${hclogTime(now)} ${tag} ${name ? `${name}: ` : ""}${text}`);
  }

  /** Logs at TRACE. */
  trace(message: string, fields?: Record<string, unknown>): void {
    this.log("TRACE", message, fields);
  }
  /** Logs at DEBUG. */
  debug(message: string, fields?: Record<string, unknown>): void {
    this.log("DEBUG", message, fields);
  }
  /** Logs at INFO. */
  info(message: string, fields?: Record<string, unknown>): void {
    this.log("INFO", message, fields);
  }
  /** Logs at WARN. */
  warn(message: string, fields?: Record<string, unknown>): void {
    this.log("WARN", message, fields);
  }
  /** Logs at ERROR. */
  error(message: string, fields?: Record<string, unknown>): void {
    this.log("ERROR", message, fields);
  }
}
