/**
 * A configuration file as a tree of positioned values, whatever its syntax: HCL native syntax
 * (parsed by HashiCorp's HCL library through core/jobspec, with the scanner's positions) or
 * JSON (parsed here, with positions). The decoder walks this tree against the schema.
 *
 * Blocks follow the rules of HCL 1, which Nomad's agent configuration uses: a block is an object
 * under its name, each label one more level of object (`plugin "docker" { ... }` is
 * `plugin { docker { ... } } }`), and a repeated block is a repeated key.
 *
 * @module
 */
import type { HclJson, ScannedItem, ScanPos, SourcePos } from "../jobspec/mod.ts";

/** A scalar, list or object of a configuration file, with where it starts. */
export type ConfigNode =
  | {
    readonly t: "scalar";
    readonly value: string | number | boolean | null;
    readonly pos: SourcePos;
  }
  | { readonly t: "list"; readonly items: readonly ConfigNode[]; readonly pos: SourcePos }
  | { readonly t: "object"; readonly entries: readonly ConfigEntry[]; readonly pos: SourcePos };

/** One key of an object, with where the key is written. */
export interface ConfigEntry {
  readonly key: string;
  readonly pos: SourcePos;
  readonly value: ConfigNode;
}

/** A file that is not valid HCL or JSON; `problems` are `file:line:col: message` lines. */
export class ConfigSyntaxError extends Error {
  override readonly name = "ConfigSyntaxError";
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: ErrorOptions) {
    super(problems.join("\n"), options);
    this.problems = problems;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A plain JSON value as a tree, every node at `pos` (the library gives no inner positions). */
function fromValue(v: unknown, pos: SourcePos): ConfigNode {
  if (Array.isArray(v)) return { t: "list", items: v.map((x) => fromValue(x, pos)), pos };
  if (isObject(v)) {
    const entries = Object.entries(v).map(([key, x]) => ({ key, pos, value: fromValue(x, pos) }));
    return { t: "object", entries, pos };
  }
  const value = typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : null;
  return { t: "scalar", value, pos };
}

function blockJson(parent: HclJson, name: string, labels: readonly string[], n: number): HclJson {
  let v: unknown = parent[name];
  for (const label of labels) v = isObject(v) ? v[label] : undefined;
  const body = Array.isArray(v) ? v[n] : undefined;
  return isObject(body) ? body : {};
}

function fromBody(
  file: string,
  items: readonly ScannedItem[],
  json: HclJson,
  pos: SourcePos,
): ConfigNode {
  const at = (p: ScanPos): SourcePos => ({ file, line: p.line, col: p.col });
  const entries: ConfigEntry[] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    if (item.kind === "attribute") {
      entries.push({
        key: item.name,
        pos: at(item.pos),
        value: fromValue(json[item.name], at(item.valuePos)),
      });
      continue;
    }
    const id = [item.name, ...item.labels].join("\0");
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    const where = at(item.pos);
    let value = fromBody(file, item.body, blockJson(json, item.name, item.labels, n), where);
    for (const label of [...item.labels].reverse()) {
      value = { t: "object", entries: [{ key: label, pos: where, value }], pos: where };
    }
    entries.push({ key: item.name, pos: where, value });
  }
  return { t: "object", entries, pos };
}

