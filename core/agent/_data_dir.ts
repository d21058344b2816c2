/**
 * The server's part of `data_dir`: its node ID, kept across restarts, and an exclusive lock so
 * that a second agent on the same directory refuses to start instead of taking the state log
 * over from the first.
 *
 * @module
 */
import { join } from "node:path";

/** The server's node ID from `<dir>/node-id`, created on first start; random without `dir`. */
export async function serverNodeId(dir: string): Promise<string> {
  if (dir === "") return crypto.randomUUID();
  const path = join(dir, "node-id");
  try {
    const id = (await Deno.readTextFile(path)).trim();
    if (/^[0-9a-f-]{36}$/.test(id)) return id;
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const id = crypto.randomUUID();
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(path, `${id}\n`);
  return id;
}

/**
 * Takes the exclusive lock on `<dir>/agent.lock` (released by `close()`, or by the system when
 * the process dies).
 *
 * @throws {Error} naming the directory when another process holds it for `waitMs`.
 */
export async function lockDataDir(dir: string, waitMs = 1000): Promise<Deno.FsFile> {
  await Deno.mkdir(dir, { recursive: true });
  const file = await Deno.open(join(dir, "agent.lock"), { create: true, write: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const locked = await Promise.race([
    file.lock(true).then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), waitMs))),
  ]);
  clearTimeout(timer);
  if (!locked) {
    file.close();
    throw new Error(
      `Cannot use data_dir "${dir}": another agent is running on it (its lock file ` +
        `${join(dir, "agent.lock")} is held); stop it or give this agent its own data_dir`,
    );
  }
  return file;
}
