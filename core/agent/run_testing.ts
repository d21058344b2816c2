/**
 * Helpers for tests that run an agent in this process: a UI that keeps what is printed, a stop
 * signal the test sends, free ports, and flag values as core/cli's parser gives them.
 *
 * @module
 */
import { simNode } from "../server/server_testing.ts";
import type { Node } from "../structs/node.ts";
import type { Agent } from "./agent.ts";
import { AGENT_FLAGS, type AgentFlagValues } from "./flags.ts";
import { type AgentUi, runAgent, type RunOptions, type StopSignal } from "./run.ts";

/** A {@link AgentUi} that records lines. */
export class RecordingUi implements AgentUi {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];

  output(text: string): Promise<void> {
    this.stdout.push(...text.split("\n"));
    return Promise.resolve();
  }
  error(text: string): Promise<void> {
    this.stderr.push(text);
    return Promise.resolve();
  }
  warn(text: string): Promise<void> {
    this.stderr.push(text);
    return Promise.resolve();
  }
}

/** Signals a test sends to a running agent. */
export class TestSignals implements AsyncIterable<StopSignal> {
  readonly #queue: StopSignal[] = [];
  readonly #waiting: ((r: IteratorResult<StopSignal>) => void)[] = [];

  /** Delivers a signal. */
  send(sig: StopSignal): void {
    const w = this.#waiting.shift();
    if (w) w({ value: sig, done: false });
    else this.#queue.push(sig);
  }

  [Symbol.asyncIterator](): AsyncIterator<StopSignal> {
    return {
      next: () => {
        const sig = this.#queue.shift();
        if (sig) return Promise.resolve({ value: sig, done: false });
        return new Promise((resolve) => this.#waiting.push(resolve));
      },
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }
}

/** A TCP port free right now on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * A `ports` block with `http` and free `rpc` and `serf` ports: every server agent listens on
 * its RPC port, so agents that tests run side by side must not share Nomad's default 4647.
 */
export function portsHcl(http: number, rpc = freePort(), serf = freePort()): string {
  return `ports {\n  http = ${http}\n  rpc  = ${rpc}\n  serf = ${serf}\n}\n`;
}

/** Flag values with `set` applied over the defaults, and the names set. */
export function flagValues(set: Record<string, unknown>): [AgentFlagValues, Set<string>] {
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(AGENT_FLAGS)) {
    out[name] = def.type === "bool"
      ? false
      : def.type === "strings"
      ? []
      : def.type === "string"
      ? ""
      : 0;
  }
  return [{ ...out, ...set } as unknown as AgentFlagValues, new Set(Object.keys(set))];
}

/** A running in-process agent: its exit code once stopped, and the agent once started. */
export interface Running {
  readonly ui: RecordingUi;
  readonly signals: TestSignals;
  readonly exit: Promise<number>;
  /** Resolves when the banner is out, or with `null` when the command ended before that. */
  readonly started: Promise<Agent | null>;
}

/** Runs `agent` with these flags in this process. */
export function startAgent(set: Record<string, unknown>, opts: Partial<RunOptions> = {}): Running {
  const ui = new RecordingUi();
  const signals = new TestSignals();
  let resolveStarted: (a: Agent | null) => void = () => {};
  const started = new Promise<Agent | null>((r) => (resolveStarted = r));
  const [values, names] = flagValues(set);
  const exit = runAgent(values, names, {
    ui,
    version: "0.1.0",
    signals,
    onStarted: (a) => resolveStarted(a),
    ...opts,
  }).finally(() => resolveStarted(null));
  return { ui, signals, exit, started };
}

/** A simulated ready node (4000 MHz, 8 GiB) that has the raw_exec driver. */
export function rawExecNode(i: number): Node {
  const base = simNode(i);
  return {
    ...base,
    Attributes: { ...base.Attributes, "driver.raw_exec": "1" },
    Drivers: {
      ...base.Drivers,
      raw_exec: {
        Attributes: null,
        Detected: true,
        Healthy: true,
        HealthDescription: "",
        UpdateTime: "0001-01-01T00:00:00Z",
      },
    },
  };
}