/** Keys Nomad's examples write as blocks with quoted keys (`options { "a.b" = "1" }`, HCL 1). */
const FLAT_MAP_BLOCK = /^([ \t]*)(options|meta|chroot_env|http_api_response_headers)([ \t]*)\{/gm;

/**
 * Parses HCL native syntax into a tree.
 *
 * HCL 1 allows quoted keys inside a block (`options { "driver.raw_exec.enable" = "1" }`), which
 * HCL 2 refuses; when the library says so, the flat map blocks are read as the equivalent
 * object attributes (`options = { ... }`) and the file parsed again.
 *
 * core/jobspec (and through it the HCL library) is imported here, on the first HCL file, so an
 * agent configured by flags or JSON files never loads it.
 *
 * @throws {ConfigSyntaxError} with the library's positioned diagnostics.
 */
export async function parseHclTree(file: string, source: string): Promise<ConfigNode> {
  const { JobspecError, parseHclDocument } = await import("../jobspec/mod.ts");
  let doc;
  try {
    doc = await parseHclDocument(file, source);
  } catch (err) {
    if (!(err instanceof JobspecError)) throw err;
    if (!err.message.includes("Argument names must not be quoted")) {
      throw new ConfigSyntaxError(err.message.split("\n"), { cause: err });
    }
    try {
      doc = await parseHclDocument(file, source.replace(FLAT_MAP_BLOCK, "$1$2$3= {"));
    } catch {
      throw new ConfigSyntaxError(err.message.split("\n"), { cause: err });
    }
  }
  return fromBody(file, doc.items, doc.json, { file, line: 1, col: 1 });
}

class JsonReader {
  #i = 0;
  #line = 1;
  #col = 1;
  readonly #src: string;
  readonly #file: string;

  constructor(file: string, src: string) {
    this.#file = file;
    this.#src = src;
  }

  pos(): SourcePos {
    return { file: this.#file, line: this.#line, col: this.#col };
  }

  fail(message: string): never {
    const p = this.pos();
    throw new ConfigSyntaxError([`${p.file}:${p.line}:${p.col}: invalid JSON: ${message}`]);
  }

  #next(): string {
    const c = this.#src[this.#i++] ?? "";
    if (c === "\n") {
      this.#line++;
      this.#col = 1;
    } else {
      this.#col++;
    }
    return c;
  }

  skip(): void {
    while (/[ \t\r\n]/.test(this.#src[this.#i] ?? "x")) this.#next();
  }

  get done(): boolean {
    return this.#i >= this.#src.length;
  }

  expect(c: string): void {
    this.skip();
    if (this.#src[this.#i] !== c) this.fail(`expected "${c}"`);
    this.#next();
  }

  value(): ConfigNode {
    this.skip();
    const pos = this.pos();
    const c = this.#src[this.#i];
    if (c === "{") return this.#object(pos);
    if (c === "[") return this.#list(pos);
    if (c === '"') return { t: "scalar", value: this.string(), pos };
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      this.#src.slice(this.#i, this.#i + 64),
    );
    if (!m) this.fail(`unexpected ${c === undefined ? "end of file" : `"${c}"`}`);
    for (let k = 0; k < m[0].length; k++) this.#next();
    const value = m[0] === "null"
      ? null
      : m[0] === "true"
      ? true
      : m[0] === "false"
      ? false
      : Number(m[0]);
    return { t: "scalar", value, pos };
  }

  string(): string {
    const start = this.#i;
    this.#next();
    while (!this.done && this.#src[this.#i] !== '"') {
      if (this.#src[this.#i] === "\\") this.#next();
      if (this.#src[this.#i] === "\n") this.fail("newline in string");
      this.#next();
    }
    if (this.done) this.fail("unterminated string");
    this.#next();
    try {
      return JSON.parse(this.#src.slice(start, this.#i)) as string;
    } catch {
      return this.fail("bad escape in string");
    }
  }

  #object(pos: SourcePos): ConfigNode {
    this.#next();
    const entries: ConfigEntry[] = [];
    this.skip();
    if (this.#src[this.#i] === "}") {
      this.#next();
      return { t: "object", entries, pos };
    }
    for (;;) {
      this.skip();
      const keyPos = this.pos();
      if (this.#src[this.#i] !== '"') this.fail("expected a quoted key");
      const key = this.string();
      this.expect(":");
      entries.push({ key, pos: keyPos, value: this.value() });
      this.skip();
      const c = this.#next();
      if (c === "}") return { t: "object", entries, pos };
      if (c !== ",") this.fail('expected "," or "}"');
    }
  }

  #list(pos: SourcePos): ConfigNode {
    this.#next();
    const items: ConfigNode[] = [];
    this.skip();
    if (this.#src[this.#i] === "]") {
      this.#next();
      return { t: "list", items, pos };
    }
    for (;;) {
      items.push(this.value());
      this.skip();
      const c = this.#next();
      if (c === "]") return { t: "list", items, pos };
      if (c !== ",") this.fail('expected "," or "]"');
    }
  }
}

/**
 * Parses JSON into a tree with the position of every key and value.
 *
 * @throws {ConfigSyntaxError} naming the position of the first error.
 */
export function parseJsonTree(file: string, source: string): ConfigNode {
  const r = new JsonReader(file, source.replace(/^\uFEFF/, ""));
  const root = r.value();
  r.skip();
  if (!r.done) r.fail("unexpected text after the value");
  if (root.t !== "object") {
    throw new ConfigSyntaxError([`${file}:1:1: the configuration must be a JSON object`]);
  }
  return root;
}

/** The plain value of a tree (blocks become objects, repeated keys the last one). */
export function plainValue(node: ConfigNode): unknown {
  if (node.t === "scalar") return node.value;
  if (node.t === "list") return node.items.map(plainValue);
  const out: Record<string, unknown> = {};
  for (const e of node.entries) out[e.key] = plainValue(e.value);
  return out;
}
