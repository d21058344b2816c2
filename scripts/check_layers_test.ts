import { assertEquals } from "../tests/assert.ts";
import { checkLayers, layerOf } from "./check_layers.ts";
import { join } from "node:path";

Deno.test("checkLayers() finds no violation in this repository", () => {
  const root = join(import.meta.dirname!, "..");
  assertEquals(checkLayers(root), []);
});

Deno.test("checkLayers() reports imports that break the rule", () => {
  const root = Deno.makeTempDirSync({ prefix: "layers_" });
  try {
    const write = (path: string, text: string) => {
      Deno.mkdirSync(join(root, path, ".."), { recursive: true });
      Deno.writeTextFileSync(join(root, path), text);
    };
    write("core/structs/job.ts", 'import { x } from "../state/mod.ts";\n');
    write("core/state/mod.ts", 'export const x = 1;\nimport "../structs/job.ts";\n');
    write("core/client/run.ts", 'const m = await import("../server/mod.ts");\n');
    write("core/server/mod.ts", 'export { x } from "../cli/mod.ts";\n');
    write("drivers/docker/mod.ts", 'import type { Job } from "../../core/structs/job.ts";\n');
    write("core/structs/job_test.ts", 'import "../server/mod.ts";\n');
    const found = checkLayers(root).map((v) => `${v.file}:${v.line} ${v.imports}`).sort();
    assertEquals(found, [
      "core/client/run.ts:1 ../server/mod.ts",
      "core/server/mod.ts:1 ../cli/mod.ts",
      "core/structs/job.ts:1 ../state/mod.ts",
      "drivers/docker/mod.ts:1 ../../core/structs/job.ts",
    ]);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("layerOf() maps paths to the folders of DESIGN.md", () => {
  assertEquals(layerOf("core/structs/job.ts"), "core/structs");
  assertEquals(layerOf("drivers/raw_exec/mod.ts"), "drivers");
  assertEquals(layerOf("main.ts"), "main.ts");
  assertEquals(layerOf("README.md"), undefined);
});
