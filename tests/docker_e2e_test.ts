/**
 * The docker driver end to end on the real dockerd: `nomad-ts agent` processes driven by the
 * CLI and the API, as in the seeds. Seed 004's job as written (its `redis:3.2` is a busybox
 * image built offline that prints in a loop): run, scale 1 -> 3, `docker kill` one container
 * and see it come back, `alloc logs`, stop removes every container. Seed 001's postgres-shaped
 * job: its static port answers at the address `alloc status` shows. Failures: a non-zero exit,
 * an OOM kill, a missing image, a port collision. (Recovery after `kill -9`, and a daemon that
 * stops answering: docker_recovery_test.ts.)
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { freePort, portsHcl } from "../core/agent/run_testing.ts";
import { AgentProcess, ALL_PERMISSIONS, api, cli, eventually } from "./e2e_testing.ts";
import {
  buildImage,
  containersOfAlloc as containersOf,
  docker,
  removeAllocContainers,
  removeTestImages,
  requireDocker,
} from "../drivers/docker/docker_testing.ts";

const run = await requireDocker("docker end-to-end tests");
const REDIS = "redis:3.2";
const POSTGRES = "postgres:15";
const LOOP = "nomad-ts-test/loop:1";

/** A seed's job file as written (tests/fixtures/seeds). */
const seed = (file: string) =>
  Deno.readTextFile(new URL(`./fixtures/seeds/${file}`, import.meta.url));

/** A batch job of one docker task that must not be restarted or rescheduled. */
const failing = (name: string, config: string, extra = "", memory = 64) =>
  `job "${name}" {
  datacenters = ["dc1"]
  type = "batch"
  group "g" {
    ${extra}
    restart {
      attempts = 0
      mode     = "fail"
    }
    reschedule {
      attempts  = 0
      unlimited = false
    }
    task "t" {
      driver = "docker"
      config {
        ${config}
      }
      resources {
        cpu    = 100
        memory = ${memory}
      }
    }
  }
}
`;

interface AllocStub {
  ID: string;
  ClientStatus: string;
  DesiredStatus: string;
  TaskStates?: Record<string, { Events?: { Type: string; DisplayMessage: string }[] }> | null;
}

const allocs = (addr: string, job: string) => api<AllocStub[]>(addr, `/v1/job/${job}/allocations`);
/** A dev agent for one test, and the allocations whose containers to remove after it. */
interface DevAgent {
  agent: AgentProcess;
  addr: string;
  dir: string;
  allocIds: Set<string>;
}

/**
 * Builds `image` (with Dockerfile `changes`), starts `agent -dev` on free ports in a fresh
 * directory once its docker driver is healthy, runs `fn`, and removes the agent, the
 * containers of `allocIds`, the image and the directory whatever happens.
 */
async function withDevAgent(
  image: string,
  changes: string[] | undefined,
  fn: (a: DevAgent) => Promise<void>,
): Promise<void> {
  await buildImage(image, changes);
  const dir = await Deno.makeTempDir({ prefix: "docker_e2e_" });
  const port = freePort();
  await Deno.writeTextFile(join(dir, "ports.hcl"), portsHcl(port));
  const agent = new AgentProcess(["-dev", `-config=${join(dir, "ports.hcl")}`], ALL_PERMISSIONS);
  const a: DevAgent = { agent, addr: `http://127.0.0.1:${port}`, dir, allocIds: new Set() };
  try {
    await agent.waitFor("==> Nomad agent started!");
    await eventually("a node with a healthy docker driver", async () => {
      const nodes = await api<
        { Status: string; Drivers: Record<string, { Healthy: boolean }> | null }[]
      >(a.addr, "/v1/nodes");
      return nodes.some((n) => n.Status === "ready" && n.Drivers?.docker?.Healthy)
        ? true
        : undefined;
    });
    await fn(a);
  } finally {
    await agent.cleanup();
    await removeAllocContainers(a.allocIds);
    await removeTestImages([image]);
    await Deno.remove(dir, { recursive: true });
  }
}

async function runJob(addr: string, dir: string, file: string, hcl: string): Promise<void> {
  await Deno.writeTextFile(join(dir, file), hcl);
  const out = await cli(addr, dir, "job", "run", "-detach", file);
  assertEquals(out.code, 0, out.stdout + out.stderr);
}

