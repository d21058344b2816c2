import { assertEquals } from "../../tests/assert.ts";
import { goJson, goJsonString } from "./json.ts";

Deno.test("goJson() escapes HTML characters as Go's encoder does", () => {
  assertEquals(goJson({ RTarget: ">= 1.2 & <2" }), '{"RTarget":"\\u003e= 1.2 \\u0026 \\u003c2"}');
  assertEquals(goJsonString("a\u2028b"), '"a\\u2028b"');
});

Deno.test("goJson() indents like MarshalIndent and leaves out undefined fields", () => {
  assertEquals(
    goJson({ Job: { ID: "x", CSIPluginConfig: undefined } }, "    "),
    '{\n    "Job": {\n        "ID": "x"\n    }\n}',
  );
});
