/**
 * Loading configuration from `-config` paths: a file (HCL, or JSON when it ends in `.json` or
 * starts with `{`), or a directory whose `*.hcl` and `*.json` files load in lexical order
 * (editor temporary files skipped), each merged over the previous one.
 *
 * @module
 */
import { join, normalize } from "node:path";
import { type Config, ConfigSpec } from "./config.ts";
import { type DecodeReport, decodeTree } from "./_config_decode.ts";
import { ConfigSyntaxError, parseHclTree, parseJsonTree } from "./_config_tree.ts";
import { emptyConfig } from "./config_defaults.ts";
import { mergeConfig } from "./config_merge.ts";

/**
 * A configuration that cannot be used. `problems` lists every one found, each
 * `file:line:col: message` when it is about a place in a file.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: ErrorOptions) {
    super(problems.join("\n"), options);
    this.problems = problems;
  }
}

/** What loading found: the configuration and the warnings to print. */
export interface Loaded {
  /** The decoded configuration; fields the files do not set are zero (merge it over defaults). */
  readonly config: Config;
  /** `file:line:col: message` lines about keys accepted but ignored. */
  readonly warnings: readonly string[];
}

/**
 * Parses one configuration file's text.
 *
 * @param path The file name used in messages; `.json` selects JSON.
 * @throws {ConfigError} listing every syntax error, unknown key and wrong value.
 *
 * @example
 * ```ts
 * const { config } = await parseConfig('server {\n  enabled = true\n}\n', "server.hcl");
 * config.Server.Enabled; // true
 * ```
 */
export async function parseConfig(source: string, path: string): Promise<Loaded> {
  let tree;
  try {
    tree = path.endsWith(".json") || source.trimStart().startsWith("{")
      ? parseJsonTree(path, source)
      : await parseHclTree(path, source);
  } catch (err) {
    if (err instanceof ConfigSyntaxError) throw new ConfigError(err.problems, { cause: err });
    throw err;
  }
  const report: DecodeReport = { errors: [], warnings: [] };
  const config = decodeTree(ConfigSpec, tree, report);
  if (report.errors.length > 0) throw new ConfigError(report.errors);
  return { config, warnings: report.warnings };
}

function isTemporaryFile(name: string): boolean {
  return name.endsWith("~") || name.startsWith(".#") ||
    (name.startsWith("#") && name.endsWith("#"));
}

async function loadFile(path: string): Promise<Loaded> {
  let source;
  try {
    source = await Deno.readTextFile(path);
  } catch (err) {
    throw new ConfigError([`Cannot read ${path}: ${(err as Error).message}`], { cause: err });
  }
  const loaded = await parseConfig(source, path);
  return { ...loaded, config: { ...loaded.config, Files: [path] } };
}

/**
 * Loads a `-config` path: a file, or every `*.hcl`/`*.json` file of a directory in lexical
 * order, merged. An empty directory gives an empty configuration (`Files` empty).
 *
 * @throws {ConfigError} when the path does not exist or a file is invalid.
 */
export async function loadConfigPath(path: string): Promise<Loaded> {
  const cleaned = normalize(path);
  let info;
  try {
    info = await Deno.stat(cleaned);
  } catch (err) {
    throw new ConfigError([`Cannot load ${cleaned}: ${(err as Error).message}`], { cause: err });
  }
  if (!info.isDirectory) return await loadFile(cleaned);
  const files: string[] = [];
  for await (const entry of Deno.readDir(cleaned)) {
    if (entry.isDirectory || isTemporaryFile(entry.name)) continue;
    if (entry.name.endsWith(".hcl") || entry.name.endsWith(".json")) {
      files.push(join(cleaned, entry.name));
    }
  }
  files.sort();
  let config = emptyConfig();
  const warnings: string[] = [];
  for (const file of files) {
    const loaded = await loadFile(file);
    config = mergeConfig(config, loaded.config);
    warnings.push(...loaded.warnings);
  }
  return { config, warnings };
}
