/**
 * Filesystem functions of go-cty-funcs, all refused unless the scope allows file access (as
 * Nomad's `guardFS`: `filesystem function disabled`): `file`, `filebase64`, `fileexists`,
 * `fileset` (doublestar globs), `abspath`, `dirname`, `basename`, `pathexpand`, and Terraform's
 * `templatefile`. Relative paths are resolved against the scope's `baseDir`.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { isAbsolute, join, posix, resolve } from "node:path";
import { type CallContext, FuncError, type FuncSpec, param } from "./_functions_api.ts";
import { isObject, T, type Value } from "./_hcl_types.ts";

type PathFn = (args: string[], ctx: CallContext) => Value;

function guarded(names: readonly string[], fn: PathFn): FuncSpec {
  return {
    params: names.map((n) => param(n, T.string)),
    impl: (args, ctx) => {
      if (!ctx.scope.allowFS) throw new FuncError("filesystem function disabled");
      return fn(args as string[], ctx);
    },
  };
}

/** `~` and `~/...` expanded to the home directory, as go-homedir does. */
function expandHome(p: string): string {
  if (!p.startsWith("~")) return p;
  if (p.length > 1 && p[1] !== "/" && p[1] !== "\\") {
    throw new FuncError("cannot expand user-specific home dir");
  }
  const home = Deno.env.get("HOME");
  if (!home) throw new FuncError("HOME environment variable is not set");
  return home + p.slice(1);
}

function resolvePath(p: string, ctx: CallContext): string {
  const expanded = expandHome(p);
  return posix.normalize(isAbsolute(expanded) ? expanded : join(ctx.scope.baseDir, expanded));
}

function readBytes(p: string, ctx: CallContext): Uint8Array {
  const path = resolvePath(p, ctx);
  try {
    return Deno.readFileSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new FuncError(`no file exists at ${path}`);
    throw new FuncError(`failed to read ${path}`);
  }
}

function readText(p: string, ctx: CallContext): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(readBytes(p, ctx));
  } catch (err) {
    if (err instanceof FuncError) throw err;
    throw new FuncError(
      `contents of ${p} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead`,
    );
  }
}

function fileExists(p: string, ctx: CallContext): boolean {
  const path = resolvePath(p, ctx);
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw new FuncError(`failed to stat ${path}`);
  }
  if (info.isFile) return true;
  const kind = info.isDirectory ? "d" : "?";
  throw new FuncError(`${path} is not a regular file, but ${JSON.stringify(kind)}`);
}

/** Compiles a doublestar glob (`**`, `*`, `?`, `[...]`, `{a,b}`) into a regexp. */
export function globToRegExp(pattern: string): RegExp {
  let re = "", depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      const slash = pattern[i + 2] === "/";
      re += slash ? "(?:[^/]*/)*" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) {
        throw new FuncError(`failed to glob pattern (${pattern}): syntax error in pattern`);
      }
      const body = pattern.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\");
      re += `[${body}]`;
      i = end;
    } else if (c === "{") {
      re += "(?:";
      depth++;
    } else if (c === "}" && depth > 0) {
      re += ")";
      depth--;
    } else if (c === "," && depth > 0) re += "|";
    else if (c === "\\" && i + 1 < pattern.length) re += "\\" + pattern[++i];
    else re += c.replace(/[.+^$()|\\/]/g, "\\$&");
  }
  if (depth > 0) {
    throw new FuncError(`failed to glob pattern (${pattern}): syntax error in pattern`);
  }
  return new RegExp(`^${re}$`, "u");
}

function walk(dir: string, prefix: string, out: string[]): void {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return;
  }
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) walk(join(dir, e.name), rel, out);
    else if (e.isFile) out.push(rel);
  }
}

function fileSet([path, pattern]: string[], ctx: CallContext): Value {
  const root = resolvePath(path!, ctx);
  const re = globToRegExp(pattern!);
  const files: string[] = [];
  walk(root, "", files);
  return files.filter((f) => re.test(f)).sort();
}

/** Go's `filepath.Dir`. */
export function goDir(p: string): string {
  const i = p.lastIndexOf("/");
  const dir = posix.normalize(p.slice(0, i + 1) || ".");
  return dir.length > 1 ? dir.replace(/\/$/, "") : dir;
}

/** Go's `filepath.Base`. */
export function goBase(p: string): string {
  if (p === "") return ".";
  const trimmed = p.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

function templateFile([path, vars]: Value[], ctx: CallContext): Value {
  if (!ctx.scope.allowFS) throw new FuncError("filesystem function disabled");
  if (!isObject(vars!)) throw new FuncError("invalid vars value: must be a map");
  const text = readText(path as string, ctx);
  try {
    return ctx.renderTemplate(text, vars);
  } catch (err) {
    const e = err as Error & { offset?: number };
    if (e.offset === undefined) throw err;
    const before = text.slice(0, e.offset).split("\n");
    throw new FuncError(`${path}:${before.length}:${before.at(-1)!.length + 1}: ${e.message}`);
  }
}

/** The filesystem functions by name. */
export const FILESYSTEM_FUNCTIONS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  ["file", guarded(["path"], ([p], ctx) => readText(p!, ctx))],
  [
    "filebase64",
    guarded(["path"], ([p], ctx) => Buffer.from(readBytes(p!, ctx)).toString("base64")),
  ],
  ["fileexists", guarded(["path"], ([p], ctx) => fileExists(p!, ctx))],
  ["fileset", guarded(["path", "pattern"], fileSet)],
  ["abspath", guarded(["path"], ([p]) => posix.normalize(resolve(p!)))],
  ["dirname", guarded(["path"], ([p]) => goDir(p!))],
  ["basename", guarded(["path"], ([p]) => goBase(p!))],
  ["pathexpand", guarded(["path"], ([p]) => expandHome(p!))],
  ["templatefile", {
    params: [param("path", T.string), param("vars", T.any)],
    impl: templateFile,
  }],
]);
