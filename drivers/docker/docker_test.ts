/**
 * The docker driver against the real dockerd, through a real plugin host (its Worker holds only
 * the manifest's permissions): what a task config becomes in the container, OOM kills, exec,
 * signals, a missing image, image garbage collection. Everything created carries the test
 * label and is removed at the end.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../tests/assert.ts";
import { conformanceTaskConfig } from "../../plugins/conformance.ts";
import { type DriverClient, PluginHost } from "../../plugins/host.ts";
import { sleep, type TaskConfig, type TaskEvent } from "../../plugins/sdk.ts";
import {
  buildImage,
  docker,
  removeTestContainers,
  removeTestImages,
  requireDocker,
  TEST_LABEL,
} from "./docker_testing.ts";
import { dockerManifest } from "./manifest.ts";

const IMAGE = "nomad-ts-test/driver:1";
const GC_IMAGE = "nomad-ts-test/gc:1";
const LABEL = `${TEST_LABEL}=driver`;
const run = await requireDocker("docker driver tests");
const WAIT = () => AbortSignal.timeout(30_000);

interface Harness {
  driver: DriverClient;
  root: string;
  events: TaskEvent[];
  task(raw: Record<string, unknown>, edit?: Partial<TaskConfig>): Promise<TaskConfig>;
}

let images: Promise<void> | null = null;

async function withDriver(plugin: Record<string, unknown>, fn: (h: Harness) => Promise<void>) {
  await (images ??= Promise.all([buildImage(IMAGE), buildImage(GC_IMAGE)]).then(() => {}));
  const root = await Deno.makeTempDir({ prefix: "docker-driver-test-" });
  const host = new PluginHost({
    dataDir: join(root, "data"),
    allocDir: join(root, "alloc"),
    onLog: () => {},
  });
  const started: string[] = [];
  const events: TaskEvent[] = [];
  const stop = new AbortController();
  try {
    const driver = await host.load(dockerManifest, { config: { gc: { image: false }, ...plugin } });
    void (async () => {
      for await (const e of driver.taskEvents(stop.signal)) events.push(e);
    })().catch(() => {});
    await sleep(200);
    const h: Harness = {
      driver,
      root,
      events,
      async task(raw, edit = {}) {
        const cfg = await conformanceTaskConfig(join(root, "alloc"), {
          image: IMAGE,
          labels: { [TEST_LABEL]: "driver" },
          ...raw,
        });
        Object.assign(cfg, edit);
        started.push(cfg.ID);
        return cfg;
      },
    };
    await fn(h);
    for (const id of started) await driver.destroyTask(id, true).catch(() => {});
  } finally {
    stop.abort();
    await host.close();
    await removeTestContainers(`label=${LABEL}`);
    await Deno.remove(root, { recursive: true });
  }
}

/** `docker inspect`'s JSON, read field by field in the assertions. */
// deno-lint-ignore no-explicit-any
async function inspect(id: string): Promise<Record<string, any>> {
  return JSON.parse(await docker(["inspect", id]))[0];
}

const containerOf = (status: { DriverAttributes: Record<string, string> }) =>
  status.DriverAttributes.container_id!;

const resources = {
  NomadResources: {
    Cpu: { CpuShares: 250, ReservedCores: null },
    Memory: { MemoryMB: 64, MemoryMaxMB: 128 },
    Networks: null,
    Devices: null,
  },
  Ports: [{ Label: "http", Value: 28471, To: 8080, HostIP: "127.0.0.1", IgnoreCollision: false }],
};

