import { assertEquals, assertStringIncludes, assertThrows } from "../tests/assert.ts";
import { attr, block, decodeConfig } from "./config_schema.ts";
import { ConfigError } from "./errors.ts";

const schema = {
  command: attr("string", { required: true }),
  args: attr("list(string)", { default: [] }),
  count: attr("number"),
  enabled: attr("bool", { default: false }),
  timeout: attr("duration", { default: 0 }),
  labels: attr("map(string)"),
  exec: block({ run_for: attr("duration", { default: 0 }) }),
};

Deno.test("decodeConfig() fills defaults and converts values the way HCL does", () => {
  const cfg = decodeConfig(schema, {
    command: "/bin/echo",
    count: "3",
    enabled: "true",
    timeout: "1m30s",
  }, "test config");
  assertEquals(cfg, {
    command: "/bin/echo",
    args: [],
    count: 3,
    enabled: true,
    timeout: 90_000_000_000,
  });
  assertEquals(cfg.exec, undefined);
});

Deno.test("decodeConfig() decodes nested blocks, also as HCL's list of one object", () => {
  const cfg = decodeConfig(
    schema,
    { command: "x", exec: [{ run_for: "5s" }], labels: [{ a: 1 }] },
    "test config",
  );
  assertEquals(cfg.exec, { run_for: 5_000_000_000 });
  assertEquals(cfg.labels, { a: "1" });
});

Deno.test("decodeConfig() lists every problem in one ConfigError", () => {
  const err = assertThrows(
    () =>
      decodeConfig(schema, {
        args: "oops",
        timeout: "soon",
        colour: "red",
        exec: { run_for: true },
      }, "raw_exec task config"),
    ConfigError,
  ) as ConfigError;
  assertEquals(err.summary, "Invalid raw_exec task config");
  assertEquals(err.problems.length, 5);
  assertStringIncludes(err.message, `"colour" is not a known option`);
  assertStringIncludes(err.message, `"command" is required`);
  assertStringIncludes(err.message, `"args" must be a list of strings, got string "oops"`);
  assertStringIncludes(err.message, `"timeout" must be a duration such as "5s"`);
  assertStringIncludes(err.message, `"exec.run_for" must be a duration`);
});

Deno.test("decodeConfig() treats a missing config as empty and rejects a non-object", () => {
  assertEquals(decodeConfig({ a: attr("bool", { default: true }) }, undefined, "x"), { a: true });
  assertThrows(() => decodeConfig(schema, [1], "x"), ConfigError, "the config must be an object");
});
