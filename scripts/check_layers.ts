/**
 * Checks the dependency rule between folders (DESIGN.md): `structs` imports nothing;
 * `jobspec`, `scheduler` and `state` import `structs`; `server` imports `scheduler`, `state`,
 * `structs`; `client` imports `structs`, `rpc`, `plugins`; drivers import only `plugins`; `cli`
 * imports `structs` and `jobspec`; nothing but `main.ts` imports `cli`.
 *
 * Run: `deno run --allow-read scripts/check_layers.ts [root]` — prints each violation and exits 1
 * when there is one. Tests (`*_test.ts`, test helpers `*_testing.ts`, `tests/`) may import
 * anything.
 *
 * @module
 */
import { dirname, join, relative, resolve } from "node:path";

/** Which layers each layer may import, besides itself. `"*"` allows all but `cli`. */
export const RULES: Readonly<Record<string, readonly string[] | "*">> = {
  "core/structs": [],
  "core/jobspec": ["core/structs"],
  "core/scheduler": ["core/structs"],
  "core/state": ["core/structs"],
  "core/server": ["core/scheduler", "core/state", "core/structs", "core/rpc"],
  "core/client": ["core/structs", "core/rpc", "plugins"],
  "core/rpc": ["core/structs"],
  "core/http": "*",
  "core/agent": "*",
  // DESIGN.md: cli imports its API client, structs and jobspec. The one departure: the `agent`
  // command is the agent process itself (as `nomad agent` is in Nomad), so it loads core/agent,
  // lazily, when that command runs. Every other command talks to the agent over HTTP only.
  "core/cli": ["core/structs", "core/jobspec", "core/agent"],
  "drivers": ["plugins"],
  "plugins": ["core/structs"],
  "ui": [],
  "main.ts": ["core/cli"],
  "scripts": "*",
  "bench": "*",
};

/** One import that breaks the rule. */
export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly imports: string;
  readonly reason: string;
}

/** The layer a repository-relative path belongs to, or `undefined` outside every layer. */
export function layerOf(path: string): string | undefined {
  if (path === "main.ts") return "main.ts";
  const parts = path.split("/");
  if (parts[0] === "core" && parts.length > 2) return `core/${parts[1]}`;
  if (parts.length > 1 && parts[0] !== undefined && parts[0] in RULES) return parts[0];
  return undefined;
}

function isTest(path: string): boolean {
  return /(_test|_testing)\.tsx?$/.test(path) || path.startsWith("tests/") ||
    path.includes("/testdata/");
}

function* sourceFiles(root: string, dir = root): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory) yield* sourceFiles(root, full);
    else if (/\.(ts|tsx)$/.test(entry.name)) yield relative(root, full).replaceAll("\\", "/");
  }
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\b[^"'`;]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s+["']([^"']+)["']/gm;

function allowed(from: string, to: string): string | undefined {
  if (from === to) return undefined;
  if (to === "core/cli" && from !== "main.ts") return `nothing but main.ts may import core/cli`;
  const rule = RULES[from];
  if (rule === undefined || rule === "*") return undefined;
  return rule.includes(to) ? undefined : `${from} may import only ${rule.join(", ") || "itself"}`;
}

/** Lists every import in `root` that breaks the dependency rule. */
export function checkLayers(root: string): Violation[] {
  const violations: Violation[] = [];
  for (const file of sourceFiles(root)) {
    if (isTest(file)) continue;
    const from = layerOf(file);
    if (from === undefined) continue;
    const text = Deno.readTextFileSync(join(root, file));
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec === undefined || !spec.startsWith(".")) continue;
      const target = relative(root, resolve(join(root, dirname(file)), spec)).replaceAll("\\", "/");
      const to = layerOf(target);
      if (to === undefined) {
        // Benchmarks drive the real agent the way the end-to-end tests do, with their helpers.
        const benchUsesTestHelpers = from === "bench" && target.startsWith("tests/");
        if (target.startsWith("..") || (target.startsWith("tests/") && !benchUsesTestHelpers)) {
          violations.push({
            file,
            line: lineOf(text, m.index),
            imports: spec,
            reason: "imports outside the layers",
          });
        }
        continue;
      }
      const reason = allowed(from, to);
      if (reason) violations.push({ file, line: lineOf(text, m.index), imports: spec, reason });
    }
  }
  return violations;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index + 1).split("\n").length;
}

if (import.meta.main) {
  const root = resolve(Deno.args[0] ?? join(import.meta.dirname ?? ".", ".."));
  const violations = checkLayers(root);
  for (const v of violations) {
    console.error(`${v.file}:${v.line}: imports "${v.imports}": ${v.reason}`);
  }
  if (violations.length > 0) Deno.exit(1);
  console.log("layers: ok");
}
