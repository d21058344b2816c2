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
 * The same output feeds `nomad-ts monitor` (`GET /v1/agent/monitor`): {@link LogOutput.subscribe}
 * gives a {@link LogSubscription}, an `AsyncIterable` of lines at the subscriber's own level and
 * format — below the agent's level too, as Nomad's monitor can stream DEBUG lines from an agent
 * logging at INFO. Each subscriber has a bounded buffer; a subscriber that reads too slowly loses
 * lines (and is told how many) rather than holding the agent up.
 *
 * @module
 */

/** Nomad's log levels, most verbose first; `OFF` logs nothing. */
export type LogLevel = "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" | "OFF";

const RANK: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, OFF: 5 };

/** A level a message is logged at (every level but `OFF`). */
export type MessageLevel = Exclude<LogLevel, "OFF">;

/** Whether a message at `level` passes a threshold of `threshold` (`OFF` passes nothing). */
function passes(level: MessageLevel, threshold: LogLevel): boolean {
  return threshold !== "OFF" && RANK[level] >= RANK[threshold];
}

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
  readonly #subscribers = new Set<LogSubscription>();

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

  /**
   * Starts streaming the messages at `opts.level` and above, formatted as hclog lines (or
   * JSON), to a new subscriber; the lines do not depend on the agent's own level or format.
   * The subscription ends when it is closed, `opts.signal` aborts, or
   * {@link LogOutput.endSubscriptions} is called.
   *
   * @example
   * ```ts
   * const sub = out.subscribe({ level: "DEBUG", signal: request.signal });
   * for await (const line of sub) send(`${line}\n`);
   * ```
   */
  subscribe(opts: SubscribeOptions): LogSubscription {
    const sub = new LogSubscription(opts, (closed) => this.#subscribers.delete(closed));
    if (!sub.closed) this.#subscribers.add(sub);
    return sub;
  }

  /** How many subscriptions are open. */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Whether some subscriber wants messages at `level`. */
  wants(level: MessageLevel): boolean {
    for (const sub of this.#subscribers) if (passes(level, sub.level)) return true;
    return false;
  }

  /** Hands a message to every subscriber that wants it, formatted for each (never waits). */
  publish(record: LogRecord): void {
    let text: string | undefined;
    let json: string | undefined;
    for (const sub of this.#subscribers) {
      if (!passes(record.level, sub.level)) continue;
      sub.push(
        sub.json ? (json ??= formatRecord(record, true)) : (text ??= formatRecord(record, false)),
      );
    }
  }

  /** Ends every subscription (the agent is shutting down); their streams finish. */
  endSubscriptions(): void {
    for (const sub of [...this.#subscribers]) sub.close();
  }
}

/** Options of {@link LogOutput.subscribe}. */
export interface SubscribeOptions {
  /** The least severe level streamed. */
  readonly level: LogLevel;
  /** One JSON object per line instead of hclog's text. */
  readonly json?: boolean;
  /** How many lines may wait for the reader before lines are dropped (default 512, as Nomad). */
  readonly buffer?: number;
  /** Ends the subscription when aborted (the client went away). */
  readonly signal?: AbortSignal;
}

/** The line a subscriber gets after losing lines, as Nomad's monitor words it. */
export function droppedLine(count: number): string {
  return `[WARN] Monitor dropped ${count} logs during monitor request`;
}

/**
 * The log lines of one subscriber, without their newlines, as they are logged. Lines wait in a
 * bounded buffer: when it is full, new lines are dropped and counted, and once there is room
 * again the reader gets a {@link droppedLine} before the next line (the notice takes no room
 * of its own, so the buffer holds at most twice its size). Iteration ends when the
 * subscription is closed; lines still buffered are read first.
 */
export class LogSubscription implements AsyncIterableIterator<string> {
  /** The least severe level streamed. */
  readonly level: LogLevel;
  /** Whether lines are JSON. */
  readonly json: boolean;
  readonly #capacity: number;
  readonly #queue: string[] = [];
  readonly #onClose: (sub: LogSubscription) => void;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.close();
  #pendingDrops = 0;
  #dropped = 0;
  #closed = false;
  #waiter: ((r: IteratorResult<string>) => void) | null = null;

  /**
   * @param onClose Called once with the subscription when it closes (the output forgets it).
   * @throws {RangeError} When `opts.buffer` is not a positive integer.
   */
  constructor(opts: SubscribeOptions, onClose: (sub: LogSubscription) => void = () => {}) {
    const capacity = opts.buffer ?? 512;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot subscribe to the log as 'buffer' must be a positive integer: current value is ${capacity}`,
      );
    }
    this.level = opts.level;
    this.json = opts.json ?? false;
    this.#capacity = capacity;
    this.#onClose = onClose;
    this.#signal = opts.signal;
    if (opts.signal?.aborted) this.close();
    else opts.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Whether the subscription has ended (buffered lines may still be read). */
  get closed(): boolean {
    return this.#closed;
  }

  /** How many lines were dropped in all, because the reader fell behind. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Adds a line for the reader, or drops it when the buffer is full; never waits. */
  push(line: string): void {
    if (this.#closed) return;
    if (this.#waiter) {
      const resolve = this.#waiter;
      this.#waiter = null;
      resolve({ value: line, done: false });
      return;
    }
    if (this.#queue.length < this.#capacity) {
      // The notice of lost lines rides along with the first line there is room for again.
      if (this.#pendingDrops > 0) this.#queue.push(droppedLine(this.#pendingDrops));
      this.#pendingDrops = 0;
      this.#queue.push(line);
    } else {
      this.#pendingDrops++;
      this.#dropped++;
    }
  }

  /** The next line; waits for one, and is done once the subscription is closed and drained. */
  next(): Promise<IteratorResult<string>> {
    const line = this.#queue.shift();
    if (line !== undefined) return Promise.resolve({ value: line, done: false });
    if (this.#pendingDrops > 0) {
      const count = this.#pendingDrops;
      this.#pendingDrops = 0;
      return Promise.resolve({ value: droppedLine(count), done: false });
    }
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.#waiter = resolve));
  }

  /** Closes the subscription (a `for await` loop that breaks calls this). */
  return(): Promise<IteratorResult<string>> {
    this.close();
    this.#queue.length = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Ends the subscription: no more lines are added; a waiting reader is done. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#onClose(this);
    const resolve = this.#waiter;
    this.#waiter = null;
    resolve?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): LogSubscription {
    return this;
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

/** One message, before it is formatted. */
export interface LogRecord {
  readonly time: Date;
  readonly level: MessageLevel;
  /** The subsystem (`nomad.heartbeat`), `""` for none. */
  readonly name: string;
  readonly message: string;
  readonly fields?: Record<string, unknown> | undefined;
}

/**
 * A message as one hclog line, without the agent's four-space indent: `2024-11-30T11:41:28.123Z
 * [INFO]  nomad: message: key=value`, or with `json` one JSON object.
 */
export function formatRecord(record: LogRecord, json: boolean): string {
  const { name, message, fields } = record;
  if (json) {
    const obj: Record<string, unknown> = {
      "@level": record.level.toLowerCase(),
      "@message": message,
      ...(name ? { "@module": name } : {}),
      "@timestamp": hclogTime(record.time, true),
    };
    for (const [k, v] of Object.entries(fields ?? {})) obj[k] = v instanceof Error ? v.message : v;
    return JSON.stringify(obj);
  }
  const kv = Object.entries(fields ?? {}).map(([k, v]) => `${k}=${formatValue(v)}`);
  const text = kv.length > 0 ? `${message}: ${kv.join(" ")}` : message;
  const tag = `[${record.level}]`.padEnd(7);
  return `${hclogTime(record.time)} ${tag} ${name ? `${name}: ` : ""}${text}`;
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

  /** Whether a message at `level` would be written, to the output or to a subscriber. */
  enabled(level: LogLevel): boolean {
    return level !== "OFF" && (passes(level, this.#opts.level) || this.#out.wants(level));
  }

  /** Writes a message at `level` with `key=value` fields. */
  log(level: MessageLevel, message: string, fields?: Record<string, unknown>): void {
    const written = passes(level, this.#opts.level);
    const published = this.#out.wants(level);
    if (!written && !published) return;
    const record: LogRecord = {
      time: (this.#opts.now ?? (() => new Date()))(),
      level,
      name: this.#opts.name ?? "",
      message,
      fields,
    };
    if (written) {
      const json = this.#opts.json ?? false;
      this.#out.line(json ? formatRecord(record, true) : `    ${formatRecord(record, false)}`);
    }
    if (published) this.#out.publish(record);
  }

  /**
   * Streams this logger's output (every subsystem's messages) to a new subscriber; see
   * {@link LogOutput.subscribe}. This makes the agent's logger the source of
   * `GET /v1/agent/monitor`.
   */
  subscribe(opts: SubscribeOptions): LogSubscription {
    return this.#out.subscribe(opts);
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
