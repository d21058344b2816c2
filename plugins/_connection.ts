/**
 * One running Worker of a plugin, seen from the host: calls with deadlines, credit-based streams,
 * and crash detection (an uncaught error in the Worker, or no `pong` in time). A connection that
 * crashed stays dead; the `DriverClient` makes a new one.
 *
 * @module
 */
import {
  deserializeError,
  PluginCrashedError,
  PluginLoadError,
  PluginTimeoutError,
} from "./errors.ts";
import type {
  DriverMeta,
  HostMessage,
  LogMessage,
  StreamMethod,
  UnaryMethod,
  WireDriverConfig,
  WorkerMessage,
} from "./_rpc.ts";
import { STREAM_WINDOW } from "./_rpc.ts";

/** How a connection is made and watched. */
export interface ConnectionOptions {
  /** The plugin's name, for errors. */
  name: string;
  /** The Worker's main module (the generated wrapper). */
  moduleUrl: string;
  /** The Worker's permissions. */
  permissions: Deno.PermissionOptionsObject;
  /** The driver's config. */
  config: WireDriverConfig;
  /** How often to ping the Worker. */
  pingIntervalMs: number;
  /** How long a ping may go unanswered before the Worker counts as crashed. */
  pingTimeoutMs: number;
  /** Called once when the Worker crashes (not when it is terminated on purpose). */
  onCrash: (reason: string) => void;
  /** Receives the driver's log records. */
  onLog: (record: LogMessage) => void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface StreamState {
  items: unknown[];
  done: boolean;
  error: Error | null;
  wake: (() => void) | null;
  consumed: number;
}

/** A live Worker running one driver. */
export class Connection {
  #opts: ConnectionOptions;
  #worker: Worker;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #streams = new Map<number, StreamState>();
  #ready: Pending | null = null;
  #ping: { id: number; sentAt: number } | null = null;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #dead: string | null = null;