Deno.test({
  name:
    "docker driver turns a task config into Nomad's container: ports, env, resources, mounts, labels",
  ignore: !run,
  sanitizeResources: false,
  fn: () =>
    withDriver({}, async (h) => {
      const cfg = await h.task({
        command: "/bin/sh",
        args: ["-c", "echo $GREETING from $(hostname) in $(pwd); sleep 60"],
        ports: ["http"],
        hostname: "cache-host",
        work_dir: "/tmp",
        dns_servers: ["10.0.0.53"],
        extra_hosts: ["db.internal:10.1.2.3"],
        cap_add: ["CHOWN"],
        cap_drop: ["MKNOD"],
        init: true,
        shm_size: 67108864,
        ulimit: [{ nofile: "1024:2048" }],
        memory_hard_limit: 256,
        mount: [{ type: "tmpfs", target: "/scratch", tmpfs_options: [{ size: 1048576 }] }],
        labels: [{ [TEST_LABEL]: "driver", tier: "cache" }],
      }, {
        Resources: resources as TaskConfig["Resources"],
        Env: {
          GREETING: "hello",
          NOMAD_ALLOC_DIR: "/alloc",
          NOMAD_TASK_DIR: "/local",
          NOMAD_SECRETS_DIR: "/secrets",
        },
        User: "nobody",
      });
      const { network } = await h.driver.startTask(cfg);
      const c = await inspect(containerOf(await h.driver.inspectTask(cfg.ID)));
      assertEquals(c.Name, `/${cfg.Name}-${cfg.AllocID}`);
      assertEquals(c.Config.Hostname, "cache-host");
      assertEquals(c.Config.WorkingDir, "/tmp");
      assertEquals(c.Config.User, "nobody");
      assert(c.Config.Env.includes("GREETING=hello"), c.Config.Env.join(" "));
      assertEquals(c.Config.Labels["com.hashicorp.nomad.alloc_id"], cfg.AllocID);
      assertEquals(c.Config.Labels.tier, "cache");
      const hc = c.HostConfig;
      assertEquals([hc.Memory, hc.MemoryReservation, hc.CpuShares], [
        256 * 2 ** 20,
        64 * 2 ** 20,
        250,
      ]);
      assertEquals(hc.PortBindings["8080/tcp"], [{ HostIp: "127.0.0.1", HostPort: "28471" }]);
      assertEquals(hc.PortBindings["8080/udp"], [{ HostIp: "127.0.0.1", HostPort: "28471" }]);
      assertEquals([hc.Dns, hc.ExtraHosts, hc.Init, hc.ShmSize], [
        ["10.0.0.53"],
        ["db.internal:10.1.2.3"],
        true,
        67108864,
      ]);
      assertEquals(hc.Ulimits, [{ Name: "nofile", Soft: 1024, Hard: 2048 }]);
      assertEquals(hc.CapAdd, ["CHOWN"]);
      assertEquals(hc.CapDrop, ["MKNOD", "NET_RAW"]);
      assertEquals(hc.LogConfig, {
        Type: "json-file",
        Config: { "max-file": "2", "max-size": "2m" },
      });
      assert(hc.Binds.includes(`${cfg.TaskDir.SharedAllocDir}:/alloc`), hc.Binds.join(" "));
      assert(hc.Binds.includes(`${cfg.TaskDir.LocalDir}:/local`));
      assert(hc.Binds.includes(`${cfg.TaskDir.SharedAllocDir}/logs:/alloc/logs:ro`));
      assertEquals(hc.Mounts, [{
        Type: "tmpfs",
        Target: "/scratch",
        TmpfsOptions: { SizeBytes: 1048576 },
      }]);
      assert(
        network !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(network.IP),
        JSON.stringify(network),
      );
      await waitForText(cfg.StdoutPath, "hello from cache-host in /tmp");
      const shown = await h.driver.execTask(cfg.ID, [
        "/bin/sh",
        "-c",
        "id -un; cat /etc/hosts | grep db.internal; exit 4",
      ], 10_000);
      assertStringIncludes(new TextDecoder().decode(shown.Stdout), "nobody\n10.1.2.3\tdb.internal");
      assertEquals(shown.ExitResult.ExitCode, 4);
      await h.driver.stopTask(cfg.ID, 1_000, "");
      assertEquals((await h.driver.inspectTask(cfg.ID)).State, "exited");
    }),
});

Deno.test({
  name:
    "docker driver maps the legacy port_map onto the task network's ports and refuses what the node forbids",
  ignore: !run,
  sanitizeResources: false,
  fn: () =>
    withDriver({}, async (h) => {
      const legacy = {
        NomadResources: {
          ...resources.NomadResources,
          Networks: [{
            IP: "127.0.0.1",
            ReservedPorts: null,
            DynamicPorts: [{ Label: "db", Value: 28472, To: 0 }],
          }],
        },
        Ports: null,
      } as unknown as TaskConfig["Resources"];
      const cfg = await h.task({ command: "sleep", args: ["60"], port_map: [{ db: 6379 }] }, {
        Resources: legacy,
      });
      await h.driver.startTask(cfg);
      const c = await inspect(containerOf(await h.driver.inspectTask(cfg.ID)));
      assertEquals(c.HostConfig.PortBindings["6379/tcp"], [{
        HostIp: "127.0.0.1",
        HostPort: "28472",
      }]);
      assert(c.Config.Env.includes("NOMAD_PORT_db=6379"));
      const priv = await h.task({ command: "true", privileged: true });
      await assertRejects(
        () => h.driver.startTask(priv),
        Error,
        "Docker privileged mode is disabled on this Nomad agent",
      );
      const vol = await h.task({ command: "true", volumes: ["/etc:/host-etc"] });
      await assertRejects(() => h.driver.startTask(vol), Error, "volumes are not enabled");
      const cap = await h.task({ command: "true", cap_add: ["SYS_ADMIN"] });
      await assertRejects(
        () => h.driver.startTask(cap),
        Error,
        "driver does not allow the following capabilities: SYS_ADMIN",
      );
      assertEquals(
        await docker([
          "ps",
          "-aq",
          "--filter",
          `label=com.hashicorp.nomad.alloc_id=${vol.AllocID}`,
        ]),
        "",
      );
    }),
});

