/**
 * The docker driver across failures: a client agent killed with `kill -9` while its containers
 * run re-attaches to each container by its ID when it comes back (none started twice, none
 * orphaned, logs continued without repeats); and a Docker daemon that stops answering makes the
 * client mark the driver unhealthy (the scheduler then places nothing on it) until it answers
 * again. The daemon's outage is a unix-socket proxy in front of the real dockerd, stopped and
 * started by the test, so the machine's dockerd is never touched.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { freePort, portsHcl } from "../core/agent/run_testing.ts";
import { AgentProcess, ALL_PERMISSIONS, api, cli, eventually } from "./e2e_testing.ts";
import {
  buildImage,
  containersOfAlloc as containersOf,
  docker,
  removeAllocContainers,
  removeTestContainers,
  removeTestImages,
  requireDocker,
} from "../drivers/docker/docker_testing.ts";
import { dockerManifestFor } from "../drivers/docker/manifest.ts";
import { Client } from "../core/client/client.ts";
import { testClientConfig, testLogger } from "../core/client/client_testing.ts";
import { parseJob } from "../core/jobspec/mod.ts";
import { InProcessServerRpc } from "../core/rpc/mod.ts";
import { CTX, waitFor } from "../core/server/server_testing.ts";
import { Server } from "../core/server/server.ts";
import { MemoryLogBackend, StateStore } from "../core/state/mod.ts";

const run = await requireDocker("docker recovery tests");
const IMAGE = "nomad-ts-test/recover:1";

const JOB = `job "ticker" {
  datacenters = ["dc1"]
  group "g" {
    count = 3
    task "t" {
      driver = "docker"
      config {
        image   = "${IMAGE}"
        command = "/bin/sh"
        args    = ["-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"]
      }
      resources {
        cpu    = 100
        memory = 32
      }
    }
  }
}
`;

Deno.test({
  name:
    "a client agent killed with -9 re-attaches to its containers: none started twice, none orphaned",
  ignore: !run,
  sanitizeResources: false,
  async fn() {
    await buildImage(IMAGE);
    const dir = await Deno.makeTempDir({ prefix: "docker_recovery_" });
    const [serverPort, serverRpc, clientPort] = [freePort(), freePort(), freePort()];
    const common =
      `bind_addr = "127.0.0.1"\nadvertise {\n  http = "127.0.0.1"\n  rpc = "127.0.0.1"\n  serf = "127.0.0.1"\n}\n`;
    await Deno.writeTextFile(
      join(dir, "server.hcl"),
      `data_dir = "${dir}/server-data"\n${common}server {\n  enabled = true\n  bootstrap_expect = 1\n}\n${
        portsHcl(serverPort, serverRpc)
      }`,
    );
    await Deno.writeTextFile(
      join(dir, "client.hcl"),
      `data_dir = "${dir}/client-data"\n${common}client {\n  enabled = true\n  servers = ["127.0.0.1:${serverRpc}"]\n}\n` +
        `plugin "docker" {\n  config {\n    gc {\n      image = false\n    }\n  }\n}\n${
          portsHcl(clientPort)
        }`,
    );
    await Deno.writeTextFile(join(dir, "ticker.nomad"), JOB);
    const server = new AgentProcess(["-config", join(dir, "server.hcl")], ALL_PERMISSIONS);
    let client = new AgentProcess(["-config", join(dir, "client.hcl")], ALL_PERMISSIONS);
    const addr = `http://127.0.0.1:${serverPort}`;
    let ids: string[] = [];
    try {
      await server.waitFor("==> Nomad agent started!");
      await client.waitFor("==> Nomad agent started!");
      const out = await cli(addr, dir, "job", "run", "-detach", "ticker.nomad");
      assertEquals(out.code, 0, out.stdout + out.stderr);
      ids = await eventually("three running allocations", async () => {
        const allocs = await api<{ ID: string; ClientStatus: string }[]>(
          addr,
          "/v1/job/ticker/allocations",
        );
        const running = allocs.filter((a) => a.ClientStatus === "running").map((a) => a.ID);
        return running.length === 3 ? running : undefined;
      }, 60_000);
      const before = new Map<string, string>();
      for (const id of ids) {
        const found = await containersOf(id);
        assertEquals(found.length, 1);
        before.set(id, found[0]!);
      }
      await new Promise((r) => setTimeout(r, 1_000));
      client.child.kill("SIGKILL");
      await client.cleanup();
      for (const id of ids) {
        assertEquals(await containersOf(id), [before.get(id)], "containers outlive the agent");
      }
      await new Promise((r) => setTimeout(r, 1_000)); // output while no agent runs

      client = new AgentProcess(["-config", join(dir, "client.hcl")], ALL_PERMISSIONS);
      await client.waitFor("==> Nomad agent started!");
      await eventually("the recovered client to log ticks written while it was down", async () => {
        const logs = await cli(addr, dir, "alloc", "logs", ids[0]!);
        return (logs.stdout.match(/^tick \d+$/gm)?.length ?? 0) >= 15 ? true : undefined;
      });
      for (const id of ids) {
        const all = await containersOf(id, true);
        assertEquals(all, [before.get(id)], `allocation ${id} keeps its one container`);
        const c = JSON.parse(await docker(["inspect", all[0]!]))[0];
        assertEquals([c.State.Running, c.RestartCount], [true, 0]);
        const alloc = await api<
          { ClientStatus: string; TaskStates: Record<string, { Restarts: number }> }
        >(
          addr,
          `/v1/allocation/${id}`,
        );
        assertEquals([alloc.ClientStatus, alloc.TaskStates.t?.Restarts], ["running", 0]);
        const ticks = (await cli(addr, dir, "alloc", "logs", id)).stdout.match(/^tick \d+$/gm) ??
          [];
        const numbers = ticks.map((t) => Number(t.slice(5)));
        assertEquals(numbers, numbers.map((_, i) => i), "every line once, in order, none lost");
      }
      const stop = await cli(addr, dir, "job", "stop", "-detach", "ticker");
      assertEquals(stop.code, 0, stop.stdout + stop.stderr);
      await eventually("every container to be removed", async () => {
        for (const id of ids) if ((await containersOf(id, true)).length > 0) return undefined;
        return true;
      });
    } finally {
      await client.cleanup();
      await server.cleanup();
      await removeAllocContainers(ids);
      await removeTestImages([IMAGE]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** A unix-socket proxy to dockerd that can be taken down and brought back. */
