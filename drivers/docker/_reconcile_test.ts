import { join } from "node:path";
import { assertEquals } from "../../tests/assert.ts";
import { DockerApi } from "./_api.ts";
import { LABEL_ALLOC_ID } from "./_container.ts";
import { DanglingReaper } from "./_reconcile.ts";
import {
  buildImage,
  BUSYBOX_IMAGE,
  containersWith,
  docker,
  removeTestContainers,
  removeTestImages,
  requireDocker,
  TEST_LABEL,
} from "./docker_testing.ts";

const run = await requireDocker("docker dangling container tests");

Deno.test({
  name: "DanglingReaper removes only untracked containers mounting this client's alloc dir",
  ignore: !run,
  async fn() {
    await buildImage(BUSYBOX_IMAGE);
    const root = await Deno.makeTempDir({ prefix: "docker-reap-" });
    const mine = join(root, "alloc", "a1", "alloc");
    const other = join(root, "other", "a2", "alloc");
    await Deno.mkdir(mine, { recursive: true });
    await Deno.mkdir(other, { recursive: true });
    const create = async (src: string) =>
      (await docker([
        "create",
        "--label",
        `${TEST_LABEL}=reap`,
        "--label",
        `${LABEL_ALLOC_ID}=x`,
        "-v",
        `${src}:/alloc`,
        BUSYBOX_IMAGE,
        "true",
      ])).trim();
    try {
      const [dangling, tracked, foreign] = [
        await create(mine),
        await create(mine),
        await create(other),
      ];
      using api = new DockerApi("/var/run/docker.sock");
      const reaper = new DanglingReaper({
        api,
        allocDir: join(root, "alloc"),
        tracked: (id) => id === tracked,
        periodMs: 60_000,
        graceMs: 0,
        dryRun: false,
        log: () => {},
      });
      assertEquals(await reaper.reap(), [dangling]);
      const left = await containersWith(`${TEST_LABEL}=reap`, true);
      assertEquals(left.sort(), [tracked, foreign].sort());
    } finally {
      await removeTestContainers(`label=${TEST_LABEL}=reap`);
      await removeTestImages([BUSYBOX_IMAGE]);
      await Deno.remove(root, { recursive: true });
    }
  },
});
