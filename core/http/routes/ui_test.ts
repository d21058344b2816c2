import { Hono } from "hono";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadUi } from "../../../ui/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { UI_CONTENT_SECURITY_POLICY, uiRoutes } from "./ui.ts";

const SCRIPT = "assets/app.0123456789ab.js";

/** Runs `f` with a built UI in a temporary directory: index.html and a hashed script. */
async function withDist(f: (dist: URL) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ui_dist_" });
  try {
    await f(await fillDist(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function fillDist(dir: string): Promise<URL> {
  await Deno.mkdir(join(dir, "assets"));
  await Deno.writeTextFile(
    join(dir, "index.html"),
    `<!doctype html><script type="module" src="/ui/${SCRIPT}"></script><div id="app"></div>`,
  );
  await Deno.writeTextFile(join(dir, SCRIPT), "console.log(1);".repeat(200));
  await Deno.writeTextFile(join(dir, ".source-hash"), "x\n");
  return pathToFileURL(`${dir}/`);
}

function app(dist: URL | undefined): Hono {
  const a = new Hono();
  uiRoutes(a, { load: () => dist === undefined ? Promise.resolve(undefined) : loadUi(dist) });
  return a;
}

Deno.test("uiRoutes() answers every client-side path with index.html, revalidated", () =>
  withDist(async (dist) => {
    const a = app(dist);
    for (
      const path of [
        "/ui/",
        "/ui/jobs",
        "/ui/jobs/example@default",
        "/ui/allocations/5f2c/web/logs",
      ]
    ) {
      const res = await a.request(path);
      assertEquals(res.status, 200, path);
      assertEquals(res.headers.get("content-type"), "text/html; charset=utf-8");
      assertEquals(res.headers.get("cache-control"), "no-cache");
      assertEquals(res.headers.get("content-security-policy"), UI_CONTENT_SECURITY_POLICY);
      assertStringIncludes(await res.text(), '<div id="app">');
    }
  }));

Deno.test("uiRoutes() serves hashed assets for a year, gzipped when asked", () =>
  withDist(async (dist) => {
    const a = app(dist);
    const plain = await a.request(`/ui/${SCRIPT}`);
    assertEquals(plain.status, 200);
    assertEquals(plain.headers.get("content-type"), "text/javascript; charset=utf-8");
    assertEquals(plain.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assertEquals((await plain.text()).length, "console.log(1);".length * 200);
    const gz = await a.request(`/ui/${SCRIPT}`, { headers: { "Accept-Encoding": "gzip, br" } });
    assertEquals(gz.headers.get("content-encoding"), "gzip");
    const body = new Uint8Array(await gz.arrayBuffer());
    assert(body.length < 200, `gzipped to ${body.length} bytes`);
    const again = await a.request(`/ui/${SCRIPT}`, {
      headers: { "If-None-Match": plain.headers.get("etag") ?? "" },
    });
    assertEquals(again.status, 304);
  }));

Deno.test("uiRoutes() answers a missing asset with 404, not the page", () =>
  withDist(async (dist) => {
    const res = await app(dist).request("/ui/assets/app.ffffffffffff.js");
    assertEquals(res.status, 404);
  }));

Deno.test("uiRoutes() redirects /ui to /ui/ keeping the query", async () => {
  const res = await app(undefined).request("/ui?region=global");
  assertEquals(res.status, 307);
  assertEquals(res.headers.get("location"), "/ui/?region=global");
});

Deno.test("uiRoutes() explains how to build the UI when it is not built", async () => {
  const res = await app(undefined).request("/ui/jobs");
  assertEquals(res.status, 503);
  const text = await res.text();
  assertStringIncludes(text, "The web UI is not built");
  assertStringIncludes(text, "deno task ui:build");
});

Deno.test("loadUi() finds nothing in a directory without index.html", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ui_empty_" });
  assertEquals(await loadUi(pathToFileURL(`${dir}/`)), undefined);
  assertEquals(await loadUi(pathToFileURL(`${dir}/missing/`)), undefined);
  await Deno.remove(dir);
});
