import { assertEquals, assertThrows } from "../../../tests/assert.ts";
import { formatData, FormatError, formatIBytes, formatJson } from "./data.ts";

Deno.test("formatJson() indents with four spaces and leaves HTML characters alone", () => {
  assertEquals(
    formatJson({ A: ["<b>&"], B: {} }),
    '{\n    "A": [\n        "<b>&"\n    ],\n    "B": {}\n}',
  );
});

Deno.test("formatData() refuses -json with -t and says templates are not supported", () => {
  assertThrows(
    () => formatData(true, "{{.ID}}", {}),
    FormatError,
    "Both json and template formatting are not allowed",
  );
  assertThrows(() => formatData(false, "{{.ID}}", {}), FormatError, "not supported");
  assertEquals(formatData(true, "", [1]), "[\n    1\n]");
});

Deno.test("formatIBytes() writes sizes as go-humanize's IBytes", () => {
  assertEquals(formatIBytes(0), "0 B");
  assertEquals(formatIBytes(1023), "1023 B");
  assertEquals(formatIBytes(256 * 1024 * 1024), "256 MiB");
  assertEquals(formatIBytes(8000 * 1024 * 1024), "7.8 GiB");
  assertEquals(formatIBytes(1536), "1.5 KiB");
  assertEquals(formatIBytes(100 * 1024 ** 3), "100 GiB");
});
