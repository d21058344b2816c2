/**
 * Domain types of nomad-ts in Nomad's API JSON shape, and the pure functions over them:
 * zero values and API decoding (from one schema per struct), durations, canonical defaults,
 * validation and the structural job diff behind `job plan`.
 *
 * This folder imports nothing else of the project.
 *
 * @module
 */
export * from "./schema.ts";
export * from "./constraint.ts";
export * from "./duration.ts";
export * from "./go_bool.ts";
export * from "./errors.ts";
export * from "./job.ts";
export * from "./policies.ts";
export * from "./resources.ts";
export * from "./services.ts";
export * from "./task.ts";
export * from "./task_parts.ts";
export * from "./diff_types.ts";
export * from "./diff.ts";
export * from "./annotate.ts";
export * from "./canonicalize.ts";
export * from "./cron.ts";
export * from "./validate.ts";
export * from "./json.ts";
export * from "./node.ts";
export * from "./alloc.ts";
export * from "./eval.ts";
export * from "./stubs.ts";
export * from "./operator.ts";
