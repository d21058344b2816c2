import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { JobspecError } from "./errors.ts";
import { diagnosticsFromLibrary, parseHcl } from "./_hcl.ts";

Deno.test("parseHcl() returns the library's JSON body", async () => {
  const json = await parseHcl("a.hcl", 'job "x" {\n  group "g" { count = 2 }\n}\n');
  assertEquals(json, { job: { x: [{ group: { g: [{ count: 2 }] } }] } });
});

Deno.test("parseHcl() reports syntax errors at file:line:col", async () => {
  const err = await assertRejects(
    () => parseHcl("bad.hcl", 'job "x" {\n  group "a" {\n    count = \n  }\n}'),
    JobspecError,
  ) as JobspecError;
  assertEquals(err.diagnostics, [{
    pos: { file: "bad.hcl", line: 3, col: 13 },
    summary: "Invalid expression",
    detail: "Expected the start of an expression, but found an invalid expression token.",
  }]);
  assertEquals(
    err.message,
    "bad.hcl:3:13: Invalid expression; Expected the start of an expression, but found an invalid expression token.",
  );
});

Deno.test("diagnosticsFromLibrary() splits several diagnostics", () => {
  const text = "parse config: [b.hcl:1,18-2,1: Invalid multi-line string; Quoted strings may not " +
    "be split. b.hcl:1,18-2,1: Unterminated template string; No closing marker was found for the string.]";
  assertEquals(diagnosticsFromLibrary("b.hcl", text).map((d) => [d.pos?.line, d.summary]), [
    [1, "Invalid multi-line string"],
    [1, "Unterminated template string"],
  ]);
});
