/**
 * The conformance suite every task driver passes, built-in or third party: it loads the driver
 * through a real `PluginHost` (a Worker with the manifest's permissions) and checks the
 * contract of `sdk.ts` scenario by scenario, each one a `Deno.test` bounded in time.
 *
 * The driver under test describes, through `taskConfig(kind)`, a task `config` block for each
 * kind of task the suite needs:
 *
 * | kind        | the task must                                                             |
 * | ----------- | ------------------------------------------------------------------------- |
 * | `"success"` | print {@linkcode CONFORMANCE_STDOUT} to stdout and exit 0 within 2 s      |
 * | `"failure"` | exit with code 3 within 2 s                                               |
 * | `"short"`   | run about 1.5 s, then exit with code 7                                    |
 * | `"long"`    | run until stopped (at least 30 s, at most a few minutes), printing to stdout at least every 500 ms |
 * | `"invalid"` | be a config the driver rejects; the error must mention `invalidProblem`   |
 *
 * Besides the contract, a conforming driver emits at least one task event when a task starts.
 *
 * @example
 * ```ts
 * runDriverConformance({
 *   name: "mock_driver",
 *   manifest: mockManifest,
 *   taskConfig: (kind) => ({ success: { stdout_string: CONFORMANCE_STDOUT }, ... })[kind],
 *   invalidProblem: '"run_for" must be a duration',
 * });
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { type DriverClient, type HostTimeouts, PluginHost } from "./host.ts";
import type { PluginManifest } from "./manifest.ts";
import { type TaskConfig, taskDirPaths, type TaskHandle } from "./sdk.ts";
import { registerScenarios } from "./_conformance_cases.ts";

/** What the `"success"` task prints. */
export const CONFORMANCE_STDOUT = "conformance says hello";

/** The kinds of task the suite asks the driver to describe. */
export type ConformanceTaskKind = "success" | "failure" | "short" | "long" | "invalid";

/** How to run the suite against one driver. */
export interface ConformanceOptions {
  /** Prefix of the test names (usually the driver's name). */
  name: string;
  /** The driver's manifest. */
  manifest: PluginManifest;
  /** The plugin config the driver is loaded with. */
  pluginConfig?: Record<string, unknown>;
  /** The client options the host gives the driver. */
  clientOptions?: Record<string, string>;
  /** A task `config` block for each kind of task. */
  taskConfig: (kind: ConformanceTaskKind) => Record<string, unknown>;
  /** Text the error for the `"invalid"` task config must contain. */
  invalidProblem: string;
  /** Host deadlines (default: 10 s calls, fast crash detection). */
  timeouts?: Partial<HostTimeouts>;
}

/** A host and its driver, on fresh directories, for one scenario. */
export interface ConformanceHarness {
  /** The options of the suite. */
  opts: ConformanceOptions;
  /** The root of the temporary directories. */
  root: string;
  /** The plugin host. */
  host: PluginHost;
  /** The driver under test. */
  driver: DriverClient;
  /** Builds a task config of `kind` with its directories made. */
  task(kind: ConformanceTaskKind): Promise<TaskConfig>;
  /** Starts a task of `kind` and remembers it for clean-up. */
  start(kind: ConformanceTaskKind): Promise<{ config: TaskConfig; handle: TaskHandle }>;
  /** Replaces the host with a new one on the same directories (an agent restart). */
  restartHost(): Promise<void>;
}

let sequence = 0;

/**
 * Builds a `TaskConfig` in `allocRoot` whose directories and log directory exist.
 *
 * @param allocRoot The client's allocation directory.
 * @param rawConfig The task's `config` block.
 */
export async function conformanceTaskConfig(
  allocRoot: string,
  rawConfig: Record<string, unknown>,
): Promise<TaskConfig> {
  const n = ++sequence;
  const allocId = `${crypto.randomUUID().slice(0, 8)}-conformance-${n}`;
  const name = `task${n}`;
  const allocDir = join(allocRoot, allocId);
  const dirs = taskDirPaths(allocDir, name);
  for (const d of [dirs.Dir, dirs.LocalDir, dirs.SecretsDir, dirs.TmpDir, dirs.LogDir]) {
    await Deno.mkdir(d, { recursive: true });
  }
  return {
    ID: `${allocId}/${name}/${n}`,
    JobName: "conformance",
    JobID: "conformance",
    TaskGroupName: "group",
    Name: name,
    Namespace: "default",
    NodeID: "node-conformance",
    Env: { PATH: "/usr/local/bin:/usr/bin:/bin", NOMAD_TASK_NAME: name, NOMAD_ALLOC_ID: allocId },
    Resources: null,
    Mounts: [],
    User: "",
    AllocDir: allocDir,
    TaskDir: dirs,
    StdoutPath: join(dirs.LogDir, `${name}.stdout.0`),
    StderrPath: join(dirs.LogDir, `${name}.stderr.0`),
    AllocID: allocId,
    rawConfig,
  };
}

/** Runs `fn` with a fresh harness; afterwards force-destroys every task and closes the host. */
export async function withHarness(
  opts: ConformanceOptions,
  fn: (h: ConformanceHarness) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: `conformance-${opts.name}-` });
  const started: string[] = [];
  const open = async () => {
    const host = new PluginHost({
      dataDir: join(root, "data"),
      allocDir: join(root, "alloc"),
      options: opts.clientOptions ?? {},
      timeouts: { callMs: 10_000, pingIntervalMs: 200, pingTimeoutMs: 3_000, ...opts.timeouts },
      onLog: () => {},
    });
    try {
      return { host, driver: await host.load(opts.manifest, { config: opts.pluginConfig ?? {} }) };
    } catch (err) {
      await host.close();
      throw err;
    }
  };
  const h: ConformanceHarness = {
    opts,
    root,
    ...await open(),
    task: (kind) => conformanceTaskConfig(join(root, "alloc"), opts.taskConfig(kind)),
    async start(kind) {
      const config = await h.task(kind);
      const { handle } = await h.driver.startTask(config);
      started.push(config.ID);
      return { config, handle };
    },
    async restartHost() {
      await h.host.close();
      Object.assign(h, await open());
    },
  };
  try {
    await fn(h);
  } finally {
    for (const id of started) await h.driver.destroyTask(id, true).catch(() => {});
    await h.host.close();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

/** Fails with `message` unless `condition` holds. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`conformance: ${message}`);
}

/** Fails unless `fn` rejects with an instance of `cls` whose message contains `includes`. */
export async function checkRejects(
  fn: () => Promise<unknown>,
  cls: abstract new (...args: never[]) => Error,
  includes: string,
  what: string,
): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    check(
      err instanceof cls,
      `${what}: expected ${cls.name}, got ${(err as Error)?.name}: ${(err as Error)?.message}`,
    );
    check(
      (err as Error).message.includes(includes),
      `${what}: error "${(err as Error).message}" should mention "${includes}"`,
    );
    return err as Error;
  }
  throw new Error(`conformance: ${what}: expected a rejection`);
}

/** Runs `fn`, failing if it takes longer than `ms`. */
export async function bounded<T>(ms: number, what: string, fn: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`conformance: ${what} took longer than ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([fn(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Registers the conformance scenarios for one driver as `Deno.test`s.
 *
 * @param opts The driver and the task configs to use.
 */
export function runDriverConformance(opts: ConformanceOptions): void {
  registerScenarios(opts);
}
