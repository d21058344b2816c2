import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertMatch } from "../tests/assert.ts";
import { buildUi } from "./build.ts";
import { loadUi } from "./mod.ts";

/** The bundle's budget: the whole UI, minified, before compression. */
const BUDGET_BYTES = 200 * 1024;

Deno.test({
  name: "buildUi() writes index.html and content-hashed assets that need nothing from the network",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ui_build_" });
    const outDir = join(dir, "dist");
    try {
      const first = await buildUi({ outDir, force: true });
      assertEquals(first.built, true);
      const names = first.files.map((f) => f.name).sort();
      assertEquals(names.length, 3, names.join(", "));
      const js = names.find((n) => n.endsWith(".js")) ?? "";
      const css = names.find((n) => n.endsWith(".css")) ?? "";
      assertMatch(js, /^assets\/app\.[0-9a-f]{12}\.js$/);
      assertMatch(css, /^assets\/app\.[0-9a-f]{12}\.css$/);
      assert(names.includes("index.html"));
      const html = await Deno.readTextFile(join(outDir, "index.html"));
      assert(html.includes(`src="/ui/${js}"`), html);
      assert(html.includes(`href="/ui/${css}"`), html);
      const script = await Deno.readTextFile(join(outDir, js));
      // Only XML namespace names, never a fetched URL: no CDN, nothing at run time.
      const urls = (script.match(/https?:\/\/[^"'` )]+/g) ?? [])
        .filter((u) => !u.startsWith("http://www.w3.org/"));
      assertEquals(urls, []);
      const total = first.files.reduce((n, f) => n + f.bytes, 0);
      assert(total < BUDGET_BYTES, `the UI is ${total} bytes; the budget is ${BUDGET_BYTES}`);

      const again = await buildUi({ outDir });
      assertEquals(again.built, false, "unchanged sources are not bundled again");
      assertEquals(again.files.map((f) => f.name).sort(), names);

      const ui = await loadUi(pathToFileURL(`${outDir}/`));
      assert(ui !== undefined);
      assertEquals(ui.file(js)?.immutable, true);
      assertEquals(ui.index.contentType, "text/html; charset=utf-8");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
