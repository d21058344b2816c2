/**
 * Builds the web UI: bundles `ui/src/main.tsx` (TypeScript + Preact) for the browser with
 * `deno bundle`, minified, and writes `ui/dist/` — `index.html` and the script and stylesheet
 * under content-hashed names (`assets/app.<hash>.js`), so the agent can let browsers cache them
 * for good. Nothing is fetched at run time: the bundle holds everything the pages need.
 *
 * `deno task dev`, the tests and `compile.sh` run it themselves; the output is not committed.
 * A build whose sources (and Deno version) have not changed since the last one is skipped.
 *
 * Run: `deno run -A ui/build.ts [--force]`.
 *
 * @module
 */
import { dirname, join, relative } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

/** Where the built UI goes by default (`ui/dist/`). */
export const DIST_DIR = fromFileUrl(new URL("./dist", import.meta.url));
const UI_DIR = fromFileUrl(new URL(".", import.meta.url));
const SRC_DIR = join(UI_DIR, "src");
const ROOT = dirname(UI_DIR);
const STAMP = ".source-hash";

/** Options of {@link buildUi}. */
export interface BuildOptions {
  /** Where to write the UI (default {@link DIST_DIR}). */
  readonly outDir?: string;
  /** Build even when the sources have not changed. */
  readonly force?: boolean;
  /** Minify the script (default true). */
  readonly minify?: boolean;
}

/** What a build wrote. */
export interface BuildResult {
  readonly outDir: string;
  /** False when the existing build was up to date. */
  readonly built: boolean;
  /** Each file written, relative to `outDir`, with its size in bytes. */
  readonly files: ReadonlyArray<{ readonly name: string; readonly bytes: number }>;
}

async function sha256(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function* walk(dir: string): AsyncGenerator<string> {
  const entries = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory) yield* walk(full);
    else if (e.isFile && !/_test\.tsx?$/.test(e.name)) yield full;
  }
}

/** A hash of everything the bundle is made from: the sources, deno.json and Deno's version. */
async function sourceHash(): Promise<string> {
  const parts: string[] = [Deno.version.deno];
  for await (const file of walk(SRC_DIR)) {
    parts.push(relative(UI_DIR, file), await sha256(await Deno.readFile(file)));
  }
  parts.push(await sha256(await Deno.readFile(join(ROOT, "deno.json"))));
  parts.push(await sha256(await Deno.readFile(fromFileUrl(import.meta.url))));
  return await sha256(parts.join("\n"));
}

async function readStamp(outDir: string): Promise<string | undefined> {
  try {
    return (await Deno.readTextFile(join(outDir, STAMP))).trim();
  } catch {
    return undefined;
  }
}

async function listFiles(outDir: string): Promise<{ name: string; bytes: number }[]> {
  const files = [];
  for await (const file of walk(outDir)) {
    const name = relative(outDir, file).replaceAll("\\", "/");
    if (name !== STAMP) files.push({ name, bytes: (await Deno.stat(file)).size });
  }
  return files;
}

/** Runs `deno bundle` on the entry point and returns the script. */
async function bundle(minify: boolean, tmp: string): Promise<Uint8Array> {
  const out = join(tmp, "bundle.js");
  const args = ["bundle", "--quiet", "--platform=browser", "--output", out];
  if (minify) args.push("--minify");
  args.push(join(SRC_DIR, "main.tsx"));
  const res = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!res.success) {
    const text = new TextDecoder().decode(res.stderr) + new TextDecoder().decode(res.stdout);
    throw new Error(`Cannot build the web UI: deno bundle failed:\n${text.trim()}`);
  }
  const script = await Deno.readFile(out);
  await Deno.remove(out);
  return script;
}

/** Puts the new build in place of the old one; a concurrent build that won is fine too. */
async function swap(tmp: string, outDir: string): Promise<void> {
  const old = `${outDir}.old-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await Deno.rename(outDir, old);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  try {
    await Deno.rename(tmp, outDir);
  } catch (err) {
    // Another build put its (identical) output there first.
    await Deno.remove(tmp, { recursive: true });
    if (!(err instanceof Deno.errors.AlreadyExists) && !(await exists(outDir))) throw err;
  }
  await Deno.remove(old, { recursive: true }).catch(() => {});
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the UI into `outDir` (default `ui/dist/`), unless it is up to date.
 *
 * @throws {Error} When `deno bundle` fails (a syntax error in the sources, a package that
 * cannot be fetched); the message holds its output.
 *
 * @example
 * ```ts
 * const { files } = await buildUi();
 * console.log(files.map((f) => `${f.name} ${f.bytes}`).join("\n"));
 * ```
 */
export async function buildUi(options: BuildOptions = {}): Promise<BuildResult> {
  const outDir = options.outDir ?? DIST_DIR;
  const hash = await sourceHash();
  if (
    !options.force && (await readStamp(outDir)) === hash && await exists(join(outDir, "index.html"))
  ) {
    return { outDir, built: false, files: await listFiles(outDir) };
  }
  const tmp = `${outDir}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(join(tmp, "assets"), { recursive: true });
  try {
    const script = await bundle(options.minify ?? true, tmp);
    const css = await Deno.readFile(join(SRC_DIR, "styles.css"));
    const jsName = `assets/app.${(await sha256(script)).slice(0, 12)}.js`;
    const cssName = `assets/app.${(await sha256(css)).slice(0, 12)}.css`;
    await Deno.writeFile(join(tmp, jsName), script);
    await Deno.writeFile(join(tmp, cssName), css);
    const template = await Deno.readTextFile(join(SRC_DIR, "index.html"));
    const html = template.replaceAll("{{script}}", `/ui/${jsName}`)
      .replaceAll("{{stylesheet}}", `/ui/${cssName}`);
    if (html === template) {
      throw new Error("Cannot build the web UI: ui/src/index.html has no {{script}}");
    }
    await Deno.writeTextFile(join(tmp, "index.html"), html);
    await Deno.writeTextFile(join(tmp, STAMP), `${hash}\n`);
    await swap(tmp, outDir);
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
  return { outDir, built: true, files: await listFiles(outDir) };
}

if (import.meta.main) {
  const started = performance.now();
  try {
    const result = await buildUi({ force: Deno.args.includes("--force") });
    const total = result.files.reduce((n, f) => n + f.bytes, 0);
    const what = result.built ? "built" : "up to date";
    console.log(
      `ui: ${what} in ${Math.round(performance.now() - started)} ms: ${
        result.files.map((f) => `${f.name} (${(f.bytes / 1024).toFixed(1)} KiB)`).join(", ")
      }; ${(total / 1024).toFixed(1)} KiB in all`,
    );
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    Deno.exit(1);
  }
}
