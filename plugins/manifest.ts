/**
 * A plugin's manifest: its name, version, entry module and the Deno permissions its Worker gets.
 * Permissions use Deno's own descriptors (`read`, `write`, `net`, `env`, `run`, `sys`, `ffi`,
 * `import`); a kind left out is denied. Paths may use the host's variables:
 *
 * | variable        | value                                                         |
 * | --------------- | ------------------------------------------------------------- |
 * | `${deno}`       | the Deno executable running the agent (`Deno.execPath()`)     |
 * | `${data_dir}`   | a directory the plugin owns: `<host data dir>/<plugin name>`  |
 * | `${alloc_dir}`  | the client's allocation directory                             |
 * | `${plugin_dir}` | the directory of the entry module (file URLs only)            |
 *
 * @example
 * ```ts
 * const manifest: PluginManifest = {
 *   name: "hello",
 *   version: "0.1.0",
 *   entry: new URL("./driver.ts", import.meta.url).href,
 *   permissions: { read: ["${alloc_dir}"], write: ["${alloc_dir}"] },
 * };
 * ```
 *
 * @module
 */
import { PluginLoadError } from "./errors.ts";

/** One permission kind: `false`/absent denies, `true` grants all, a list grants those only. */
export type PermissionValue = boolean | string[];

/** The permissions a plugin asks for, by Deno permission kind. */
export interface ManifestPermissions {
  /** File reads (paths). */
  read?: PermissionValue;
  /** File writes (paths). */
  write?: PermissionValue;
  /** Network (`host:port`, `unix:/path`). */
  net?: PermissionValue;
  /** Environment variables (names). */
  env?: PermissionValue;
  /** Subprocesses (executable paths or names). */
  run?: PermissionValue;
  /** System information (`hostname`, `osRelease`, ...). */
  sys?: PermissionValue;
  /** Native libraries (paths). */
  ffi?: PermissionValue;
  /** Remote module hosts. */
  import?: PermissionValue;
}

/**
 * A fingerprint the host reports for a driver without starting its Worker: a driver that needs
 * only its configuration to know whether it works (raw_exec) declares one, and its Worker (some
 * 15 MB of memory) starts on first use — a task to start or to recover. From then on the
 * driver's own fingerprints replace this one.
 *
 * Detected and healthy (`"Healthy"`, with `attributes`) when enabled; undetected
 * (`"disabled"`) otherwise.
 */
export interface StaticFingerprint {
  /**
   * What enables the driver: a boolean key of the plugin config (`enabled = true`) or a client
   * option read as a Go boolean (`"driver.raw_exec.enable" = "1"`). Without it the driver is
   * always enabled.
   */
  enabledBy?: { config?: string; option?: string };
  /** The driver's attributes when enabled (`{ "driver.raw_exec": true }`). */
  attributes: Record<string, string | number | boolean>;
}

/** A plugin's manifest. */
export interface PluginManifest {
  /** The name jobs use (`driver = "raw_exec"`). Lowercase letters, digits, `_` and `-`. */
  name: string;
  /** The plugin's version. */
  version: string;
  /** The entry module's URL (absolute, or relative to the manifest file when parsed from one). */
  entry: string;
  /** The export holding the `DriverFactory`; `"default"` when absent. */
  export?: string;
  /** What the Worker may do. */
  permissions: ManifestPermissions;
  /** Lets the host report the driver without starting it; see {@link StaticFingerprint}. */
  fingerprint?: StaticFingerprint;
}

/** The values of the manifest's `${...}` variables. */
export interface ManifestVariables {
  /** `${deno}`. */
  deno: string;
  /** `${data_dir}`. */
  data_dir: string;
  /** `${alloc_dir}`. */
  alloc_dir: string;
  /** `${plugin_dir}`. */
  plugin_dir: string;
}