class SocketProxy {
  readonly path: string;
  #listener: Deno.UnixListener | null = null;
  #conns = new Set<Deno.Conn>();
  constructor(path: string) {
    this.path = path;
  }
  async up(): Promise<void> {
    await Deno.remove(this.path).catch(() => {});
    const listener = Deno.listen({ transport: "unix", path: this.path });
    this.#listener = listener;
    void (async () => {
      for await (const conn of listener) {
        const upstream = await Deno.connect({ transport: "unix", path: "/var/run/docker.sock" });
        this.#conns.add(conn).add(upstream);
        const pipe = (a: Deno.Conn, b: Deno.Conn) =>
          a.readable.pipeTo(b.writable).catch(() => {}).finally(() => {
            for (const c of [a, b]) {
              this.#conns.delete(c);
              try {
                c.close();
              } catch { /* closed */ }
            }
          });
        void pipe(conn, upstream);
        void pipe(upstream, conn);
      }
    })().catch(() => {});
  }
  down(): void {
    this.#listener?.close();
    this.#listener = null;
    for (const c of this.#conns) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    this.#conns.clear();
  }
}

Deno.test({
  name:
    "the client marks docker unhealthy while dockerd does not answer, and the scheduler places nothing on it",
  ignore: !run,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await buildImage(IMAGE);
    const dataDir = await Deno.makeTempDir({ prefix: "docker_health_" });
    const proxy = new SocketProxy(join(dataDir, "docker.sock"));
    await proxy.up();
    const state = await StateStore.open({ backend: new MemoryLogBackend() });
    const server = Server.start({ state, numSchedulers: 1, periodicGc: false });
    const rpc = new InProcessServerRpc({ server, state });
    const client = await Client.start({
      config: testClientConfig({
        pluginConfigs: { docker: { endpoint: `unix://${proxy.path}`, gc: { image: false } } },
      }),
      rpc,
      driverManifests: { docker: dockerManifestFor(proxy.path) },
      dataDir,
      logger: testLogger(),
    });
    const docker_ = (s: Parameters<Parameters<typeof waitFor>[2]>[0]) =>
      s.node(client.nodeId)?.Drivers?.docker;
    try {
      await waitFor(state, "docker to be healthy", (s) => docker_(s)?.Healthy === true, 20_000);
      proxy.down();
      const down = await waitFor(state, "docker to be unhealthy", (s) => {
        const d = docker_(s);
        return d && !d.Healthy ? d : undefined;
      }, 20_000);
      assertEquals([down.Detected, down.HealthDescription], [
        true,
        "Failed to connect to docker daemon",
      ]);
      const job = await parseJob(JOB.replace("count = 3", "count = 1"), { path: "ticker.nomad" });
      await server.registerJob({ Job: job }, CTX);
      await new Promise((r) => setTimeout(r, 2_000));
      assertEquals(
        state.snapshot().allocsByJob("default", "ticker").length,
        0,
        "nothing placed on an unhealthy driver",
      );
      await proxy.up();
      await waitFor(
        state,
        "docker to be healthy again",
        (s) => docker_(s)?.Healthy === true,
        20_000,
      );
      const alloc = await waitFor(state, "the job to be placed and run", (s) => {
        return s.allocsByJob("default", "ticker").find((a) => a.ClientStatus === "running");
      }, 30_000);
      assert(alloc.ID);
      await Promise.all([...client.allocRunners.values()].map((ar) => ar.destroy()));
    } finally {
      await client.shutdown();
      await server.stop();
      await state.close();
      proxy.down();
      await removeTestContainers(`ancestor=${IMAGE}`);
      await removeTestImages([IMAGE]);
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
