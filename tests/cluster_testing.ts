/**
 * Helpers of the multi-agent tests: a server agent and client agents as separate processes on
 * loopback, each with its own data_dir and free ports, the clients reaching the server at its
 * RPC port; short heartbeat timers so node loss shows within seconds.
 *
 * @module
 */
import { join } from "node:path";
import { freePort, portsHcl } from "../core/agent/run_testing.ts";
import {
  AgentProcess,
  ALL_PERMISSIONS,
  allExited,
  api,
  cli,
  eventually,
  killLeft,
} from "./e2e_testing.ts";

/** A started agent, where its API answers, and the configuration it was started with. */
export interface ClusterAgent {
  process: AgentProcess;
  /** `http://127.0.0.1:<http port>`. */
  addr: string;
  /** Its configuration file (start it again from there). */
  config: string;
}

const LOOPBACK =
  `bind_addr = "127.0.0.1"\nadvertise {\n  http = "127.0.0.1"\n  rpc  = "127.0.0.1"\n` +
  `  serf = "127.0.0.1"\n}\n`;

async function startAgent(config: string, http: number): Promise<ClusterAgent> {
  const process = new AgentProcess([`-config=${config}`], ALL_PERMISSIONS);
  await process.waitFor("==> Nomad agent started!");
  return { process, addr: `http://127.0.0.1:${http}`, config };
}

/** Starts a server agent (heartbeat TTL 2 s, grace 1 s); answers it and its RPC address. */
export async function startClusterServer(
  dir: string,
): Promise<ClusterAgent & { rpc: string }> {
  const [http, rpc] = [freePort(), freePort()];
  const config = join(dir, "server.hcl");
  await Deno.writeTextFile(
    config,
    `data_dir = "${dir}/server"\n${LOOPBACK}${portsHcl(http, rpc)}server {\n` +
      `  enabled           = true\n  bootstrap_expect  = 1\n  heartbeat_grace   = "1s"\n` +
      `  min_heartbeat_ttl = "2s"\n}\n`,
  );
  return { ...await startAgent(config, http), rpc: `127.0.0.1:${rpc}` };
}

/** What a test client differs in. */
export interface ClientSettings {
  /** Top-level lines (`datacenter = "dc2"`). */
  top?: string;
  /** Lines of the `client` block (`node_class = "web"`). */
  client?: string;
  /** More `client.meta` entries. */
  meta?: Record<string, string>;
}

/** Starts client agent `name` (raw_exec enabled, `meta.name = <name>`) of the server at `rpc`. */
export async function startClusterClient(
  dir: string,
  name: string,
  rpc: string,
  settings: ClientSettings = {},
): Promise<ClusterAgent> {
  const http = freePort();
  const config = join(dir, `${name}.hcl`);
  const meta = Object.entries({ name, ...settings.meta }).map(([k, v]) => `    ${k} = "${v}"\n`)
    .join("");
  await Deno.writeTextFile(
    config,
    `data_dir = "${dir}/${name}"\nname = "${name}"\n${settings.top ?? ""}\n${LOOPBACK}` +
      `${portsHcl(http)}client {\n  enabled = true\n  servers = ["${rpc}"]\n` +
      `${settings.client ?? ""}\n  meta {\n${meta}  }\n}\n` +
      `plugin "raw_exec" {\n  config {\n    enabled = true\n  }\n}\n`,
  );
  return await startAgent(config, http);
}

/** Restarts an agent that was stopped or killed, from its configuration file. */
export async function restartAgent(agent: ClusterAgent): Promise<ClusterAgent> {
  const http = Number(new URL(agent.addr).port);
  return await startAgent(agent.config, http);
}

/** Waits for `n` ready nodes; answers their IDs by node name. */
export async function readyNodes(addr: string, n: number): Promise<Map<string, string>> {
  return await eventually(`${n} ready nodes`, async () => {
    const nodes = await api<{ ID: string; Name: string; Status: string }[]>(addr, "/v1/nodes");
    const ready = nodes.filter((x) => x.Status === "ready");
    return ready.length === n ? new Map(ready.map((x) => [x.Name, x.ID])) : undefined;
  });
}

/** What {@link sleepJob} varies. */
export interface SleepJobOptions {
  /** `type`; default service. */
  type?: string;
  /** Lines at the job level (`datacenters = ["*"]`). */
  job?: string;
  /** Lines at the group level (`count = 3`, `constraint { ... }`). */
  group?: string;
}

/** A job of one raw_exec task that sleeps (cpu 50, memory 32). */
export function sleepJob(name: string, opts: SleepJobOptions = {}): string {
  return `job "${name}" {
  type        = "${opts.type ?? "service"}"
  ${opts.job ?? ""}
  group "g" {
    ${opts.group ?? ""}
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "exec sleep 600"]
      }
      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
`;
}

/**
 * The end of a cluster test: stops `jobs` through the CLI, waits for every process in `pids`
 * to exit, then stops the agents (clients before the server) and checks each exited cleanly.
 */
export async function finishCluster(
  addr: string,
  dir: string,
  jobs: readonly string[],
  agents: readonly ClusterAgent[],
  pids: ReadonlySet<number>,
): Promise<void> {
  for (const name of jobs) {
    const stop = await cli(addr, dir, "job", "stop", "-detach", name);
    if (stop.code !== 0) throw new Error(`job stop ${name}: ${stop.stdout}${stop.stderr}`);
  }
  await allExited(pids, "every task to exit", 30_000);
  for (const agent of [...agents].reverse()) {
    const status = await agent.process.stop("SIGTERM");
    if (status.code !== 0) {
      throw new Error(`agent ${agent.config} exited ${status.code}: ${agent.process.stderr}`);
    }
  }
}

/** Test clean-up: kills what is left of the agents and tasks, removes `dir`. */
export async function cleanupCluster(
  dir: string,
  agents: readonly ClusterAgent[],
  pids: ReadonlySet<number>,
): Promise<void> {
  for (const agent of agents) await agent.process.cleanup();
  await killLeft(pids);
  await Deno.remove(dir, { recursive: true });
}