Deno.test({
  name:
    "seed 004 on docker: run, scale 1 -> 3, docker kill brings a container back, logs, stop removes all",
  ignore: !run,
  sanitizeResources: false,
  async fn() {
    const loop =
      'CMD ["/bin/sh", "-c", "i=0; while true; do echo redis tick $i; i=$((i+1)); sleep 0.5; done"]';
    await withDevAgent(REDIS, [loop], async ({ agent, addr, dir, allocIds: seen }) => {
      await runJob(addr, dir, "example.nomad", await seed("004_example.nomad"));
      const first = await eventually("the redis allocation to run", async () => {
        const a = (await allocs(addr, "example")).find((a) => a.ClientStatus === "running");
        return a?.ID;
      });
      seen.add(first);
      assertEquals((await containersOf(first)).length, 1);
      const inspect = JSON.parse(await docker(["inspect", (await containersOf(first))[0]!]))[0];
      assertEquals(inspect.Name, `/redis-${first}`);
      assertEquals(Object.keys(inspect.HostConfig.PortBindings).sort(), ["6379/tcp", "6379/udp"]);
      const status = await cli(addr, dir, "alloc", "status", first);
      assertMatch(status.stdout, /db: 127\.0\.0\.1:\d+/);
      const logs = await eventually("the container's output in alloc logs", async () => {
        const out = await cli(addr, dir, "alloc", "logs", first);
        return out.stdout.includes("redis tick 1\n") ? out.stdout : undefined;
      });
      assert(logs.startsWith("redis tick 0\n"), logs);

      await runJob(addr, dir, "example.nomad", await seed("004_example_count3.nomad"));
      const three = await eventually(
        "three running allocations with one container each",
        async () => {
          const running = (await allocs(addr, "example")).filter((a) =>
            a.ClientStatus === "running"
          );
          if (running.length !== 3) return undefined;
          for (const a of running) if ((await containersOf(a.ID)).length !== 1) return undefined;
          return running.map((a) => a.ID);
        },
      );
      for (const id of three) seen.add(id);

      const victim = three[1]!;
      const [killed] = await containersOf(victim);
      await docker(["kill", killed!]);
      await eventually("the killed container to be replaced", async () => {
        const running = (await allocs(addr, "example")).filter((a) => a.ClientStatus === "running");
        for (const a of running) seen.add(a.ID);
        const ids = (await Promise.all(running.map((a) => containersOf(a.ID)))).flat();
        return running.length === 3 && ids.length === 3 && !ids.includes(killed!)
          ? true
          : undefined;
      }, 60_000);
      const events =
        (await api<AllocStub>(addr, `/v1/allocation/${victim}`)).TaskStates?.redis?.Events ?? [];
      assert(
        events.some((e) => e.Type === "Terminated" && e.DisplayMessage.includes("Exit Code: 137")),
        JSON.stringify(events),
      );

      const stop = await cli(addr, dir, "job", "stop", "-detach", "example");
      assertEquals(stop.code, 0, stop.stdout + stop.stderr);
      await eventually("every container of the job to be removed", async () => {
        for (const id of seen) if ((await containersOf(id, true)).length > 0) return undefined;
        return true;
      });
      assertEquals((await agent.stop("SIGTERM")).code, 0, agent.stderr);
    });
  },
});

Deno.test({
  name:
    "seed 001 on docker: the postgres-shaped job's static port 5432 answers at its alloc status address",
  ignore: !run,
  sanitizeResources: false,
  async fn() {
    const serve =
      "mkdir -p /www && echo $POSTGRES_DB > /www/index.html && exec httpd -f -p 5432 -h /www";
    await withDevAgent(POSTGRES, [`CMD ["/bin/sh", "-c", "${serve}"]`], async (a) => {
      const { addr, dir } = a;
      await runJob(addr, dir, "postgres.nomad", await seed("001_postgres.nomad"));
      const allocId = await eventually("the postgres allocation to run", async () => {
        return (await allocs(addr, "postgres")).find((a) => a.ClientStatus === "running")?.ID;
      });
      a.allocIds.add(allocId);
      const status = await cli(addr, dir, "alloc", "status", allocId);
      const address = /^\*?postgres +\S+ +(\d+\.\d+\.\d+\.\d+:5432)$/m.exec(status.stdout)?.[1];
      assert(address, status.stdout);
      const body = await eventually("the port to answer", async () => {
        const res = await fetch(`http://${address}/`);
        return res.ok ? await res.text() : undefined;
      });
      assertEquals(body, "mydb\n");
      await cli(addr, dir, "job", "stop", "-detach", "postgres");
      await eventually(
        "the container to be removed",
        async () => (await containersOf(allocId, true)).length === 0 || undefined,
      );
    });
  },
});

Deno.test({
  name:
    "docker allocations fail with clear events: non-zero exit, OOM kill, missing image, port collision",
  ignore: !run,
  sanitizeResources: false,
  async fn() {
    await withDevAgent(LOOP, undefined, async ({ addr, dir, allocIds }) => {
      const busyPort = freePort();
      using _listener = Deno.listen({ hostname: "0.0.0.0", port: busyPort });
      const jobs = {
        exit3: failing(
          "exit3",
          `image = "${LOOP}"\n command = "/bin/sh"\n args = ["-c", "echo failing; exit 3"]`,
        ),
        oom: failing(
          "oom",
          `image = "${LOOP}"\n command = "/bin/sh"\n args = ["-c", "x=aaaaaaaa; while true; do x=$x$x; done"]`,
          "",
          16,
        ),
        absent: failing("absent", `image = "nomad-ts-test/absent:1"`),
        collide: failing(
          "collide",
          `image = "${LOOP}"\n command = "sleep"\n args = ["60"]\n ports = ["p"]`,
          `network {\n port "p" {\n static = ${busyPort}\n }\n }`,
        ),
      };
      for (const [name, hcl] of Object.entries(jobs)) await runJob(addr, dir, `${name}.nomad`, hcl);
      const failed = async (job: string) => {
        const a = await eventually(
          `${job} to fail`,
          async () => (await allocs(addr, job)).find((a) => a.ClientStatus === "failed"),
        );
        allocIds.add(a.ID);
        const full = await api<AllocStub>(addr, `/v1/allocation/${a.ID}`);
        return (full.TaskStates?.t?.Events ?? []).map((e) => `${e.Type}: ${e.DisplayMessage}`).join(
          "\n",
        );
      };
      assertStringIncludes(
        await failed("exit3"),
        'Terminated: Exit Code: 3, Exit Message: "Docker container exited with non-zero exit code: 3"',
      );
      assertStringIncludes(await failed("oom"), "OOM Killed");
      const absent = await failed("absent");
      assertStringIncludes(absent, "Driver: Downloading image");
      assertStringIncludes(absent, "Driver Failure: Failed to pull `nomad-ts-test/absent:1`");
      assertMatch(
        await failed("collide"),
        /Driver Failure: Failed to start container .*(address already in use|port is already allocated)/,
      );
      for (const id of allocIds) {
        assertEquals(await containersOf(id, true), [], `no container is left of ${id}`);
      }
    });
  },
});