const KINDS = ["read", "write", "net", "env", "run", "sys", "ffi", "import"] as const;
const NAME = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Checks a manifest (from a JSON file or a module) and resolves its entry against `base`.
 *
 * @param value The manifest as parsed JSON.
 * @param base The URL the entry is relative to (the manifest file's URL).
 * @throws {PluginLoadError} Listing every problem.
 */
export function parseManifest(value: unknown, base?: string | URL): PluginManifest {
  const problems: string[] = [];
  const m = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const name = typeof m.name === "string" ? m.name : "";
  if (!NAME.test(name)) {
    problems.push(
      `"name" must be lowercase letters, digits, "_" or "-", got ${JSON.stringify(m.name)}`,
    );
  }
  if (typeof m.version !== "string" || m.version === "") {
    problems.push(`"version" must be a string`);
  }
  let entry = "";
  if (typeof m.entry !== "string" || m.entry === "") {
    problems.push(`"entry" must be the URL of the driver module`);
  } else {
    try {
      entry = new URL(m.entry, base).href;
    } catch {
      problems.push(
        `"entry" ${JSON.stringify(m.entry)} is not a URL (give an absolute URL or a base)`,
      );
    }
  }
  if (m.export !== undefined && typeof m.export !== "string") {
    problems.push(`"export" must be a string`);
  }
  const perms = (m.permissions ?? {}) as Record<string, unknown>;
  if (typeof perms !== "object" || Array.isArray(perms)) {
    problems.push(`"permissions" must be an object of Deno permission kinds`);
  } else {
    for (const [kind, v] of Object.entries(perms)) {
      if (!(KINDS as readonly string[]).includes(kind)) {
        problems.push(`"permissions.${kind}" is not a Deno permission kind (${KINDS.join(", ")})`);
      } else if (
        typeof v !== "boolean" && !(Array.isArray(v) && v.every((s) => typeof s === "string"))
      ) {
        problems.push(`"permissions.${kind}" must be true, false or a list of strings`);
      }
    }
  }
  const fp = m.fingerprint as Record<string, unknown> | undefined;
  if (fp !== undefined) problems.push(...staticFingerprintProblems(fp));
  if (problems.length > 0) {
    throw new PluginLoadError(
      name || String(base ?? "manifest"),
      `invalid manifest: ${problems.join("; ")}`,
    );
  }
  const out: PluginManifest = {
    name,
    version: m.version as string,
    entry,
    permissions: perms as ManifestPermissions,
  };
  if (typeof m.export === "string") out.export = m.export;
  if (fp !== undefined) out.fingerprint = fp as unknown as StaticFingerprint;
  return out;
}

function staticFingerprintProblems(fp: unknown): string[] {
  if (typeof fp !== "object" || fp === null || Array.isArray(fp)) {
    return [`"fingerprint" must be an object with "attributes"`];
  }
  const problems: string[] = [];
  const { attributes, enabledBy } = fp as Record<string, unknown>;
  if (
    typeof attributes !== "object" || attributes === null || Array.isArray(attributes) ||
    !Object.values(attributes).every((v) => ["string", "number", "boolean"].includes(typeof v))
  ) {
    problems.push(`"fingerprint.attributes" must be an object of strings, numbers or booleans`);
  }
  if (enabledBy !== undefined) {
    const e = enabledBy as Record<string, unknown>;
    if (
      typeof e !== "object" || e === null ||
      !Object.entries(e).every(([k, v]) =>
        ["config", "option"].includes(k) && typeof v === "string"
      )
    ) {
      problems.push(`"fingerprint.enabledBy" may only name a "config" key and an "option"`);
    }
  }
  return problems;
}

/** Reads and checks a `manifest.json` file; its `entry` is relative to the file. */
export async function loadManifestFile(path: string | URL): Promise<PluginManifest> {
  const url = path instanceof URL ? path : new URL(path, `file://${Deno.cwd()}/`);
  let text: string;
  try {
    text = await Deno.readTextFile(url);
  } catch (err) {
    throw new PluginLoadError(url.href, `cannot read the manifest: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PluginLoadError(url.href, `the manifest is not JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return parseManifest(json, url);
}

/**
 * Turns a manifest's permissions into the Worker's `deno.permissions`, replacing `${...}`
 * variables; every kind the manifest leaves out is denied.
 *
 * @throws {PluginLoadError} When a path uses an unknown variable.
 */
export function resolvePermissions(
  manifest: PluginManifest,
  vars: ManifestVariables,
): Deno.PermissionOptionsObject {
  const out: Record<string, boolean | string[]> = {};
  for (const kind of KINDS) {
    const v = manifest.permissions[kind];
    if (v === undefined || typeof v === "boolean") {
      out[kind] = v ?? false;
      continue;
    }
    out[kind] = v.map((item) =>
      item.replace(/\$\{([a-z_]+)\}/g, (_, key: string) => {
        if (!(key in vars)) {
          throw new PluginLoadError(
            manifest.name,
            `permission "${item}" uses unknown variable \${${key}} (known: ${
              Object.keys(vars).join(", ")
            })`,
          );
        }
        return vars[key as keyof ManifestVariables];
      })
    );
  }
  return out as Deno.PermissionOptionsObject;
}
