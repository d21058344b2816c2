/**
 * The version of nomad-ts, from deno.json at build time, and the git revision it was built
 * from when that is known.
 *
 * @module
 */
import denoJson from "../../deno.json" with { type: "json" };

/** The version in deno.json, e.g. `0.1.0`. */
export const VERSION: string = denoJson.version;

const SHA = /^[0-9a-f]{40}$/;

/** Where {@link revision} looks; the defaults are the ones of the sources. */
export interface RevisionSources {
  /** The file compile.sh writes; default `.build/revision` at the root of the sources. */
  readonly file?: URL;
  /** The directory to run `git rev-parse HEAD` in; default this module's directory. */
  readonly dir?: URL;
}

async function revisionFile(file: URL): Promise<string | undefined> {
  try {
    const text = await Deno.readTextFile(file);
    return text.trim() || undefined;
  } catch {
    return undefined;
  }
}

async function gitHead(here: URL): Promise<string | undefined> {
  if (here.protocol !== "file:") return undefined;
  try {
    const out = await new Deno.Command("git", {
      args: ["rev-parse", "HEAD"],
      cwd: here,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    const sha = new TextDecoder().decode(out.stdout).trim();
    return out.success && SHA.test(sha) ? sha : undefined;
  } catch {
    return undefined; // no git, no permission to run it, or not a checkout
  }
}

/**
 * The git revision nomad-ts was built from: the content of `.build/revision` at the root of
 * the sources (written by compile.sh), else `git rev-parse HEAD` run in the source directory;
 * `undefined` when neither is available.
 */
export async function revision(sources: RevisionSources = {}): Promise<string | undefined> {
  const file = sources.file ?? new URL("../../.build/revision", import.meta.url);
  return await revisionFile(file) ?? await gitHead(sources.dir ?? new URL(".", import.meta.url));
}

/**
 * What `nomad-ts version` and `nomad-ts -v` print: `nomad-ts v<version>` and, when known, a
 * second line `Revision <sha>`.
 */
export async function versionText(): Promise<string> {
  const rev = await revision();
  return `nomad-ts v${VERSION}${rev ? `\nRevision ${rev}` : ""}`;
}
