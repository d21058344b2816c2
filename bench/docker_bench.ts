/**
 * Starting containers: N containers (N = 20 and 50) through nomad-ts — a job of count N
 * registered with an in-process server and run by an in-process client with the docker driver
 * in its Worker, timed until the server sees every allocation running — and, in the same run,
 * the physical limit: N `docker run -d` at once (all N in parallel), timed until every one has
 * returned with its container started; and Docker Swarm (`docker swarm init`, `docker service
 * create --replicas N`, timed until `docker service ps` shows N running; then the swarm is
 * left). Every container, service and swarm made here is removed, by label or name.
 *
 * `deno run -A bench/docker_bench.ts [N...]` prints time to all running and the ratios; it is
 * part of `deno task bench` and says so and exits when no Docker daemon answers.
 *
 * @module
 */
import { dockerManifest } from "../drivers/docker/manifest.ts";
import {
  buildImage,
  containersWith,
  docker,
  dockerUnavailable,
  removeTestContainers,
  removeTestImages,
  TEST_LABEL,
} from "../drivers/docker/docker_testing.ts";
import { Client } from "../core/client/client.ts";
import { testClientConfig, testLogger } from "../core/client/client_testing.ts";
import { parseJob } from "../core/jobspec/mod.ts";
import { InProcessServerRpc } from "../core/rpc/mod.ts";
import { CTX, waitFor } from "../core/server/server_testing.ts";
import { Server } from "../core/server/server.ts";
import { MemoryLogBackend, StateStore } from "../core/state/mod.ts";

const IMAGE = "nomad-ts-test/bench:1";
const LABEL = `${TEST_LABEL}=bench`;
const SERVICE = "nomad-ts-bench";

const job = (n: number) =>
  `job "bench" {
  datacenters = ["dc1"]
  group "g" {
    count = ${n}
    task "t" {
      driver = "docker"
      config {
        image   = "${IMAGE}"
        command = "sleep"
        args    = ["3600"]
        labels {
          ${TEST_LABEL} = "bench"
        }
      }
      resources {
        cpu    = 10
        memory = 10
      }
    }
  }
}
`;

const removeBenchContainers = () => removeTestContainers(`label=${LABEL}`);

/** nomad-ts: register a job of count n; ms until the server sees n allocations running. */
async function viaNomad(n: number): Promise<number> {
  const dataDir = await Deno.makeTempDir({ prefix: "docker_bench_" });
  const state = await StateStore.open({ backend: new MemoryLogBackend() });
  const server = Server.start({ state, numSchedulers: 1, periodicGc: false });
  const client = await Client.start({
    config: testClientConfig({ pluginConfigs: { docker: { gc: { image: false } } } }),
    rpc: new InProcessServerRpc({ server, state }),
    driverManifests: { docker: dockerManifest },
    dataDir,
    logger: testLogger("bench"),
  });
  try {
    await waitFor(
      state,
      "docker to be healthy",
      (s) => s.node(client.nodeId)?.Drivers?.docker?.Healthy === true,
      20_000,
    );
    const parsed = await parseJob(job(n), { path: "bench.nomad" });
    const t0 = performance.now();
    await server.registerJob({ Job: parsed }, CTX);
    await waitFor(state, `${n} running allocations`, (s) => {
      const running = s.allocsByJob("default", "bench").filter((a) => a.ClientStatus === "running");
      return running.length === n || undefined;
    }, 120_000);
    const ms = performance.now() - t0;
    if ((await containersWith(LABEL)).length !== n) {
      throw new Error(`expected ${n} running containers after nomad-ts reported them running`);
    }
    return ms;
  } finally {
    await Promise.all([...client.allocRunners.values()].map((ar) => ar.destroy()));
    await client.shutdown();
    await server.stop();
    await state.close();
    await removeBenchContainers();
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** n `docker run -d` at once; ms until all returned. */
async function viaDockerRun(n: number): Promise<number> {
  try {
    const t0 = performance.now();
    await Promise.all(
      Array.from(
        { length: n },
        () => docker(["run", "-d", "--label", LABEL, IMAGE, "sleep", "3600"]),
      ),
    );
    return performance.now() - t0;
  } finally {
    await removeBenchContainers();
  }
}

/** A swarm service of n replicas; ms until n tasks run. */
async function viaSwarm(n: number): Promise<number> {
  const before = (await docker(["info", "--format", "{{.Swarm.LocalNodeState}}"])).trim();
  if (before !== "inactive") {
    throw new Error(`this Docker is already in a swarm (${before}); not touching it`);
  }
  await docker(["swarm", "init", "--advertise-addr", "127.0.0.1"]);
  try {
    const t0 = performance.now();
    await docker([
      "service",
      "create",
      "--detach",
      "--name",
      SERVICE,
      "--replicas",
      String(n),
      "--container-label",
      LABEL,
      "--no-resolve-image",
      IMAGE,
      "sleep",
      "3600",
    ]);
    for (;;) {
      const states = await docker([
        "service",
        "ps",
        SERVICE,
        "--filter",
        "desired-state=running",
        "--format",
        "{{.CurrentState}}",
      ]);
      const running = states.split("\n").filter((s) => s.startsWith("Running")).length;
      if (running >= n) break;
      if (performance.now() - t0 > 300_000) {
        throw new Error(`swarm ran ${running} of ${n} in 300 s`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return performance.now() - t0;
  } finally {
    await docker(["service", "rm", SERVICE], { allowFail: true });
    await docker(["swarm", "leave", "--force"], { allowFail: true });
    await removeBenchContainers();
  }
}

/** Runs the comparison for each n and prints it. */
export async function dockerBench(sizes: number[]): Promise<void> {
  const why = await dockerUnavailable();
  if (why !== null) {
    console.log(`docker bench skipped: ${why}`);
    return;
  }
  await buildImage(IMAGE);
  try {
    console.log("\nStarting N containers: time to all running (ms)");
    console.log("     N  nomad-ts  docker run -d  swarm   nomad-ts/run  nomad-ts/swarm");
    for (const n of sizes) {
      const direct = await viaDockerRun(n);
      const nomad = await viaNomad(n);
      const swarm = await viaSwarm(n);
      const row = [
        String(n).padStart(6),
        nomad.toFixed(0).padStart(9),
        direct.toFixed(0).padStart(14),
        swarm.toFixed(0).padStart(6),
        `${(nomad / direct).toFixed(2)}x`.padStart(14),
        `${(nomad / swarm).toFixed(2)}x`.padStart(15),
      ];
      console.log(row.join(" "));
    }
  } finally {
    await removeBenchContainers();
    await removeTestImages([IMAGE]);
  }
}

if (import.meta.main) {
  const sizes = Deno.args.length > 0 ? Deno.args.map(Number) : [20, 50];
  await dockerBench(sizes);
}
