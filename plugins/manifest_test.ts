import { join } from "node:path";
import {
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "../tests/assert.ts";
import { PluginLoadError } from "./errors.ts";
import { loadManifestFile, parseManifest, resolvePermissions } from "./manifest.ts";

const vars = {
  deno: "/usr/bin/deno",
  data_dir: "/data/x",
  alloc_dir: "/alloc",
  plugin_dir: "/plugins/x",
};

Deno.test("resolvePermissions() replaces the host's variables and denies every kind not listed", () => {
  const perms = resolvePermissions(
    {
      name: "x",
      version: "1",
      entry: "file:///x.ts",
      permissions: { run: ["${deno}"], read: ["${alloc_dir}", "/etc/hosts"], sys: true },
    },
    vars,
  );
  assertEquals(perms, {
    read: ["/alloc", "/etc/hosts"],
    write: false,
    net: false,
    env: false,
    run: ["/usr/bin/deno"],
    sys: true,
    ffi: false,
    import: false,
  });
});

Deno.test("resolvePermissions() rejects an unknown variable, naming the known ones", () => {
  const err = assertThrows(
    () =>
      resolvePermissions({
        name: "x",
        version: "1",
        entry: "file:///x.ts",
        permissions: { read: ["${home}"] },
      }, vars),
    PluginLoadError,
  );
  assertStringIncludes(err.message, "unknown variable ${home}");
  assertStringIncludes(err.message, "alloc_dir");
});

Deno.test("parseManifest() resolves the entry against the manifest and lists every problem", () => {
  const m = parseManifest({
    name: "hello",
    version: "0.1.0",
    entry: "./driver.ts",
    permissions: {},
  }, "file:///p/hello/manifest.json");
  assertEquals(m.entry, "file:///p/hello/driver.ts");
  const err = assertThrows(
    () => parseManifest({ name: "Bad Name", entry: 3, permissions: { disk: true, run: "yes" } }),
    PluginLoadError,
  );
  for (
    const part of [
      `"name" must be lowercase`,
      `"version" must be a string`,
      `"entry" must be`,
      `"permissions.disk"`,
      `"permissions.run" must be`,
    ]
  ) {
    assertStringIncludes(err.message, part);
  }
});

Deno.test("loadManifestFile() reads a manifest.json and explains a broken one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "manifest.json"),
      JSON.stringify({ name: "hello", version: "1", entry: "driver.ts", permissions: {} }),
    );
    assertEquals(
      (await loadManifestFile(join(dir, "manifest.json"))).entry,
      `file://${dir}/driver.ts`,
    );
    await Deno.writeTextFile(join(dir, "broken.json"), "{");
    await assertRejects(
      () => loadManifestFile(join(dir, "broken.json")),
      PluginLoadError,
      "is not JSON",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
