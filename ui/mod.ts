/**
 * The web UI served at `/ui`: the files `ui/build.ts` writes to `ui/dist/`, read from next to
 * this module. `deno compile --include ui/dist` embeds them in the binary, where the same
 * `import.meta.url`-relative path reads them from the binary's own file system.
 *
 * The HTTP layer asks {@link loadUi} for the files once and keeps them in memory (the whole UI
 * is a few dozen KiB); each is also gzipped once, for browsers that accept it.
 *
 * This module only reads files: the browser code lives in `ui/src/` and is never imported by
 * the agent.
 *
 * @module
 */

/** Where the built UI is read from: `dist/` next to this module. */
export const UI_DIST_URL: URL = new URL("./dist/", import.meta.url);

/** One file of the built UI. */
export interface UiFile {
  /** The file's path under `/ui/`, e.g. `assets/app.3f2a9c1b0d4e.js` or `index.html`. */
  readonly name: string;
  readonly body: Uint8Array;
  /** The same bytes gzipped, when that is smaller. */
  readonly gzip: Uint8Array | undefined;
  readonly contentType: string;
  /** Whether the name carries a content hash, so the file never changes under it. */
  readonly immutable: boolean;
  /** A strong ETag of the contents. */
  readonly etag: string;
}

/** The built UI. */
export interface UiBundle {
  /** The page every client-side route is answered with. */
  readonly index: UiFile;
  /** A file by its path under `/ui/`, or `undefined`. */
  file(name: string): UiFile | undefined;
  /** Every file's name. */
  readonly names: readonly string[];
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

/** The `Content-Type` of a UI file, by its extension. */
export function contentTypeOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return CONTENT_TYPES[dot === -1 ? "" : name.slice(dot).toLowerCase()] ??
    "application/octet-stream";
}

async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function etagOf(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  const hex = [...new Uint8Array(digest).slice(0, 12)]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  return `"${hex}"`;
}

async function readTree(dir: URL, prefix = ""): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(".")) continue;
    if (entry.isDirectory) {
      names.push(...await readTree(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`));
    } else {
      names.push(`${prefix}${entry.name}`);
    }
  }
  return names;
}

/**
 * Reads the built UI from `dir` (default {@link UI_DIST_URL}), or returns `undefined` when it
 * has not been built (no `index.html` there).
 *
 * @example
 * ```ts
 * const ui = await loadUi();
 * if (ui === undefined) console.log("run `deno task ui:build` first");
 * else console.log(ui.names);
 * ```
 */
export async function loadUi(dir: URL = UI_DIST_URL): Promise<UiBundle | undefined> {
  let names: string[];
  try {
    names = await readTree(dir);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  if (!names.includes("index.html")) return undefined;
  const files = new Map<string, UiFile>();
  for (const name of names) {
    const body = await Deno.readFile(new URL(name, dir));
    const compressed = body.length > 512 ? await gzip(body) : undefined;
    files.set(name, {
      name,
      body,
      gzip: compressed !== undefined && compressed.length < body.length ? compressed : undefined,
      contentType: contentTypeOf(name),
      immutable: /\.[0-9a-f]{8,}\.[a-z]+$/.test(name),
      etag: await etagOf(body),
    });
  }
  const index = files.get("index.html")!;
  return {
    index,
    file: (name) => files.get(name),
    names: [...files.keys()].sort(),
  };
}

/**
 * The page shown at `/ui` when the UI was not built: what happened and the command that fixes
 * it.
 */
export function notBuiltPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Nomad UI not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2124}
code{background:#ebeef2;padding:.1rem .3rem;border-radius:3px}</style></head>
<body><h1>The web UI is not built</h1>
<p>This agent runs from source, and its web UI has not been built yet. The HTTP API under
<code>/v1/</code> works as usual.</p>
<p>Build the UI with <code>deno task ui:build</code> (or <code>deno run -A ui/build.ts</code>)
and reload this page. <code>deno task dev</code> and <code>compile.sh</code> build it
themselves.</p></body></html>
`;
}
