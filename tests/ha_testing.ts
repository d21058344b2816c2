/**
 * Helpers of the HA tests (issue 8): nomad-ts server agents sharing a real etcd cluster
 * (`bootstrap_expect = 3`, etcd as their only meeting point) and a raw_exec client that knows
 * them all, as processes on loopback; a bounded job-submission loop that records what was
 * acknowledged; the leader every server agrees on; the task processes of the allocations, and
 * the clean-up that kills every process left by its pid.
 *
 * @module
 */
import { join } from "node:path";
import { freePort, portsHcl } from "../core/agent/run_testing.ts";
import {
  AgentProcess,
  alive,
  ALL_PERMISSIONS,
  api,
  eventually,
  killLeft,
  taskPids,
} from "./e2e_testing.ts";
import { sleepJob } from "./cluster_testing.ts";
import { type EtcdCluster, startEtcd } from "../core/state/etcd/etcd_testing.ts";

/** Every address of an agent on 127.0.0.1. */
export const LOOPBACK =
  `bind_addr = "127.0.0.1"\nadvertise {\n  http = "127.0.0.1"\n  rpc  = "127.0.0.1"\n` +
  `  serf = "127.0.0.1"\n}\n`;

/** A server agent on etcd: where it answers, and the configuration it was started with. */
export interface HaServer {
  readonly name: string;
  /** The running process (replaced by {@link restartServer}). */
  process: AgentProcess;
  /** `http://127.0.0.1:<http port>`. */
  readonly addr: string;
  /** `127.0.0.1:<rpc port>`: what `/v1/status/leader` answers for it. */
  readonly rpc: string;
  /** Its configuration file. */
  readonly config: string;
}

/** The allocation fields the HA tests read. */
export type Alloc = { ID: string; JobID: string; ClientStatus: string; DesiredStatus: string };

/**
 * Starts server agent `name` (data under `dir/<name>`) on the etcd `endpoints`, with the
 * prefix `/ha-test/global`; does not wait for it to start.
 */
export async function startServer(
  dir: string,
  name: string,
  endpoints: readonly string[],
): Promise<HaServer> {
  const [http, rpc] = [freePort(), freePort()];
  const config = join(dir, `${name}.hcl`);
  await Deno.writeTextFile(
    config,
    `data_dir = "${dir}/${name}"\nname = "${name}"\n${LOOPBACK}${portsHcl(http, rpc)}` +
      `server {\n  enabled          = true\n  bootstrap_expect = 3\n` +
      `  etcd {\n    endpoints = [${
        endpoints.map((e) => `"${e}"`).join(", ")
      }]\n    prefix    = "/ha-test/global"\n  }\n}\n`,
  );
  const process = new AgentProcess([`-config=${config}`], ALL_PERMISSIONS);
  return { name, process, addr: `http://127.0.0.1:${http}`, rpc: `127.0.0.1:${rpc}`, config };
}

/**
 * Starts servers `s1`, `s2`, `s3` on the etcd `endpoints`, adding each to `into` as it is
 * spawned (so that the caller's clean-up reaches it), and waits until every one has started.
 */
export async function startServers(
  dir: string,
  endpoints: readonly string[],
  into: HaServer[],
): Promise<void> {
  for (const n of ["s1", "s2", "s3"]) into.push(await startServer(dir, n, endpoints));
  for (const s of into) await s.process.waitFor("==> Nomad agent started!");
}

/** Starts a stopped server again from its configuration (same ports and data directory). */
export async function restartServer(s: HaServer): Promise<void> {
  s.process = new AgentProcess([`-config=${s.config}`], ALL_PERMISSIONS);
  await s.process.waitFor("==> Nomad agent started!");
}

/**
 * Waits until every server of `servers` answers the same non-empty leader at
 * `/v1/status/leader` (other than `not`, when given); answers its RPC address.
 */