  constructor(opts: ConnectionOptions) {
    this.#opts = opts;
    this.#worker = new Worker(opts.moduleUrl, {
      type: "module",
      name: `plugin:${opts.name}`,
      deno: { permissions: opts.permissions },
    });
    this.#worker.onmessage = (e: MessageEvent<WorkerMessage>) => this.#receive(e.data);
    this.#worker.onerror = (e: ErrorEvent) => {
      // Keep the Worker's uncaught error from reaching the agent.
      e.preventDefault();
      this.#crash(`uncaught error in the driver: ${e.message}`);
    };
    this.#worker.onmessageerror = () =>
      this.#crash("the Worker sent a message that cannot be read");
  }

  /** Why the Worker died, or `null` while it is alive. */
  get deadReason(): string | null {
    return this.#dead;
  }

  /** Builds the driver in the Worker; rejects with `PluginLoadError` when that fails. */
  start(timeoutMs: number): Promise<DriverMeta> {
    const { name } = this.#opts;
    const ready = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new PluginLoadError(name, `the driver did not start within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#ready = { resolve, reject, timer };
    });
    // No pings while the Worker loads its module: compiling may take longer than a ping
    // timeout on a busy machine, and the start deadline already covers a hang there.
    this.#post({ t: "init", config: this.#opts.config });
    return ready.then((meta) => meta as DriverMeta).catch((err) => {
      this.terminate();
      throw err;
    });
  }

  /**
   * Calls a unary method. Rejects with the driver's error, `PluginTimeoutError` after
   * `timeoutMs` (`null`: no deadline), `PluginCrashedError` when the Worker dies, or the
   * signal's reason when `signal` aborts.
   */
  call(
    method: UnaryMethod,
    args: unknown[],
    timeoutMs: number | null,
    signal?: AbortSignal,
  ): Promise<unknown> {
    if (this.#dead !== null) {
      return Promise.reject(new PluginCrashedError(this.#opts.name, this.#dead));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.#nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = () => {
        this.#settle(id);
        this.#post({ t: "cancel", id });
        reject(signal?.reason);
      };
      const done = <T>(fn: (v: T) => void) => (v: T) => {
        signal?.removeEventListener("abort", onAbort);
        fn(v);
      };
      const timer = timeoutMs === null ? undefined : setTimeout(() => {
        this.#settle(id);
        this.#post({ t: "cancel", id });
        signal?.removeEventListener("abort", onAbort);
        reject(new PluginTimeoutError(this.#opts.name, method, timeoutMs));
      }, timeoutMs);
      this.#pending.set(id, { resolve: done(resolve), reject: done(reject), timer });
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#post({ t: "call", id, method, args });
    });
  }

  /** Opens a stream; it ends when the driver ends it, `signal` aborts, or the Worker dies (throws). */
  async *stream(
    method: StreamMethod,
    args: unknown[],
    signal: AbortSignal,
  ): AsyncGenerator<unknown> {
    if (this.#dead !== null) throw new PluginCrashedError(this.#opts.name, this.#dead);
    const id = this.#nextId++;
    const state: StreamState = { items: [], done: false, error: null, wake: null, consumed: 0 };
    this.#streams.set(id, state);
    const onAbort = () => {
      state.done = true;
      state.wake?.();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    this.#post({ t: "stream", id, method, args, credit: STREAM_WINDOW });
    try {
      while (true) {
        if (signal.aborted) return;
        if (state.items.length > 0) {
          const item = state.items.shift();
          if (++state.consumed >= STREAM_WINDOW / 2) {
            this.#post({ t: "credit", id, n: state.consumed });
            state.consumed = 0;
          }
          yield item;
          continue;
        }
        if (state.error) throw state.error;
        if (state.done) return;
        await new Promise<void>((resolve) => (state.wake = resolve));
        state.wake = null;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      if (this.#streams.delete(id)) this.#post({ t: "cancel", id });
    }
  }

  /** Stops the Worker on purpose; pending calls reject with `PluginCrashedError`. */
  terminate(reason = "the plugin was unloaded"): void {
    this.#shutdown(reason);
  }

  #receive(msg: WorkerMessage): void {
    switch (msg.t) {
      case "ready":
      case "init_error": {
        const ready = this.#ready;
        this.#ready = null;
        if (ready === null) return;
        clearTimeout(ready.timer);
        if (msg.t === "ready") {
          this.#pingTimer = setInterval(() => this.#checkPing(), this.#opts.pingIntervalMs);
          ready.resolve(msg.meta);
        } else {
          const cause = deserializeError(msg.error);
          ready.reject(new PluginLoadError(this.#opts.name, cause.message, { cause }));
        }
        return;
      }
      case "ok":
      case "err": {
        const p = this.#settle(msg.id);
        if (p === undefined) return; // timed out or cancelled: a late answer
        if (msg.t === "ok") p.resolve(msg.value);
        else p.reject(deserializeError(msg.error));
        return;
      }
      case "item":
      case "end": {
        const s = this.#streams.get(msg.id);
        if (s === undefined) return;
        if (msg.t === "item") s.items.push(msg.value);
        else {
          s.done = true;
          if (msg.error) s.error = deserializeError(msg.error);
          this.#streams.delete(msg.id);
        }
        s.wake?.();
        return;
      }
      case "pong":
        if (this.#ping?.id === msg.id) this.#ping = null;
        return;
      case "log":
        this.#opts.onLog(msg);
        return;
    }
  }

  #settle(id: number): Pending | undefined {
    const p = this.#pending.get(id);
    if (p === undefined) return undefined;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    return p;
  }

  #checkPing(): void {
    if (this.#dead !== null) return;
    const now = Date.now();
    if (this.#ping !== null) {
      if (now - this.#ping.sentAt > this.#opts.pingTimeoutMs) {
        this.#crash(
          `it stopped answering (no reply to a ping for ${this.#opts.pingTimeoutMs} ms: it exited or hangs)`,
        );
      }
      return;
    }
    this.#ping = { id: this.#nextId++, sentAt: now };
    this.#post({ t: "ping", id: this.#ping.id });
  }

  #post(msg: HostMessage): void {
    if (this.#dead !== null) return;
    try {
      this.#worker.postMessage(msg);
    } catch (err) {
      this.#crash(`cannot send to the Worker: ${(err as Error).message}`);
    }
  }

  #crash(reason: string): void {
    if (this.#dead !== null) return;
    this.#shutdown(reason);
    this.#opts.onCrash(reason);
  }

  #shutdown(reason: string): void {
    if (this.#dead !== null) return;
    this.#dead = reason;
    clearInterval(this.#pingTimer);
    this.#worker.terminate();
    const err = new PluginCrashedError(this.#opts.name, reason);
    if (this.#ready) {
      clearTimeout(this.#ready.timer);
      this.#ready.reject(new PluginLoadError(this.#opts.name, reason));
      this.#ready = null;
    }
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(err);
    for (const s of this.#streams.values()) {
      s.error = err;
      s.wake?.();
    }
    this.#streams.clear();
  }
}
