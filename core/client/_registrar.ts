/**
 * Registration and heartbeats (Nomad's `registerAndHeartbeat`): the client registers its node,
 * then heartbeats (`ready`) within the TTL each answer gives. While the servers are away it
 * retries forever with backoff; a heartbeat answered "node not found" (the servers lost the
 * node) registers again; so does a change of the node's fingerprint (`markDirty`).
 *
 * @module
 */
import type { Node } from "../structs/node.ts";
import { NotFoundError } from "../structs/errors.ts";
import type { ServerRpc } from "../rpc/mod.ts";
import { backoff, type ClientLogger, errorMessage } from "./_common.ts";
import { sleep } from "../structs/sleep.ts";

/** Options of {@linkcode NodeRegistrar}. */
export interface RegistrarOptions {
  rpc: ServerRpc;
  logger: ClientLogger;
  /** The node to register, as fingerprinted now. */
  node: () => Node;
  /** Runs after each registration, before the first heartbeat (the client flushes updates). */
  afterRegister?: () => Promise<void>;
  /** The longest pause between retries, in ms; default 5 s. */
  maxRetryMs?: number;
}

/** Keeps the node registered and heartbeating. */
export class NodeRegistrar {
  readonly #opts: RegistrarOptions;
  readonly #stop = new AbortController();
  #loop: Promise<void> | null = null;
  #registered = false;
  #dirty = false;
  #wake: (() => void) | null = null;
  #ttlMs = 0;
  #lastOk = 0;
  #waiters: (() => void)[] = [];
  #heartbeats = 0;

  constructor(opts: RegistrarOptions) {
    this.#opts = opts;
  }

  /** Whether the node registered at least once since the start. */
  get registered(): boolean {
    return this.#registered;
  }

  /** The heartbeat TTL the servers gave last, in ms. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** When the servers last answered, in Unix ms (0: never). */
  get lastContact(): number {
    return this.#lastOk;
  }

  /** How many heartbeats the servers accepted. */
  get heartbeats(): number {
    return this.#heartbeats;
  }

  /** Starts the loop. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Registers again soon (the node's fingerprint changed). */
  markDirty(): void {
    this.#dirty = true;
    this.#wake?.();
  }

  /** Resolves once the node is registered, or when `signal` aborts. */
  waitRegistered(signal: AbortSignal): Promise<void> {
    if (this.#registered || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.#waiters.push(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /** Stops the loop. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#wake?.();
    await this.#loop;
  }

  #pause(ms: number): Promise<void> {
    const signal = this.#stop.signal;
    return new Promise((resolve) => {
      const ctl = new AbortController();
      const done = () => {
        if (ctl.signal.aborted) return;
        ctl.abort();
        if (this.#wake === done) this.#wake = null;
        resolve();
      };
      this.#wake = done;
      void sleep(ms, AbortSignal.any([ctl.signal, signal])).then(done);
    });
  }

  async #register(): Promise<boolean> {
    const o = this.#opts;
    this.#dirty = false;
    const node = o.node();
    try {
      const res = await o.rpc.registerNode(node, {
        token: node.SecretID,
        signal: this.#stop.signal,
      });
      this.#ttlMs = res.HeartbeatTTL / 1_000_000;
      this.#lastOk = Date.now();
      const first = !this.#registered;
      this.#registered = true;
      if (first) o.logger.info("node registration complete", { node_id: node.ID });
      for (const w of this.#waiters.splice(0)) w();
      await o.afterRegister?.();
      return true;
    } catch (err) {
      this.#dirty = true;
      if (!this.#stop.signal.aborted) {
        o.logger.error("error registering node", { error: errorMessage(err) });
      }
      return false;
    }
  }

  async #run(): Promise<void> {
    const o = this.#opts;
    const maxRetry = o.maxRetryMs ?? 5_000;
    let failures = 0;
    let mustRegister = true;
    while (!this.#stop.signal.aborted) {
      if (mustRegister || this.#dirty) {
        if (!(await this.#register())) {
          await this.#pause(backoff(failures++, 500, maxRetry));
          continue;
        }
        mustRegister = false;
        failures = 0;
      }
      if (this.#stop.signal.aborted) return;
      const node = o.node();
      try {
        const res = await o.rpc.updateStatus(node.ID, "ready", {
          token: node.SecretID,
          signal: this.#stop.signal,
        });
        this.#heartbeats++;
        this.#lastOk = Date.now();
        if (res.HeartbeatTTL > 0) this.#ttlMs = res.HeartbeatTTL / 1_000_000;
        failures = 0;
        await this.#pause(this.#ttlMs > 0 ? this.#ttlMs : 10_000);
      } catch (err) {
        if (this.#stop.signal.aborted) return;
        if (err instanceof NotFoundError) {
          o.logger.info("re-registering node", { reason: errorMessage(err) });
          mustRegister = true;
          continue;
        }
        o.logger.error("error heartbeating; retrying", { error: errorMessage(err) });
        await this.#pause(backoff(failures++, 500, maxRetry));
      }
    }
  }
}
