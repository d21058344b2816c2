/**
 * Runs inside a driver's Worker: builds the driver with its factory when the host sends `init`,
 * then answers the host's calls (see `_rpc.ts`). The host loads it through a generated module
 * that imports the driver's entry, so the driver module itself stays an ordinary module.
 *
 * @module
 */
import { serializeError } from "./errors.ts";
import type { DriverMeta, HostMessage, StreamMethod, UnaryMethod, WorkerMessage } from "./_rpc.ts";
import { SIGNAL_ARG } from "./_rpc.ts";
import type { Driver, DriverConfig, DriverFactory, DriverLogger } from "./sdk.ts";

interface WorkerScope {
  postMessage(message: WorkerMessage): void;
  onmessage: ((event: MessageEvent<HostMessage>) => void) | null;
}

interface Credit {
  n: number;
  wake: (() => void) | null;
}

/**
 * Serves the driver built by `factory` over the Worker's message port.
 *
 * @param factory The entry module's export (checked to be a function).
 * @param exportName The export's name, for the error when it is not a factory.
 */
export function serveDriver(factory: unknown, exportName: string): void {
  const scope = globalThis as unknown as WorkerScope;
  const post = (m: WorkerMessage) => scope.postMessage(m);
  const controllers = new Map<number, AbortController>();
  const credits = new Map<number, Credit>();
  let driver: Driver | undefined;

  const logger: DriverLogger = {
    log(level, message, fields) {
      post(
        fields === undefined ? { t: "log", level, message } : { t: "log", level, message, fields },
      );
    },
  };

  async function init(config: DriverConfig): Promise<void> {
    try {
      if (typeof factory !== "function") {
        throw new TypeError(
          `the entry module's "${exportName}" export is not a driver factory (a function (config) => Driver)`,
        );
      }
      const built = await (factory as DriverFactory)(config);
      const meta: DriverMeta = {
        info: built.pluginInfo(),
        configSchema: built.configSchema(),
        taskConfigSchema: built.taskConfigSchema(),
        capabilities: built.capabilities(),
        has: {
          signalTask: typeof built.signalTask === "function",
          execTask: typeof built.execTask === "function",
          shutdown: typeof built.shutdown === "function",
        },
      };
      driver = built;
      post({ t: "ready", meta });
    } catch (err) {
      post({ t: "init_error", error: serializeError(err) });
    }
  }

  function withSignal(method: UnaryMethod | StreamMethod, args: unknown[], id: number): unknown[] {
    const at = SIGNAL_ARG[method];
    if (at === undefined) return args;
    const controller = new AbortController();
    controllers.set(id, controller);
    const out = [...args];
    out[at] = controller.signal;
    return out;
  }

  async function call(id: number, method: UnaryMethod, args: unknown[]): Promise<void> {
    try {
      if (driver === undefined) throw new Error("the driver is not initialised");
      const fn = (driver as unknown as Record<string, unknown>)[method];
      if (typeof fn !== "function") throw new TypeError(`the driver has no ${method}() method`);
      const value = await fn.apply(driver, withSignal(method, args, id));
      post({ t: "ok", id, value });
    } catch (err) {
      post({ t: "err", id, error: serializeError(err) });
    } finally {
      controllers.delete(id);
    }
  }

  async function stream(id: number, method: StreamMethod, args: unknown[], credit: number) {
    const state: Credit = { n: credit, wake: null };
    credits.set(id, state);
    let iterator: AsyncIterator<unknown> | undefined;
    try {
      if (driver === undefined) throw new Error("the driver is not initialised");
      const fn = (driver as unknown as Record<string, unknown>)[method];
      if (typeof fn !== "function") throw new TypeError(`the driver has no ${method}() method`);
      const signal = () => controllers.get(id)?.signal;
      const iterable = fn.apply(driver, withSignal(method, args, id)) as AsyncIterable<unknown>;
      iterator = iterable[Symbol.asyncIterator]();
      while (!signal()?.aborted) {
        while (state.n <= 0 && !signal()?.aborted) {
          await new Promise<void>((resolve) => (state.wake = resolve));
        }
        if (signal()?.aborted) break;
        const r = await iterator.next();
        if (r.done) break;
        state.n--;
        post({ t: "item", id, value: r.value });
      }
      post({ t: "end", id });
    } catch (err) {
      post({ t: "end", id, error: serializeError(err) });
    } finally {
      credits.delete(id);
      controllers.delete(id);
      try {
        await iterator?.return?.();
      } catch {
        // The stream is over either way.
      }
    }
  }

  scope.onmessage = (event) => {
    const msg = event.data;
    switch (msg.t) {
      case "init":
        void init({ ...msg.config, logger });
        break;
      case "ping":
        post({ t: "pong", id: msg.id });
        break;
      case "call":
        void call(msg.id, msg.method, msg.args);
        break;
      case "stream":
        void stream(msg.id, msg.method, msg.args, msg.credit);
        break;
      case "credit": {
        const state = credits.get(msg.id);
        if (state) {
          state.n += msg.n;
          state.wake?.();
          state.wake = null;
        }
        break;
      }
      case "cancel": {
        controllers.get(msg.id)?.abort(
          new DOMException("the host cancelled the call", "AbortError"),
        );
        const state = credits.get(msg.id);
        state?.wake?.();
        if (state) state.wake = null;
        break;
      }
    }
  };
}
