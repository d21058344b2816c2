/**
 * Interpolation of `${...}` references in task configuration, env values, service and
 * template fields, as Nomad's client does it (`helper/args.ReplaceEnv`): each `${name}` whose
 * name is made of letters, digits, `_`, `-` and `.` is replaced by the first map that has
 * it; references nothing knows are left exactly as written.
 *
 * Names a task can use: its environment (`${NOMAD_ALLOC_ID}`, `${NOMAD_PORT_http}`, any
 * `env` key), `${env.NAME}` for the same, `${attr.<attribute>}` and `${node.attr.<attribute>}`,
 * `${meta.<key>}` and `${node.meta.<key>}`, `${node.unique.id}`, `${node.unique.name}`,
 * `${node.datacenter}`, `${node.class}`, `${node.pool}` and `${node.region}`.
 *
 * @module
 */

const REFERENCE = /\$\{([a-zA-Z0-9_\-.]+)\}/g;

/** What references resolve against. */
export interface InterpolationEnv {
  /** The task's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Node values by reference name: `node.unique.id`, `attr.cpu.arch`, `meta.rack`, ... */
  readonly nodeAttrs: Readonly<Record<string, string>>;
}

/**
 * Replaces each `${name}` by its value in the first map that has `name`; unknown names stay.
 *
 * @example
 * ```ts
 * replaceEnv("${A}-${B}", { A: "1" }); // "1-${B}"
 * ```
 */
export function replaceEnv(text: string, ...maps: Readonly<Record<string, string>>[]): string {
  if (!text.includes("${")) return text;
  return text.replace(REFERENCE, (whole, name: string) => {
    for (const m of maps) {
      if (Object.hasOwn(m, name)) return m[name]!;
    }
    return whole;
  });
}

function lookup(env: InterpolationEnv, name: string): string | undefined {
  if (Object.hasOwn(env.env, name)) return env.env[name];
  if (Object.hasOwn(env.nodeAttrs, name)) return env.nodeAttrs[name];
  if (name.startsWith("env.")) {
    const key = name.slice(4);
    if (Object.hasOwn(env.env, key)) return env.env[key];
  }
  if (name.startsWith("node.attr.") || name.startsWith("node.meta.")) {
    const key = name.slice(5);
    if (Object.hasOwn(env.nodeAttrs, key)) return env.nodeAttrs[key];
  }
  return undefined;
}

/**
 * Interpolates one string against a task's environment and node values.
 *
 * @example
 * ```ts
 * interpolate("${NOMAD_TASK_DIR}/app.conf", taskEnv); // "/opt/nomad/alloc/<id>/web/local/app.conf"
 * ```
 */
export function interpolate(text: string, env: InterpolationEnv): string {
  if (!text.includes("${")) return text;
  return text.replace(REFERENCE, (whole, name: string) => lookup(env, name) ?? whole);
}

/**
 * Interpolates every string inside a value: strings in nested objects and arrays are
 * replaced, keys and other values are kept. Returns a new value; the input is not changed.
 *
 * @example
 * ```ts
 * interpolateConfig({ args: ["-port", "${NOMAD_PORT_http}"] }, taskEnv);
 * ```
 */
export function interpolateConfig<T>(value: T, env: InterpolationEnv): T {
  return walk(value, env) as T;
}

function walk(value: unknown, env: InterpolationEnv): unknown {
  if (typeof value === "string") return interpolate(value, env);
  if (Array.isArray(value)) return value.map((v) => walk(v, env));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, env);
    return out;
  }
  return value;
}
