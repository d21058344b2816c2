/**
 * Helpers of the docker driver's tests and benchmark: whether a Docker daemon answers, test
 * images built offline (a static busybox root file system into `docker import`, no registry),
 * and removal of everything the tests created, found by the {@linkcode TEST_LABEL} label.
 *
 * Under `CI=true` a missing Docker fails the tests; elsewhere they are skipped with a message.
 *
 * @module
 */
import { LABEL_ALLOC_ID } from "./_container.ts";

/** The label on every container and image the tests create. */
export const TEST_LABEL = "nomad-ts-test";
/** The busybox test image: `sh` by default. */
export const BUSYBOX_IMAGE = "nomad-ts-test/busybox:1";

const BUSYBOX = ["/bin/busybox", "/usr/bin/busybox"];

/** Runs the docker CLI; resolves with its output, throwing on failure unless `allowFail`. */
export async function docker(
  args: string[],
  opts: { stdin?: Uint8Array; allowFail?: boolean } = {},
): Promise<string> {
  const child = new Deno.Command("docker", {
    args,
    stdin: opts.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin) {
    const w = child.stdin.getWriter();
    await w.write(opts.stdin);
    await w.close();
  }
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success && !opts.allowFail) {
    throw new Error(`docker ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

let available: Promise<string | null> | null = null;

/** `null` when dockerd answers and busybox is there, else why not. */
export function dockerUnavailable(): Promise<string | null> {
  available ??= (async () => {
    try {
      const out = await new Deno.Command("docker", {
        args: ["version", "--format", "{{.Server.Version}}"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!out.success) {
        return `dockerd does not answer: ${new TextDecoder().decode(out.stderr).trim()}`;
      }
    } catch (err) {
      return `the docker CLI cannot run: ${(err as Error).message}`;
    }
    if (await busyboxPath() === null) return "no static busybox (apt-get install busybox-static)";
    return null;
  })();
  return available;
}

/**
 * Whether Docker tests can run: under `CI=true` a missing daemon throws; otherwise returns
 * `false` after printing why the tests are skipped.
 */
export async function requireDocker(what: string): Promise<boolean> {
  const why = await dockerUnavailable();
  if (why === null) return true;
  if (Deno.env.get("CI") === "true") throw new Error(`${what} needs Docker (CI=true): ${why}`);
  console.warn(`skipping ${what}: ${why}`);
  return false;
}

async function busyboxPath(): Promise<string | null> {
  for (const p of BUSYBOX) {
    if (await Deno.stat(p).then((s) => s.isFile, () => false)) return p;
  }
  return null;
}

/**
 * Builds `tag` from a busybox root file system with `docker import`, labelled for clean-up.
 *
 * @param changes Dockerfile instructions (`CMD ["sh", "-c", "..."]`).
 */
export async function buildImage(
  tag: string,
  changes: string[] = ['CMD ["/bin/sh"]'],
): Promise<void> {
  const busybox = await busyboxPath();
  if (busybox === null) throw new Error("no static busybox: apt-get install busybox-static");
  const root = await Deno.makeTempDir({ prefix: "nomad-ts-rootfs-" });
  try {
    for (const d of ["bin", "tmp", "etc", "proc", "sys", "dev", "root"]) {
      await Deno.mkdir(`${root}/${d}`);
    }
    await Deno.copyFile(busybox, `${root}/bin/busybox`);
    const list = await new Deno.Command(busybox, { args: ["--list"], stdout: "piped" }).output();
    for (const name of new TextDecoder().decode(list.stdout).split("\n")) {
      if (name && name !== "busybox") await Deno.symlink("busybox", `${root}/bin/${name}`);
    }
    await Deno.writeTextFile(
      `${root}/etc/passwd`,
      "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n",
    );
    await Deno.writeTextFile(`${root}/etc/group`, "root:x:0:\nnogroup:x:65534:\n");
    const tar = await new Deno.Command("tar", { args: ["-C", root, "-c", "."], stdout: "piped" })
      .output();
    if (!tar.success) throw new Error("tar of the busybox root file system failed");
    const args = ["import", "--change", `LABEL ${TEST_LABEL}=1`, "--change", "ENV PATH=/bin"];
    for (const c of changes) args.push("--change", c);
    await docker([...args, "-", tag], { stdin: tar.stdout });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/**
 * Removes the containers `filter` finds (default: every one labelled {@linkcode TEST_LABEL}),
 * running or not, with their anonymous volumes.
 */
export async function removeTestContainers(filter = `label=${TEST_LABEL}`): Promise<void> {
  const ids = (await docker(["ps", "-aq", "--filter", filter], { allowFail: true })).split("\n")
    .filter((x) => x);
  for (let i = 0; i < ids.length; i += 50) {
    await docker(["rm", "-f", "-v", ...ids.slice(i, i + 50)], { allowFail: true });
  }
}

/** Removes every container of the given allocations (found by their alloc ID label). */
export async function removeAllocContainers(allocIds: Iterable<string>): Promise<void> {
  for (const id of allocIds) await removeTestContainers(`label=${LABEL_ALLOC_ID}=${id}`);
}

/**
 * Removes the given image tags, and the untagged test images no container uses (left when a
 * tag was built again while an image had it).
 */
export async function removeTestImages(tags: string[]): Promise<void> {
  if (tags.length > 0) await docker(["rmi", "-f", ...tags], { allowFail: true });
  await docker(["image", "prune", "-f", "--filter", `label=${TEST_LABEL}`], { allowFail: true });
}

/** The full IDs of the running containers with label `label` (`key=value`), or of all. */
export async function containersWith(label: string, all = false): Promise<string[]> {
  const args = ["ps", "-q", "--no-trunc", "--filter", `label=${label}`];
  if (all) args.push("-a");
  return (await docker(args)).split("\n").filter((x) => x);
}

/** The full IDs of allocation `allocId`'s running containers, or of all of them. */
export function containersOfAlloc(allocId: string, all = false): Promise<string[]> {
  return containersWith(`${LABEL_ALLOC_ID}=${allocId}`, all);
}
