import { assertEquals } from "../../tests/assert.ts";
import { formatBytes, formatMB, formatMHz, plural, statusClass, sumSummary } from "./format.ts";

Deno.test("formatBytes() uses binary units with one decimal below 100", () => {
  assertEquals(formatBytes(512), "512 B");
  assertEquals(formatBytes(1536), "1.5 KiB");
  assertEquals(formatBytes(1683456), "1.6 MiB");
  assertEquals(formatMB(300), "300 MiB");
  assertEquals(formatMB(24105), "23.5 GiB");
});

Deno.test("formatMHz() switches to GHz from 1000 MHz", () => {
  assertEquals(formatMHz(100), "100 MHz");
  assertEquals(formatMHz(5200), "5.2 GHz");
});

Deno.test("statusClass() maps Nomad's statuses onto its colours", () => {
  assertEquals(statusClass("running"), "running");
  assertEquals(statusClass("pending"), "pending");
  assertEquals(statusClass("failed"), "failed");
  assertEquals(statusClass("complete"), "complete");
  assertEquals(statusClass("lost"), "lost");
  assertEquals(statusClass("dead"), "complete");
  assertEquals(statusClass("ready"), "running");
  assertEquals(statusClass("something"), "neutral");
});

Deno.test("sumSummary() adds up the groups of a job summary", () => {
  assertEquals(
    sumSummary({
      a: { Running: 2, Failed: 1, Queued: 0 },
      b: { Running: 1, Complete: 4 },
    }),
    { Queued: 0, Starting: 0, Running: 3, Complete: 4, Failed: 1, Lost: 0, Unknown: 0 },
  );
});

Deno.test("plural() picks the noun by count", () => {
  assertEquals(plural(1, "allocation"), "1 allocation");
  assertEquals(plural(0, "allocation"), "0 allocations");
});
