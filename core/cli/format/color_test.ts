import { assertEquals } from "../../../tests/assert.ts";
import { colorize } from "./color.ts";

Deno.test("colorize() removes color tags when color is off and keeps other brackets", () => {
  assertEquals(colorize("[bold]Summary[reset] [0] [foo]", false), "Summary [0] [foo]");
});

Deno.test("colorize() emits terminal codes and a final reset when color is on", () => {
  assertEquals(
    colorize("[light_yellow]+/-[reset] x", true),
    "\x1b[93m+/-\x1b[0m x\x1b[0m",
  );
  assertEquals(colorize("plain", true), "plain");
});
