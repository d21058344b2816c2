import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { FlagError, parseFlags, parseGoBool, parseGoInt } from "./flags.ts";
import { MINUTE, SECOND } from "../structs/duration.ts";

const SPEC = {
  detach: { type: "bool" },
  strict: { type: "bool", default: true },
  region: { type: "string" },
  "check-index": { type: "string", default: "none" },
  "eval-priority": { type: "int" },
  wait: { type: "duration", default: "5s" },
  var: { type: "strings" },
} as const;

Deno.test("parseFlags() fills in defaults when no flag is given", () => {
  const { flags, args, set } = parseFlags(SPEC, []);
  assertEquals(flags, {
    detach: false,
    strict: true,
    region: "",
    "check-index": "none",
    "eval-priority": 0,
    wait: 5 * SECOND,
    var: [],
  });
  assertEquals(args, []);
  assertEquals(set.size, 0);
});

Deno.test("parseFlags() accepts one or two dashes and = or a separate value", () => {
  for (
    const argv of [
      ["-region", "eu"],
      ["--region", "eu"],
      ["-region=eu"],
      ["--region=eu"],
    ]
  ) {
    const { flags, set } = parseFlags(SPEC, argv);
    assertEquals(flags.region, "eu", argv.join(" "));
    assert(set.has("region"));
  }
});

Deno.test("parseFlags() keeps everything after the first = in the value", () => {
  assertEquals(parseFlags(SPEC, ["-var=a=b=c"]).flags.var, ["a=b=c"]);
  assertEquals(parseFlags(SPEC, ["-region="]).flags.region, "");
});

Deno.test("parseFlags() never lets a boolean flag consume the next argument", () => {
  const { flags, args } = parseFlags(SPEC, ["-detach", "false", "job.hcl"]);
  assertEquals(flags.detach, true);
  assertEquals(args, ["false", "job.hcl"]);
});

Deno.test("parseFlags() reads Go's boolean words after =", () => {
  assertEquals(parseFlags(SPEC, ["-detach=true"]).flags.detach, true);
  assertEquals(parseFlags(SPEC, ["-detach=T"]).flags.detach, true);
  assertEquals(parseFlags(SPEC, ["-strict=false"]).flags.strict, false);
  assertEquals(parseFlags(SPEC, ["-strict=0"]).flags.strict, false);
  assertThrows(
    () => parseFlags(SPEC, ["-detach=yes"]),
    FlagError,
    'invalid boolean value "yes" for -detach: parse error',
  );
});

Deno.test("parseFlags() lets a non-boolean flag take a value that starts with a dash", () => {
  assertEquals(parseFlags(SPEC, ["-region", "-x"]).flags.region, "-x");
  assertEquals(parseFlags(SPEC, ["-eval-priority", "-5"]).flags["eval-priority"], -5);
});

Deno.test("parseFlags() collects a repeatable flag in command-line order", () => {
  const { flags } = parseFlags(SPEC, ["-var", "a=1", "--var=b=2", "-var", "a=3"]);
  assertEquals(flags.var, ["a=1", "b=2", "a=3"]);
});

Deno.test("parseFlags() lets the last occurrence of a single-valued flag win", () => {
  assertEquals(parseFlags(SPEC, ["-region", "a", "-region", "b"]).flags.region, "b");
});

Deno.test("parseFlags() parses integers like strconv.ParseInt with base 0", () => {
  assertEquals(parseFlags(SPEC, ["-eval-priority", "70"]).flags["eval-priority"], 70);
  assertEquals(parseFlags(SPEC, ["-eval-priority=0x1f"]).flags["eval-priority"], 31);
  assertThrows(
    () => parseFlags(SPEC, ["-eval-priority", "high"]),
    FlagError,
    'invalid value "high" for flag -eval-priority: parse error',
  );
  assertThrows(
    () => parseFlags(SPEC, ["-eval-priority", "9223372036854775808"]),
    FlagError,
    'invalid value "9223372036854775808" for flag -eval-priority: value out of range',
  );
});

Deno.test("parseFlags() parses durations into nanoseconds", () => {
  assertEquals(parseFlags(SPEC, ["-wait", "1m30s"]).flags.wait, MINUTE + 30 * SECOND);
  assertThrows(
    () => parseFlags(SPEC, ["-wait", "10"]),
    FlagError,
    'invalid value "10" for flag -wait: parse error',
  );
});