Deno.test({
  name: "docker driver allows privileged containers and host volumes when the plugin config does",
  ignore: !run,
  sanitizeResources: false,
  fn: () =>
    withDriver({ allow_privileged: true, volumes: { enabled: true } }, async (h) => {
      const dir = await Deno.makeTempDir({ prefix: "docker-volume-" });
      await Deno.writeTextFile(join(dir, "note"), "from the host");
      try {
        const cfg = await h.task({
          command: "/bin/sh",
          args: ["-c", "cat /host/note"],
          volumes: [`${dir}:/host:ro`],
        });
        await h.driver.startTask(cfg);
        const exit = await h.driver.waitTask(cfg.ID, WAIT());
        assertEquals(exit.ExitCode, 0, JSON.stringify(exit));
        assertStringIncludes(await Deno.readTextFile(cfg.StdoutPath), "from the host");
        // The driver accepts privileged tasks now; whether runc may apply every capability
        // depends on the machine (sandboxed ones refuse with "unable to apply caps").
        const priv = await h.task({ command: "true", privileged: true });
        try {
          await h.driver.startTask(priv);
          const c = await inspect(containerOf(await h.driver.inspectTask(priv.ID)));
          assertEquals(c.HostConfig.Privileged, true);
        } catch (err) {
          assertStringIncludes((err as Error).message, "unable to apply caps");
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }),
});

Deno.test({
  name: "docker driver reports an OOM-killed container and a signal delivered to it",
  ignore: !run,
  sanitizeResources: false,
  fn: () =>
    withDriver({}, async (h) => {
      const small = {
        NomadResources: { ...resources.NomadResources, Memory: { MemoryMB: 16, MemoryMaxMB: 0 } },
        Ports: null,
      } as TaskConfig["Resources"];
      // A shell variable that doubles until the 16 MB limit kills the container.
      const hog = await h.task({
        command: "/bin/sh",
        args: ["-c", "x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done"],
      }, {
        Resources: small,
      });
      await h.driver.startTask(hog);
      const exit = await h.driver.waitTask(hog.ID, WAIT());
      assertEquals([exit.OOMKilled, exit.ExitCode, exit.Err], [true, 137, "OOM Killed"]);

      const trap = await h.task({
        command: "/bin/sh",
        args: ["-c", "trap 'echo got HUP; exit 5' HUP; while true; do sleep 0.1; done"],
      });
      await h.driver.startTask(trap);
      await sleep(500);
      await h.driver.signalTask!(trap.ID, "SIGHUP");
      const hup = await h.driver.waitTask(trap.ID, WAIT());
      assertEquals(hup.ExitCode, 5);
      assertStringIncludes(await Deno.readTextFile(trap.StdoutPath), "got HUP");
      await assertRejects(
        () => h.driver.signalTask!(trap.ID, "SIGHUP"),
        Error,
        "it is not running",
      );
    }),
});

Deno.test({
  name:
    "docker driver fails a task whose image is missing with no registry, after a Downloading image event",
  ignore: !run,
  sanitizeResources: false,
  fn: () =>
    withDriver({}, async (h) => {
      const cfg = await h.task({ image: "nomad-ts-test/absent:404" });
      const err = await assertRejects(
        () => h.driver.startTask(cfg),
        Error,
        "Failed to pull `nomad-ts-test/absent:404`",
      );
      assertEquals((err as { recoverable?: boolean }).recoverable, false);
      const downloading = h.events.find((e) =>
        e.TaskID === cfg.ID && e.Message === "Downloading image"
      );
      assertEquals(downloading?.Annotations.image, "nomad-ts-test/absent:404");
    }),
});

Deno.test({
  name: "docker driver removes an image gc.image_delay after its last task is destroyed",
  ignore: !run,
  sanitizeResources: false,
  fn: () =>
    withDriver({ gc: { image: true, image_delay: "1s" } }, async (h) => {
      const a = await h.task({ image: GC_IMAGE, command: "true" });
      const b = await h.task({ image: GC_IMAGE, command: "true" });
      await h.driver.startTask(a);
      await h.driver.startTask(b);
      await h.driver.waitTask(a.ID, WAIT());
      await h.driver.waitTask(b.ID, WAIT());
      const cid = containerOf(await h.driver.inspectTask(a.ID));
      await h.driver.destroyTask(a.ID, false);
      assertEquals(
        await docker(["ps", "-aq", "--filter", `id=${cid}`]),
        "",
        "the container is removed",
      );
      await sleep(1_500);
      assert(await docker(["images", "-q", GC_IMAGE]) !== "", "an image still in use stays");
      await h.driver.destroyTask(b.ID, false);
      await sleep(1_500);
      assertEquals(await docker(["images", "-q", GC_IMAGE]), "", "the unused image is removed");
    }),
});

Deno.test({
  name: "docker driver: clean up",
  ignore: !run,
  fn: async () => {
    await removeTestContainers(`label=${LABEL}`);
    await removeTestImages([IMAGE, GC_IMAGE]);
  },
});

async function waitForText(path: string, text: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const got = await Deno.readTextFile(path).catch(() => "");
    if (got.includes(text)) return;
    if (Date.now() > deadline) {
      throw new Error(`${path} never contained "${text}"; it has ${JSON.stringify(got)}`);
    }
    await sleep(100);
  }
}