export async function agreedLeader(
  servers: readonly HaServer[],
  opts: { not?: string; timeoutMs?: number } = {},
): Promise<string> {
  return await eventually("a leader every server agrees on", async () => {
    const seen = await Promise.all(servers.map((s) => api<string>(s.addr, "/v1/status/leader")));
    return seen[0] && seen[0] !== opts.not && seen.every((x) => x === seen[0])
      ? seen[0]
      : undefined;
  }, opts.timeoutMs);
}

/** The job `sleepJob("tmpl")` as JSON (parsed by the server at `addr`), to register by copy. */
export async function jobTemplate(addr: string): Promise<Record<string, unknown>> {
  return await api(addr, "/v1/jobs/parse", {
    method: "POST",
    body: JSON.stringify({ JobHCL: sleepJob("tmpl"), Canonicalize: true }),
  });
}

/** What a registration answered: the HTTP status and body (status 0: no answer, body why). */
export interface Answer {
  status: number;
  body: string;
}

/** Registers `template` as job `id` at `addr`; never throws. */
export async function registerJob(
  addr: string,
  template: Record<string, unknown>,
  id: string,
  timeoutMs = 30_000,
): Promise<Answer> {
  try {
    const res = await fetch(`${addr}/v1/jobs`, {
      method: "POST",
      body: JSON.stringify({ Job: { ...template, ID: id, Name: id } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    return { status: 0, body: String(err) };
  }
}

/**
 * Registers jobs `<prefix>0`, `<prefix>1`, ... one every `pauseMs`, each through the next of
 * `targets()` in turn, until {@link stop} (or `maxMs`, so that a test cannot run forever).
 */
export class JobSubmitter {
  /** The jobs whose registration answered 2xx, in order. */
  readonly acked: string[] = [];
  /** The jobs whose registration failed, with the answer. */
  readonly failed: { id: string; answer: Answer }[] = [];
  #going = true;
  readonly #done: Promise<void>;

  constructor(
    template: Record<string, unknown>,
    targets: () => readonly string[],
    opts: { prefix?: string; pauseMs?: number; maxMs?: number } = {},
  ) {
    const until = Date.now() + (opts.maxMs ?? 300_000);
    this.#done = (async () => {
      for (let i = 0; this.#going && Date.now() < until; i++) {
        const to = targets();
        const id = `${opts.prefix ?? "j"}${i}`;
        const answer = await registerJob(to[i % to.length]!, template, id);
        if (answer.status >= 200 && answer.status < 300) this.acked.push(id);
        else this.failed.push({ id, answer });
        await new Promise((r) => setTimeout(r, opts.pauseMs ?? 100));
      }
    })();
  }

  /** Stops the loop after the registration under way. */
  async stop(): Promise<void> {
    this.#going = false;
    await this.#done;
  }
}

/** The allocations running now; adds their task processes to `pids`. */
export async function runningAllocs(addr: string, pids: Set<number>): Promise<Alloc[]> {
  const running = (await api<Alloc[]>(addr, "/v1/allocations"))
    .filter((a) => a.ClientStatus === "running");
  for (const a of running) for (const p of await taskPids(a.ID)) pids.add(p);
  return running;
}

/** Waits (60 s at most) until every job of `jobs` runs; answers every allocation then. */
export async function everyJobRunning(addr: string, jobs: readonly string[]): Promise<Alloc[]> {
  return await eventually("every acknowledged job to run", async () => {
    const all = await api<Alloc[]>(addr, "/v1/allocations");
    const running = new Set(all.filter((a) => a.ClientStatus === "running").map((a) => a.JobID));
    return jobs.every((id) => running.has(id)) ? all : undefined;
  }, 60_000);
}

/** The jobs of `allocs` that have more than one allocation, with the count. */
export function doubledJobs(allocs: readonly Alloc[]): [string, number][] {
  const perJob = new Map<string, number>();
  for (const a of allocs) perJob.set(a.JobID, (perJob.get(a.JobID) ?? 0) + 1);
  return [...perJob].filter(([, n]) => n > 1);
}

/**
 * Deletes every job (some refused registrations may have committed all the same) and waits
 * until no allocation runs and every task process (those of `pids` and any found) has exited.
 */
export async function stopEveryJob(addr: string, pids: Set<number>): Promise<void> {
  for (const j of await api<{ ID: string }[]>(addr, "/v1/jobs")) {
    await api(addr, `/v1/job/${j.ID}`, { method: "DELETE" });
  }
  await eventually("every task to exit", async () => {
    const all = await api<Alloc[]>(addr, "/v1/allocations");
    for (const a of all) for (const p of await taskPids(a.ID)) pids.add(p);
    if (all.some((a) => a.ClientStatus === "running" || a.ClientStatus === "pending")) {
      return undefined;
    }
    for (const p of pids) if (await alive(p)) return undefined;
    return true;
  }, 60_000);
}

/**
 * Test clean-up: kills the client and the servers (SIGKILL, which ends a paused one too),
 * whatever task is left of the client's allocations, and removes `dir`.
 */
export async function cleanupHa(
  dir: string,
  servers: readonly HaServer[],
  client: AgentProcess | null,
  pids: Set<number>,
): Promise<void> {
  await client?.cleanup();
  for (const s of servers) await s.process.cleanup();
  try {
    for await (const e of Deno.readDir(join(dir, "c1", "alloc"))) {
      for (const p of await taskPids(e.name)) pids.add(p);
    }
  } catch {
    // No allocation directory.
  }
  await killLeft(pids);
  await Deno.remove(dir, { recursive: true });
}

/**
 * Three etcd members with servers `s1`–`s3` on them, and what a test starts besides (the client,
 * a submission loop, task processes); disposing it stops and removes all of it by pid.
 *
 * @example
 * ```ts
 * await using ha = await HaCluster.start("ha_pause_");
 * const leader = await agreedLeader(ha.servers);
 * const client = await ha.startClient(ha.servers[0]!.addr);
 * ```
 */
export class HaCluster implements AsyncDisposable {
  readonly etcd: EtcdCluster;
  readonly dir: string;
  readonly servers: HaServer[] = [];
  /** Task processes to kill at the end, if they are still alive. */
  readonly pids = new Set<number>();
  client: AgentProcess | null = null;
  submit: JobSubmitter | null = null;

  private constructor(etcd: EtcdCluster, dir: string) {
    this.etcd = etcd;
    this.dir = dir;
  }

  /** Starts the etcd members and the three servers (data under a temporary `prefix*` dir). */
  static async start(prefix: string): Promise<HaCluster> {
    const etcd = await startEtcd({ members: 3 });
    const ha = new HaCluster(etcd, await Deno.makeTempDir({ prefix }));
    try {
      await startServers(ha.dir, etcd.endpoints, ha.servers);
    } catch (err) {
      await ha[Symbol.asyncDispose]();
      throw err;
    }
    return ha;
  }

  /**
   * Starts client agent `c1` (raw_exec enabled) that knows every server, and waits until its
   * node is ready as seen through the server at `via`; disposal stops it.
   */
  async startClient(via: string): Promise<AgentProcess> {
    const { dir, servers } = this;
    const config = join(dir, "c1.hcl");
    await Deno.writeTextFile(
      config,
      `data_dir = "${dir}/c1"\nname = "c1"\n${LOOPBACK}${portsHcl(freePort())}client {\n` +
        `  enabled = true\n  servers = [${servers.map((s) => `"${s.rpc}"`).join(", ")}]\n}\n` +
        `plugin "raw_exec" {\n  config {\n    enabled = true\n  }\n}\n`,
    );
    const client = this.client = new AgentProcess([`-config=${config}`], ALL_PERMISSIONS);
    await client.waitFor("==> Nomad agent started!");
    await eventually("the client's node to be ready", async () => {
      const nodes = await api<{ Status: string }[]>(via, "/v1/nodes");
      return nodes.some((n) => n.Status === "ready") ? true : undefined;
    });
    return client;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.submit?.stop();
    await cleanupHa(this.dir, this.servers, this.client, this.pids);
    await this.etcd[Symbol.asyncDispose]();
  }
}