Deno.test("parseFlags() stops at the first argument that is not a flag", () => {
  const { flags, args } = parseFlags(SPEC, ["-detach", "job.hcl", "-region", "eu"]);
  assertEquals(flags.detach, true);
  assertEquals(flags.region, "");
  assertEquals(args, ["job.hcl", "-region", "eu"]);
});

Deno.test("parseFlags() treats a lone dash as an argument (stdin)", () => {
  const { flags, args } = parseFlags(SPEC, ["-detach", "-", "-region", "eu"]);
  assertEquals(flags.detach, true);
  assertEquals(args, ["-", "-region", "eu"]);
});

Deno.test("parseFlags() ends flags at -- and drops it", () => {
  const { flags, args } = parseFlags(SPEC, ["-detach", "--", "-region", "eu"]);
  assertEquals(flags.detach, true);
  assertEquals(flags.region, "");
  assertEquals(args, ["-region", "eu"]);
  assertEquals(parseFlags(SPEC, ["--", "--"]).args, ["--"]);
});

Deno.test("parseFlags() rejects an undefined flag with Go's message", () => {
  const err = assertThrows(() => parseFlags(SPEC, ["-x"]), FlagError);
  assertEquals(err.message, "flag provided but not defined: -x");
  assertEquals((err as FlagError).help, false);
  assertThrows(
    () => parseFlags(SPEC, ["--nope=1"]),
    FlagError,
    "flag provided but not defined: -nope",
  );
});

Deno.test("parseFlags() says a flag needs an argument when the value is missing", () => {
  const err = assertThrows(() => parseFlags(SPEC, ["-detach", "-region"]), FlagError);
  assertEquals(err.message, "flag needs an argument: -region");
  assertThrows(() => parseFlags(SPEC, ["-var"]), FlagError, "flag needs an argument: -var");
});

Deno.test("parseFlags() rejects bad flag syntax", () => {
  assertThrows(() => parseFlags(SPEC, ["---detach"]), FlagError, "bad flag syntax: ---detach");
  assertThrows(() => parseFlags(SPEC, ["-=x"]), FlagError, "bad flag syntax: -=x");
});

Deno.test("parseFlags() reports -h and -help as a help request unless declared", () => {
  for (const arg of ["-h", "-help", "--help", "-help=1"]) {
    const err = assertThrows(() => parseFlags(SPEC, [arg]), FlagError);
    assertEquals((err as FlagError).help, true, arg);
    assertEquals(err.message, "");
  }
  assertEquals(parseFlags({ h: { type: "bool" } }, ["-h"]).flags.h, true);
});

Deno.test("parseFlags() does not treat inherited object keys as flags", () => {
  assertThrows(
    () => parseFlags(SPEC, ["-toString"]),
    FlagError,
    "flag provided but not defined: -toString",
  );
});

Deno.test("parseGoBool() accepts exactly Go's spellings", () => {
  for (const t of ["1", "t", "T", "TRUE", "true", "True"]) assertEquals(parseGoBool(t), true);
  for (const f of ["0", "f", "F", "FALSE", "false", "False"]) assertEquals(parseGoBool(f), false);
  for (const bad of ["", "yes", "tRUE", "2"]) assertThrows(() => parseGoBool(bad), RangeError);
});

Deno.test("parseGoInt() reads every base prefix, signs and underscores", () => {
  assertEquals(parseGoInt("42"), 42);
  assertEquals(parseGoInt("+42"), 42);
  assertEquals(parseGoInt("-42"), -42);
  assertEquals(parseGoInt("0"), 0);
  assertEquals(parseGoInt("0x1F"), 31);
  assertEquals(parseGoInt("0o17"), 15);
  assertEquals(parseGoInt("017"), 15);
  assertEquals(parseGoInt("0b101"), 5);
  assertEquals(parseGoInt("1_000"), 1000);
  assertEquals(parseGoInt("0x_ff"), 255);
  assertEquals(parseGoInt("-9223372036854775808"), -9223372036854775808);
});

Deno.test("parseGoInt() rejects what Go rejects", () => {
  for (const bad of ["", "-", "0x", "09", "1__0", "1_", "_1", "1.5", "1e3", " 1", "0b2"]) {
    assertThrows(() => parseGoInt(bad), RangeError, "parse error");
  }
  assertThrows(() => parseGoInt("9223372036854775808"), RangeError, "value out of range");
});
