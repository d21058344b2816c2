/**
 * Output formatting of the nomad-ts CLI, laid out as Nomad's commands print: aligned columns
 * and `key = value` blocks (`formatList`, `formatKV`), times and ages (`formatTime`,
 * `prettyTimeDiff`), color tags (`colorize`), Go-style quoting, the annotated job diff of
 * `job plan`, placement metrics and the shared tables, and `-json` output.
 *
 * @module
 */
export * from "./columns.ts";
export * from "./time.ts";
export * from "./color.ts";
export * from "./quote.ts";
export * from "./data.ts";
export * from "./diff.ts";
export * from "./metrics.ts";
export * from "./tables.ts";
